// Router: authentication, roles, CSRF, lockout, sessions, list parameters and error paths.
#include "api/routes.hpp"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include "api_test_util.hpp"

using namespace nms::api;
using namespace nms::api::test;

namespace {

rapidjson::Document parse(const ApiResponse& r) {
    rapidjson::Document d;
    d.Parse(r.payload().c_str());
    REQUIRE_FALSE(d.HasParseError());
    return d;
}

std::string token_of(const ApiResponse& r) { return parse(r)["token"].GetString(); }

std::string header(const ApiResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return {};
}

}  // namespace

TEST_CASE("health and login need no session; everything else does", "[api]") {
    Fixture f;
    CHECK(f.get("/api/v1/health").status == 200);
    for (const auto& r : Router::routes()) {
        if (r.access == Access::kPublic || r.path == "/metrics") continue;
        ApiRequest req;
        req.method = r.method;
        req.target = r.path;
        req.peer = "127.0.0.1";
        INFO(r.method << " " << r.path);
        CHECK(f.router->handle(req).status == 401);
    }
    CHECK(f.get("/api/v1/stats", std::string(64, 'a')).status == 401);
    CHECK(f.get("/api/v1/nothing-here").status == 404);
}

TEST_CASE("login gives a Bearer token and an HttpOnly SameSite=Strict cookie", "[api]") {
    Fixture f;
    auto r = f.login("viewer", "viewer-pass");
    REQUIRE(r.status == 200);
    const std::string token = token_of(r);
    CHECK(token.size() == 64);
    const std::string cookie = header(r, "Set-Cookie");
    CHECK(cookie.find("nms_session=" + token) == 0);
    CHECK(cookie.find("HttpOnly") != std::string::npos);
    CHECK(cookie.find("SameSite=Strict") != std::string::npos);
    CHECK(f.get("/api/v1/stats", token).status == 200);
    auto d = parse(f.get("/api/v1/stats", token));
    CHECK(d["rates"]["pps"].GetDouble() == 1500);

    ApiRequest c;  // the cookie works too
    c.method = "GET";
    c.target = "/api/v1/auth/session";
    c.cookie = "other=1; nms_session=" + token;
    auto s = f.router->handle(c);
    REQUIRE(s.status == 200);
    CHECK(std::string(parse(s)["role"].GetString()) == "viewer");
}

TEST_CASE("wrong passwords and unknown users get 401, then a lockout per address", "[api]") {
    nms::config::ApiConfig cfg;
    cfg.login_max_failures = 3;
    cfg.lockout_s = 60;
    Fixture f(cfg);
    CHECK(f.login("admin", "nope").status == 401);
    CHECK(f.login("ghost", "admin-pass").status == 401);
    CHECK(f.login("admin", "nope").status == 401);  // third failure: locked
    auto locked = f.login("admin", "admin-pass");
    CHECK(locked.status == 429);
    CHECK_FALSE(header(locked, "Retry-After").empty());
    CHECK(f.login("admin", "admin-pass", "10.9.9.9").status == 200);  // other addresses are not affected
    f.now += 61;
    CHECK(f.login("admin", "admin-pass").status == 200);
}

TEST_CASE("malformed login bodies are 4xx", "[api]") {
    Fixture f;
    ApiRequest r;
    r.method = "POST";
    r.target = "/api/v1/auth/login";
    r.peer = "127.0.0.1";
    r.content_type = "application/json";
    for (const char* body : {"", "{", "[]", "{\"username\":1,\"password\":\"x\"}", "{\"username\":\"a\"}", "null"}) {
        r.body = body;
        INFO(body);
        CHECK(f.router->handle(r).status == 400);
    }
    r.content_type = "text/plain";
    r.body = "{\"username\":\"admin\",\"password\":\"admin-pass\"}";
    CHECK(f.router->handle(r).status == 415);
    r.content_type = "application/json";
    r.host = "127.0.0.1:8080";
    r.origin = "http://evil.example";
    CHECK(f.router->handle(r).status == 403);
}

TEST_CASE("sessions expire after the idle time and the hard lifetime; logout ends them", "[api]") {
    nms::config::ApiConfig cfg;
    cfg.session_idle_s = 100;
    cfg.session_ttl_s = 250;
    Fixture f(cfg);
    std::string t = token_of(f.login("viewer", "viewer-pass"));
    f.now += 90;
    CHECK(f.get("/api/v1/stats", t).status == 200);
    f.now += 90;
    CHECK(f.get("/api/v1/stats", t).status == 200);  // idle clock restarted by use
    f.now += 101;
    CHECK(f.get("/api/v1/stats", t).status == 401);  // idle
    t = token_of(f.login("viewer", "viewer-pass"));
    for (int i = 0; i < 5; ++i) {
        f.now += 60;
        CHECK(f.get("/api/v1/latency", t).status == (i < 4 ? 200 : 401));  // ttl 250 s
    }
    t = token_of(f.login("viewer", "viewer-pass"));
    ApiRequest out;
    out.method = "POST";
    out.target = "/api/v1/auth/logout";
    out.authorization = "Bearer " + t;
    CHECK(f.router->handle(out).status == 200);
    CHECK(f.get("/api/v1/stats", t).status == 401);
}

TEST_CASE("config/reload is admin-only and cookie sessions need the CSRF token", "[api]") {
    Fixture f;
    const std::string viewer = token_of(f.login("viewer", "viewer-pass"));
    auto admin_login = f.login("admin", "admin-pass");
    const std::string admin = token_of(admin_login);
    const std::string csrf = parse(admin_login)["csrf_token"].GetString();
    ApiRequest r;
    r.method = "POST";
    r.target = "/api/v1/config/reload";
    r.host = "127.0.0.1:8080";
    r.authorization = "Bearer " + viewer;
    CHECK(f.router->handle(r).status == 403);
    r.authorization = "Bearer " + admin;
    CHECK(f.router->handle(r).status == 202);
    CHECK(f.reloads == 1);

    r.authorization.clear();
    r.cookie = "nms_session=" + admin;
    CHECK(f.router->handle(r).status == 403);  // no CSRF token
    r.csrf_token = std::string(csrf.size(), '0');
    CHECK(f.router->handle(r).status == 403);  // wrong token
    r.csrf_token = csrf;
    r.origin = "http://evil.example";
    CHECK(f.router->handle(r).status == 403);  // right token, foreign page
    r.origin = "http://127.0.0.1:8080";
    CHECK(f.router->handle(r).status == 202);
    CHECK(f.reloads == 2);
    CHECK(f.get("/api/v1/config/reload", admin).status == 405);
}

TEST_CASE("flows and top-talkers page, sort and filter; bad parameters are 400", "[api]") {
    Fixture f;
    const std::string t = token_of(f.login("viewer", "viewer-pass"));
    auto d = parse(f.get("/api/v1/flows?limit=2", t));
    CHECK(d["total"].GetUint() == 3);
    REQUIRE(d["items"].Size() == 2);
    CHECK(d["items"][0]["flow_id"].GetUint() == 102);  // most bytes first
    d = parse(f.get("/api/v1/flows?sort=packets&limit=1&offset=0", t));
    CHECK(d["items"][0]["flow_id"].GetUint() == 100);
    d = parse(f.get("/api/v1/flows?sort=bytes&order=asc&offset=1", t));
    CHECK(d["items"][0]["flow_id"].GetUint() == 101);
    d = parse(f.get("/api/v1/flows?q=10.0.0.2", t));
    CHECK(d["total"].GetUint() == 1);
    d = parse(f.get("/api/v1/flows?q=%31%30.0.0.3", t));  // percent-encoded "10.0.0.3"
    CHECK(d["total"].GetUint() == 1);
    d = parse(f.get("/api/v1/flows?offset=10", t));
    CHECK(d["items"].Size() == 0);
    for (const char* bad : {"limit=0", "limit=1001", "limit=x", "offset=-1", "sort=evil", "order=up", "q=%zz"})
        CHECK(f.get(std::string("/api/v1/flows?") + bad, t).status == 400);
    d = parse(f.get("/api/v1/top-talkers?sort=rate", t));
    CHECK(d["total"].GetUint() == 1);
    CHECK(f.get("/api/v1/top-talkers?sort=nope", t).status == 400);
}

TEST_CASE("stats/history buckets by step over a window", "[api]") {
    Fixture f;
    const std::string t = token_of(f.login("viewer", "viewer-pass"));
    auto d = parse(f.get("/api/v1/stats/history?window=10&step=5", t));
    CHECK(d["points"].Size() >= 2);
    CHECK(d["points"].Size() <= 3);
    d = parse(f.get("/api/v1/stats/history", t));
    CHECK(d["points"].Size() == 10);
    CHECK(f.get("/api/v1/stats/history?window=0", t).status == 400);
    CHECK(f.get("/api/v1/stats/history?window=10&step=11", t).status == 400);
}

TEST_CASE("health reports readiness with reasons", "[api]") {
    Fixture f;
    CHECK(std::string(parse(f.get("/api/v1/health"))["status"].GetString()) == "ok");
    auto stale = std::make_shared<nms::stats::Snapshot>(*f.snap);
    stale->workers[0].stale = true;
    f.snap = stale;
    auto r = f.get("/api/v1/health");
    CHECK(r.status == 503);
    CHECK(parse(r)["reasons"].Size() == 1);
    f.snap = nullptr;
    CHECK(f.get("/api/v1/health").status == 503);
}

TEST_CASE("/metrics follows api.metrics_auth", "[api]") {
    Fixture open_metrics;
    auto r = open_metrics.get("/metrics");
    CHECK(r.status == 200);
    CHECK(r.content_type.find("version=0.0.4") != std::string::npos);
    CHECK(r.body.find("netmonsec_packets_total{proto=\"tcp\"} 9000") != std::string::npos);
    nms::config::ApiConfig cfg;
    cfg.metrics_auth = true;
    Fixture closed(cfg);
    CHECK(closed.get("/metrics").status == 401);
    ApiRequest b;
    b.method = "GET";
    b.target = "/metrics";
    b.peer = "127.0.0.1";
    b.authorization = "Basic dmlld2VyOnZpZXdlci1wYXNz";  // viewer:viewer-pass
    CHECK(closed.router->handle(b).status == 200);
    b.authorization = "Basic dmlld2VyOndyb25n";  // viewer:wrong
    CHECK(closed.router->handle(b).status == 401);
}

TEST_CASE("query_param decodes and refuses bad escapes", "[api]") {
    CHECK(query_param("a=1&b=x%20y+z", "b") == "x y z");
    CHECK(query_param("a=1&b=2", "c") == std::nullopt);
    CHECK(query_param("a", "a") == "");
    CHECK(query_param("a=%4", "a") == std::nullopt);
    CHECK(query_param("", "a") == std::nullopt);
}
