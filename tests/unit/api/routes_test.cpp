// Router: authentication, roles, CSRF, lockout, sessions, list parameters and error paths.
#include "api/routes.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <catch2/catch.hpp>
#include <set>

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

// ---- history, devices, alerts, mitigation (the sample store of api_test_util.hpp) ---------

namespace {

std::string admin_token(Fixture& f) { return token_of(f.login("admin", "admin-pass")); }

}  // namespace

TEST_CASE("devices: live and stored merged once per key, filtered, sorted, paged", "[api][store]") {
    Fixture f;
    const std::string tok = admin_token(f);
    auto d = parse(f.get("/api/v1/devices", tok));
    REQUIRE(d["total"].GetUint64() == 2);  // 02:..:01 live and stored, 02:..:66 stored only
    CHECK(std::string(d["items"][0]["mac"].GetString()) == "02:00:00:00:00:66");  // busiest first
    CHECK_FALSE(d["items"][0]["live"].GetBool());
    CHECK(d["items"][1]["live"].GetBool());
    CHECK(d["items"][1]["bytes_out"].GetUint64() == 700);  // the live view wins
    d = parse(f.get("/api/v1/devices?q=lab-pc", tok));
    CHECK(d["total"].GetUint64() == 1);
    d = parse(f.get("/api/v1/devices?sort=bytes&order=asc&limit=1", tok));
    CHECK(std::string(d["items"][0]["id"].GetString()) == "mac:02:00:00:00:00:01");
    CHECK(d["items"].Size() == 1);
    CHECK(f.get("/api/v1/devices?sort=nope", tok).status == 400);
    CHECK(f.get("/api/v1/devices?limit=0", tok).status == 400);
}

TEST_CASE("device detail with OS history, its stored flows; 400 and 404", "[api][store]") {
    Fixture f;
    const std::string tok = admin_token(f);
    auto r = f.get("/api/v1/devices/02:00:00:00:00:66", tok);
    REQUIRE(r.status == 200);
    auto d = parse(r);
    CHECK(std::string(d["os"].GetString()) == "Linux 3.11 and newer");
    REQUIRE(d["history"].Size() == 1);
    CHECK(std::string(d["history"][0]["evidence"].GetString()).starts_with("tcp_syn: 4:64"));
    CHECK(f.get("/api/v1/devices/02-00-00-00-00-66", tok).status == 200);  // either MAC spelling
    CHECK(f.get("/api/v1/devices/02:00:00:00:00:99", tok).status == 404);
    CHECK(f.get("/api/v1/devices/zz", tok).status == 400);
    d = parse(f.get("/api/v1/devices/02:00:00:00:00:66/flows?limit=3", tok));
    REQUIRE(d["items"].Size() == 3);
    CHECK(d["more"].GetBool());
    CHECK(std::string(d["items"][0]["src_ip"].GetString()) == "10.0.0.66");
    CHECK(d["items"][0]["flow_id"].GetUint64() == 1004);  // newest first
    CHECK(f.get("/api/v1/devices/02:00:00:00:00:66/flows?since=x", tok).status == 400);
}

TEST_CASE("flows/history: filters, keyset pages, bad parameters", "[api][store]") {
    Fixture f;
    const std::string tok = admin_token(f);
    auto d = parse(f.get("/api/v1/flows/history?limit=4", tok));
    REQUIRE(d["items"].Size() == 4);
    REQUIRE(d["more"].GetBool());
    const std::string cursor = d["next_cursor"].GetString();
    d = parse(f.get("/api/v1/flows/history?limit=4&cursor=" + cursor, tok));
    CHECK(d["items"].Size() == 2);
    CHECK_FALSE(d["more"].GetBool());
    d = parse(f.get("/api/v1/flows/history?ip=10.0.0.5", tok));
    REQUIRE(d["items"].Size() == 1);
    CHECK(d["items"][0]["dest_port"].GetUint() == 53);
    d = parse(f.get("/api/v1/flows/history?port=443&proto=6", tok));
    CHECK(d["items"].Size() == 5);
    for (const char* bad : {"ip=10.0.0.300", "app=DROP%20TABLE", "port=70000", "cursor=abc", "since=-1", "limit=5000"})
        CHECK(f.get(std::string("/api/v1/flows/history?") + bad, tok).status == 400);
}

TEST_CASE("alerts: list with filters, one alert, 404/400", "[api][store]") {
    Fixture f;
    const std::string tok = admin_token(f);
    auto d = parse(f.get("/api/v1/alerts", tok));
    REQUIRE(d["total"].GetUint64() == 3);
    CHECK(d["items"][0]["id"].GetUint64() == 1);  // newest first
    CHECK(std::string(d["items"][0]["explanation"]["text"].GetString()).find("5000 SYN/s") == 0);
    CHECK(d["items"][0]["has_pcap"].GetBool());
    CHECK(parse(f.get("/api/v1/alerts?state=closed", tok))["total"].GetUint64() == 1);
    CHECK(parse(f.get("/api/v1/alerts?kind=syn_flood", tok))["total"].GetUint64() == 1);
    CHECK(parse(f.get("/api/v1/alerts?severity=high", tok))["total"].GetUint64() == 2);
    CHECK(parse(f.get("/api/v1/alerts?ip=10.0.0.77", tok))["total"].GetUint64() == 1);
    CHECK(parse(f.get("/api/v1/alerts?limit=1&offset=1", tok))["items"][0]["id"].GetUint64() == 2);
    CHECK(f.get("/api/v1/alerts?kind=nope", tok).status == 400);
    CHECK(f.get("/api/v1/alerts?severity=urgent", tok).status == 400);
    CHECK(f.get("/api/v1/alerts?state=gone", tok).status == 400);
    d = parse(f.get("/api/v1/alerts/2", tok));
    CHECK(std::string(d["state"].GetString()) == "closed");
    CHECK(f.get("/api/v1/alerts/42", tok).status == 404);
    CHECK(f.get("/api/v1/alerts/0", tok).status == 400);
    CHECK(f.get("/api/v1/alerts/-1", tok).status == 400);
}

TEST_CASE("acknowledge: admin only, CSRF for cookies, unknown id 404, the hook gets the user", "[api][store]") {
    Fixture f;
    const std::string admin = admin_token(f);
    const std::string viewer = token_of(f.login("viewer", "viewer-pass"));
    CHECK(f.call("POST", "/api/v1/alerts/1/acknowledge", viewer).status == 403);
    CHECK(f.call("POST", "/api/v1/alerts/1/acknowledge", "").status == 401);
    ApiRequest cookie;
    cookie.method = "POST";
    cookie.target = "/api/v1/alerts/1/acknowledge";
    cookie.cookie = "nms_session=" + admin;
    cookie.peer = "127.0.0.1";
    cookie.host = "127.0.0.1:8080";
    CHECK(f.router->handle(cookie).status == 403);  // no CSRF token
    CHECK(f.acks.empty());
    CHECK(f.call("POST", "/api/v1/alerts/42/acknowledge", admin).status == 404);
    CHECK(f.call("POST", "/api/v1/alerts/x/acknowledge", admin).status == 400);
    auto r = f.call("POST", "/api/v1/alerts/1/acknowledge", admin);
    CHECK(r.status == 200);
    REQUIRE(f.acks.size() == 1);
    CHECK(f.acks[0] == std::pair<uint64_t, std::string>{1, "admin"});
}

TEST_CASE("evidence pcap: served as a download, never a path from elsewhere", "[api][store]") {
    Fixture f;
    const std::string tok = admin_token(f);
    auto r = f.get("/api/v1/alerts/1/pcap", tok);
    REQUIRE(r.status == 200);
    CHECK(r.content_type == "application/vnd.tcpdump.pcap");
    // Streamed from an open descriptor (the session sends it in chunks), not read into the body.
    CHECK(r.body.empty());
    REQUIRE(r.file);
    CHECK(r.file->size == 12);
    char buf[32] = {};
    CHECK(::pread(r.file->fd, buf, sizeof buf, 0) == 12);
    CHECK(std::string(buf, 4) == "\xd4\xc3\xb2\xa1");
    CHECK(header(r, "Content-Disposition") == "attachment; filename=\"alert-1.pcap\"");
    CHECK(f.get("/api/v1/alerts/2/pcap", tok).status == 404);   // none recorded
    CHECK(f.get("/api/v1/alerts/3/pcap", tok).status == 404);   // "../../etc/passwd" is refused
    CHECK(f.get("/api/v1/alerts/99/pcap", tok).status == 404);
    CHECK(f.get("/api/v1/alerts/..%2F..%2Fetc%2Fpasswd/pcap", tok).status == 400);
    // A symlink planted under the plain name is not followed (O_NOFOLLOW).
    const std::string ev = f.store->dir.path() + "/evidence/";
    std::filesystem::rename(ev + "alert-1.pcap", ev + "elsewhere.pcap");
    std::filesystem::create_symlink(ev + "elsewhere.pcap", ev + "alert-1.pcap");
    CHECK(f.get("/api/v1/alerts/1/pcap", tok).status == 404);
}

TEST_CASE("bans from the store; revoke through the hook; 400/404/403", "[api][store]") {
    Fixture f;
    const std::string tok = admin_token(f);
    auto d = parse(f.get("/api/v1/bans", tok));
    REQUIRE(d["total"].GetUint64() == 1);
    CHECK(std::string(d["items"][0]["ip"].GetString()) == "10.0.0.66");
    CHECK(d["items"][0]["alert_id"].GetUint64() == 1);
    CHECK(d["items"][0]["active"].GetBool());
    CHECK(f.get("/api/v1/bans?active=maybe", tok).status == 400);
    const std::string viewer = token_of(f.login("viewer", "viewer-pass"));
    CHECK(f.call("DELETE", "/api/v1/bans/10.0.0.66", viewer).status == 403);
    CHECK(f.call("DELETE", "/api/v1/bans/not-an-ip", tok).status == 400);
    CHECK(f.call("DELETE", "/api/v1/bans/10.0.0.99", tok).status == 404);
    CHECK(f.call("DELETE", "/api/v1/bans/10.0.0.66", tok).status == 200);
    CHECK(f.revoked == std::vector<std::string>{"10.0.0.66"});
}

TEST_CASE("suppressions: list, add with validation, remove", "[api][store]") {
    Fixture f;
    const std::string tok = admin_token(f);
    CHECK(parse(f.get("/api/v1/alerts/suppressions", tok))["total"].GetUint64() == 1);
    CHECK(f.call("POST", "/api/v1/alerts/suppressions", tok, "{\"kind\":\"nope\"}").status == 400);
    CHECK(f.call("POST", "/api/v1/alerts/suppressions", tok, "{\"ip\":\"10.0.0.0/99\"}").status == 400);
    CHECK(f.call("POST", "/api/v1/alerts/suppressions", tok, "{}").status == 400);
    CHECK(f.call("POST", "/api/v1/alerts/suppressions", tok, "not json").status == 400);
    auto r = f.call("POST", "/api/v1/alerts/suppressions", tok, "{\"kind\":\"host_sweep\",\"ip\":\"10.0.0.9\",\"duration_s\":60}");
    REQUIRE(r.status == 201);
    REQUIRE(f.rules.size() == 2);
    CHECK(f.rules[1].created_by == "admin");
    CHECK(f.rules[1].expires_s > 0);
    CHECK(f.call("DELETE", "/api/v1/alerts/suppressions/7", tok).status == 404);
    CHECK(f.call("DELETE", "/api/v1/alerts/suppressions/1", tok).status == 200);
    CHECK(f.rules.size() == 1);
}

TEST_CASE("topology: D3 nodes and links from devices and top flows, bounded", "[api][store]") {
    Fixture f;
    const std::string tok = admin_token(f);
    auto d = parse(f.get("/api/v1/topology", tok));
    std::set<std::string> ids;
    for (const auto& n : d["nodes"].GetArray()) ids.insert(n["id"].GetString());
    CHECK(ids.count("mac:02:00:00:00:00:01"));  // the live device
    CHECK(ids.count("ip:192.0.2.1"));           // its peer and the flows' server
    for (const auto& l : d["links"].GetArray()) {
        CHECK(ids.count(l["source"].GetString()));
        CHECK(ids.count(l["target"].GetString()));
    }
    CHECK(d["links"].Size() >= 3);  // device->peer, and three flows' client->server pairs
    d = parse(f.get("/api/v1/topology?limit=2", tok));
    CHECK(d["nodes"].Size() == 2);
    CHECK(f.get("/api/v1/topology?limit=100000", tok).status == 400);
}

TEST_CASE("report: alerts by kind with explanations and concrete recommendations", "[api][store]") {
    Fixture f;
    const std::string tok = admin_token(f);
    auto r = f.get("/api/v1/report", tok);
    REQUIRE(r.status == 200);
    auto d = parse(r);
    CHECK(d["alerts"]["total"].GetUint64() == 3);
    std::vector<std::string> recs;
    for (const auto& x : d["recommendations"].GetArray()) recs.emplace_back(x["text"].GetString());
    const auto has = [&](const std::string& s) {
        return std::any_of(recs.begin(), recs.end(), [&](const auto& t) { return t.find(s) != std::string::npos; });
    };
    CHECK(has("Rate-limit SYN to 10.0.0.10:80"));
    CHECK(has("block 10.0.0.66 at the edge"));
    CHECK(has("Check DNS tunnelling host 10.0.0.66"));
    CHECK(has("Block 10.0.0.77 at the edge"));
    CHECK(d["devices"].GetUint64() == 2);
    CHECK(f.get("/api/v1/report?since=200&until=100", tok).status == 400);
}

TEST_CASE("without a store or hooks: 503 naming what is missing", "[api][store]") {
    Fixture f({}, false);
    const std::string tok = admin_token(f);
    for (const char* p : {"/api/v1/flows/history", "/api/v1/alerts", "/api/v1/alerts/1", "/api/v1/bans",
                          "/api/v1/alerts/suppressions"})
        CHECK(f.get(p, tok).status == 503);
    CHECK(f.call("POST", "/api/v1/capture/start", tok).status == 503);
    CHECK(f.call("DELETE", "/api/v1/bans/10.0.0.1", tok).status == 503);
    CHECK(f.get("/api/v1/devices", tok).status == 200);  // the live snapshot alone
    CHECK(f.get("/api/v1/topology", tok).status == 200);
    CHECK(f.get("/api/v1/report", tok).status == 200);
    auto msg = parse(f.get("/api/v1/alerts", tok));
    CHECK(std::string(msg["error"].GetString()).find("--data-dir") != std::string::npos);
}

TEST_CASE("capture start/stop: admin only, through the hooks", "[api][store]") {
    Fixture f;
    const std::string tok = admin_token(f);
    const std::string viewer = token_of(f.login("viewer", "viewer-pass"));
    CHECK(f.call("POST", "/api/v1/capture/stop", viewer).status == 403);
    CHECK(f.call("POST", "/api/v1/capture/stop", tok).status == 202);
    CHECK(f.call("POST", "/api/v1/capture/start", tok).status == 202);
    CHECK(f.capture_requests == 2);
}
