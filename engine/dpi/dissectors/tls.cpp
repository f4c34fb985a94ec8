// TLS over TCP: detection from the record header (any port), and one EVE "tls" event per
// handshake: ClientHello (SNI, ALPN, JA3, JA4), ServerHello (version, JA3S) and, for TLS <= 1.2,
// the server's first certificate. Handshake messages are read from the records at the front
// of the direction's stream buffer; nothing is consumed until a direction has given what we
// need, so a message split across records and segments is simply re-read when complete.
#include <cstring>

#include "dpi/device_fact.hpp"
#include "dpi/dissector.hpp"
#include "dpi/dissectors/tls_session.hpp"

namespace nms::dpi {
namespace {

using tls::TextOut;

constexpr size_t kMaxRecord = 16384 + 2048;
constexpr size_t kHsMax = 16384;   // handshake bytes gathered per call (the stream buffer is smaller)

enum DirFlag : uint8_t { kClientDone = 1, kServerDone = 2, kAfterHrr = 4 };

struct State {
    tls::Session s;
    uint8_t flags;
    TimestampNs hello_ns;  // when the ClientHello was complete: ClientHello -> ServerHello latency
};
static_assert(sizeof(State) <= kMaxStateBytes);

// The handshake bytes carried by the complete and partial records at the front of `data`.
struct Gather {
    uint8_t hs[kHsMax];
    size_t n = 0;
    bool bad = false;        // the bytes are not TLS records (mid-stream after a buffer reset)
    bool cipher = false;     // a ChangeCipherSpec or application data record follows the handshake
};

bool record_ok(ByteView d, size_t off) noexcept {
    const uint8_t t = d.u8(off);
    return t >= 20 && t <= 24 && d.u8(off + 1) == 3 && d.u8(off + 2) <= 4 && d.be16(off + 3) <= kMaxRecord;
}

void gather(ByteView d, bool skip_leading_ccs, Gather& g) noexcept {
    size_t off = 0;
    while (d.has(off, 5)) {
        if (!record_ok(d, off)) {
            g.bad = off == 0 || g.n == 0;
            return;
        }
        const uint8_t type = d.u8(off);
        const size_t len = d.be16(off + 3);
        ByteView body = d.sub(off + 5, len);
        if (type == 22) {
            const size_t n = body.size < kHsMax - g.n ? body.size : kHsMax - g.n;
            std::memcpy(g.hs + g.n, body.data, n);
            g.n += n;
        } else if (type == 20 && skip_leading_ccs && g.n == 0) {
            // TLS 1.3 middlebox compatibility CCS before the second ClientHello
        } else if (type == 20 || type == 23) {
            g.cipher = true;
            return;
        }
        if (body.size < len) return;   // partial record: the rest comes later
        off += 5 + len;
    }
}

// Next handshake message in the gathered bytes: type, declared length and what is present.
struct Msg {
    uint8_t type;
    size_t len;
    ByteView body;           // available bytes (== len when complete)
    [[nodiscard]] bool complete() const noexcept { return body.size == len; }
};

bool next_msg(ByteView hs, size_t& off, Msg& m) noexcept {
    if (!hs.has(off, 4)) return false;
    m.type = hs.u8(off);
    m.len = hs.be24(off + 1);
    m.body = hs.sub(off + 4, m.len);
    off += 4 + m.body.size;
    return true;
}

class TlsDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (!in.tcp) return Verdict::kExcluded;
        const ByteView d = in.data;
        // Record header: content type, version 3.x, plausible length, then the handshake type.
        if (d.size >= 1 && (d.u8(0) < 20 || d.u8(0) > 23)) return sslv2_hello(d);
        if (d.size >= 2 && d.u8(1) != 3) return Verdict::kExcluded;
        if (d.size >= 3 && d.u8(2) > 4) return Verdict::kExcluded;
        if (d.size < 5) return Verdict::kNeedMore;
        const size_t len = d.be16(3);
        if (len == 0 || len > kMaxRecord) return Verdict::kExcluded;
        if (d.u8(0) != 22) {
            // Mid-stream (application data, alert, CCS): need a known port or two records.
            if (d.u8(2) == 0) return Verdict::kExcluded;
            if (in.server_port == 443 || in.server_port == 8443 || len + 5 == d.size) return Verdict::kDetected;
            if (d.size < len + 10) return Verdict::kNeedMore;
            return record_ok(d, len + 5) ? Verdict::kDetected : Verdict::kExcluded;
        }
        if (d.size < 6) return Verdict::kNeedMore;
        const uint8_t hs = d.u8(5);
        return hs == 1 || hs == 2 ? Verdict::kDetected : Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& st = *reinterpret_cast<State*>(state.data());
        const auto all = static_cast<uint32_t>(in.data.size);
        if (in.dir == flow::kToServer) {
            if (st.flags & kClientDone) return {all, false};
            Gather g;
            gather(in.data, st.flags & kAfterHrr, g);
            size_t off = 0;
            Msg m;
            if (!g.bad && next_msg(ByteView(g.hs, g.n), off, m)) {
                if (m.type != 1) {
                    st.flags |= kClientDone;
                } else if (m.complete()) {
                    char ja3[kHsMax];
                    TextOut t{ja3, sizeof ja3};
                    tls::ClientHello ch;
                    if (tls::parse_client_hello(m.body, tls::HelloKind::kTls, ch, t)) {
                        st.s.client_hello(ch, t);
                        st.hello_ns = in.pkt.ts_ns;
                        if (!ch.sni.empty()) events.device_fact(DeviceFact::kTlsSniClient, ch.sni.as_string());
                        events.device_fact(DeviceFact::kTlsJa4Client, ch.ja4_text());
                    }
                    st.flags |= kClientDone;
                }
            } else if (g.bad || g.cipher) {
                st.flags |= kClientDone;
            }
            return {(st.flags & kClientDone) ? all : 0, false};
        }
        return on_server(in, st, events);
    }

    void finish(const flow::Flow&, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& st = *reinterpret_cast<State*>(state.data());
        if (!st.s.empty()) st.s.emit(nullptr, events);
    }

    void render(const AppEvent& ev, JsonWriter& w) const override { tls::render_event(ev, w); }

 private:
    static Verdict sslv2_hello(ByteView d) noexcept {
        // SSLv2-framed ClientHello: 2-byte length with the high bit, msg type 1, version 3.x/2.
        if (d.size >= 1 && !(d.u8(0) & 0x80)) return Verdict::kExcluded;
        if (d.size < 5) return Verdict::kNeedMore;
        return d.u8(2) == 1 && (d.u8(3) == 3 || d.u8(3) == 0) && d.u8(4) <= 3 ? Verdict::kDetected
                                                                               : Verdict::kExcluded;
    }

    InspectResult on_server(const InspectInput& in, State& st, EventSink& events) const noexcept {
        const auto all = static_cast<uint32_t>(in.data.size);
        Gather g;
        gather(in.data, st.flags & kAfterHrr, g);
        const ByteView hs(g.hs, g.n);
        size_t off = 0;
        Msg m;
        while (!g.bad && next_msg(hs, off, m)) {
            if (m.type == 2) {
                if (st.s.server_seen) continue;   // parsed on an earlier call, still buffered
                if (!m.complete()) return {0, false};
                char ja3s[512];
                TextOut t{ja3s, sizeof ja3s};
                tls::ServerHello sh;
                if (!tls::parse_server_hello(m.body, tls::HelloKind::kTls, sh, t)) return finish_now(st, nullptr, events);
                st.s.server_hello(sh, t);
                if (st.hello_ns && in.pkt.ts_ns > st.hello_ns) events.latency((in.pkt.ts_ns - st.hello_ns) / 1000);
                if (sh.hrr) {
                    // One event for the first exchange; the second ClientHello/ServerHello follow.
                    st.s.emit(nullptr, events);
                    st.s.clear();
                    st.flags = kAfterHrr;
                    return {all, false};
                }
                if (sh.version >= 0x0304 && sh.version != 0xffff) return finish_now(st, nullptr, events);
                continue;
            }
            if (!st.s.server_seen) return finish_now(st, nullptr, events);   // not a handshake we follow
            if (m.type == 11) {
                tls::CertInfo cert;
                if (tls::parse_first_certificate(m.body, cert)) return finish_now(st, &cert, events);
                if (m.complete()) return finish_now(st, nullptr, events);
                return {0, false};   // the first certificate is still arriving
            }
            return finish_now(st, nullptr, events);   // any other message: no certificate in this handshake
        }
        if (g.bad || g.cipher) return finish_now(st, nullptr, events);
        return {0, false};
    }

    static InspectResult finish_now(State& st, const tls::CertInfo* cert, EventSink& events) noexcept {
        if (!st.s.empty()) st.s.emit(cert, events);
        st.s.clear();
        return {0, true};
    }

    DissectorInfo info_{"tls", kTcp, {443, 465, 993, 995, 8443, 853}, sizeof(State), true};
};

}  // namespace

std::unique_ptr<Dissector> make_tls_dissector() { return std::make_unique<TlsDissector>(); }

}  // namespace nms::dpi
