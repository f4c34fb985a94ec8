// HTTP/1.x: detection from the request method or the status line, and one EVE "http" event
// per transaction (request fields + response status, content type, length, latency), like
// Suricata's http events.
#include <algorithm>
#include <cstring>

#include "dpi/dissector.hpp"
#include "dpi/dissectors/http_parse.hpp"
#include "dpi/dissectors/json_text.hpp"
#include "dpi/dissectors/line_parse.hpp"

namespace nms::dpi {
namespace {

enum Field : uint8_t { kMethod, kUri, kHost, kUserAgent, kProtocol, kStatus, kContentType, kLength, kLatencyUs,
                       kReferer, kXff };

// A request waiting for its response, copied (bounded) out of the stream buffer.
struct Pending {
    static constexpr size_t kMethodMax = 16, kHostMax = 96, kUriMax = 200, kUaMax = 160;
    TimestampNs ts = 0;
    // Per direction: body bytes still to skip (Content-Length), or skip until the next start
    // line (chunked, close-delimited, after a gap, or bytes that are not a header block).
    uint64_t body_left[2] = {0, 0};
    uint8_t body_unknown[2] = {0, 0};
    uint8_t has = 0;
    uint8_t method_len, host_len, uri_len, ua_len;
    char method[kMethodMax], host[kHostMax], uri[kUriMax], ua[kUaMax];
};
static_assert(sizeof(Pending) <= kMaxStateBytes);

template <size_t N>
uint8_t copy_into(char (&dst)[N], std::string_view s) {
    const size_t n = std::min(N, s.size());
    if (n) std::memcpy(dst, s.data(), n);  // an absent header is an empty view with a null pointer
    return static_cast<uint8_t>(n);
}

class HttpDissector final : public Dissector {
 public:
    const DissectorInfo& info() const noexcept override { return info_; }

    Verdict probe(const ProbeInput& in) const noexcept override {
        const std::string_view d = in.data.as_string();
        if (!in.tcp) return Verdict::kExcluded;
        if (in.dir == flow::kToServer) {
            const size_t sp = d.find(' ');
            if (sp == std::string_view::npos) return d.size() < 10 && could_be_method(d) ? Verdict::kNeedMore : Verdict::kExcluded;
            return http::is_method(d.substr(0, sp)) ? Verdict::kDetected : Verdict::kExcluded;
        }
        if (d.size() < 5) return std::string_view("HTTP/").substr(0, d.size()) == d ? Verdict::kNeedMore : Verdict::kExcluded;
        return d.substr(0, 5) == "HTTP/" ? Verdict::kDetected : Verdict::kExcluded;
    }

    InspectResult inspect(const InspectInput& in, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& p = *reinterpret_cast<Pending*>(state.data());
        const bool up = in.dir == flow::kToServer;
        uint64_t& body_left = p.body_left[up ? 0 : 1];
        uint8_t& body_unknown = p.body_unknown[up ? 0 : 1];
        if (in.stream_gap) {   // lost bytes: whatever framing we had is gone
            body_left = 0;
            body_unknown = 1;
        }
        std::string_view d = in.data.as_string();
        uint32_t consumed = 0;
        auto skip = [&](size_t n) noexcept {
            d.remove_prefix(n);
            consumed += static_cast<uint32_t>(n);
        };
        // Only header blocks are parsed. Bodies are skipped by their Content-Length, else up to
        // the next thing that looks like a start line: each body byte is looked at once at
        // most, never buffered (a bulk transfer costs the copy into the stream buffer only).
        while (!d.empty()) {
            if (body_left) {
                const size_t n = body_left < d.size() ? static_cast<size_t>(body_left) : d.size();
                body_left -= n;
                skip(n);
                continue;
            }
            if (body_unknown) {
                const size_t next = up ? find_request(d) : d.find("HTTP/");
                if (next == std::string_view::npos) {
                    // Keep a tail that may be the start of a start line cut by the segment.
                    skip(d.size() > kStartTail ? d.size() - kStartTail : 0);
                    break;
                }
                skip(next);
                body_unknown = 0;
            }
            const size_t end = http::header_end(d);
            if (end == 0) {
                if (starts_like_start_line(d, up)) break;   // a header block still arriving
                body_unknown = 1;   // no header block here: resync on the next start line
                continue;
            }
            const std::string_view block = d.substr(0, end);
            bool ok = false;
            if (up) ok = on_request(block, in, p, events, body_left, body_unknown);
            else ok = on_response(block, in, p, events, body_left, body_unknown);
            if (!ok) body_unknown = 1;   // a header block we cannot frame: resync on a start line
            skip(end);
        }
        return {consumed, false};
    }

    void finish(const flow::Flow&, std::span<uint8_t> state, EventSink& events) const noexcept override {
        auto& p = *reinterpret_cast<Pending*>(state.data());
        if (p.has) emit(p, {}, 0, events);
    }

    void render(const AppEvent& ev, JsonWriter& w) const override {
        w.StartObject();
        EventReader r(ev);
        uint8_t key;
        ByteView v;
        static constexpr const char* kNames[] = {"http_method", "url", "hostname", "http_user_agent", "protocol",
                                                 "status", "http_content_type", "length", "latency_us",
                                                 "http_refer", "xff"};
        while (r.next(key, v)) {
            if (key >= std::size(kNames)) continue;
            w.Key(kNames[key]);
            if (key == kStatus || key == kLength || key == kLatencyUs) w.Uint64(EventReader::as_u64(v));
            else write_text(w, v);  // wire bytes: invalid UTF-8 becomes U+FFFD, the JSON stays valid
        }
        w.EndObject();
    }

 private:
    static bool could_be_method(std::string_view d) noexcept {
        for (char c : d)
            if (c < 'A' || c > 'Z') return false;
        return true;
    }
    static constexpr size_t kStartTail = 16;   // bytes kept when a start line may straddle segments

    // Could `d` (possibly cut short) begin a request line / status line?
    static bool starts_like_start_line(std::string_view d, bool to_server) noexcept {
        if (!to_server) {
            const size_t n = std::min<size_t>(d.size(), 5);
            return d.substr(0, n) == std::string_view("HTTP/").substr(0, n);
        }
        const size_t sp = d.find(' ');
        if (sp == std::string_view::npos) return d.size() < 10 && could_be_method(d);
        return http::is_method(d.substr(0, sp));
    }

    // Body length announced by a header block: Content-Length, else unknown (chunked, or a
    // response delimited by the connection's close). `no_body`: the message has none whatever it says.
    static void frame_body(std::string_view block, bool no_body, bool request, uint64_t& body_left,
                           uint8_t& body_unknown) noexcept {
        body_left = 0;
        body_unknown = 0;
        if (no_body) return;
        if (!http::header(block, "transfer-encoding").empty()) {
            body_unknown = 1;
            return;
        }
        const std::string_view cl = http::header(block, "content-length");
        if (cl.empty()) {
            body_unknown = request ? 0 : 1;   // a request without length has no body
            return;
        }
        uint64_t n = 0;
        bool ok = cl.size() <= 18;
        for (char c : cl) ok = ok && c >= '0' && c <= '9', n = n * 10 + static_cast<uint64_t>(c - '0');
        if (ok) body_left = n;
        else body_unknown = 1;
    }

    static size_t find_request(std::string_view d) noexcept {
        for (size_t i = 0; i < d.size(); ++i) {
            if (i && d[i - 1] != '\n') continue;
            const size_t sp = d.find(' ', i);
            if (sp != std::string_view::npos && sp - i <= 10 && http::is_method(d.substr(i, sp - i))) return i;
        }
        return std::string_view::npos;
    }

    bool on_request(std::string_view block, const InspectInput& in, Pending& p, EventSink& events, uint64_t& body_left,
                    uint8_t& body_unknown) const noexcept {
        http::RequestLine rl;
        if (!http::parse_request_line(http::first_line(block), rl)) return false;
        frame_body(block, false, true, body_left, body_unknown);
        if (p.has) emit(p, {}, 0, events);  // pipelined: the previous one had no response yet
        p.has = 1;
        p.ts = in.pkt.ts_ns;
        p.method_len = copy_into(p.method, rl.method);
        p.uri_len = copy_into(p.uri, rl.uri);
        p.host_len = copy_into(p.host, http::header(block, "host"));
        p.ua_len = copy_into(p.ua, http::header(block, "user-agent"));
        if (const auto ua = http::header(block, "user-agent"); !ua.empty())
            events.device_fact(DeviceFact::kHttpUserAgent, ua);
        if (const auto host = http::header(block, "host"); !host.empty())
            events.device_fact(DeviceFact::kHttpHost, host);
        return true;
    }

    bool on_response(std::string_view block, const InspectInput& in, Pending& p, EventSink& events,
                     uint64_t& body_left, uint8_t& body_unknown) const noexcept {
        http::StatusLine sl;
        if (!http::parse_status_line(http::first_line(block), sl)) return false;
        // RFC 9112 §6.3: no body after HEAD, 1xx, 204 and 304, whatever the headers say.
        const bool head = p.has && std::string_view(p.method, p.method_len) == "HEAD";
        const bool no_body = head || sl.status.starts_with('1') || sl.status == "204" || sl.status == "304";
        frame_body(block, no_body, false, body_left, body_unknown);
        const uint64_t latency = p.has && in.pkt.ts_ns > p.ts ? (in.pkt.ts_ns - p.ts) / 1000 : 0;
        if (p.has) events.latency(latency);
        login_outcome(p, sl.status, events);
        emit(p, block, latency, events, &sl);
        return true;
    }

    // What the brute-force detector counts per client and server: a 401 refuses HTTP
    // authentication (Basic/Digest); a login form posted to answers a failure with the form
    // again (200, or 401/403) and a success with a redirect into the application (30x).
    static void login_outcome(const Pending& p, std::string_view status, EventSink& events) noexcept {
        if (status == "401") {
            events.security_fact({SecurityFactKind::kLoginFailure, "http", 0, 0});
            return;
        }
        if (!p.has || std::string_view(p.method, p.method_len) != "POST" || !login_form(std::string_view(p.uri, p.uri_len)))
            return;
        if (status == "200" || status == "403")
            events.security_fact({SecurityFactKind::kLoginFailure, "http", 0, 0});
        else if (status == "301" || status == "302" || status == "303" || status == "307")
            events.security_fact({SecurityFactKind::kLoginSuccess, "http", 0, 0});
    }
    static bool login_form(std::string_view uri) noexcept {
        uri = uri.substr(0, uri.find('?'));
        static constexpr std::string_view kWords[] = {"login", "logon", "signin", "sign-in", "sign_in",
                                                      "j_security_check"};
        for (std::string_view w : kWords)
            if (lines::icontains(uri, w)) return true;
        return false;
    }

    void emit(Pending& p, std::string_view resp, uint64_t latency_us, EventSink& events,
              const http::StatusLine* sl = nullptr) const noexcept {
        if (AppEvent* ev = events.begin_event()) {
            EventWriter w(*ev);
            if (p.has) {
                w.str(kHost, std::string_view(p.host, p.host_len));
                w.str(kUri, std::string_view(p.uri, p.uri_len));
                w.str(kMethod, std::string_view(p.method, p.method_len));
                if (p.ua_len) w.str(kUserAgent, std::string_view(p.ua, p.ua_len));
            }
            if (sl) {
                w.str(kProtocol, sl->version);
                uint64_t status = 0;
                for (char c : sl->status) status = status * 10 + static_cast<uint64_t>(c - '0');
                w.u64(kStatus, status);
                if (auto ct = http::header(resp, "content-type"); !ct.empty()) w.str(kContentType, ct);
                if (auto cl = http::header(resp, "content-length"); !cl.empty()) {
                    uint64_t n = 0;
                    bool ok = cl.size() <= 18;
                    for (char c : cl) ok = ok && c >= '0' && c <= '9', n = n * 10 + static_cast<uint64_t>(c - '0');
                    if (ok) w.u64(kLength, n);
                }
                if (p.has) w.u64(kLatencyUs, latency_us);
            }
            events.commit_event();
        }
        p.has = 0;
    }

    DissectorInfo info_{"http", kTcp, {80, 8080, 8000, 3128, 8008, 0}, sizeof(Pending), true};
};

}  // namespace

std::unique_ptr<Dissector> make_http_dissector() { return std::make_unique<HttpDissector>(); }

}  // namespace nms::dpi
