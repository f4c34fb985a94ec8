// MySQL (3306): server greeting (version), login (user, database), and COM_QUERY text, as
// EVE "mysql" events {version, user} then {command: query}. An SSL request ends inspection.
#include <cstring>

#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kVersion, kUser, kDatabase, kQuery, kTls };

struct MysqlState {
    uint32_t skip[2];
    uint8_t version_len;
    uint8_t logged_in;
    uint8_t login_pending;     // the login packet was sent; the server's next OK/ERR decides it
    uint16_t events;
    char version[48];
};
static_assert(sizeof(MysqlState) <= kMaxStateBytes);

constexpr uint16_t kMaxEvents = 128;
constexpr size_t kParseMax = 2048;
constexpr uint32_t kClientSsl = 0x800, kClientConnectWithDb = 0x8, kClientPluginAuthLenenc = 0x200000,
                   kClientSecure = 0x8000;

// A NUL-terminated string at `off`; false when no NUL.
bool cstr(ByteView p, size_t off, std::string_view& out) noexcept {
    if (off >= p.size) return false;
    const void* z = std::memchr(p.data + off, 0, p.size - off);
    if (!z) return false;
    out = p.sub(off, static_cast<size_t>(static_cast<const uint8_t*>(z) - (p.data + off))).as_string();
    return true;
}

class MysqlDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (!in.tcp) return Verdict::kExcluded;
        const ByteView d = in.data;
        if (in.dir == flow::kToServer) return Verdict::kNeedMore;  // the server speaks first
        if (d.size < 6) return Verdict::kNeedMore;
        const uint32_t len = d.u8(0) | (uint32_t{d.u8(1)} << 8) | (uint32_t{d.u8(2)} << 16);
        if (d.u8(3) != 0 || len < 20 || len > 1024 || d.u8(4) != 10) return Verdict::kExcluded;
        // Protocol 10 greeting: a printable version string ending in NUL, then a thread id.
        size_t i = 5;
        while (i < d.size && i < 5 + 64 && d.u8(i) >= 0x20 && d.u8(i) < 0x7f) ++i;
        if (i == 5 || i >= d.size) return d.size < 4 + size_t{len} ? Verdict::kNeedMore : Verdict::kExcluded;
        return d.u8(i) == 0 && d.u8(5) >= '0' && d.u8(5) <= '9' ? Verdict::kDetected : Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& s = *reinterpret_cast<MysqlState*>(state.data());
        const int dir = in.dir;
        ByteView d = in.data;
        uint32_t consumed = 0;
        if (in.stream_gap) return {static_cast<uint32_t>(d.size), true};  // no resync point
        while (!d.empty()) {
            if (s.skip[dir]) {
                const auto n = static_cast<uint32_t>(d.size < s.skip[dir] ? d.size : s.skip[dir]);
                s.skip[dir] -= n;
                d = d.sub(n);
                consumed += n;
                continue;
            }
            if (d.size < 4) break;
            const uint32_t len = d.u8(0) | (uint32_t{d.u8(1)} << 8) | (uint32_t{d.u8(2)} << 16);
            const uint8_t seq = d.u8(3);
            const size_t want = 4 + size_t{len} < kParseMax ? 4 + size_t{len} : kParseMax;
            if (d.size < want) break;
            const ByteView p = d.sub(4, want - 4);
            s.skip[dir] = 4 + len;
            if (dir == flow::kToClient) {
                if (s.login_pending && seq >= 2 && p.size >= 1) login_result(p, s, events);
                if (seq == 0 && !s.version_len && p.size > 1 && p.u8(0) == 10) {
                    std::string_view v;
                    if (cstr(p, 1, v)) {
                        s.version_len = static_cast<uint8_t>(v.size() < sizeof s.version ? v.size() : sizeof s.version);
                        std::memcpy(s.version, v.data(), s.version_len);
                    }
                }
                continue;
            }
            if (seq == 1 && !s.logged_in && p.size >= 32) {
                s.logged_in = 1;
                const uint32_t caps = load_le32(p.data);
                if (p.size == 32 && (caps & kClientSsl)) {  // SSLRequest: TLS follows
                    event(s, events, [&](EventWriter& w) {
                        if (s.version_len) w.str(kVersion, std::string_view(s.version, s.version_len));
                        w.u64(kTls, 1);
                    });
                    return {static_cast<uint32_t>(in.data.size), true};
                }
                s.login_pending = 1;
                login(p, caps, s, events);
            } else if (seq == 0 && p.size >= 1 && p.u8(0) == 0x03) {  // COM_QUERY
                const ByteView q = p.sub(1, 1024);
                event(s, events, [&](EventWriter& w) { w.str(kQuery, q); });
            }
        }
        return {consumed, s.events >= kMaxEvents};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        while (r.next(key, v)) {
            switch (key) {
                case kVersion: w.Key("version"); write_text(w, v); break;
                case kUser: w.Key("user"); write_text(w, v); break;
                case kDatabase: w.Key("database"); write_text(w, v); break;
                case kQuery: w.Key("command"); write_text(w, v); break;
                case kTls: w.Key("tls"); w.Bool(true); break;
                default: break;
            }
        }
        w.EndObject();
    }

 private:
    template <typename F>
    static void event(MysqlState& s, EventSink& events, F&& fill) noexcept {
        if (s.events >= kMaxEvents) return;
        ++s.events;
        if (AppEvent* ev = events.begin_event()) {
            EventWriter w(*ev);
            fill(w);
            events.commit_event();
        }
    }

    // After the login packet: OK (0x00) logs in, ERR (0xff) refuses it (1045 "Access denied");
    // an auth-switch (0xfe) or more-data (0x01) packet continues the exchange.
    static void login_result(ByteView p, MysqlState& s, EventSink& events) noexcept {
        const uint8_t h = p.u8(0);
        if (h == 0x00) {
            events.security_fact({SecurityFactKind::kLoginSuccess, "mysql", 0, 0});
        } else if (h == 0xff) {
            if (p.size >= 3 && load_le16(p.data + 1) == 1045)
                events.security_fact({SecurityFactKind::kLoginFailure, "mysql", 0, 0});
        } else {
            return;
        }
        s.login_pending = 0;
    }

    static void login(ByteView p, uint32_t caps, MysqlState& s, EventSink& events) noexcept {
        std::string_view user, db;
        const bool have_user = cstr(p, 32, user);
        if (have_user && (caps & kClientConnectWithDb)) {
            size_t off = 32 + user.size() + 1;
            // auth response: length-encoded, 1-byte length, or NUL-terminated.
            if (caps & (kClientPluginAuthLenenc | kClientSecure)) {
                if (off < p.size) off += 1 + size_t{p.u8(off)};
            } else {
                std::string_view a;
                if (cstr(p, off, a)) off += a.size() + 1;
            }
            if (!cstr(p, off, db)) db = {};
        }
        event(s, events, [&](EventWriter& w) {
            if (s.version_len) w.str(kVersion, std::string_view(s.version, s.version_len));
            if (have_user) w.str(kUser, user.substr(0, 128));
            if (!db.empty()) w.str(kDatabase, db.substr(0, 128));
        });
    }

    DissectorInfo info_{"mysql", kTcp, {3306, 0, 0, 0, 0, 0}, sizeof(MysqlState), true};
};

}  // namespace

std::unique_ptr<Dissector> make_mysql_dissector() { return std::make_unique<MysqlDissector>(); }

}  // namespace nms::dpi
