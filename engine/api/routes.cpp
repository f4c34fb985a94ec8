#include "api/routes.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <map>
#include <variant>

#include "api/credentials.hpp"
#include "api/entity_views.hpp"
#include "api/incident_report.hpp"
#include "api/json_writer.hpp"
#include "api/metrics.hpp"
#include "api/openapi_doc.hpp"
#include "api/topology.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "store/alert_store.hpp"
#include "store/device_store.hpp"
#include "store/entity_json.hpp"
#include "store/queries.hpp"

namespace nms::api {

namespace {

constexpr size_t kMaxLimit = 1000;
constexpr size_t kMaxOffset = 1'000'000;
constexpr uint32_t kMaxStoredDevices = 20000;      // read per /devices request at most
constexpr uint64_t kMaxPcapBytes = 64ull << 20;    // evidence files are short captures
constexpr size_t kDefaultTopologyNodes = 100, kMaxTopologyNodes = 500;
constexpr int64_t kMaxUnixSeconds = 4102444800;    // 2100-01-01: beyond is a typo, not a time

ApiResponse json(unsigned status, std::string body) {
    ApiResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}
ApiResponse error(unsigned status, const std::string& message) { return json(status, error_json(message)); }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::optional<uint64_t> to_uint(const std::string& s) {
    uint64_t v = 0;
    const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || res.ec != std::errc() || res.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

// The value of cookie `name` in a Cookie header ("a=1; nms_session=...").
std::string_view cookie_value(std::string_view header, std::string_view name) {
    size_t pos = 0;
    while (pos < header.size()) {
        while (pos < header.size() && (header[pos] == ' ' || header[pos] == ';')) ++pos;
        const size_t end = std::min(header.find(';', pos), header.size());
        const std::string_view pair = header.substr(pos, end - pos);
        const size_t eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
        pos = end;
    }
    return {};
}

std::optional<std::string> base64_decode(std::string_view in) {
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '+') v = 62;
        else if (c == '/') v = 63;
        else if (c == '=') break;
        else return std::nullopt;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

// Origin, when a browser sent one, must name this very host: a page elsewhere cannot act.
bool same_origin(const ApiRequest& req) {
    if (req.origin.empty()) return true;
    return req.origin == "http://" + req.host || req.origin == "https://" + req.host;
}

const char* role_name(Role r) { return r == Role::kAdmin ? "admin" : "viewer"; }

struct Auth {
    const Session* session = nullptr;
    std::string token;
    bool via_cookie = false;
    std::string user;
    Role role = Role::kViewer;
};

}  // namespace

std::optional<std::string> query_param(std::string_view query, std::string_view key) {
    size_t pos = 0;
    while (pos <= query.size()) {
        const size_t end = std::min(query.find('&', pos), query.size());
        const std::string_view pair = query.substr(pos, end - pos);
        const size_t eq = pair.find('=');
        const auto k = percent_decode(pair.substr(0, eq));
        if (k && *k == key) return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
        if (end >= query.size()) break;
        pos = end + 1;
    }
    return std::nullopt;
}

struct Router::Impl {
    using Handler = ApiResponse (Impl::*)(const ApiRequest&, std::string_view query, const Auth&);
    struct Route {
        const char* method;
        const char* path;
        Access access;
        Handler handler;
    };

    const config::ApiConfig cfg;
    UserStore users;
    ApiHooks hooks;
    SessionStore sessions;
    LoginLimiter limiter;
    StaticFiles files;
    std::string dummy_hash;  // verified against for unknown users: same time as a wrong password
    // /stats renders once per snapshot however many clients ask.
    stats::SnapshotPtr cached_snap;
    std::shared_ptr<const std::string> cached_stats;
    // {name} segments of the route being handled (one request at a time: one io thread).
    std::vector<std::string> params;
    // The store's database through the API's own read-only connection, opened on first use.
    std::unique_ptr<store::Queries> history_db;

    Impl(const config::ApiConfig& c, UserStore u, ApiHooks h)
        : cfg(c),
          users(std::move(u)),
          hooks(std::move(h)),
          sessions(c.session_ttl_s, c.session_idle_s),
          limiter(c.login_max_failures, c.lockout_s),
          files(c.dashboard_dir),
          dummy_hash(hash_password(random_hex(16)).value_or("")) {
        if (!hooks.now_s) hooks.now_s = [] { return static_cast<int64_t>(monotonic_ns() / kNsPerSec); };
    }

    static const std::vector<Route>& table() {
        static const std::vector<Route> kRoutes = {
            {"GET", "/api/v1/health", Access::kPublic, &Impl::health},
            {"POST", "/api/v1/auth/login", Access::kPublic, &Impl::login},
            {"POST", "/api/v1/auth/logout", Access::kViewer, &Impl::logout},
            {"GET", "/api/v1/auth/session", Access::kViewer, &Impl::whoami},
            {"GET", "/api/v1/stats", Access::kViewer, &Impl::stats},
            {"GET", "/api/v1/stats/history", Access::kViewer, &Impl::history},
            {"GET", "/api/v1/flows", Access::kViewer, &Impl::flows},
            {"GET", "/api/v1/top-talkers", Access::kViewer, &Impl::talkers},
            {"GET", "/api/v1/latency", Access::kViewer, &Impl::latency},
            {"GET", "/api/v1/interfaces", Access::kViewer, &Impl::interfaces},
            {"POST", "/api/v1/config/reload", Access::kAdmin, &Impl::reload},
            {"GET", "/api/v1/devices", Access::kViewer, &Impl::devices},
            {"GET", "/api/v1/devices/{mac}", Access::kViewer, &Impl::device},
            {"GET", "/api/v1/devices/{mac}/flows", Access::kViewer, &Impl::device_flows},
            {"GET", "/api/v1/flows/history", Access::kViewer, &Impl::flows_history},
            {"GET", "/api/v1/alerts", Access::kViewer, &Impl::alerts},
            {"GET", "/api/v1/alerts/suppressions", Access::kViewer, &Impl::suppressions},
            {"POST", "/api/v1/alerts/suppressions", Access::kAdmin, &Impl::suppression_add},
            {"DELETE", "/api/v1/alerts/suppressions/{id}", Access::kAdmin, &Impl::suppression_remove},
            {"GET", "/api/v1/alerts/{id}", Access::kViewer, &Impl::alert},
            {"POST", "/api/v1/alerts/{id}/acknowledge", Access::kAdmin, &Impl::acknowledge},
            {"GET", "/api/v1/alerts/{id}/pcap", Access::kViewer, &Impl::alert_pcap},
            {"GET", "/api/v1/bans", Access::kViewer, &Impl::bans},
            {"DELETE", "/api/v1/bans/{ip}", Access::kAdmin, &Impl::ban_revoke},
            {"GET", "/api/v1/topology", Access::kViewer, &Impl::topology},
            {"POST", "/api/v1/capture/start", Access::kAdmin, &Impl::capture_start},
            {"POST", "/api/v1/capture/stop", Access::kAdmin, &Impl::capture_stop},
            {"GET", "/api/v1/report", Access::kViewer, &Impl::report},
            {"GET", "/api/v1/openapi.json", Access::kViewer, &Impl::openapi},
            {"GET", "/api/v1/ws", Access::kViewer, &Impl::ws_without_upgrade},
            {"GET", "/metrics", Access::kViewer, &Impl::metrics},
        };
        return kRoutes;
    }

    std::optional<Auth> authenticate(const ApiRequest& req, bool allow_basic) {
        const int64_t now = hooks.now_s();
        Auth a;
        std::string_view authz(req.authorization);
        if (authz.starts_with("Bearer ")) {
            a.token = std::string(authz.substr(7));
        } else if (allow_basic && authz.starts_with("Basic ")) {
            // Scrapers (Prometheus basic_auth): checked like a login, lockout included.
            if (limiter.locked_for(req.peer, now) > 0) return std::nullopt;
            const auto decoded = base64_decode(authz.substr(6));
            const size_t colon = decoded ? decoded->find(':') : std::string::npos;
            if (colon == std::string::npos) return std::nullopt;
            const User* u = users.find(std::string_view(*decoded).substr(0, colon));
            if (!verify_password(std::string_view(*decoded).substr(colon + 1), u ? u->password_hash : dummy_hash) ||
                u == nullptr) {
                limiter.failed(req.peer, now);
                return std::nullopt;
            }
            a.user = u->name;
            a.role = u->role;
            return a;
        } else {
            a.token = std::string(cookie_value(req.cookie, kSessionCookie));
            a.via_cookie = true;
        }
        if (a.token.empty()) return std::nullopt;
        a.session = sessions.find(a.token, now);
        if (a.session == nullptr) return std::nullopt;
        a.user = a.session->user;
        a.role = a.session->role;
        return a;
    }

    ApiResponse unauthorized() {
        auto r = error(401, "authentication required: POST /api/v1/auth/login");
        r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"netmonsec\"");
        return r;
    }

    // nullopt = allowed.
    std::optional<ApiResponse> check_access(const Route& route, const ApiRequest& req, Auth& auth) {
        if (route.access == Access::kPublic) return std::nullopt;
        if (route.handler == &Impl::metrics && !cfg.metrics_auth) return std::nullopt;
        auto a = authenticate(req, route.handler == &Impl::metrics);
        if (!a) return unauthorized();
        if (route.access == Access::kAdmin && a->role != Role::kAdmin) return error(403, "admin role required");
        // A browser sends cookies with any request, also one a hostile page makes: changes
        // authenticated by the cookie need the session's CSRF token and a same-origin Origin.
        if (a->via_cookie && std::string_view(route.method) != "GET") {
            if (!same_origin(req) || !constant_time_equal(req.csrf_token, a->session->csrf))
                return error(403, "missing or wrong X-CSRF-Token (GET /api/v1/auth/session gives it)");
        }
        auth = std::move(*a);
        return std::nullopt;
    }

    // "/api/v1/devices/{mac}" against a request path; {name} takes one non-empty segment
    // (percent-decoded). Captured values go to `out` in order.
    static bool match_path(std::string_view pattern, std::string_view path, std::vector<std::string>& out) {
        out.clear();
        while (!pattern.empty() || !path.empty()) {
            if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
            pattern.remove_prefix(1);
            path.remove_prefix(1);
            const size_t pe = std::min(pattern.find('/'), pattern.size()), qe = std::min(path.find('/'), path.size());
            const std::string_view pseg = pattern.substr(0, pe), seg = path.substr(0, qe);
            if (pseg.starts_with('{')) {
                auto v = percent_decode(seg);
                if (seg.empty() || !v) return false;
                out.push_back(std::move(*v));
            } else if (pseg != seg) {
                return false;
            }
            pattern.remove_prefix(pe);
            path.remove_prefix(qe);
        }
        return true;
    }

    ApiResponse dispatch(const ApiRequest& req) {
        const size_t qmark = req.target.find('?');
        const std::string path = req.target.substr(0, qmark);
        const std::string_view query =
            qmark == std::string::npos ? std::string_view() : std::string_view(req.target).substr(qmark + 1);
        const bool api = path.starts_with("/api/") || path == "/api" || path == "/metrics";
        if (api && !percent_decode(query)) return error(400, "badly percent-encoded query");
        std::string allow;
        // Literal routes first ("alerts/suppressions" is not an alert id), then patterns.
        for (const bool patterns : {false, true}) {
            bool path_known = false;
            for (const Route& r : table()) {
                const bool is_pattern = std::string_view(r.path).find('{') != std::string_view::npos;
                if (is_pattern != patterns || !match_path(r.path, path, params)) continue;
                path_known = true;
                if (req.method != r.method && !(req.method == "HEAD" && std::string_view(r.method) == "GET")) {
                    allow += (allow.empty() ? "" : ", ") + std::string(r.method);
                    continue;
                }
                Auth auth;
                if (auto refused = check_access(r, req, auth)) return std::move(*refused);
                return (this->*r.handler)(req, query, auth);
            }
            if (path_known) break;
        }
        if (!allow.empty()) {
            auto r = error(405, "method not allowed");
            r.headers.emplace_back("Allow", allow);
            return r;
        }
        if (api || !files.enabled()) return error(404, "no such endpoint");
        if (req.method != "GET" && req.method != "HEAD") return error(405, "method not allowed");
        return files.serve(path, req.accept_encoding);
    }

    // ---- handlers ------------------------------------------------------------------------

    ApiResponse health(const ApiRequest&, std::string_view, const Auth&) {
        std::vector<std::string> reasons;
        std::vector<std::string> warnings;
        const auto snap = hooks.snapshot ? hooks.snapshot() : nullptr;
        std::vector<CaptureStatus> caps;
        if (hooks.captures) {
            caps = hooks.captures();
            size_t running = 0;
            for (const auto& c : caps) {
                running += c.running;
                if (!c.error.empty()) reasons.push_back("capture " + c.name + " failed: " + c.error);
                // Paused on purpose: still ready, but say so (and how to undo it).
                if (c.running && c.paused)
                    warnings.push_back("capture " + c.name + " is paused (POST /api/v1/capture/start resumes it)");
            }
            if (running == 0) reasons.push_back("no capture source is running");
        }
        if (!snap) {
            reasons.push_back("no statistics yet");
        } else {
            for (const auto& w : snap->workers)
                if (w.stale) reasons.push_back("worker " + std::to_string(w.id) + " did not answer the last stats tick");
            const double age = static_cast<double>(wall_ns() - std::min(wall_ns(), snap->wall_ns)) / 1e9;
            if (age > 5.0 * hooks.stats_interval_ms / 1000.0 + 2) reasons.push_back("statistics are stale");
            if (snap->store.enabled && snap->store.disk_full) warnings.push_back("store: the disk is full, history is not written");
            else if (snap->store.enabled && !snap->store.healthy)
                warnings.push_back("store: records were lost in the last minute" +
                                   (snap->store.last_error.empty() ? std::string() : ": " + snap->store.last_error));
            if (snap->history && !snap->history->empty() && snap->history->back().drops > 0)
                warnings.push_back("packets dropped in the last interval: " +
                                   std::to_string(snap->history->back().drops));
        }
        const bool ready = reasons.empty();
        rapidjson::StringBuffer sb;
        rapidjson::Writer<rapidjson::StringBuffer> w(sb);
        w.StartObject();
        w.Key("status");
        w.String(!ready ? "unavailable" : warnings.empty() ? "ok" : "degraded");
        w.Key("live");
        w.Bool(true);
        w.Key("ready");
        w.Bool(ready);
        w.Key("reasons");
        w.StartArray();
        for (const auto& r : reasons) w.String(r.c_str(), static_cast<rapidjson::SizeType>(r.size()));
        w.EndArray();
        w.Key("warnings");
        w.StartArray();
        for (const auto& r : warnings) w.String(r.c_str(), static_cast<rapidjson::SizeType>(r.size()));
        w.EndArray();
        w.Key("captures");
        w.StartArray();
        for (const auto& c : caps) {
            w.StartObject();
            w.Key("name");
            w.String(c.name.c_str(), static_cast<rapidjson::SizeType>(c.name.size()));
            w.Key("state");
            w.String(!c.running ? (c.error.empty() ? "finished" : "failed") : c.paused ? "paused" : "running");
            w.EndObject();
        }
        w.EndArray();
        w.Key("uptime_s");
        w.Double(snap ? snap->uptime_s : 0.0);
        w.EndObject();
        return json(ready ? 200 : 503, std::string(sb.GetString(), sb.GetSize()));
    }

    ApiResponse login(const ApiRequest& req, std::string_view, const Auth&) {
        const int64_t now = hooks.now_s();
        if (const int64_t wait = limiter.locked_for(req.peer, now); wait > 0) {
            auto r = error(429, "too many failed logins; try again later");
            r.headers.emplace_back("Retry-After", std::to_string(wait));
            return r;
        }
        if (!same_origin(req)) return error(403, "cross-origin login refused");
        if (!std::string_view(req.content_type).starts_with("application/json"))
            return error(415, "send JSON: Content-Type: application/json");
        rapidjson::Document doc;
        doc.Parse(req.body.c_str(), req.body.size());
        if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("username") || !doc.HasMember("password") ||
            !doc["username"].IsString() || !doc["password"].IsString())
            return error(400, "expected {\"username\": string, \"password\": string}");
        const std::string_view name(doc["username"].GetString(), doc["username"].GetStringLength());
        const std::string_view password(doc["password"].GetString(), doc["password"].GetStringLength());
        const User* u = users.find(name);
        const bool ok = verify_password(password, u ? u->password_hash : dummy_hash) && u != nullptr;
        if (!ok) {
            if (limiter.failed(req.peer, now)) log::warn("api: login lockout for %s", req.peer.c_str());
            return error(401, "wrong user name or password");
        }
        limiter.succeeded(req.peer);
        const std::string token = sessions.create(*u, now);
        const Session* s = sessions.find(token, now);
        log::info("api: %s logged in from %s", u->name.c_str(), req.peer.c_str());
        rapidjson::StringBuffer sb;
        rapidjson::Writer<rapidjson::StringBuffer> w(sb);
        w.StartObject();
        w.Key("token");
        w.String(token.c_str());
        w.Key("csrf_token");
        w.String(s->csrf.c_str());
        w.Key("user");
        w.String(u->name.c_str());
        w.Key("role");
        w.String(role_name(u->role));
        w.Key("expires_in");
        w.Uint(sessions.ttl_s());
        w.EndObject();
        auto r = json(200, std::string(sb.GetString(), sb.GetSize()));
        r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" + token +
                                                 "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                                 std::to_string(sessions.ttl_s()));
        r.headers.emplace_back("Cache-Control", "no-store");
        return r;
    }

    ApiResponse logout(const ApiRequest&, std::string_view, const Auth& a) {
        if (!a.token.empty()) sessions.remove(a.token);
        auto r = json(200, "{\"status\":\"logged out\"}");
        r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        return r;
    }

    ApiResponse whoami(const ApiRequest&, std::string_view, const Auth& a) {
        rapidjson::StringBuffer sb;
        rapidjson::Writer<rapidjson::StringBuffer> w(sb);
        w.StartObject();
        w.Key("user");
        w.String(a.user.c_str());
        w.Key("role");
        w.String(role_name(a.role));
        if (a.session) {
            w.Key("csrf_token");
            w.String(a.session->csrf.c_str());
            w.Key("expires_in");
            w.Int64(a.session->expires_s - hooks.now_s());
        }
        w.EndObject();
        auto r = json(200, std::string(sb.GetString(), sb.GetSize()));
        r.headers.emplace_back("Cache-Control", "no-store");
        return r;
    }

    stats::SnapshotPtr snapshot() { return hooks.snapshot ? hooks.snapshot() : nullptr; }

    ApiResponse stats(const ApiRequest&, std::string_view, const Auth&) {
        auto snap = snapshot();
        if (!snap) return error(503, "no statistics yet");
        if (snap != cached_snap) {
            cached_stats = std::make_shared<const std::string>(render_stats(*snap));
            cached_snap = snap;
        }
        ApiResponse r;
        r.shared_body = cached_stats;
        return r;
    }

    // limit/offset/sort/order/q; nullopt + `bad` set when a parameter is not accepted.
    std::optional<ListQuery> list_query(std::string_view query, bool (*valid_sort)(const std::string&),
                                        std::string& bad) {
        ListQuery q;
        if (auto v = query_param(query, "limit")) {
            const auto n = to_uint(*v);
            if (!n || *n == 0 || *n > kMaxLimit) return bad = "limit must be 1.." + std::to_string(kMaxLimit), std::nullopt;
            q.limit = *n;
        }
        if (auto v = query_param(query, "offset")) {
            const auto n = to_uint(*v);
            if (!n || *n > kMaxOffset) return bad = "offset must be 0.." + std::to_string(kMaxOffset), std::nullopt;
            q.offset = *n;
        }
        if (auto v = query_param(query, "sort")) {
            if (!valid_sort(*v)) return bad = "unknown sort key", std::nullopt;
            q.sort = *v;
        }
        if (auto v = query_param(query, "order")) {
            if (*v != "asc" && *v != "desc") return bad = "order must be asc or desc", std::nullopt;
            q.ascending = *v == "asc";
        }
        if (auto v = query_param(query, "q")) {
            if (v->size() > 256) return bad = "q is too long", std::nullopt;
            q.q = *v;
        }
        return q;
    }

    ApiResponse history(const ApiRequest&, std::string_view query, const Auth&) {
        auto snap = snapshot();
        if (!snap) return error(503, "no statistics yet");
        uint64_t window = 300, step = 1;
        if (auto v = query_param(query, "window")) {
            const auto n = to_uint(*v);
            if (!n || *n == 0 || *n > 7 * 86400) return error(400, "window must be 1..604800 seconds");
            window = *n;
        }
        if (auto v = query_param(query, "step")) {
            const auto n = to_uint(*v);
            if (!n || *n == 0 || *n > window) return error(400, "step must be 1..window seconds");
            step = *n;
        }
        if (window / step > 10000) return error(400, "window/step gives more than 10000 points");
        return json(200, render_history(*snap, static_cast<uint32_t>(window), static_cast<uint32_t>(step)));
    }

    ApiResponse flows(const ApiRequest&, std::string_view query, const Auth&) {
        auto snap = snapshot();
        if (!snap) return error(503, "no statistics yet");
        std::string bad;
        const auto q = list_query(query, &valid_flow_sort, bad);
        if (!q) return error(400, bad);
        return json(200, render_flows(*snap, *q));
    }

    ApiResponse talkers(const ApiRequest&, std::string_view query, const Auth&) {
        auto snap = snapshot();
        if (!snap) return error(503, "no statistics yet");
        std::string bad;
        const auto q = list_query(query, &valid_talker_sort, bad);
        if (!q) return error(400, bad);
        return json(200, render_top_talkers(*snap, *q));
    }

    ApiResponse latency(const ApiRequest&, std::string_view, const Auth&) {
        auto snap = snapshot();
        if (!snap) return error(503, "no statistics yet");
        return json(200, render_latency(*snap));
    }

    ApiResponse interfaces(const ApiRequest&, std::string_view, const Auth&) {
        auto snap = snapshot();
        const auto ifs = hooks.interfaces ? hooks.interfaces() : std::vector<capture::InterfaceInfo>{};
        return json(200, render_interfaces(ifs, snap.get()));
    }

    ApiResponse reload(const ApiRequest&, std::string_view, const Auth& a) {
        if (!hooks.reload || !hooks.reload()) return error(503, "reload is not available");
        log::info("api: configuration reload requested by %s", a.user.c_str());
        return json(202, "{\"status\":\"reload requested\"}");
    }

    // ---- history, devices, alerts, mitigation -------------------------------------------

    // nullptr when there is no store (the message says why).
    store::Queries* history(std::string& why) {
        if (hooks.database_path.empty()) {
            why = "history is not available: the store is off (give --data-dir or enable [storage])";
            return nullptr;
        }
        if (!history_db) {
            try {
                history_db = std::make_unique<store::Queries>(hooks.database_path);
            } catch (const std::exception& e) {
                why = std::string("history database cannot be opened: ") + e.what();
                return nullptr;
            }
        }
        return history_db.get();
    }

    static ApiResponse unavailable(const char* what) {
        return error(503, std::string(what) + " is not available in this engine");
    }

    // A Unix-seconds parameter; nullopt + `bad` when malformed, 0 when absent.
    static std::optional<int64_t> seconds_param(std::string_view query, const char* name, std::string& bad) {
        const auto v = query_param(query, name);
        if (!v) return int64_t{0};
        const auto n = to_uint(*v);
        if (!n || *n > static_cast<uint64_t>(kMaxUnixSeconds)) {
            bad = std::string(name) + " must be a Unix time in seconds";
            return std::nullopt;
        }
        return static_cast<int64_t>(*n);
    }

    static std::optional<uint32_t> limit_param(std::string_view query, uint32_t dflt, uint32_t max, std::string& bad) {
        const auto v = query_param(query, "limit");
        if (!v) return dflt;
        const auto n = to_uint(*v);
        if (!n || *n == 0 || *n > max) {
            bad = "limit must be 1.." + std::to_string(max);
            return std::nullopt;
        }
        return static_cast<uint32_t>(*n);
    }

    // "aa:bb:cc:dd:ee:ff" (a local device) or an address (a remote one) -> the device key text.
    static std::optional<std::string> device_key_of(const std::string& id) {
        if (auto m = devices::mac_parse(id)) return store::device_key_text(devices::DeviceKey::of_mac(*m));
        if (auto ip = IpAddr::parse(id)) return store::device_key_text(devices::DeviceKey::of_ip(*ip));
        if (auto k = store::device_key_parse(id)) return store::device_key_text(*k);
        return std::nullopt;
    }

    // Live devices (current snapshot) over stored ones: the same key appears once.
    std::vector<DeviceView> device_views(store::Queries* db, const std::string& key = {}) {
        std::map<std::string, DeviceView> by_key;
        if (db) {
            for (auto& d : store::read_devices(db->db(), key.empty() ? kMaxStoredDevices : 1, key)) {
                std::string k = store::device_key_text(d.key);
                by_key[k] = DeviceView{std::move(d), false};
            }
        }
        if (auto snap = snapshot()) {
            for (const auto& d : snap->devices) {
                std::string k = store::device_key_text(d.key);
                if (!key.empty() && k != key) continue;
                by_key[k] = DeviceView{d, true};
            }
        }
        std::vector<DeviceView> out;
        out.reserve(by_key.size());
        for (auto& [k, v] : by_key) out.push_back(std::move(v));
        return out;
    }

    ApiResponse devices(const ApiRequest&, std::string_view query, const Auth&) {
        std::string bad, why;
        const auto q = list_query(query, &valid_device_sort, bad);
        if (!q) return error(400, bad);
        store::Queries* db = history(why);
        if (!db && !snapshot()) return error(503, why);
        return json(200, render_devices(device_views(db), *q));
    }

    // The device named by the {mac} segment; a response when there is none.
    std::variant<DeviceView, ApiResponse> find_device(store::Queries* db) {
        const auto key = device_key_of(params.at(0));
        if (!key) return error(400, "expected a MAC address (aa:bb:cc:dd:ee:ff) or an IP address");
        auto views = device_views(db, *key);
        if (views.empty()) return error(404, "no such device");
        return std::move(views.front());
    }

    ApiResponse device(const ApiRequest&, std::string_view, const Auth&) {
        std::string why;
        store::Queries* db = history(why);
        auto found = find_device(db);
        if (auto* r = std::get_if<ApiResponse>(&found)) return std::move(*r);
        const auto& v = std::get<DeviceView>(found);
        std::vector<store::DeviceHistoryRow> hist;
        if (db) hist = store::read_device_history(db->db(), store::device_key_text(v.device.key));
        return json(200, render_device_detail(v, hist));
    }

    ApiResponse device_flows(const ApiRequest&, std::string_view query, const Auth&) {
        std::string bad, why;
        const auto limit = limit_param(query, 100, store::Queries::kMaxLimit, bad);
        const auto since = seconds_param(query, "since", bad), until = seconds_param(query, "until", bad);
        if (!limit || !since || !until) return error(400, bad);
        store::Queries* db = history(why);
        auto found = find_device(db);
        if (auto* r = std::get_if<ApiResponse>(&found)) return std::move(*r);
        if (!db) return error(503, why);
        // Newest first over all of the device's addresses.
        store::FlowPage merged;
        for (const auto& ip : std::get<DeviceView>(found).device.ips) {
            store::FlowFilter f;
            f.ip = ip.to_string();
            f.since_ns = *since * static_cast<int64_t>(kNsPerSec);
            f.until_ns = *until * static_cast<int64_t>(kNsPerSec);
            f.limit = *limit;
            auto page = db->recent_flows(f);
            merged.more |= page.more;
            for (auto& r : page.rows) merged.rows.push_back(std::move(r));
        }
        std::sort(merged.rows.begin(), merged.rows.end(), [](const auto& a, const auto& b) {
            return a.end_ns != b.end_ns ? a.end_ns > b.end_ns : a.id > b.id;
        });
        merged.rows.erase(std::unique(merged.rows.begin(), merged.rows.end(),
                                      [](const auto& a, const auto& b) { return a.id == b.id; }),
                          merged.rows.end());
        if (merged.rows.size() > *limit) {
            merged.rows.resize(*limit);
            merged.more = true;
        }
        merged.more = merged.more && !merged.rows.empty();
        if (merged.more) {
            merged.next_cursor_end_ns = merged.rows.back().end_ns;
            merged.next_cursor_id = merged.rows.back().id;
        }
        return json(200, render_stored_flows(merged));
    }

    ApiResponse flows_history(const ApiRequest&, std::string_view query, const Auth&) {
        std::string bad, why;
        store::FlowFilter f;
        const auto limit = limit_param(query, 100, store::Queries::kMaxLimit, bad);
        const auto since = seconds_param(query, "since", bad), until = seconds_param(query, "until", bad);
        if (!limit || !since || !until) return error(400, bad);
        f.limit = *limit;
        f.since_ns = *since * static_cast<int64_t>(kNsPerSec);
        f.until_ns = *until * static_cast<int64_t>(kNsPerSec);
        if (auto v = query_param(query, "ip")) {
            const auto ip = IpAddr::parse(*v);
            if (!ip) return error(400, "ip must be an IPv4 or IPv6 address");
            f.ip = ip->to_string();
        }
        if (auto v = query_param(query, "app")) {
            const bool ok = !v->empty() && v->size() <= 32 && std::all_of(v->begin(), v->end(), [](char c) {
                return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
                       c == '-' || c == '_' || c == '.';
            });
            if (!ok) return error(400, "app must be an application name such as dns, http or tls");
            f.app_proto = *v;
        }
        if (auto v = query_param(query, "port")) {
            const auto n = to_uint(*v);
            if (!n || *n > 65535) return error(400, "port must be 0..65535");
            f.port = static_cast<uint16_t>(*n);
        }
        if (auto v = query_param(query, "proto")) {
            const auto n = to_uint(*v);
            if (!n || *n > 255) return error(400, "proto must be an IP protocol number 0..255");
            f.proto = static_cast<uint8_t>(*n);
        }
        if (auto v = query_param(query, "cursor")) {
            const size_t colon = v->find(':');
            const auto a = colon == std::string::npos ? std::nullopt : to_uint(v->substr(0, colon));
            const auto b = colon == std::string::npos ? std::nullopt : to_uint(v->substr(colon + 1));
            if (!a || !b) return error(400, "cursor must be the next_cursor of the previous page");
            f.cursor_end_ns = static_cast<int64_t>(*a);
            f.cursor_id = static_cast<int64_t>(*b);
        }
        store::Queries* db = history(why);
        if (!db) return error(503, why);
        return json(200, render_stored_flows(db->recent_flows(f)));
    }

    // The {id} segment as an alert id.
    std::optional<uint64_t> id_param() const {
        const auto n = to_uint(params.at(0));
        if (!n || *n == 0 || *n > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
        return n;
    }

    // The live alert's fresher counts over a stored row. The evidence file name reaches only
    // the store (the evidence writer finishes after the alert opened), so the row's is kept.
    static void take_live(store::StoredAlert& row, detect::Alert live) {
        if (live.evidence_pcap.empty()) live.evidence_pcap = std::move(row.alert.evidence_pcap);
        row.alert = std::move(live);
    }

    // Stored alert `id`, its live version (fresher counts) when the alert manager has one.
    std::optional<store::StoredAlert> find_alert(store::Queries* db, uint64_t id) {
        std::optional<store::StoredAlert> found;
        if (db) found = store::read_alert(db->db(), id);
        if (hooks.alerts_live) {
            for (auto& a : hooks.alerts_live()) {
                if (a.id != id) continue;
                if (!found) found.emplace();
                take_live(*found, std::move(a));
            }
        }
        return found;
    }

    ApiResponse alerts(const ApiRequest&, std::string_view query, const Auth&) {
        std::string bad, why;
        store::AlertFilter f;
        const auto limit = limit_param(query, 100, store::Queries::kMaxLimit, bad);
        const auto since = seconds_param(query, "since", bad), until = seconds_param(query, "until", bad);
        if (!limit || !since || !until) return error(400, bad);
        f.limit = *limit;
        f.since_ns = *since * static_cast<int64_t>(kNsPerSec);
        f.until_ns = *until * static_cast<int64_t>(kNsPerSec);
        if (auto v = query_param(query, "offset")) {
            const auto n = to_uint(*v);
            if (!n || *n > kMaxOffset) return error(400, "offset must be 0.." + std::to_string(kMaxOffset));
            f.offset = static_cast<uint32_t>(*n);
        }
        if (auto v = query_param(query, "kind")) {
            if (detect::alert_kind_from_name(*v) == detect::AlertKind::kCount) return error(400, "unknown alert kind");
            f.kind = *v;
        }
        if (auto v = query_param(query, "severity")) {
            bool ok = false;
            for (int i = 0; i <= static_cast<int>(detect::Severity::kCritical); ++i)
                ok |= *v == detect::severity_name(static_cast<detect::Severity>(i));
            if (!ok) return error(400, "severity must be info, low, medium, high or critical");
            f.severity = *v;
        }
        if (auto v = query_param(query, "state")) {
            if (*v != "open" && *v != "acknowledged" && *v != "closed")
                return error(400, "state must be open, acknowledged or closed");
            f.state = *v;
        }
        if (auto v = query_param(query, "ip")) {
            const auto ip = IpAddr::parse(*v);
            if (!ip) return error(400, "ip must be an IPv4 or IPv6 address");
            f.ip = ip->to_string();
        }
        store::Queries* db = history(why);
        if (!db && !hooks.alerts_live) return error(503, why);
        store::AlertPage page;
        if (db) page = store::read_alerts(db->db(), f);
        if (hooks.alerts_live) {
            auto live = hooks.alerts_live();
            if (db) {  // fresher counts for the stored rows shown
                for (auto& row : page.items)
                    for (auto& a : live)
                        if (a.id == row.alert.id) take_live(row, a);
            } else {
                for (auto& a : live) {
                    const bool match = (f.kind.empty() || f.kind == detect::alert_kind_name(a.kind)) &&
                                       (f.severity.empty() || f.severity == detect::severity_name(a.severity)) &&
                                       (f.state.empty() || f.state == (a.ended ? "closed" : "open")) &&
                                       (!f.since_ns || static_cast<int64_t>(a.last_seen) >= f.since_ns);
                    if (!match) continue;
                    ++page.total;
                    if (page.total > f.offset && page.items.size() < f.limit) {
                        store::StoredAlert s;
                        s.state = a.ended ? "closed" : "open";
                        s.alert = std::move(a);
                        page.items.push_back(std::move(s));
                    }
                }
            }
        }
        return json(200, render_alerts(page.items, page.total, f.offset, f.limit));
    }

    ApiResponse alert(const ApiRequest&, std::string_view, const Auth&) {
        const auto id = id_param();
        if (!id) return error(400, "alert id must be a positive integer");
        std::string why;
        store::Queries* db = history(why);
        if (!db && !hooks.alerts_live) return error(503, why);
        const auto a = find_alert(db, *id);
        if (!a) return error(404, "no such alert");
        return json(200, alert_object(*a));
    }

    ApiResponse acknowledge(const ApiRequest&, std::string_view, const Auth& auth) {
        const auto id = id_param();
        if (!id) return error(400, "alert id must be a positive integer");
        std::string why;
        store::Queries* db = history(why);
        if (!find_alert(db, *id)) return error(404, "no such alert");
        if (!hooks.acknowledge) return unavailable("acknowledging alerts");
        if (!hooks.acknowledge(*id, auth.user)) return error(503, "the acknowledgement could not be queued; retry");
        log::info("api: alert %llu acknowledged by %s", static_cast<unsigned long long>(*id), auth.user.c_str());
        return json(200, "{\"id\":" + std::to_string(*id) + ",\"state\":\"acknowledged\"}");
    }

    // A file name under <data_dir>/evidence/ as the alert recorded it: plain characters only,
    // so no request or stored value can name a path elsewhere.
    static bool safe_file_name(const std::string& n) {
        if (n.empty() || n.size() > 128 || n[0] == '.') return false;
        return std::all_of(n.begin(), n.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
    }

    ApiResponse alert_pcap(const ApiRequest&, std::string_view, const Auth&) {
        const auto id = id_param();
        if (!id) return error(400, "alert id must be a positive integer");
        std::string why;
        store::Queries* db = history(why);
        const auto a = find_alert(db, *id);
        if (!a) return error(404, "no such alert");
        const std::string& name = a->alert.evidence_pcap;
        if (name.empty() || hooks.data_dir.empty()) return error(404, "this alert has no evidence capture");
        if (!safe_file_name(name)) return error(404, "this alert's evidence file name is not served");
        const std::string path = hooks.data_dir + "/evidence/" + name;
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) return error(404, "the evidence capture is gone (retention or removed)");
        struct stat st {};
        ApiResponse r;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > kMaxPcapBytes) {
            ::close(fd);
            return error(404, "the evidence capture is not a servable file");
        }
        // Streamed from this descriptor in chunks: the API never holds the file in memory.
        r.file = std::make_shared<FileBody>(fd, static_cast<uint64_t>(st.st_size));
        r.content_type = "application/vnd.tcpdump.pcap";
        r.headers.emplace_back("Content-Disposition",
                               "attachment; filename=\"alert-" + std::to_string(*id) + ".pcap\"");
        r.headers.emplace_back("X-Content-Type-Options", "nosniff");
        return r;
    }

    ApiResponse bans(const ApiRequest&, std::string_view query, const Auth&) {
        bool active_only = false;
        if (auto v = query_param(query, "active")) {
            if (*v != "true" && *v != "false") return error(400, "active must be true or false");
            active_only = *v == "true";
        }
        const int64_t now = static_cast<int64_t>(wall_ns() / kNsPerSec);
        std::vector<store::BanRecord> list;
        if (hooks.bans_list) {
            list = hooks.bans_list();
        } else {
            std::string why;
            store::Queries* db = history(why);
            if (!db) return unavailable("the ban list");
            list = store::read_bans(db->db(), false, now);
        }
        if (active_only) std::erase_if(list, [&](const store::BanRecord& b) { return !b.active(now); });
        return json(200, render_bans(list, now));
    }

    ApiResponse ban_revoke(const ApiRequest&, std::string_view, const Auth& auth) {
        const auto ip = IpAddr::parse(params.at(0));
        if (!ip) return error(400, "expected an IPv4 or IPv6 address");
        if (!hooks.ban_revoke) return unavailable("mitigation (ban revocation)");
        if (!hooks.ban_revoke(ip->to_string(), auth.user)) return error(404, "no active ban for this address");
        log::info("api: ban of %s revoked by %s", ip->to_string().c_str(), auth.user.c_str());
        return json(200, "{\"ip\":\"" + ip->to_string() + "\",\"revoked\":true}");
    }

    ApiResponse suppressions(const ApiRequest&, std::string_view, const Auth&) {
        if (!hooks.suppressions_list) return unavailable("alert suppression");
        return json(200, render_suppressions(hooks.suppressions_list()));
    }

    ApiResponse suppression_add(const ApiRequest& req, std::string_view, const Auth& auth) {
        if (!hooks.suppression_add) return unavailable("alert suppression");
        rapidjson::Document doc;
        doc.Parse(req.body.c_str(), req.body.size());
        if (doc.HasParseError() || !doc.IsObject())
            return error(400, "expected {\"kind\": string, \"ip\": string, \"reason\": string, \"duration_s\": integer}");
        Suppression s;
        const auto text = [&](const char* k, std::string& out) {
            if (!doc.HasMember(k)) return true;
            if (!doc[k].IsString() || doc[k].GetStringLength() > 256) return false;
            out.assign(doc[k].GetString(), doc[k].GetStringLength());
            return true;
        };
        if (!text("kind", s.kind) || !text("ip", s.ip) || !text("reason", s.reason))
            return error(400, "kind, ip and reason must be short strings");
        if (!s.kind.empty() && detect::alert_kind_from_name(s.kind) == detect::AlertKind::kCount)
            return error(400, "unknown alert kind");
        if (!s.ip.empty()) {
            const size_t slash = s.ip.find('/');
            const auto bits = slash == std::string::npos ? std::optional<uint64_t>(0) : to_uint(s.ip.substr(slash + 1));
            const auto addr = IpAddr::parse(s.ip.substr(0, slash));
            if (!addr || !bits || *bits > (addr->is_v4() ? 32u : 128u))
                return error(400, "ip must be an address or CIDR (10.0.0.0/8)");
        }
        if (s.kind.empty() && s.ip.empty()) return error(400, "give kind, ip or both: a rule must narrow something");
        const int64_t now = static_cast<int64_t>(wall_ns() / kNsPerSec);
        s.created_s = now;
        s.created_by = auth.user;
        if (doc.HasMember("duration_s")) {
            if (!doc["duration_s"].IsUint64() || doc["duration_s"].GetUint64() > 366ull * 86400)
                return error(400, "duration_s must be 0..31622400 (0 = until removed)");
            const uint64_t d = doc["duration_s"].GetUint64();
            s.expires_s = d ? now + static_cast<int64_t>(d) : 0;
        }
        const auto id = hooks.suppression_add(s);
        if (!id) return error(409, "the suppression was refused (too many rules or a duplicate)");
        s.id = *id;
        log::info("api: suppression %llu (%s %s) added by %s", static_cast<unsigned long long>(*id), s.kind.c_str(),
                  s.ip.c_str(), auth.user.c_str());
        return json(201, render_suppressions({s}));
    }

    ApiResponse suppression_remove(const ApiRequest&, std::string_view, const Auth& auth) {
        const auto id = id_param();
        if (!id) return error(400, "suppression id must be a positive integer");
        if (!hooks.suppression_remove) return unavailable("alert suppression");
        if (!hooks.suppression_remove(*id)) return error(404, "no such suppression");
        log::info("api: suppression %llu removed by %s", static_cast<unsigned long long>(*id), auth.user.c_str());
        return json(200, "{\"id\":" + std::to_string(*id) + ",\"removed\":true}");
    }

    ApiResponse topology(const ApiRequest&, std::string_view query, const Auth&) {
        std::string bad, why;
        const auto limit = limit_param(query, kDefaultTopologyNodes, kMaxTopologyNodes, bad);
        if (!limit) return error(400, bad);
        auto snap = snapshot();
        store::Queries* db = history(why);
        if (!snap && !db) return error(503, why);
        std::vector<devices::Device> devs;
        if (snap) devs = snap->devices;
        if (devs.empty() && db) devs = store::read_devices(db->db(), *limit);  // continuity before traffic
        return json(200, render_topology(devs, snap ? snap->top_flows : std::vector<pipeline::FlowSummary>{}, *limit));
    }

    ApiResponse capture_control(bool start, const Auth& auth) {
        const auto& hook = start ? hooks.capture_start : hooks.capture_stop;
        if (!hook) return unavailable(start ? "starting capture" : "stopping capture");
        if (!hook()) return error(409, start ? "capture is not paused" : "capture is not running");
        log::info("api: capture %s requested by %s", start ? "start" : "stop", auth.user.c_str());
        // 202: the capture threads act on it within one poll (GET /api/v1/health shows the state).
        return json(202, start ? "{\"status\":\"capture resuming\"}" : "{\"status\":\"capture pausing\"}");
    }
    ApiResponse capture_start(const ApiRequest&, std::string_view, const Auth& a) { return capture_control(true, a); }
    ApiResponse capture_stop(const ApiRequest&, std::string_view, const Auth& a) { return capture_control(false, a); }

    ApiResponse report(const ApiRequest&, std::string_view query, const Auth&) {
        std::string bad, why;
        const auto since = seconds_param(query, "since", bad), until = seconds_param(query, "until", bad);
        if (!since || !until) return error(400, bad);
        ReportInput in;
        const int64_t now = static_cast<int64_t>(wall_ns() / kNsPerSec);
        in.until_s = *until ? *until : now;
        in.since_s = *since ? *since : in.until_s - 86400;
        if (in.since_s >= in.until_s) return error(400, "since must be before until");
        in.snap = snapshot();
        store::Queries* db = history(why);
        if (!in.snap && !db) return error(503, why);
        const int64_t from_ns = in.since_s * static_cast<int64_t>(kNsPerSec);
        const int64_t to_ns = in.until_s * static_cast<int64_t>(kNsPerSec);
        if (db) {
            in.have_store = true;
            in.counts = store::count_alerts(db->db(), from_ns, to_ns);
            store::AlertFilter f;
            f.since_ns = from_ns;
            f.until_ns = to_ns;
            f.limit = 50;
            in.alerts = store::read_alerts(db->db(), f).items;
            in.stored_devices = static_cast<uint64_t>(db->db().query_int("SELECT count(*) FROM devices", 0));
        } else if (hooks.alerts_live) {
            for (auto& a : hooks.alerts_live()) {
                if (static_cast<int64_t>(a.last_seen) < from_ns || static_cast<int64_t>(a.first_seen) >= to_ns) continue;
                store::StoredAlert s;
                s.state = a.ended ? "closed" : "open";
                s.alert = std::move(a);
                in.alerts.push_back(std::move(s));
            }
        }
        return json(200, render_report(in));
    }

    ApiResponse openapi(const ApiRequest&, std::string_view, const Auth&) {
        return json(200, std::string(kOpenApiJson));
    }

    ApiResponse ws_without_upgrade(const ApiRequest&, std::string_view, const Auth&) {
        return error(426, "this endpoint speaks WebSocket only");
    }

    ApiResponse metrics(const ApiRequest&, std::string_view, const Auth&) {
        auto snap = snapshot();
        ApiGauges g;
        g.websocket_clients = hooks.websocket_clients ? hooks.websocket_clients() : 0;
        g.websocket_frames_dropped = hooks.websocket_frames_dropped ? hooks.websocket_frames_dropped() : 0;
        g.sessions = sessions.size();
        ApiResponse r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = render_metrics(snap.get(), g);
        return r;
    }
};

Router::Router(const config::ApiConfig& cfg, UserStore users, ApiHooks hooks)
    : impl_(std::make_unique<Impl>(cfg, std::move(users), std::move(hooks))) {}

Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

ApiResponse Router::handle(const ApiRequest& req) {
    ApiResponse r = impl_->dispatch(req);
    if (req.method == "HEAD") {
        r.body.clear();
        r.shared_body.reset();
    }
    return r;
}

std::optional<ApiResponse> Router::authorize_websocket(const ApiRequest& req) {
    // Browsers do not apply the same-origin policy to WebSockets: check Origin here.
    if (!same_origin(req)) return error(403, "cross-origin WebSocket refused");
    if (!impl_->authenticate(req, false)) return impl_->unauthorized();
    return std::nullopt;
}

std::vector<RouteInfo> Router::routes() {
    std::vector<RouteInfo> out;
    for (const auto& r : Impl::table()) out.push_back({r.method, r.path, r.access});
    return out;
}

}  // namespace nms::api
