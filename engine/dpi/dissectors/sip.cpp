// SIP (UDP/TCP 5060): one EVE "sip" event per message in Suricata's shape (method, uri,
// version, request_line / code, reason, response_line) plus the From/To users, Call-ID and
// User-Agent/Server.
#include <algorithm>

#include "dpi/dissector.hpp"
#include "dpi/dissectors/http_parse.hpp"
#include "dpi/dissectors/json_text.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kMethod, kUri, kVersion, kRequestLine, kCode, kReason, kResponseLine, kFrom, kTo, kCallId,
                       kUserAgent, kServer };
constexpr const char* kNames[] = {"method", "uri", "version", "request_line", "code", "reason", "response_line",
                                  "from", "to", "call_id", "user_agent", "server"};

bool is_sip_method(std::string_view m) noexcept {
    static constexpr std::string_view kMethods[] = {"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER",
                                                    "PRACK", "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER",
                                                    "MESSAGE", "UPDATE"};
    return std::find(std::begin(kMethods), std::end(kMethods), m) != std::end(kMethods);
}

// Header by full or compact name.
std::string_view sip_header(std::string_view block, std::string_view name, std::string_view compact) noexcept {
    const std::string_view v = http::header(block, name);
    return v.empty() ? http::header(block, compact) : v;
}

// The user part of a From/To value: "Bob" <sip:bob@example.org>;tag=1 -> bob.
std::string_view sip_user(std::string_view v) noexcept {
    size_t p = v.find("sip:");
    size_t skip = 4;
    if (const size_t q = v.find("sips:"); q != std::string_view::npos && (p == std::string_view::npos || q < p))
        p = q, skip = 5;
    if (p == std::string_view::npos) return {};
    v.remove_prefix(p + skip);
    const size_t at = v.find('@');
    const size_t stop = v.find_first_of(";>? ");
    if (at != std::string_view::npos && (stop == std::string_view::npos || at < stop)) return v.substr(0, at);
    return {};  // no user part (sip:host)
}

// Start-line kind: 1 request, 2 response, 0 not SIP.
int start_line(std::string_view line) noexcept {
    if (line.substr(0, 8) == "SIP/2.0 ") return 2;
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos || !is_sip_method(line.substr(0, sp))) return 0;
    return line.size() >= 8 && line.substr(line.size() - 8) == " SIP/2.0" ? 1 : 0;
}

class SipDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        const std::string_view d = in.data.as_string();
        const size_t eol = d.find('\n');
        if (eol == std::string_view::npos) {  // TCP: the start line may still be arriving
            if (!in.tcp || d.size() >= 512) return Verdict::kExcluded;
            const size_t sp = d.find(' ');
            const std::string_view tok = d.substr(0, sp);
            const bool maybe = std::string_view("SIP/2.0").starts_with(tok) || tok == "SIP/2.0" ||
                               (sp == std::string_view::npos ? is_prefix_of_method(tok) : is_sip_method(tok));
            return maybe ? Verdict::kNeedMore : Verdict::kExcluded;
        }
        return start_line(http::first_line(d)) ? Verdict::kDetected : Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t>, EventSink& events) const noexcept override {
        std::string_view d = in.data.as_string();
        if (!in.tcp) {
            emit(d, events);
            return {static_cast<uint32_t>(d.size()), false};
        }
        uint32_t consumed = 0;
        while (!d.empty()) {
            const size_t end = http::header_end(d);
            if (end == 0) break;
            emit(d.substr(0, end), events);
            size_t body = 0;
            const std::string_view cl = sip_header(d.substr(0, end), "content-length", "l");
            for (char c : cl.substr(0, 7)) body = c >= '0' && c <= '9' ? body * 10 + static_cast<size_t>(c - '0') : body;
            const size_t take = std::min(d.size(), end + body);
            consumed += static_cast<uint32_t>(take);
            d.remove_prefix(take);
        }
        return {consumed, false};
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        while (r.next(key, v)) {
            if (key >= std::size(kNames)) continue;
            w.Key(kNames[key]);
            write_text(w, v, TextMode::kEscapeControls);
        }
        w.EndObject();
    }

 private:
    static bool is_prefix_of_method(std::string_view d) noexcept {
        for (char c : d)
            if (c < 'A' || c > 'Z') return false;
        return true;
    }

    static void emit(std::string_view block, EventSink& events) noexcept {
        const std::string_view line = http::first_line(block);
        const int kind = start_line(line);
        if (!kind) return;
        AppEvent* ev = events.begin_event();
        if (!ev) return;
        EventWriter w(*ev);
        const size_t sp = line.find(' ');
        if (kind == 1) {
            const size_t sp2 = line.rfind(' ');
            w.str(kMethod, line.substr(0, sp));
            w.str(kUri, line.substr(sp + 1, sp2 - sp - 1).substr(0, 256));
            w.str(kVersion, line.substr(sp2 + 1));
            w.str(kRequestLine, line.substr(0, 300));
        } else {
            w.str(kVersion, line.substr(0, sp));
            const std::string_view rest = line.substr(sp + 1);
            const size_t sp2 = rest.find(' ');
            w.str(kCode, rest.substr(0, sp2));
            if (sp2 != std::string_view::npos) w.str(kReason, rest.substr(sp2 + 1).substr(0, 128));
            w.str(kResponseLine, line.substr(0, 300));
        }
        if (auto u = sip_user(sip_header(block, "from", "f")); !u.empty()) w.str(kFrom, u.substr(0, 128));
        if (auto u = sip_user(sip_header(block, "to", "t")); !u.empty()) w.str(kTo, u.substr(0, 128));
        if (auto c = sip_header(block, "call-id", "i"); !c.empty()) w.str(kCallId, c.substr(0, 128));
        if (auto a = http::header(block, "user-agent"); !a.empty()) w.str(kUserAgent, a.substr(0, 200));
        if (auto s = http::header(block, "server"); !s.empty()) w.str(kServer, s.substr(0, 200));
        events.commit_event();
    }

    DissectorInfo info_{"sip", kTcpUdp, {5060, 0, 0, 0, 0, 0}, 0, true};
};

}  // namespace

std::unique_ptr<Dissector> make_sip_dissector() { return std::make_unique<SipDissector>(); }

}  // namespace nms::dpi
