// DTLS over UDP: detection from the record header (content type, version 0xfeff/0xfefd/
// 0xfefc), and one EVE "dtls" event per handshake with the same fields as TLS (SNI, JA3,
// JA4 with the "d" prefix, JA3S, first certificate when its first fragment carries it whole).
// Only unfragmented hellos are parsed; a fragmented ClientHello just gives no fingerprint.
#include "dpi/dissector.hpp"
#include "dpi/dissectors/tls_session.hpp"

namespace nms::dpi {
namespace {

using tls::TextOut;

constexpr size_t kRecHdr = 13, kMsgHdr = 12;

struct State {
    tls::Session s;
    uint8_t quiet;   // server datagrams since the ServerHello without anything new
};
static_assert(sizeof(State) <= kMaxStateBytes);

bool dtls_version(uint16_t v) noexcept { return v == 0xfeff || v == 0xfefd || v == 0xfefc; }

class DtlsDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (in.tcp) return Verdict::kExcluded;
        const ByteView d = in.data;
        if (d.size < kRecHdr) return Verdict::kExcluded;
        const uint8_t t = d.u8(0);
        if (t < 20 || t > 23 || !dtls_version(d.be16(1))) return Verdict::kExcluded;
        const size_t len = d.be16(11);
        if (len == 0 || len + kRecHdr > d.size) return Verdict::kExcluded;
        if (t == 22 && d.be16(3) == 0) {   // epoch 0 handshake: the message header must fit
            if (len < kMsgHdr) return Verdict::kExcluded;
            const uint8_t hs = d.u8(kRecHdr);
            return hs >= 1 && hs <= 3 ? Verdict::kDetected : Verdict::kExcluded;
        }
        return Verdict::kDetected;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& st = *reinterpret_cast<State*>(state.data());
        const ByteView d = in.data;
        const auto all = static_cast<uint32_t>(d.size);
        bool server_more = false, cipher = false;
        const tls::CertInfo* cert_ptr = nullptr;
        tls::CertInfo cert;
        for (size_t off = 0; d.has(off, kRecHdr);) {
            const uint8_t type = d.u8(off);
            if (!dtls_version(d.be16(off + 1))) break;
            const size_t len = d.be16(off + 11);
            const ByteView rec = d.sub(off + kRecHdr, len);
            off += kRecHdr + rec.size;
            if (type == 20 || type == 23) cipher = true;
            if (type != 22 || d.be16(off - rec.size - kRecHdr + 3) != 0) continue;   // epoch > 0 is encrypted
            for (size_t m = 0; rec.has(m, kMsgHdr);) {
                const uint8_t mt = rec.u8(m);
                const size_t mlen = rec.be24(m + 1), foff = rec.be24(m + 6), flen = rec.be24(m + 9);
                const ByteView body = rec.sub(m + kMsgHdr, flen);
                m += kMsgHdr + body.size;
                if (foff != 0) continue;
                const bool whole = body.size == mlen && flen == mlen;
                if (mt == 1 && whole && !st.s.client_seen) {
                    char ja3[4096];
                    TextOut t{ja3, sizeof ja3};
                    tls::ClientHello ch;
                    if (tls::parse_client_hello(body, tls::HelloKind::kDtls, ch, t)) st.s.client_hello(ch, t);
                } else if (mt == 2 && whole && !st.s.server_seen) {
                    char ja3s[512];
                    TextOut t{ja3s, sizeof ja3s};
                    tls::ServerHello sh;
                    if (tls::parse_server_hello(body, tls::HelloKind::kDtls, sh, t)) st.s.server_hello(sh, t);
                } else if (mt == 11 && st.s.server_seen && tls::parse_first_certificate(body, cert)) {
                    cert_ptr = &cert;
                } else if (mt != 1 && mt != 2 && mt != 3 && st.s.server_seen) {
                    server_more = true;
                }
            }
        }
        if (st.s.server_seen &&
            (cert_ptr || server_more || cipher || st.s.server_version == 0xfefc || ++st.quiet >= 3)) {
            st.s.emit(cert_ptr, events);
            st.s.clear();
            return {all, true};
        }
        return {all, false};
    }

    void finish(const flow::Flow&, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& st = *reinterpret_cast<State*>(state.data());
        if (!st.s.empty()) st.s.emit(nullptr, events);
    }

    void render(const AppEvent& ev, JsonWriter& w) const override { tls::render_event(ev, w); }

 private:
    DissectorInfo info_{"dtls", kUdp, {4433, 5684, 0, 0, 0, 0}, sizeof(State), false};
};

}  // namespace

std::unique_ptr<Dissector> make_dtls_dissector() { return std::make_unique<DtlsDissector>(); }

}  // namespace nms::dpi
