// SSH: the identification strings ("SSH-2.0-OpenSSH_8.2p1 ...", SSH-1.x too) of both sides and
// HASSH / HASSH-server (MD5 of "kex;enc;mac;cmp" from each side's KEXINIT), as one EVE "ssh"
// event per flow like Suricata's {client: {proto_version, software_version, hassh}, server}.
#include <openssl/evp.h>

#include <cstring>

#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"
#include "dpi/dissectors/line_parse.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kClientBanner, kServerBanner, kClientHassh, kServerHassh };
enum Phase : uint8_t { kBanner = 0, kKexinit = 1, kSideDone = 2 };

struct SshState {
    static constexpr size_t kBannerMax = 200;
    uint8_t phase[2];
    uint8_t banner_len[2];
    uint8_t has_hassh[2];
    uint8_t emitted;
    uint8_t packets[2];        // binary packets looked at before KEXINIT
    char banner[2][kBannerMax];
    uint8_t hassh[2][16];
};
static_assert(sizeof(SshState) <= kMaxStateBytes);

constexpr uint32_t kMaxKexinit = 3800;   // fits the stream buffer; larger ones are skipped

// One SSH "name-list" (uint32 length + bytes) at `off`; advances `off`.
bool name_list(ByteView p, size_t& off, ByteView& out) noexcept {
    if (!p.has(off, 4)) return false;
    const uint32_t n = p.be32(off);
    if (!p.has(off + 4, n)) return false;
    out = p.sub(off + 4, n);
    off += 4 + size_t{n};
    return true;
}

// MD5 with one context per thread, made once (no allocation per flow).
bool md5_of(const ByteView* parts, size_t n, uint8_t out[16]) noexcept {
    thread_local EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    thread_local EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
    if (!ctx || !md || !EVP_DigestInit_ex2(ctx, md, nullptr)) return false;
    for (size_t i = 0; i < n; ++i)
        if (parts[i].size && !EVP_DigestUpdate(ctx, parts[i].data, parts[i].size)) return false;
    unsigned int len = 0;
    return EVP_DigestFinal_ex(ctx, out, &len) && len == 16;
}

class SshDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (!in.tcp) return Verdict::kExcluded;
        const std::string_view d = in.data.as_string();
        static constexpr std::string_view kWords[] = {"SSH-"};
        const int m = lines::match_words(d, kWords);
        if (m == 1) return Verdict::kDetected;
        return m == 0 ? Verdict::kNeedMore : Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& s = *reinterpret_cast<SshState*>(state.data());
        const int dir = in.dir;
        ByteView d = in.data;
        uint32_t consumed = 0;
        if (in.stream_gap && s.phase[dir] != kSideDone) s.phase[dir] = kSideDone;  // lost sync
        while (s.phase[dir] == kBanner) {
            const lines::Line l = lines::next_line(d.as_string());
            if (l.taken == 0) {
                if (d.size >= 1024) s.phase[dir] = kSideDone;  // no line end: not a banner
                break;
            }
            if (l.text.substr(0, 4) == "SSH-") {
                s.banner_len[dir] = lines::copy_to(s.banner[dir], l.text);
                // SSH-1 has no KEXINIT of this format: the banner is all we read.
                const bool v1 = l.text.substr(0, 6) == "SSH-1." && l.text.substr(0, 8) != "SSH-1.99";
                s.phase[dir] = v1 ? kSideDone : kKexinit;
            }
            d = d.sub(l.taken);
            consumed += static_cast<uint32_t>(l.taken);
        }
        while (s.phase[dir] == kKexinit && d.has(0, 6)) {
            const uint32_t len = d.be32(0);
            if (len < 2 || len > kMaxKexinit) {
                s.phase[dir] = kSideDone;
                break;
            }
            if (!d.has(4, len)) break;  // wait for the whole packet
            if (++s.packets[dir] > 4) {  // KEXINIT comes first; give up after a few others
                s.phase[dir] = kSideDone;
                break;
            }
            const ByteView pkt = d.sub(4, len);
            const uint8_t pad = pkt.u8(0);
            if (pkt.u8(1) == 20 && size_t{pad} + 2 <= len) {  // SSH_MSG_KEXINIT
                parse_kexinit(pkt.sub(2, len - 2 - pad), s, dir);
                s.phase[dir] = kSideDone;
            }
            d = d.sub(4 + size_t{len});
            consumed += 4 + len;
        }
        const bool done = s.phase[0] == kSideDone && s.phase[1] == kSideDone;
        if (done) emit(s, events);
        return {done ? static_cast<uint32_t>(in.data.size) : consumed, done};
    }

    void finish(const flow::Flow&, std::span<uint8_t> state, EventSink& events) const noexcept override {
        emit(*reinterpret_cast<SshState*>(state.data()), events);
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        ByteView banner[2], hassh[2];
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        while (r.next(key, v)) {
            if (key == kClientBanner || key == kServerBanner) banner[key - kClientBanner] = v;
            else if (key == kClientHassh || key == kServerHassh) hassh[key - kClientHassh] = v;
        }
        w.StartObject();
        for (int side = 0; side < 2; ++side) {
            if (banner[side].empty() && hassh[side].empty()) continue;
            w.Key(side == 0 ? "client" : "server");
            w.StartObject();
            if (!banner[side].empty()) {
                // "SSH-" proto "-" software (comments included, as tshark shows the banner).
                const std::string_view b = banner[side].as_string().substr(4);
                const size_t dash = b.find('-');
                w.Key("proto_version");
                write_text(w, b.substr(0, dash));
                w.Key("software_version");
                write_text(w, dash == std::string_view::npos ? std::string_view{} : b.substr(dash + 1));
            }
            if (hassh[side].size == 16) {
                char hex[32];
                static constexpr char kHex[] = "0123456789abcdef";
                for (size_t i = 0; i < 16; ++i) {
                    hex[2 * i] = kHex[hassh[side].data[i] >> 4];
                    hex[2 * i + 1] = kHex[hassh[side].data[i] & 15];
                }
                w.Key("hassh");
                w.StartObject();
                w.Key("hash");
                w.String(hex, 32);
                w.EndObject();
            }
            w.EndObject();
        }
        w.EndObject();
    }

 private:
    static void parse_kexinit(ByteView body, SshState& s, int dir) noexcept {
        size_t off = 16;  // cookie
        ByteView l[10];
        for (auto& x : l)
            if (!name_list(body, off, x)) return;
        // kex, hostkey, enc c2s, enc s2c, mac c2s, mac s2c, cmp c2s, cmp s2c, lang c2s, lang s2c.
        const int o = dir == flow::kToServer ? 0 : 1;
        static const uint8_t kSemi = ';';
        const ByteView semi{&kSemi, 1};
        const ByteView parts[7] = {l[0], semi, l[2 + o], semi, l[4 + o], semi, l[6 + o]};
        if (md5_of(parts, 7, s.hassh[dir])) s.has_hassh[dir] = 1;
    }

    static void emit(SshState& s, EventSink& events) noexcept {
        if (s.emitted || (!s.banner_len[0] && !s.banner_len[1])) return;
        s.emitted = 1;
        if (AppEvent* ev = events.begin_event()) {
            EventWriter w(*ev);
            if (s.banner_len[0]) w.str(kClientBanner, std::string_view(s.banner[0], s.banner_len[0]));
            if (s.banner_len[1]) w.str(kServerBanner, std::string_view(s.banner[1], s.banner_len[1]));
            if (s.has_hassh[0]) w.bytes(kClientHassh, s.hassh[0], 16);
            if (s.has_hassh[1]) w.bytes(kServerHassh, s.hassh[1], 16);
            events.commit_event();
        }
    }

    DissectorInfo info_{"ssh", kTcp, {22, 2222, 0, 0, 0, 0}, sizeof(SshState), true};
};

}  // namespace

std::unique_ptr<Dissector> make_ssh_dissector() { return std::make_unique<SshDissector>(); }

}  // namespace nms::dpi
