#include "api/routes.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>

#include "api/credentials.hpp"
#include "api/json_writer.hpp"
#include "api/metrics.hpp"
#include "api/openapi_doc.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

namespace nms::api {

namespace {

constexpr size_t kMaxLimit = 1000;
constexpr size_t kMaxOffset = 1'000'000;

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

    ApiResponse dispatch(const ApiRequest& req) {
        const size_t qmark = req.target.find('?');
        const std::string path = req.target.substr(0, qmark);
        const std::string_view query =
            qmark == std::string::npos ? std::string_view() : std::string_view(req.target).substr(qmark + 1);
        const bool api = path.starts_with("/api/") || path == "/api" || path == "/metrics";
        if (api && !percent_decode(query)) return error(400, "badly percent-encoded query");
        std::string allow;
        for (const Route& r : table()) {
            if (path != r.path) continue;
            if (req.method != r.method && !(req.method == "HEAD" && std::string_view(r.method) == "GET")) {
                allow += (allow.empty() ? "" : ", ") + std::string(r.method);
                continue;
            }
            Auth auth;
            if (auto refused = check_access(r, req, auth)) return std::move(*refused);
            return (this->*r.handler)(req, query, auth);
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
        if (hooks.captures) {
            const auto caps = hooks.captures();
            size_t running = 0;
            for (const auto& c : caps) {
                running += c.running;
                if (!c.error.empty()) reasons.push_back("capture " + c.name + " failed: " + c.error);
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
