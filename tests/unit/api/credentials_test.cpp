// Password hashes, tokens, sessions' constant-time parts and the user store bootstrap.
#include "api/credentials.hpp"

#include <crypt.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "api/session_store.hpp"
#include "api/user_store.hpp"

using namespace nms::api;

TEST_CASE("yescrypt hashes verify; bcrypt is accepted; other schemes are refused", "[api]") {
    const auto h = hash_password("correct horse");
    REQUIRE(h);
    CHECK(h->starts_with("$y$"));
    CHECK(verify_password("correct horse", *h));
    CHECK_FALSE(verify_password("correct horsE", *h));
    CHECK_FALSE(verify_password("", *h));
    // bcrypt ($2b$, cost 4) as other tools write it.
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    REQUIRE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt) != nullptr);
    crypt_data cd{};
    const std::string bcrypt = crypt_r("password", salt, &cd);
    REQUIRE(bcrypt.starts_with("$2b$04$"));
    CHECK(verify_password("password", bcrypt));
    CHECK_FALSE(verify_password("passwort", bcrypt));
    std::string y = bcrypt;
    y[2] = 'y';  // $2y$ is the same algorithm
    CHECK(verify_password("password", y));
    CHECK_FALSE(verify_password("password", "$1$abc$def"));   // md5-crypt: refused
    CHECK_FALSE(verify_password("password", "plaintext"));
    CHECK(*hash_password("x") != *hash_password("x"));  // salted
}

TEST_CASE("tokens are random hex; constant_time_equal compares whole strings", "[api]") {
    const auto a = random_hex(32), b = random_hex(32);
    CHECK(a.size() == 64);
    CHECK(a != b);
    CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(constant_time_equal("abc", "abc"));
    CHECK_FALSE(constant_time_equal("abc", "abd"));
    CHECK_FALSE(constant_time_equal("abc", "abcd"));
    CHECK(random_password(20).size() == 20);
}

TEST_CASE("session store: lookup needs the whole token; bounded size", "[api]") {
    SessionStore s(1000, 100, 3);
    User u{"alice", Role::kAdmin, ""};
    const std::string t = s.create(u, 0);
    REQUIRE(s.find(t, 1) != nullptr);
    std::string forged = t;
    forged.back() = forged.back() == 'a' ? 'b' : 'a';
    CHECK(s.find(forged, 1) == nullptr);
    CHECK(s.find(t.substr(0, 16), 1) == nullptr);
    for (int i = 0; i < 10; ++i) s.create(u, 2 + i);
    CHECK(s.size() <= 3);
}

TEST_CASE("bootstrap creates one admin with a 0600 hash file, then loads it back", "[api]") {
    const auto dir = std::filesystem::temp_directory_path() / ("nms_users_" + random_hex(4));
    nms::config::Config cfg;
    cfg.storage.data_dir = (dir / "sub").string();  // created on demand
    UserStore store;
    REQUIRE_FALSE(store.load(cfg));
    CHECK(store.empty());
    std::string err;
    const auto pw = store.bootstrap(cfg.storage.data_dir, err);
    REQUIRE(pw);
    CHECK(err.empty());
    struct stat st {};
    REQUIRE(::stat(UserStore::users_file(cfg.storage.data_dir).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    UserStore again;
    REQUIRE_FALSE(again.load(cfg));
    REQUIRE(again.find("admin") != nullptr);
    CHECK(again.find("admin")->role == Role::kAdmin);
    CHECK(verify_password(*pw, again.find("admin")->password_hash));
    // A second bootstrap never overwrites the file.
    CHECK_FALSE(again.bootstrap(cfg.storage.data_dir, err));
    ::chmod(UserStore::users_file(cfg.storage.data_dir).c_str(), 0644);
    CHECK(again.load(cfg).has_value());  // readable by others: refused
    std::filesystem::remove_all(dir);
}
