// SMB 1/2/3 over NBSS (TCP 445/139): negotiated dialect, and one EVE "smb" event per
// interesting request like Suricata's {command, dialect, share, filename, ntlmssp {...}}:
// NEGOTIATE (response: dialect), SESSION_SETUP (NTLMSSP AUTHENTICATE user/domain/host),
// TREE_CONNECT (share path), CREATE / NT_CREATE_ANDX (file name). Large messages (READ,
// WRITE) are skipped without being buffered.
#include <cstdio>
#include <cstring>

#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kCommand, kDialect, kShare, kFilename, kDomain, kUser, kHost, kVersion, kStatus };

struct SmbState {
    static constexpr size_t kDialects = 10, kDialectMax = 24;
    uint32_t skip[2];          // bytes of the current message still to skip, per direction
    uint16_t dialect2;         // SMB2/3 dialect revision (0 = none yet)
    uint8_t version;           // 1 or 2 (2 = SMB2/3)
    uint8_t dialect1_len;
    char dialect1[kDialectMax];                    // SMB1 negotiated dialect
    uint8_t nreq;                                  // SMB1 dialects offered in the request
    uint8_t req_len[kDialects];
    char req[kDialects][kDialectMax];
    uint16_t events;
};
static_assert(sizeof(SmbState) <= kMaxStateBytes);

constexpr size_t kParseMax = 3072;   // bytes of one message we look at (headers + names)
constexpr uint16_t kMaxEvents = 256;

// UTF-16LE (bounded) to UTF-8 into `out`; returns the bytes written.
size_t utf16le_to_utf8(ByteView in, char* out, size_t cap) noexcept {
    size_t n = 0;
    for (size_t i = 0; i + 1 < in.size; i += 2) {
        uint32_t cp = load_le16(in.data + i);
        if (cp == 0) break;
        if (cp >= 0xd800 && cp <= 0xdbff && i + 3 < in.size) {
            const uint32_t lo = load_le16(in.data + i + 2);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 2;
            }
        }
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
        char b[4];
        size_t k;
        if (cp < 0x80) b[0] = static_cast<char>(cp), k = 1;
        else if (cp < 0x800)
            b[0] = static_cast<char>(0xc0 | (cp >> 6)), b[1] = static_cast<char>(0x80 | (cp & 0x3f)), k = 2;
        else if (cp < 0x10000)
            b[0] = static_cast<char>(0xe0 | (cp >> 12)), b[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f)),
            b[2] = static_cast<char>(0x80 | (cp & 0x3f)), k = 3;
        else
            b[0] = static_cast<char>(0xf0 | (cp >> 18)), b[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3f)),
            b[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f)), b[3] = static_cast<char>(0x80 | (cp & 0x3f)), k = 4;
        if (n + k > cap) break;
        std::memcpy(out + n, b, k);
        n += k;
    }
    return n;
}

// Writes a string field that is UTF-16LE (unicode) or 8-bit, NUL-terminated or not.
void put_string(EventWriter& w, uint8_t key, ByteView v, bool unicode) noexcept {
    if (unicode) {
        char buf[512];
        w.bytes(key, buf, utf16le_to_utf8(v, buf, sizeof buf));
    } else if (!v.empty()) {
        const auto* z = static_cast<const uint8_t*>(std::memchr(v.data, 0, v.size));
        w.bytes(key, v.data, z ? static_cast<size_t>(z - v.data) : v.size);
    }
}

// NTLMSSP AUTHENTICATE (type 3) found anywhere in a security blob: user, domain, host.
bool put_ntlmssp(EventWriter& w, ByteView blob) noexcept {
    static constexpr uint8_t kSig[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
    for (size_t i = 0; i + 64 <= blob.size; ++i) {
        if (std::memcmp(blob.data + i, kSig, 8) != 0) continue;
        const ByteView m = blob.sub(i);
        if (load_le32(m.data + 8) != 3) return false;
        const bool unicode = load_le32(m.data + 60) & 1;
        auto field = [&](size_t at, uint8_t key) {
            const uint16_t len = load_le16(m.data + at);
            const uint32_t off = load_le32(m.data + at + 4);
            if (len && m.has(off, len)) put_string(w, key, m.sub(off, len), unicode);
        };
        field(28, kDomain);
        field(36, kUser);
        field(44, kHost);
        return true;
    }
    return false;
}

class SmbDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (!in.tcp) return Verdict::kExcluded;
        const ByteView d = in.data;
        // NBSS session request/response/keep-alive (139) come before SMB: skip them and decide on
        // the first session message. A flow whose first session message is not SMB is plain
        // NetBIOS (the "netbios" dissector's), as tshark labels it.
        size_t off = 0;
        while (d.has(off, 4)) {
            const uint8_t t = d.u8(off);
            if (t == 0x81 || t == 0x82 || t == 0x83 || t == 0x84 || t == 0x85) {
                if (in.server_port != 139) return Verdict::kExcluded;
                off += 4 + (size_t{d.u8(off + 1) & 1u} << 16 | d.be16(off + 2));
                continue;
            }
            if (t != 0) return Verdict::kExcluded;
            if (!d.has(off, 8)) return Verdict::kNeedMore;
            const uint8_t m = d.u8(off + 4);
            return (m == 0xff || m == 0xfe || m == 0xfd) && d.u8(off + 5) == 'S' && d.u8(off + 6) == 'M' &&
                           d.u8(off + 7) == 'B'
                       ? Verdict::kDetected
                       : Verdict::kExcluded;
        }
        return Verdict::kNeedMore;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& s = *reinterpret_cast<SmbState*>(state.data());
        const int dir = in.dir;
        ByteView d = in.data;
        uint32_t consumed = 0;
        if (in.stream_gap) s.skip[dir] = 0;  // resync on the next NBSS header (best effort)
        while (!d.empty()) {
            if (s.skip[dir]) {
                const uint32_t n = static_cast<uint32_t>(d.size < s.skip[dir] ? d.size : s.skip[dir]);
                s.skip[dir] -= n;
                d = d.sub(n);
                consumed += n;
                continue;
            }
            if (d.size < 4) break;
            const uint8_t type = d.u8(0);
            const uint32_t len = d.be24(1) & 0x1ffffu;
            if (type != 0) {  // NBSS control message: skip it
                if (type != 0x81 && type != 0x82 && type != 0x83 && type != 0x84 && type != 0x85)
                    return {static_cast<uint32_t>(in.data.size), true};  // not NBSS: lost
                s.skip[dir] = 4 + len;
                continue;
            }
            const size_t want = 4 + size_t{len} < kParseMax ? 4 + size_t{len} : kParseMax;
            if (d.size < want) break;  // wait for enough of the message
            on_message(d.sub(4, want - 4), s, dir, in, events);
            s.skip[dir] = 4 + len;
        }
        return {consumed, s.events >= kMaxEvents};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        bool ntlm_open = false;
        while (r.next(key, v)) {
            const bool ntlm = key == kDomain || key == kUser || key == kHost;
            if (ntlm && !ntlm_open) {
                w.Key("ntlmssp");
                w.StartObject();
                ntlm_open = true;
            } else if (!ntlm && ntlm_open) {
                w.EndObject();
                ntlm_open = false;
            }
            static constexpr const char* kNames[] = {"command", "dialect", "share", "filename", "domain",
                                                     "user", "host", "version", "status"};
            if (key >= std::size(kNames)) continue;
            w.Key(kNames[key]);
            if (key == kStatus) {
                char hex[16];
                const int n = std::snprintf(hex, sizeof hex, "0x%08x", static_cast<unsigned>(EventReader::as_u64(v)));
                w.String(hex, static_cast<rapidjson::SizeType>(n));
            } else {
                write_text(w, v);
            }
        }
        if (ntlm_open) w.EndObject();
        w.EndObject();
    }

 private:
    static void dialect_text(const SmbState& s, char* out, size_t& n) noexcept {
        n = 0;
        if (s.version == 2 && s.dialect2) {
            const unsigned d = s.dialect2;
            int k;
            if (d == 0x02ff) k = std::snprintf(out, 16, "2.??");
            else k = std::snprintf(out, 16, "%x.%02x", d >> 8, d & 0xff);  // 0x0311 -> "3.11"
            n = k > 0 ? static_cast<size_t>(k) : 0;
        } else if (s.version == 1 && s.dialect1_len) {
            std::memcpy(out, s.dialect1, s.dialect1_len);
            n = s.dialect1_len;
        }
    }

    void on_message(ByteView m, SmbState& s, int dir, const InspectInput& in, EventSink& events) const noexcept {
        (void)in;
        if (m.size < 4 || m.u8(1) != 'S' || m.u8(2) != 'M' || m.u8(3) != 'B') return;
        if (m.u8(0) == 0xfe) {
            s.version = 2;
            // Compound requests: follow NextCommand within what we have.
            size_t off = 0;
            for (int i = 0; i < 8 && m.has(off, 64); ++i) {
                const ByteView h = m.sub(off);
                on_smb2(h, s, dir, events);
                const uint32_t next = load_le32(h.data + 20);
                if (next == 0 || next < 64) break;
                off += next;
            }
        } else if (m.u8(0) == 0xff) {
            s.version = 1;
            on_smb1(m, s, dir, events);
        }
    }

    static std::string_view smb2_command(uint16_t c) noexcept {
        static constexpr std::string_view kNames[] = {
            "SMB2_COMMAND_NEGOTIATE_PROTOCOL", "SMB2_COMMAND_SESSION_SETUP", "SMB2_COMMAND_SESSION_LOGOFF",
            "SMB2_COMMAND_TREE_CONNECT", "SMB2_COMMAND_TREE_DISCONNECT", "SMB2_COMMAND_CREATE"};
        return c < std::size(kNames) ? kNames[c] : std::string_view{};
    }

    void event(SmbState& s, EventSink& events, std::string_view command, auto&& fill) const noexcept {
        if (s.events >= kMaxEvents) return;
        ++s.events;
        if (AppEvent* ev = events.begin_event()) {
            EventWriter w(*ev);
            w.str(kCommand, command);
            char dialect[32];
            size_t n;
            dialect_text(s, dialect, n);
            if (n) w.bytes(kDialect, dialect, n);
            fill(w);
            events.commit_event();
        }
    }

    void on_smb2(ByteView h, SmbState& s, int dir, EventSink& events) const noexcept {
        const uint16_t cmd = load_le16(h.data + 12);
        const bool response = load_le32(h.data + 16) & 1;
        const uint32_t status = load_le32(h.data + 8);
        const ByteView b = h.sub(64);
        (void)dir;
        switch (cmd) {
            case 0:  // NEGOTIATE: the response carries the dialect
                if (response && b.has(4, 2)) {
                    s.dialect2 = load_le16(b.data + 4);
                    event(s, events, smb2_command(cmd), [&](EventWriter&) {});
                }
                break;
            case 1:  // SESSION_SETUP request: security blob
                if (!response && b.has(12, 4)) {
                    const uint16_t off = load_le16(b.data + 12), len = load_le16(b.data + 14);
                    const ByteView blob = h.sub(off, len);
                    // Only the AUTHENTICATE leg is worth an event.
                    static constexpr uint8_t kAuth[] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 3, 0, 0, 0};
                    bool has_auth = false;
                    for (size_t i = 0; i + sizeof kAuth <= blob.size && !has_auth; ++i)
                        has_auth = std::memcmp(blob.data + i, kAuth, sizeof kAuth) == 0;
                    if (has_auth) event(s, events, smb2_command(cmd), [&](EventWriter& w) { put_ntlmssp(w, blob); });
                }
                break;
            case 3:  // TREE_CONNECT request: \\server\share
                if (!response && b.has(4, 4)) {
                    const ByteView path = h.sub(load_le16(b.data + 4), load_le16(b.data + 6));
                    event(s, events, smb2_command(cmd), [&](EventWriter& w) { put_string(w, kShare, path, true); });
                } else if (response && status != 0) {
                    event(s, events, smb2_command(cmd), [&](EventWriter& w) { w.u32(kStatus, status); });
                }
                break;
            case 5:  // CREATE request: file name
                if (!response && b.has(44, 4)) {
                    const ByteView name = h.sub(load_le16(b.data + 44), load_le16(b.data + 46));
                    event(s, events, smb2_command(cmd), [&](EventWriter& w) { put_string(w, kFilename, name, true); });
                }
                break;
            default:
                break;
        }
    }

    void on_smb1(ByteView h, SmbState& s, int dir, EventSink& events) const noexcept {
        (void)dir;
        if (h.size < 35) return;
        const uint8_t cmd = h.u8(4);
        const bool response = h.u8(9) & 0x80;
        const bool unicode = load_le16(h.data + 10) & 0x8000;
        const uint8_t wc = h.u8(32);
        const size_t words = 33;
        const size_t bc_at = words + 2 * size_t{wc};
        if (!h.has(bc_at, 2)) return;
        const ByteView bytes = h.sub(bc_at + 2, load_le16(h.data + bc_at));
        auto str_at = [&](size_t off_in_msg, ByteView& out) {  // NUL-terminated, aligned when unicode
            if (unicode && (off_in_msg & 1)) ++off_in_msg;
            out = h.sub(off_in_msg);
        };
        switch (cmd) {
            case 0x72:  // NEGOTIATE
                if (!response) {
                    s.nreq = 0;
                    for (size_t i = 0; i < bytes.size && s.nreq < SmbState::kDialects;) {
                        if (bytes.u8(i) != 0x02) break;
                        const auto* z = static_cast<const uint8_t*>(std::memchr(bytes.data + i + 1, 0, bytes.size - i - 1));
                        if (!z) break;
                        const size_t n = static_cast<size_t>(z - (bytes.data + i + 1));
                        const size_t keep = n < SmbState::kDialectMax ? n : SmbState::kDialectMax;
                        std::memcpy(s.req[s.nreq], bytes.data + i + 1, keep);
                        s.req_len[s.nreq++] = static_cast<uint8_t>(keep);
                        i += n + 2;
                    }
                } else if (wc >= 1) {
                    const uint16_t idx = load_le16(h.data + words);
                    if (idx < s.nreq) {
                        std::memcpy(s.dialect1, s.req[idx], s.req_len[idx]);
                        s.dialect1_len = s.req_len[idx];
                    }
                    event(s, events, "SMB1_COMMAND_NEGOTIATE_PROTOCOL", [&](EventWriter&) {});
                }
                break;
            case 0x73:  // SESSION_SETUP_ANDX (extended security): NTLMSSP in the blob
                if (!response && wc == 12) {
                    const uint16_t blob_len = load_le16(h.data + words + 14);
                    const ByteView blob = bytes.sub(0, blob_len);
                    static constexpr uint8_t kAuth[] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 3, 0, 0, 0};
                    bool has_auth = false;
                    for (size_t i = 0; i + sizeof kAuth <= blob.size && !has_auth; ++i)
                        has_auth = std::memcmp(blob.data + i, kAuth, sizeof kAuth) == 0;
                    if (has_auth)
                        event(s, events, "SMB1_COMMAND_SESSION_SETUP_ANDX", [&](EventWriter& w) { put_ntlmssp(w, blob); });
                }
                break;
            case 0x75:  // TREE_CONNECT_ANDX: password, then the path
                if (!response && wc == 4) {
                    const uint16_t pw = load_le16(h.data + words + 6);
                    ByteView path;
                    str_at(bc_at + 2 + pw, path);
                    event(s, events, "SMB1_COMMAND_TREE_CONNECT_ANDX",
                          [&](EventWriter& w) { put_string(w, kShare, path.sub(0, 512), unicode); });
                }
                break;
            case 0xa2:  // NT_CREATE_ANDX: the file name
                if (!response && wc == 24) {
                    const uint16_t name_len = load_le16(h.data + words + 5);
                    ByteView name;
                    str_at(bc_at + 2, name);
                    event(s, events, "SMB1_COMMAND_NT_CREATE_ANDX",
                          [&](EventWriter& w) { put_string(w, kFilename, name.sub(0, name_len), unicode); });
                }
                break;
            default:
                break;
        }
    }

    DissectorInfo info_{"smb", kTcp, {445, 139, 0, 0, 0, 0}, sizeof(SmbState), true};
};

}  // namespace

std::unique_ptr<Dissector> make_smb_dissector() { return std::make_unique<SmbDissector>(); }

}  // namespace nms::dpi
