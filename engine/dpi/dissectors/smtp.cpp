// SMTP: HELO/EHLO, MAIL FROM, RCPT TO per mail transaction, as EVE "smtp" events like
// Suricata's {helo, mail_from, rcpt_to[]}; the message body (DATA ... ".") is skipped line by
// line; after STARTTLS and its 220 reply the TLS dissector takes the flow over.
#include "dpi/dissector.hpp"
#include "dpi/dissectors/json_text.hpp"
#include "dpi/dissectors/line_parse.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kHelo, kMailFrom, kRcptTo, kStartTls, kBanner, kRcptCount };

struct SmtpState {
    static constexpr size_t kRcpts = 3;
    uint8_t in_data;            // client is sending the message body
    uint8_t mid_line[2];        // the previous chunk ended inside an over-long line
    uint8_t has_tx;
    uint8_t auth_pending;       // AUTH sent: the final reply says whether the login worked
    uint8_t tls_pending;        // STARTTLS sent: a 220 reply starts the TLS handshake
    uint8_t helo_len, from_len, banner_len;
    uint8_t rcpt_len[kRcpts];
    uint16_t rcpts;
    uint16_t events;
    char helo[64];
    char from[96];
    char rcpt[kRcpts][80];
    char banner[80];
};
static_assert(sizeof(SmtpState) <= kMaxStateBytes);

constexpr uint16_t kMaxEvents = 64;

class SmtpDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        if (!in.tcp) return Verdict::kExcluded;
        const std::string_view d = in.data.as_string();
        if (in.dir == flow::kToServer) {
            static constexpr std::string_view kWords[] = {"EHLO ", "HELO ", "EHLO\r", "HELO\r"};
            const int m = lines::match_words(d, kWords);
            return m == 1 ? Verdict::kDetected : m == 0 ? Verdict::kNeedMore : Verdict::kExcluded;
        }
        if (d.size() < 4) return d.empty() || d[0] == '2' ? Verdict::kNeedMore : Verdict::kExcluded;
        if (d.substr(0, 3) != "220" || (d[3] != ' ' && d[3] != '-')) return Verdict::kExcluded;
        const lines::Line l = lines::next_line(d);
        if (l.taken == 0) return d.size() < 512 ? Verdict::kNeedMore : Verdict::kExcluded;
        // FTP greets with 220 too: decide on the port or the words, else wait for the client.
        if (in.server_port == 25 || in.server_port == 587 || in.server_port == 2525) return Verdict::kDetected;
        if (lines::icontains(l.text, "SMTP") || lines::icontains(l.text, " mail")) return Verdict::kDetected;
        if (lines::icontains(l.text, "FTP")) return Verdict::kExcluded;
        return Verdict::kNeedMore;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& s = *reinterpret_cast<SmtpState*>(state.data());
        std::string_view d = in.data.as_string();
        uint32_t consumed = 0;
        const int dir = in.dir;
        if (in.stream_gap) s.mid_line[dir] = 1;
        while (!d.empty()) {
            const lines::Line l = lines::next_line(d);
            if (l.taken == 0) {
                if (d.size() >= 2048) {  // an over-long line: drop it, resync at its end
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
            if (dir == flow::kToClient) {
                const int code = lines::reply_code(l.text);
                if (!s.banner_len && code == 220) s.banner_len = lines::copy_to(s.banner, l.text);
                if (s.auth_pending && code >= 0 && lines::final_reply_line(l.text)) auth_reply(s, code, events);
                if (s.tls_pending && code >= 0 && lines::final_reply_line(l.text)) {
                    if (code == 220) return {consumed, true, "tls"};
                    s.tls_pending = 0;  // refused (454): the session goes on in clear
                }
                continue;
            }
            if (s.in_data) {
                if (l.text == ".") {
                    s.in_data = 0;
                    emit(s, events, false);
                }
                continue;
            }
            on_command(l.text, s, events);
        }
        return {consumed, s.events >= kMaxEvents};
    }

    void finish(const flow::Flow&, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& s = *reinterpret_cast<SmtpState*>(state.data());
        if (s.has_tx) emit(s, events, false);
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        bool rcpt_open = false;
        while (r.next(key, v)) {
            if (key != kRcptTo && rcpt_open) {
                w.EndArray();
                rcpt_open = false;
            }
            switch (key) {
                case kHelo: w.Key("helo"); write_text(w, v); break;
                case kMailFrom: w.Key("mail_from"); write_text(w, v); break;
                case kRcptTo:
                    if (!rcpt_open) {
                        w.Key("rcpt_to");
                        w.StartArray();
                        rcpt_open = true;
                    }
                    write_text(w, v);
                    break;
                case kStartTls: w.Key("starttls"); w.Bool(true); break;
                case kBanner: w.Key("banner"); write_text(w, v); break;
                case kRcptCount: w.Key("rcpt_count"); w.Uint64(EventReader::as_u64(v)); break;
                default: break;
            }
        }
        if (rcpt_open) w.EndArray();
        w.EndObject();
    }

 private:
    void on_command(std::string_view line, SmtpState& s, EventSink& events) const noexcept {
        std::string_view verb, arg;
        lines::split_command(line, verb, arg);
        if (lines::iequals(verb, "HELO") || lines::iequals(verb, "EHLO")) {
            s.helo_len = lines::copy_to(s.helo, arg);
            s.has_tx = 1;
        } else if (lines::iequals(verb, "MAIL")) {
            if (s.from_len || s.rcpts) emit(s, events, false);  // no DATA for the previous one
            s.from_len = lines::copy_to(s.from, address(arg));
            s.has_tx = 1;
        } else if (lines::iequals(verb, "RCPT")) {
            if (s.rcpts < SmtpState::kRcpts) s.rcpt_len[s.rcpts] = lines::copy_to(s.rcpt[s.rcpts], address(arg));
            if (s.rcpts < 0xffff) ++s.rcpts;
            s.has_tx = 1;
        } else if (lines::iequals(verb, "DATA") || lines::iequals(verb, "BDAT")) {
            s.in_data = lines::iequals(verb, "DATA");
        } else if (lines::iequals(verb, "RSET")) {
            if (s.from_len || s.rcpts) emit(s, events, false);
        } else if (lines::iequals(verb, "STARTTLS")) {
            emit(s, events, true);
            s.tls_pending = 1;
        } else if (lines::iequals(verb, "AUTH")) {
            s.auth_pending = 1;
        } else if (lines::iequals(verb, "QUIT")) {
            if (s.has_tx) emit(s, events, false);
        }
    }

    // 334 asks for the next SASL step; 235 accepts the login, 535 refuses the credentials
    // (RFC 4954); any other final code ends the exchange without a verdict.
    static void auth_reply(SmtpState& s, int code, EventSink& events) noexcept {
        if (code == 334) return;
        s.auth_pending = 0;
        if (code == 235) events.security_fact({SecurityFactKind::kLoginSuccess, "smtp", 0, 0});
        else if (code == 535) events.security_fact({SecurityFactKind::kLoginFailure, "smtp", 0, 0});
    }

    // "FROM:<a@b> SIZE=1" -> "<a@b>" (Suricata keeps the angle brackets).
    static std::string_view address(std::string_view arg) noexcept {
        const size_t colon = arg.find(':');
        if (colon != std::string_view::npos) arg.remove_prefix(colon + 1);
        while (!arg.empty() && arg.front() == ' ') arg.remove_prefix(1);
        const size_t gt = arg.find('>');
        if (!arg.empty() && arg.front() == '<' && gt != std::string_view::npos) return arg.substr(0, gt + 1);
        return arg.substr(0, arg.find(' '));
    }

    static void emit(SmtpState& s, EventSink& events, bool starttls) noexcept {
        if (s.events < kMaxEvents) {
            ++s.events;
            if (AppEvent* ev = events.begin_event()) {
                EventWriter w(*ev);
                if (s.helo_len) w.str(kHelo, std::string_view(s.helo, s.helo_len));
                if (s.from_len) w.str(kMailFrom, std::string_view(s.from, s.from_len));
                for (size_t i = 0; i < s.rcpts && i < SmtpState::kRcpts; ++i)
                    w.str(kRcptTo, std::string_view(s.rcpt[i], s.rcpt_len[i]));
                if (s.rcpts > SmtpState::kRcpts) w.u64(kRcptCount, s.rcpts);
                if (s.banner_len) w.str(kBanner, std::string_view(s.banner, s.banner_len));
                if (starttls) w.u64(kStartTls, 1);
                events.commit_event();
            }
        }
        s.has_tx = 0;
        s.from_len = 0;
        s.rcpts = 0;
    }

    DissectorInfo info_{"smtp", kTcp, {25, 587, 2525, 0, 0, 0}, sizeof(SmtpState), true};
};

}  // namespace

std::unique_ptr<Dissector> make_smtp_dissector() { return std::make_unique<SmtpDissector>(); }

}  // namespace nms::dpi
