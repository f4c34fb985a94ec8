// [api] users (inline tables or [[api.users]] sections) and [process]: read, validated, and a
// bad entry is reported without echoing what might be a password.
#include <catch2/catch.hpp>

#include "config_test_util.hpp"

using namespace nms::config;
using namespace nms::config::test;

namespace {
const std::string kHash = "$y$j9T$abcdefghijklmnopqrstuv$0123456789abcdefghijklmnopqrstuvwxyzABCDE";
}

TEST_CASE("api.users reads inline tables and [[api.users]] sections", "[config]") {
    Config c = load_ok("[api]\nusers = [{name = \"alice\", role = \"admin\", password_hash = \"" + kHash + "\"}]\n");
    REQUIRE(c.api.users.size() == 1);
    CHECK(c.api.users[0] == ApiUser{"alice", "admin", kHash});
    c = load_ok("[[api.users]]\nname = \"a\"\nrole = \"viewer\"\npassword_hash = \"" + kHash +
                "\"\n[[api.users]]\nname = \"b\"\nrole = \"admin\"\npassword_hash = \"$2b$12$abcdefghijklmnopqrstuv\"\n");
    REQUIRE(c.api.users.size() == 2);
    CHECK(c.api.users[1].role == "admin");
}

TEST_CASE("bad api.users entries are errors that name the field", "[config]") {
    const auto err = [](const std::string& users) {
        return to_string(load_bad("[api]\nusers = " + users + "\n"));
    };
    CHECK(err("\"alice\"").find("api.users") != std::string::npos);
    CHECK(err("[{name = \"a\", role = \"root\", password_hash = \"" + kHash + "\"}]").find("api.users[0].role") !=
          std::string::npos);
    const std::string plain = err("[{name = \"a\", role = \"admin\", password_hash = \"hunter2hunter2hunter2\"}]");
    CHECK(plain.find("api.users[0].password_hash") != std::string::npos);
    CHECK(plain.find("hunter2") == std::string::npos);  // never echoed
    CHECK(err("[{name = \"a b\", role = \"admin\", password_hash = \"" + kHash + "\"}]").find("api.users[0].name") !=
          std::string::npos);
    CHECK(err("[{name = \"a\", role = \"admin\", password_hash = \"" + kHash + "\", extra = 1}]").find("extra") !=
          std::string::npos);
    CHECK(err("[{name = \"a\", role = \"admin\", password_hash = \"" + kHash + "\"}, {name = \"a\", role = "
              "\"viewer\", password_hash = \"" + kHash + "\"}]").find("twice") != std::string::npos);
}

TEST_CASE("process.user/group and the new api keys load", "[config]") {
    const Config c = load_ok(
        "[process]\nuser = \"nobody\"\ngroup = \"nogroup\"\n[api]\nmetrics_auth = true\nlockout_s = 9\n"
        "dashboard_dir = \"/srv/ui\"\nws_write_timeout_s = 3\n");
    CHECK(c.process.user == "nobody");
    CHECK(c.process.group == "nogroup");
    CHECK(c.api.metrics_auth);
    CHECK(c.api.lockout_s == 9);
    CHECK(c.api.dashboard_dir == "/srv/ui");
    CHECK(c.api.ws_write_timeout_s == 3);
}
