// POP3: one EVE "pop3" event per command and its status, like Suricata's
// {request: {command, args}, response: {success, status_line}}; multi-line responses (RETR,
// LIST, UIDL, TOP, CAPA) are skipped up to their "." line; STLS and its +OK hand the flow to
// the TLS dissector.
#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"
#include "dpi/dissectors/line_parse.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kCommand, kArgs, kSuccess, kStatusLine };

// Clients pipeline commands (CAPA then QUIT before any reply): a small queue of them.
struct Pop3Command {
    uint8_t verb_len, arg_len;
    char verb[12];
    char arg[80];
};
struct Pop3State {
    static constexpr uint8_t kQueue = 4;
    uint8_t mid_line[2];
    uint8_t head, count;      // queued commands waiting for their status line
    uint8_t multiline;        // the server is sending a multi-line body
    uint16_t events;
    Pop3Command q[kQueue];
};
static_assert(sizeof(Pop3State) <= kMaxStateBytes);

constexpr uint16_t kMaxEvents = 512;

class Pop3Dissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (!in.tcp) return Verdict::kExcluded;
        const std::string_view d = in.data.as_string();
        if (in.dir == flow::kToClient) {
            static constexpr std::string_view kWords[] = {"+OK"};
            const int m = lines::match_words(d, kWords);
            if (m != 1) return m == 0 ? Verdict::kNeedMore : Verdict::kExcluded;
            // "+OK" alone is thin evidence off port 110 (Redis replies +OK too): want POP3 words.
            if (in.server_port == 110) return Verdict::kDetected;
            const lines::Line l = lines::next_line(d);
            if (l.taken == 0) return d.size() < 512 ? Verdict::kNeedMore : Verdict::kExcluded;
            return lines::icontains(l.text, "POP") ? Verdict::kDetected : Verdict::kExcluded;
        }
        static constexpr std::string_view kWords[] = {"CAPA\r", "STLS\r", "APOP ", "AUTH ", "USER "};
        const int m = lines::match_words(d, kWords);
        if (m == 1) return in.server_port == 110 || !lines::istarts_with(d, "USER ") ? Verdict::kDetected
                                                                                    : Verdict::kNeedMore;
        return m == 0 ? Verdict::kNeedMore : Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& s = *reinterpret_cast<Pop3State*>(state.data());
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
                if (!is_command(l.text)) continue;  // SASL response lines after AUTH
                if (s.count == Pop3State::kQueue) emit(s, events, nullptr, {});  // oldest never answered
                Pop3Command& c = s.q[(s.head + s.count) % Pop3State::kQueue];
                ++s.count;
                std::string_view verb, arg;
                lines::split_command(l.text, verb, arg);
                c.verb_len = lines::copy_to(c.verb, verb);
                for (uint8_t i = 0; i < c.verb_len; ++i) c.verb[i] = lines::upper(c.verb[i]);
                c.arg_len = lines::iequals(verb, "PASS") ? lines::copy_to(c.arg, std::string_view("***"))
                                                         : lines::copy_to(c.arg, arg);
                continue;
            }
            if (s.multiline) {
                if (l.text == ".") s.multiline = 0;
                continue;
            }
            const bool ok = l.text.substr(0, 3) == "+OK";
            if (!ok && l.text.substr(0, 4) != "-ERR") continue;  // SASL continuation etc.
            if (!s.count) continue;                             // the greeting
            const Pop3Command& c = s.q[s.head];
            const std::string_view verb(c.verb, c.verb_len);
            const bool stls = verb == "STLS";
            if (ok && is_multiline(verb, c.arg_len != 0)) s.multiline = 1;
            if (verb == "PASS" || verb == "APOP" || verb == "AUTH")
                events.security_fact({ok ? SecurityFactKind::kLoginSuccess : SecurityFactKind::kLoginFailure, "pop3",
                                      0, 0});
            const bool okv = ok;
            emit(s, events, &okv, l.text);
            if (stls && ok) return {consumed, true, "tls"};  // the TLS handshake follows
        }
        return {consumed, s.events >= kMaxEvents};
    }

    void finish(const flow::Flow&, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& s = *reinterpret_cast<Pop3State*>(state.data());
        while (s.count) emit(s, events, nullptr, {});
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        ByteView cmd, args, status;
        int success = -1;
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        while (r.next(key, v)) {
            if (key == kCommand) cmd = v;
            else if (key == kArgs) args = v;
            else if (key == kSuccess) success = static_cast<int>(EventReader::as_u64(v));
            else if (key == kStatusLine) status = v;
        }
        w.StartObject();
        w.Key("request");
        w.StartObject();
        w.Key("command");
        write_text(w, cmd);
        w.Key("args");
        w.StartArray();
        std::string_view a = args.as_string();
        while (!a.empty()) {
            const size_t sp = a.find(' ');
            if (sp != 0) write_text(w, a.substr(0, sp));
            if (sp == std::string_view::npos) break;
            a.remove_prefix(sp + 1);
        }
        w.EndArray();
        w.EndObject();
        if (success >= 0) {
            w.Key("response");
            w.StartObject();
            w.Key("success");
            w.Bool(success == 1);
            w.Key("status_line");
            write_text(w, status);
            w.EndObject();
        }
        w.EndObject();
    }

 private:
    // POP3 commands are 3-4 letters (RFC 1939, 2449).
    static bool is_command(std::string_view line) noexcept {
        const size_t n = line.find(' ') == std::string_view::npos ? line.size() : line.find(' ');
        if (n < 3 || n > 4) return false;
        for (size_t i = 0; i < n; ++i)
            if (lines::upper(line[i]) < 'A' || lines::upper(line[i]) > 'Z') return false;
        return true;
    }

    static bool is_multiline(std::string_view verb, bool has_arg) noexcept {
        return verb == "RETR" || verb == "TOP" || verb == "CAPA" || ((verb == "LIST" || verb == "UIDL") && !has_arg);
    }

    // Emits the oldest queued command (with its status when `ok` is set) and dequeues it.
    static void emit(Pop3State& s, EventSink& events, const bool* ok, std::string_view status) noexcept {
        if (!s.count) return;
        const Pop3Command& c = s.q[s.head];
        s.head = static_cast<uint8_t>((s.head + 1) % Pop3State::kQueue);
        --s.count;
        if (s.events >= kMaxEvents) return;
        ++s.events;
        if (AppEvent* ev = events.begin_event()) {
            EventWriter w(*ev);
            w.str(kCommand, std::string_view(c.verb, c.verb_len));
            if (c.arg_len) w.str(kArgs, std::string_view(c.arg, c.arg_len));
            if (ok) {
                w.u64(kSuccess, *ok ? 1 : 0);
                w.str(kStatusLine, status.substr(0, 200));
            }
            events.commit_event();
        }
    }

    DissectorInfo info_{"pop3", kTcp, {110, 0, 0, 0, 0, 0}, sizeof(Pop3State), true};
};

}  // namespace

std::unique_ptr<Dissector> make_pop3_dissector() { return std::make_unique<Pop3Dissector>(); }

}  // namespace nms::dpi
