// IMAP (143): classification and one EVE "imap" event per client command {tag, command,
// (LOGIN) user}; STARTTLS and its tagged OK hand the flow to the TLS dissector. Literals and
// responses other than the tagged answer to LOGIN/AUTHENTICATE/STARTTLS are not parsed.
#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"
#include "dpi/dissectors/line_parse.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kTag, kCommand, kUser };

// The client command whose tagged reply the server side looks for; kTlsAccepted: the server
// said OK to STARTTLS, the TLS dissector takes over.
enum class Pending : uint8_t { kNone, kLogin, kStartTls, kTlsAccepted };

struct ImapState {
    uint8_t mid_line[2];
    uint16_t events;
    Pending pending;
    uint8_t tag_len;           // the pending command's tag
    char tag[16];
};
static_assert(sizeof(ImapState) <= kMaxStateBytes);

constexpr uint16_t kMaxEvents = 256;

class ImapDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (!in.tcp) return Verdict::kExcluded;
        const std::string_view d = in.data.as_string();
        if (in.dir == flow::kToClient) {
            static constexpr std::string_view kWords[] = {"* OK", "* PREAUTH", "* BYE"};
            const int m = lines::match_words(d, kWords);
            if (m != 1) return m == 0 ? Verdict::kNeedMore : Verdict::kExcluded;
            if (in.server_port == 143) return Verdict::kDetected;
            const lines::Line l = lines::next_line(d);
            if (l.taken == 0) return d.size() < 512 ? Verdict::kNeedMore : Verdict::kExcluded;
            return lines::icontains(l.text, "IMAP") ? Verdict::kDetected : Verdict::kExcluded;
        }
        const lines::Line l = lines::next_line(d);
        if (l.taken == 0) return d.size() < 64 ? Verdict::kNeedMore : Verdict::kExcluded;
        std::string_view tag, rest, verb, arg;
        lines::split_command(l.text, tag, rest);
        lines::split_command(rest, verb, arg);
        if (tag.empty() || tag.size() > 16) return Verdict::kExcluded;
        static constexpr std::string_view kVerbs[] = {"CAPABILITY", "LOGIN", "STARTTLS", "AUTHENTICATE", "SELECT",
                                                      "ID", "NOOP"};
        for (auto v : kVerbs)
            if (lines::iequals(verb, v)) return Verdict::kDetected;
        return Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& s = *reinterpret_cast<ImapState*>(state.data());
        std::string_view d = in.data.as_string();
        if (in.dir == flow::kToClient) {
            if (s.pending == Pending::kNone) return {static_cast<uint32_t>(d.size()), s.events >= kMaxEvents};
            const uint32_t n = server_lines(d, in.stream_gap, s, events);
            if (s.pending == Pending::kTlsAccepted) return {n, true, "tls"};  // the handshake follows
            return {n, false};
        }
        // After STARTTLS the client waits for the tagged OK (RFC 9051 6.2.1): whatever it sends
        // meanwhile is kept for the TLS dissector (or, if refused, read as commands then).
        if (s.pending == Pending::kStartTls) return {0, false};
        uint32_t consumed = 0;
        if (in.stream_gap) s.mid_line[0] = 1;
        while (!d.empty()) {
            const lines::Line l = lines::next_line(d);
            if (l.taken == 0) {
                if (d.size() >= 2048) {
                    s.mid_line[0] = 1;
                    consumed += static_cast<uint32_t>(d.size());
                }
                break;
            }
            d.remove_prefix(l.taken);
            consumed += static_cast<uint32_t>(l.taken);
            if (s.mid_line[0]) {
                s.mid_line[0] = 0;
                continue;
            }
            std::string_view tag, rest, verb, arg;
            lines::split_command(l.text, tag, rest);
            lines::split_command(rest, verb, arg);
            const bool starttls = lines::iequals(verb, "STARTTLS");
            if (lines::iequals(verb, "LOGIN") || lines::iequals(verb, "AUTHENTICATE") || starttls) {
                s.tag_len = tag.size() <= sizeof s.tag ? lines::copy_to(s.tag, tag) : 0;
                s.pending = s.tag_len == 0 ? Pending::kNone : starttls ? Pending::kStartTls : Pending::kLogin;
            }
            if (!verb.empty() && s.events < kMaxEvents) {
                ++s.events;
                if (AppEvent* ev = events.begin_event()) {
                    EventWriter w(*ev);
                    w.str(kTag, tag.substr(0, 32));
                    w.str(kCommand, verb.substr(0, 32));
                    if (lines::iequals(verb, "LOGIN")) w.str(kUser, arg.substr(0, arg.find(' ')).substr(0, 128));
                    events.commit_event();
                }
            }
            if (s.pending == Pending::kStartTls) return {consumed, false};
        }
        return {consumed, s.events >= kMaxEvents && s.pending == Pending::kNone};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        static constexpr const char* kNames[] = {"tag", "command", "user"};
        while (r.next(key, v)) {
            if (key >= std::size(kNames)) continue;
            w.Key(kNames[key]);
            write_text(w, v);
        }
        w.EndObject();
    }

 private:
    // Server lines while a command awaits its answer: "<tag> OK" accepts a login or STARTTLS,
    // "<tag> NO" refuses the credentials (RFC 9051 6.2.2/6.2.3); untagged and continuation
    // lines are passed over.
    static uint32_t server_lines(std::string_view d, bool gap, ImapState& s, EventSink& events) noexcept {
        uint32_t consumed = 0;
        if (gap) s.mid_line[1] = 1;
        while (!d.empty() && s.tag_len) {
            const lines::Line l = lines::next_line(d);
            if (l.taken == 0) {
                if (d.size() >= 2048) {
                    s.mid_line[1] = 1;
                    consumed += static_cast<uint32_t>(d.size());
                }
                return consumed;
            }
            d.remove_prefix(l.taken);
            consumed += static_cast<uint32_t>(l.taken);
            if (s.mid_line[1]) {
                s.mid_line[1] = 0;
                continue;
            }
            std::string_view tag, rest, status, text;
            lines::split_command(l.text, tag, rest);
            if (tag != std::string_view(s.tag, s.tag_len)) continue;
            lines::split_command(rest, status, text);
            s.tag_len = 0;
            const bool ok = lines::iequals(status, "OK");
            if (s.pending == Pending::kStartTls) {
                s.pending = ok ? Pending::kTlsAccepted : Pending::kNone;
                if (ok) return consumed;  // the server's TLS records follow this line
                continue;
            }
            s.pending = Pending::kNone;
            if (ok) events.security_fact({SecurityFactKind::kLoginSuccess, "imap", 0, 0});
            else if (lines::iequals(status, "NO")) events.security_fact({SecurityFactKind::kLoginFailure, "imap", 0, 0});
        }
        return consumed + static_cast<uint32_t>(d.size());  // nothing pending: the rest is not looked at
    }

    DissectorInfo info_{"imap", kTcp, {143, 0, 0, 0, 0, 0}, sizeof(ImapState), true};
};

}  // namespace

std::unique_ptr<Dissector> make_imap_dissector() { return std::make_unique<ImapDissector>(); }

}  // namespace nms::dpi
