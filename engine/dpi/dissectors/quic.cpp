// QUIC over UDP: detection from the long header (IETF v1, v2, drafts, mvfst, Google QUIC),
// and one EVE "quic" event from the client's Initial packets: the Initial keys come from the
// Destination Connection ID (RFC 9001 §5, RFC 9369 for v2), header protection is removed,
// the payload decrypted (AES-128-CTR, GCM's keystream; the tag is not checked), and the CRYPTO frames (split across packets and out of
// order, as Chrome sends them) reassembled into the TLS ClientHello -> SNI, ALPN, JA3, JA4.
// Google QUIC CHLO tag messages (SNI, UAID) are read in clear (Q039-Q046) or after the Q050
// Initial decryption. Every read is bounded; decryption failures just mean no event.
#include <cstring>

#include "dpi/device_fact.hpp"
#include "dpi/dissector.hpp"
#include "dpi/dissectors/tls_crypto.hpp"
#include "dpi/dissectors/tls_session.hpp"

namespace nms::dpi {
namespace {

using tls::TextOut;

constexpr size_t kMaxPlain = 4096;      // largest Initial payload we decrypt
constexpr size_t kReasm = 4096;         // CRYPTO bytes reassembled per flow
constexpr uint8_t kMaxPackets = 16;      // datagrams to wait for a whole ClientHello

enum class Family : uint8_t { kNone, kV1, kV2, kDraft, kGoogleClear, kGoogleQ050 };

struct VersionInfo {
    Family fam = Family::kNone;
    const uint8_t* salt = nullptr;   // 20 bytes
};

constexpr uint8_t kSaltV1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
constexpr uint8_t kSaltV2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
constexpr uint8_t kSaltD29[20] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                                  0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
constexpr uint8_t kSaltD23[20] = {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
                                  0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};
constexpr uint8_t kSaltD22[20] = {0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a,
                                  0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a};
constexpr uint8_t kSaltQ050[20] = {0x50, 0x45, 0x74, 0xef, 0xd0, 0x66, 0xfe, 0x2f, 0x9d, 0x94,
                                   0x5c, 0xfc, 0xdb, 0xd3, 0xa7, 0xf0, 0xd3, 0xb5, 0x6b, 0x45};

VersionInfo version_info(uint32_t v) noexcept {
    if (v == 0x00000001) return {Family::kV1, kSaltV1};
    if (v == 0x6b3343cf) return {Family::kV2, kSaltV2};
    if ((v >> 8) == 0xff0000) {
        const uint32_t d = v & 0xff;
        if (d >= 33) return {Family::kDraft, kSaltV1};
        if (d >= 29) return {Family::kDraft, kSaltD29};
        if (d >= 23) return {Family::kDraft, kSaltD23};
        if (d >= 22) return {Family::kDraft, kSaltD22};
        return {};
    }
    if (v == 0xfaceb001) return {Family::kDraft, kSaltD22};    // mvfst draft-22
    if (v == 0xfaceb002) return {Family::kDraft, kSaltD23};    // mvfst draft-27
    if (v == 0xfaceb00e) return {Family::kDraft, kSaltD29};    // mvfst draft-29
    if ((v >> 16) == 0x5130 || (v >> 16) == 0x5430) {          // "Q0xx" / "T0xx"
        const uint32_t hi = (v >> 8) & 0xff, lo = v & 0xff;
        if (hi < '0' || hi > '9' || lo < '0' || lo > '9') return {};
        const uint32_t n = (hi - '0') * 10 + (lo - '0');
        if (v == 0x51303530) return {Family::kGoogleQ050, kSaltQ050};
        return {n < 50 ? Family::kGoogleClear : Family::kNone, nullptr};
    }
    return {};
}

bool read_varint(ByteView d, size_t& off, uint64_t& v) noexcept {
    if (!d.has(off, 1)) return false;
    const size_t n = size_t{1} << (d.u8(off) >> 6);
    if (!d.has(off, n)) return false;
    v = d.u8(off) & 0x3fu;
    for (size_t i = 1; i < n; ++i) v = (v << 8) | d.u8(off + i);
    off += n;
    return true;
}

// Per-worker CRYPTO reassembly slots (thread storage, no heap): the flow's state bytes are
// too small for a ClientHello that spans packets.
struct Reasm {
    uint64_t flow_id = 0;
    uint64_t stamp = 0;
    uint8_t data[kReasm];
    uint8_t have[kReasm / 8];
};
constexpr size_t kSlots = 4;

Reasm& reasm_for(uint64_t flow_id) noexcept {
    thread_local Reasm slots[kSlots];
    thread_local uint64_t clock = 0;
    Reasm* lru = &slots[0];
    for (auto& s : slots) {
        if (s.flow_id == flow_id) {
            s.stamp = ++clock;
            return s;
        }
        if (s.stamp < lru->stamp) lru = &s;
    }
    lru->flow_id = flow_id;
    lru->stamp = ++clock;
    std::memset(lru->have, 0, sizeof lru->have);
    return *lru;
}

void reasm_add(Reasm& r, uint64_t off, ByteView d) noexcept {
    if (off >= kReasm) return;
    const size_t lo = static_cast<size_t>(off);
    const size_t n = d.size < kReasm - lo ? d.size : kReasm - lo;
    if (n == 0) return;
    std::memcpy(r.data + lo, d.data, n);
    // Mark [lo, hi) present: partial first/last bytes of the bitmap, whole bytes in between.
    const size_t hi = lo + n;
    auto mark = [&r](size_t a, size_t b) noexcept {   // a..b within one bitmap byte
        for (size_t i = a; i < b; ++i) r.have[i / 8] = static_cast<uint8_t>(r.have[i / 8] | (1u << (i % 8)));
    };
    const size_t first_full = (lo + 7) / 8, last_full = hi / 8;
    if (first_full >= last_full) {
        mark(lo, hi);
        return;
    }
    mark(lo, first_full * 8);
    std::memset(r.have + first_full, 0xff, last_full - first_full);
    mark(last_full * 8, hi);
}

size_t reasm_prefix(const Reasm& r) noexcept {
    size_t byte = 0;
    while (byte < sizeof r.have && r.have[byte] == 0xff) ++byte;
    size_t n = byte * 8;
    while (n < kReasm && (r.have[n / 8] & (1u << (n % 8)))) ++n;
    return n;
}

struct State {
    uint32_t version;
    uint8_t dcid_len;
    uint8_t dcid[20];
    uint8_t keys_ok;
    uint8_t key[16], iv[12], hp[16];
    uint8_t packets;
    uint8_t used_reasm;
};
static_assert(sizeof(State) <= kMaxStateBytes);

class QuicDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (in.tcp) return Verdict::kExcluded;
        const ByteView d = in.data;
        if (d.size < 7) return Verdict::kExcluded;
        const uint8_t b0 = d.u8(0);
        if (b0 & 0x80) {   // long header: version, then a bounded DCID
            const uint32_t v = d.be32(1);
            // Version negotiation: four zero bytes are too weak a signature off port 443.
            if (v == 0) return d.u8(5) <= 20 && in.server_port == 443 ? Verdict::kDetected : Verdict::kExcluded;
            if (version_info(v).fam == Family::kNone) return Verdict::kExcluded;
            if (version_info(v).fam == Family::kGoogleClear) return Verdict::kDetected;
            return d.u8(5) <= 20 && (b0 & 0x40) ? Verdict::kDetected : Verdict::kExcluded;
        }
        // Google QUIC public header with the version flag (Q039-Q043).
        if ((b0 & 0x01) && !(b0 & 0x40)) {
            const size_t voff = 1 + ((b0 & 0x08) ? 8 : 0);
            if (d.has(voff, 4) && version_info(d.be32(voff)).fam == Family::kGoogleClear) return Verdict::kDetected;
        }
        return Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& st = *reinterpret_cast<State*>(state.data());
        const auto all = static_cast<uint32_t>(in.data.size);
        // Give up after a few datagrams (either direction) without a whole ClientHello.
        const bool enough = ++st.packets >= kMaxPackets;
        if (in.dir != flow::kToServer) return {all, enough};
        if (handle_datagram(in, st, events)) return {all, true};
        return {all, enough};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override { tls::render_event(ev, w); }

 private:
    // True when the event was written (nothing more to learn).
    bool handle_datagram(const InspectInput& in, State& st, EventSink& events) const noexcept {
        const ByteView d = in.data;
        const uint8_t b0 = d.u8(0);
        if (!(b0 & 0x80)) {
            if ((b0 & 0x01) && !(b0 & 0x40)) {
                const size_t voff = 1 + ((b0 & 0x08) ? 8 : 0);
                if (d.has(voff, 4)) return google_clear(d, d.be32(voff), events);
            }
            return false;
        }
        // Coalesced long-header packets.
        for (size_t off = 0; d.has(off, 7) && (d.u8(off) & 0x80);) {
            const ByteView p = d.sub(off);
            const uint32_t v = p.be32(1);
            const VersionInfo vi = version_info(v);
            if (vi.fam == Family::kGoogleClear) return google_clear(d, v, events);
            if (vi.fam == Family::kNone) return false;
            size_t pos = 5;
            const size_t dcil = p.u8(pos++);
            if (dcil > 20 || !p.has(pos, dcil + 1)) return false;
            const ByteView dcid = p.sub(pos, dcil);
            pos += dcil;
            const size_t scil = p.u8(pos++);
            if (scil > 20 || !p.has(pos, scil)) return false;
            pos += scil;
            const uint8_t type = (p.u8(0) >> 4) & 3;
            const bool initial = vi.fam == Family::kV2 ? type == 1 : type == 0;
            const bool retry = vi.fam == Family::kV2 ? type == 0 : type == 3;
            if (retry) return false;
            uint64_t token = 0, length = 0;
            if (initial && !read_varint(p, pos, token)) return false;
            if (token > p.size) return false;
            pos += static_cast<size_t>(token);
            if (!read_varint(p, pos, length) || length > p.size || !p.has(pos, static_cast<size_t>(length))) return false;
            if (initial && open_initial(in, st, p.sub(0, pos + static_cast<size_t>(length)), pos, v, vi, dcid,
                                        token != 0, events))
                return true;
            off += pos + static_cast<size_t>(length);
        }
        return false;
    }

    bool derive(State& st, const VersionInfo& vi, ByteView dcid) const noexcept {
        uint8_t initial[32], client[32];
        if (!crypto::hkdf_extract(vi.salt, 20, dcid.data, dcid.size, initial)) return false;
        if (!crypto::hkdf_expand_label(initial, "client in", client, 32)) return false;
        const bool v2 = vi.fam == Family::kV2;
        return crypto::hkdf_expand_label(client, v2 ? "quicv2 key" : "quic key", st.key, 16) &&
               crypto::hkdf_expand_label(client, v2 ? "quicv2 iv" : "quic iv", st.iv, 12) &&
               crypto::hkdf_expand_label(client, v2 ? "quicv2 hp" : "quic hp", st.hp, 16);
    }

    // One client Initial packet `p` (header + payload), payload starting at pn_off. The
    // payload is decrypted with AES-128-CTR (GCM's keystream) without checking the tag: the
    // ClientHello is only classified, and garbage (wrong keys, corruption) is still rejected
    // by the reserved header bits, the frame walk and the ClientHello parser.
    bool open_initial(const InspectInput& in, State& st, ByteView p, size_t pn_off, uint32_t version,
                      const VersionInfo& vi, ByteView dcid, bool has_token, EventSink& events) const noexcept {
        // Keys come from the client's first DCID (later packets may carry the server's CID),
        // except after a Retry: the client then sends a token and the DCID the server chose.
        const bool new_dcid = st.keys_ok && has_token && (dcid.size != st.dcid_len ||
                                                          std::memcmp(dcid.data, st.dcid, dcid.size) != 0);
        if (!st.keys_ok || new_dcid) {
            if (!derive(st, vi, dcid)) return false;
            st.keys_ok = 1;
            st.version = version;
            st.dcid_len = static_cast<uint8_t>(dcid.size);
            std::memcpy(st.dcid, dcid.data, dcid.size);
            st.used_reasm = 0;   // CRYPTO offsets restart with the new keys
        }
        if (!p.has(pn_off + 4, 16)) return false;
        uint8_t mask[16];
        if (!crypto::aes128_ecb_block(st.hp, p.data + pn_off + 4, mask)) return false;
        const uint8_t b0 = static_cast<uint8_t>(p.u8(0) ^ (mask[0] & 0x0f));
        // Reserved bits must be zero once protection is off (RFC 9000 §17.2): a cheap first
        // test of the keys; Google's Q050 does not define them.
        if ((b0 & 0x0c) != 0 && vi.fam != Family::kGoogleQ050) return false;
        const size_t pn_len = (b0 & 3u) + 1;
        const size_t hdr_len = pn_off + pn_len;
        if (!p.has(hdr_len, 16)) return false;
        uint8_t counter[16];   // GCM: nonce = iv ^ packet number, payload counter starts at 2
        std::memcpy(counter, st.iv, 12);
        for (size_t i = 0; i < pn_len; ++i)
            counter[12 - pn_len + i] ^= static_cast<uint8_t>(p.u8(pn_off + i) ^ mask[1 + i]);
        counter[12] = counter[13] = counter[14] = 0;
        counter[15] = 2;
        const size_t body = p.size - hdr_len - 16;   // the last 16 bytes are the tag
        if (body > kMaxPlain) return false;
        uint8_t plain[kMaxPlain];
        if (!crypto::aes128_ctr(st.key, counter, p.data + hdr_len, body, plain)) return false;
        return frames(in, st, ByteView(plain, body), vi, events);
    }

    bool frames(const InspectInput& in, State& st, ByteView f, const VersionInfo& vi, EventSink& events) const noexcept {
        Reasm* r = nullptr;
        for (size_t off = 0; off < f.size;) {
            uint64_t type = 0, a = 0, b = 0, c = 0, n = 0;
            if (f.data[off] == 0x00) {  // PADDING: Initials are padded to 1200 bytes, skip the run at once
                while (off < f.size && f.data[off] == 0x00) ++off;
                continue;
            }
            if (!read_varint(f, off, type)) break;
            if (type == 0x01) continue;                             // PING
            if (type == 0x02 || type == 0x03) {                    // ACK
                if (!read_varint(f, off, a) || !read_varint(f, off, b) || !read_varint(f, off, n) ||
                    !read_varint(f, off, c) || n > 256)
                    break;
                bool ok = true;
                for (uint64_t i = 0; i < n * 2 && ok; ++i) ok = read_varint(f, off, a);
                for (int i = 0; i < (type == 3 ? 3 : 0) && ok; ++i) ok = read_varint(f, off, a);
                if (!ok) break;
                continue;
            }
            // CRYPTO (Google Q050 numbers it 0x08)
            if (type == 0x06 || (type == 0x08 && vi.fam == Family::kGoogleQ050)) {
                if (!read_varint(f, off, a) || !read_varint(f, off, b) || !f.has(off, static_cast<size_t>(b))) break;
                if (!r) r = &reasm_for(in.flow.flow_id);
                if (!st.used_reasm) {   // first use by this flow: the slot may hold another's bytes
                    std::memset(r->have, 0, sizeof r->have);
                    st.used_reasm = 1;
                }
                reasm_add(*r, a, f.sub(off, static_cast<size_t>(b)));
                off += static_cast<size_t>(b);
                continue;
            }
            break;   // CONNECTION_CLOSE or anything else: stop
        }
        if (!r) return false;
        const size_t have = reasm_prefix(*r);
        const ByteView hs(r->data, have);
        if (vi.fam == Family::kGoogleQ050) return have >= 4 && chlo(hs, st.version, events);
        if (have < 4 || hs.u8(0) != 1) return false;
        const size_t len = hs.be24(1);
        if (len + 4 > have) return false;   // wait for the rest
        char ja3[kReasm * 3 + 64];
        TextOut t{ja3, sizeof ja3};
        tls::ClientHello ch;
        if (!tls::parse_client_hello(hs.sub(4, len), tls::HelloKind::kQuic, ch, t)) return true;
        if (!ch.sni.empty()) events.device_fact(DeviceFact::kTlsSniClient, ch.sni.as_string());
        events.device_fact(DeviceFact::kTlsJa4Client, ch.ja4_text());
        if (AppEvent* ev = events.begin_event()) {
            EventWriter w(*ev);
            put_version(w, st.version);
            if (!ch.sni.empty()) w.str(tls::kSni, ch.sni);
            if (ch.has_ja3) w.bytes(tls::kJa3Hash, ch.ja3_md5, 16);
            w.bytes(tls::kJa4, ch.ja4, sizeof ch.ja4);
            if (!ch.alpn.empty()) w.str(tls::kClientAlpn, ch.alpn);
            if (ch.has_ja3) w.bytes(tls::kJa3Str, t.p, t.len);
            events.commit_event();
        }
        r->flow_id = 0;   // slot free for others
        return true;
    }

    static void put_version(EventWriter& w, uint32_t v) noexcept {
        char buf[8];
        size_t n = 0;
        if ((v >> 24) == 'Q' || (v >> 24) == 'T') {
            for (int s = 24; s >= 0; s -= 8) buf[n++] = static_cast<char>((v >> s) & 0xff);
        } else {
            static constexpr char kHex[] = "0123456789abcdef";
            bool lead = true;
            for (int s = 28; s >= 0; s -= 4) {
                const unsigned x = (v >> s) & 15;
                if (lead && x == 0 && s) continue;
                lead = false;
                buf[n++] = kHex[x];
            }
        }
        w.bytes(tls::kQuicVersion, buf, n);
    }

    // Google QUIC CHLO in clear: find the tag message and read SNI and UAID.
    static bool google_clear(ByteView d, uint32_t version, EventSink& events) noexcept {
        for (size_t i = 0; i + 4 <= d.size; ++i)
            if (std::memcmp(d.data + i, "CHLO", 4) == 0) return chlo(d.sub(i), version, events);
        return false;
    }

    static bool chlo(ByteView m, uint32_t version, EventSink& events) noexcept {
        if (!m.has(0, 8) || std::memcmp(m.data, "CHLO", 4) != 0) return false;
        const size_t n = load_le16(m.data + 4);
        const size_t values = 8 + n * 8;
        if (n > 128 || !m.has(0, values)) return false;
        ByteView sni, ua;
        size_t prev = 0;
        for (size_t i = 0; i < n; ++i) {
            const uint8_t* e = m.data + 8 + i * 8;
            const size_t end = load_le32(e + 4);
            if (end < prev || !m.has(values + prev, end - prev)) return false;
            const ByteView v = m.sub(values + prev, end - prev);
            if (std::memcmp(e, "SNI\0", 4) == 0) sni = v;
            if (std::memcmp(e, "UAID", 4) == 0) ua = v;
            prev = end;
        }
        if (AppEvent* ev = events.begin_event()) {
            EventWriter w(*ev);
            put_version(w, version);
            if (!sni.empty()) w.str(tls::kSni, sni);
            if (!ua.empty()) w.str(tls::kUserAgent, ua);
            events.commit_event();
        }
        return true;
    }

    DissectorInfo info_{"quic", kUdp, {443, 0, 0, 0, 0, 0}, sizeof(State), true};
};

}  // namespace

std::unique_ptr<Dissector> make_quic_dissector() { return std::make_unique<QuicDissector>(); }

}  // namespace nms::dpi
