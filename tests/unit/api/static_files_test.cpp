// Dashboard files: content types, cache headers, .gz variants, SPA fallback, path whitelist.
#include "api/static_files.hpp"

#include <catch2/catch.hpp>

#include "api_test_util.hpp"

using namespace nms::api;

namespace {
const std::string kDir = std::string(NMS_SOURCE_DIR) + "/tests/data/dashboard";

std::string header(const ApiResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return {};
}
}  // namespace

TEST_CASE("dashboard files are served with their type and cache policy", "[api]") {
    StaticFiles f(kDir);
    REQUIRE(f.enabled());
    auto r = f.serve("/", "");
    CHECK(r.status == 200);
    CHECK(r.content_type == "text/html; charset=utf-8");
    CHECK(header(r, "Cache-Control") == "no-cache");
    CHECK(r.body.find("netmonsec test dashboard") != std::string::npos);
    r = f.serve("/assets/app.js", "");
    CHECK(r.status == 200);
    CHECK(r.content_type == "text/javascript; charset=utf-8");
    CHECK(header(r, "Cache-Control").find("immutable") != std::string::npos);
    CHECK(header(r, "Content-Encoding").empty());
    CHECK(f.serve("/style.css", "").content_type == "text/css; charset=utf-8");
}

TEST_CASE("a .gz sibling goes to clients that accept gzip", "[api]") {
    StaticFiles f(kDir);
    auto r = f.serve("/assets/app.js", "gzip, deflate, br");
    CHECK(header(r, "Content-Encoding") == "gzip");
    CHECK(r.body.substr(0, 2) == "\x1f\x8b");
    CHECK(header(r, "Vary") == "Accept-Encoding");
    CHECK(header(f.serve("/assets/app.js", "gzip;q=0"), "Content-Encoding").empty());
}

TEST_CASE("client-side routes fall back to index.html; missing assets are 404", "[api]") {
    StaticFiles f(kDir);
    auto r = f.serve("/devices/42", "");
    CHECK(r.status == 200);
    CHECK(r.body.find("netmonsec test dashboard") != std::string::npos);
    CHECK(f.serve("/assets/missing.js", "").status == 404);
}

TEST_CASE("traversal, hidden files, odd characters and symlinks out are refused", "[api]") {
    StaticFiles f(kDir);
    for (const char* p : {"/../README.md", "/assets/../../README.md", "/..", "/.git/config", "/a//b", "/%2e%2e/x",
                          "/assets/app.js%00", "/a\\b", "relative"})
        CHECK(f.serve(p, "").status == 400);
    CHECK(f.serve("/leak.txt", "").status == 404);            // symlink to a file outside
    // A symlinked directory pointing outside: never its content, at most the SPA fallback.
    CHECK(f.serve("/assets-link/api", "").body.find("netmonsec test dashboard") != std::string::npos);
    CHECK(f.serve("/assets-link/api/CMakeLists.txt", "").status == 404);
    CHECK_FALSE(StaticFiles("").enabled());
    CHECK(StaticFiles("/nonexistent/dir").serve("/", "").status == 404);
}

TEST_CASE("the router serves the dashboard for non-API paths only", "[api]") {
    nms::config::ApiConfig cfg;
    cfg.dashboard_dir = kDir;
    test::Fixture fx(cfg);
    CHECK(fx.get("/").status == 200);
    CHECK(fx.get("/flows").content_type == "text/html; charset=utf-8");
    CHECK(fx.get("/api/v1/unknown").status == 404);
    CHECK(fx.get("/api/v1/unknown").content_type == "application/json");
}
