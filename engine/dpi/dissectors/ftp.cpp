// FTP control channel: one EVE "ftp" event per command and its reply, like Suricata's
// {command, command_data, completion_code[], reply[], dynamic_port, mode}. PASV/EPSV replies
// and PORT/EPRT commands announce the data connection: it is registered as an expectation
// with the DPI engine so that the data flow is labelled "ftp-data" (a name-only dissector
// below). After AUTH TLS and its 234 reply the TLS dissector takes the channel over (SNI, JA3).
#include <cstring>

#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"
#include "dpi/dissectors/line_parse.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kCommand, kCommandData, kCode, kReply, kDynamicPort, kMode };

struct FtpState {
    uint8_t mid_line[2];
    uint8_t has_cmd;
    uint8_t verb_len, arg_len;
    uint8_t tls_pending;       // AUTH TLS sent: a 234 reply switches to TLS
    uint16_t events;
    char verb[12];
    char arg[160];
};
static_assert(sizeof(FtpState) <= kMaxStateBytes);

constexpr uint16_t kMaxEvents = 512;

// "h1,h2,h3,h4,p1,p2" somewhere in `s` (PASV reply, PORT argument).
bool parse_hostport(std::string_view s, uint8_t ip[4], uint16_t& port) noexcept {
    size_t i = 0;
    while (i < s.size() && (s[i] < '0' || s[i] > '9')) ++i;
    unsigned v[6];
    for (int k = 0; k < 6; ++k) {
        unsigned x = 0;
        size_t digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 4) x = x * 10 + static_cast<unsigned>(s[i++] - '0'), ++digits;
        if (digits == 0 || x > 255) return false;
        v[k] = x;
        if (k < 5) {
            if (i >= s.size() || s[i] != ',') return false;
            ++i;
        }
    }
    for (int k = 0; k < 4; ++k) ip[k] = static_cast<uint8_t>(v[k]);
    port = static_cast<uint16_t>(v[4] * 256 + v[5]);
    return true;
}

// The decimal port between the 3rd and 4th delimiter of an EPSV reply "(|||port|)" or an
// EPRT argument "|1|ip|port|"; `ip_text` gets the EPRT address field.
bool parse_extended(std::string_view s, uint16_t& port, std::string_view& ip_text) noexcept {
    const size_t open = s.find('(');
    if (open != std::string_view::npos) s.remove_prefix(open + 1);
    if (s.empty()) return false;
    const char delim = s[0];
    size_t f[4];
    size_t n = 0;
    for (size_t i = 0; i < s.size() && n < 4; ++i)
        if (s[i] == delim) f[n++] = i;
    if (n < 4) return false;
    ip_text = s.substr(f[1] + 1, f[2] - f[1] - 1);
    unsigned x = 0;
    if (f[3] == f[2] + 1 || f[3] - f[2] > 6) return false;
    for (size_t i = f[2] + 1; i < f[3]; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        x = x * 10 + static_cast<unsigned>(s[i] - '0');
    }
    if (x == 0 || x > 65535) return false;
    port = static_cast<uint16_t>(x);
    return true;
}

bool parse_v4(std::string_view s, uint8_t ip[4]) noexcept {
    unsigned v = 0;
    int k = 0;
    size_t digits = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == '.') {
            if (digits == 0 || v > 255 || k > 3) return false;
            ip[k++] = static_cast<uint8_t>(v);
            v = 0;
            digits = 0;
        } else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
            v = v * 10 + static_cast<unsigned>(s[i] - '0');
            ++digits;
        } else {
            return false;
        }
    }
    return k == 4;
}

class FtpDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (!in.tcp) return Verdict::kExcluded;
        const std::string_view d = in.data.as_string();
        if (in.dir == flow::kToServer) {
            static constexpr std::string_view kWords[] = {"USER ", "AUTH TLS", "AUTH SSL", "FEAT\r", "SYST\r",
                                                          "PASV\r", "EPSV", "OPTS UTF8"};
            const int m = lines::match_words(d, kWords);
            return m == 1 ? Verdict::kDetected : m == 0 ? Verdict::kNeedMore : Verdict::kExcluded;
        }
        if (d.size() < 4) return d.empty() || d[0] == '2' || d[0] == '1' ? Verdict::kNeedMore : Verdict::kExcluded;
        const int code = lines::reply_code(d);
        if ((code != 220 && code != 120) || (d[3] != ' ' && d[3] != '-')) return Verdict::kExcluded;
        const lines::Line l = lines::next_line(d);
        if (l.taken == 0) return d.size() < 512 ? Verdict::kNeedMore : Verdict::kExcluded;
        if (in.server_port == 21) return Verdict::kDetected;
        if (lines::icontains(l.text, "FTP")) return Verdict::kDetected;
        if (lines::icontains(l.text, "SMTP")) return Verdict::kExcluded;
        return Verdict::kNeedMore;  // a bare 220: the client's first command decides
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& s = *reinterpret_cast<FtpState*>(state.data());
        std::string_view d = in.data.as_string();
        uint32_t consumed = 0;
        const int dir = in.dir;
        if (in.stream_gap) s.mid_line[dir] = 1;
        while (!d.empty()) {
            const lines::Line l = lines::next_line(d);
            if (l.taken == 0) {
                if (d.size() >= 2048) {
                    s.mid_line[dir] = 1;
                    consumed += static_cast<uint32_t>(d.size());
                }
                break;
            }
            d.remove_prefix(l.taken);
            consumed += static_cast<uint32_t>(l.taken);
            if (s.mid_line[dir]) {
                s.mid_line[dir] = 0;
                continue;
            }
            if (dir == flow::kToServer) {
                on_command(l.text, s, in, events);
            } else if (on_reply(l.text, s, in, events)) {
                return {consumed, true, "tls"};  // the TLS dissector reads the handshake that follows
            }
        }
        return {consumed, s.events >= kMaxEvents};
    }

    void finish(const flow::Flow&, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& s = *reinterpret_cast<FtpState*>(state.data());
        if (s.has_cmd) emit(s, events, -1, {}, 0, false);
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        bool replied = false;
        while (r.next(key, v)) {
            switch (key) {
                case kCommand: w.Key("command"); write_text(w, v); break;
                case kCommandData: w.Key("command_data"); write_text(w, v); break;
                case kCode: {
                    replied = true;
                    char buf[4];
                    const auto c = static_cast<unsigned>(EventReader::as_u64(v)) % 1000;
                    buf[0] = static_cast<char>('0' + c / 100), buf[1] = static_cast<char>('0' + c / 10 % 10),
                    buf[2] = static_cast<char>('0' + c % 10);
                    w.Key("completion_code");
                    w.StartArray();
                    w.String(buf, 3);
                    w.EndArray();
                    break;
                }
                case kReply:
                    w.Key("reply");
                    w.StartArray();
                    write_text(w, v);
                    w.EndArray();
                    break;
                case kDynamicPort: w.Key("dynamic_port"); w.Uint64(EventReader::as_u64(v)); break;
                case kMode: w.Key("mode"); w.String(EventReader::as_u64(v) ? "active" : "passive"); break;
                default: break;
            }
        }
        w.Key("reply_received");
        w.String(replied ? "yes" : "no");
        w.EndObject();
    }

 private:
    void on_command(std::string_view line, FtpState& s, const InspectInput& in, EventSink& events) const noexcept {
        if (s.has_cmd) emit(s, events, -1, {}, 0, false);  // the previous one got no reply
        std::string_view verb, arg;
        lines::split_command(line, verb, arg);
        s.verb_len = lines::copy_to(s.verb, verb);
        for (uint8_t i = 0; i < s.verb_len; ++i) s.verb[i] = lines::upper(s.verb[i]);
        // Never keep passwords.
        s.arg_len = lines::iequals(verb, "PASS") ? lines::copy_to(s.arg, std::string_view("***"))
                                                 : lines::copy_to(s.arg, arg);
        s.has_cmd = 1;
        if (lines::iequals(verb, "AUTH") && (lines::istarts_with(arg, "TLS") || lines::istarts_with(arg, "SSL")))
            s.tls_pending = 1;
        uint8_t ip[4];
        uint16_t port = 0;
        std::string_view ip_text;
        // Active mode: the server connects to the client's announced address.
        if (lines::iequals(verb, "PORT") && parse_hostport(arg, ip, port)) {
            expect(in, IpAddr::from_v4(ip), port, true, events);
        } else if (lines::iequals(verb, "EPRT") && parse_extended(arg, port, ip_text)) {
            expect(in, parse_v4(ip_text, ip) ? IpAddr::from_v4(ip) : in.flow.client_ip(), port, true, events);
        }
    }

    // Returns true when the channel turns into TLS.
    bool on_reply(std::string_view line, FtpState& s, const InspectInput& in, EventSink& events) const noexcept {
        const int code = lines::reply_code(line);
        if (code < 0 || !lines::final_reply_line(line)) return false;  // continuation lines
        const std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};
        uint16_t port = 0;
        bool active = false;
        uint8_t ip[4];
        std::string_view ip_text;
        if (code == 227 && parse_hostport(text.substr(text.find('(') == std::string_view::npos ? 0 : text.find('(')), ip,
                                          port)) {
            expect(in, IpAddr::from_v4(ip), port, false, events);
        } else if (code == 229 && parse_extended(text, port, ip_text)) {
            expect(in, in.flow.server_ip(), port, false, events);
        } else if (s.has_cmd && (lines::iequals({s.verb, s.verb_len}, "PORT") ||
                                 lines::iequals({s.verb, s.verb_len}, "EPRT"))) {
            active = true;
        }
        if (code == 120 || code == 220) {
            if (!s.has_cmd) return false;  // the greeting
        }
        login_outcome(s, code, events);
        if (s.has_cmd) emit(s, events, code, text, port, active);
        if (code == 234 && s.tls_pending) return true;
        return false;
    }

    // 230 after USER/PASS: logged in; 530 after them: refused (a wrong password, or a user the
    // server does not accept). 530 to any other command only means "log in first".
    static void login_outcome(const FtpState& s, int code, EventSink& events) noexcept {
        if (!s.has_cmd || (code != 230 && code != 530)) return;
        const std::string_view verb(s.verb, s.verb_len);
        if (verb != "PASS" && verb != "USER") return;
        events.security_fact({code == 230 ? SecurityFactKind::kLoginSuccess : SecurityFactKind::kLoginFailure, "ftp",
                              0, 0});
    }

    // The data connection: `listener`:`port` accepts it from the other side of the control flow.
    static void expect(const InspectInput& in, const IpAddr& listener, uint16_t port, bool active,
                       EventSink& events) noexcept {
        Expectation e;
        e.server = listener;
        e.client = active ? in.flow.server_ip() : in.flow.client_ip();
        e.server_port = port;
        e.tcp = true;
        e.app = "ftp-data";
        events.expect(e);
        // Behind NAT a PASV reply names a private address; the client connects to ours.
        if (!active && !(listener == in.flow.server_ip())) {
            e.server = in.flow.server_ip();
            events.expect(e);
        }
    }

    static void emit(FtpState& s, EventSink& events, int code, std::string_view reply, uint16_t port,
                     bool active) noexcept {
        s.has_cmd = 0;
        if (s.events >= kMaxEvents) return;
        ++s.events;
        if (AppEvent* ev = events.begin_event()) {
            EventWriter w(*ev);
            w.str(kCommand, std::string_view(s.verb, s.verb_len));
            if (s.arg_len) w.str(kCommandData, std::string_view(s.arg, s.arg_len));
            if (code >= 0) {
                w.u64(kCode, static_cast<uint64_t>(code));
                w.str(kReply, reply.substr(0, 200));
            }
            if (port) {
                w.u64(kDynamicPort, port);
                w.u64(kMode, 0);
            } else if (active) {
                w.u64(kMode, 1);
            }
            events.commit_event();
        }
    }

    DissectorInfo info_{"ftp", kTcp, {21, 0, 0, 0, 0, 0}, sizeof(FtpState), true};
};

// "ftp-data": never probed (l4 = 0); flows get it through the FTP dissector's expectations.
class FtpDataDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }
    Verdict probe(const ProbeInput&) const noexcept override { return Verdict::kExcluded; }

 private:
    DissectorInfo info_{"ftp-data", 0, {}, 0, false};
};

}  // namespace

std::unique_ptr<Dissector> make_ftp_dissector() { return std::make_unique<FtpDissector>(); }
std::unique_ptr<Dissector> make_ftp_data_dissector() { return std::make_unique<FtpDataDissector>(); }

}  // namespace nms::dpi
