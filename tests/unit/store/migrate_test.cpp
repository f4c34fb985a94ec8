// Schema migrations: a fresh database gets every migration and incremental auto-vacuum; an
// older database is brought forward with its data kept; a newer one is refused.
#include <catch2/catch.hpp>

#include "store/migrations.hpp"
#include "store/sqlite.hpp"
#include "store/store_writer.hpp"
#include "store_test_util.hpp"

using namespace nms;
using namespace nms::store;

TEST_CASE("migrations are embedded in order without gaps", "[store]") {
    const auto all = migrations();
    REQUIRE(all.size() >= 2);
    for (size_t i = 0; i < all.size(); ++i) {
        CHECK(all[i].version == static_cast<int>(i + 1));
        CHECK_FALSE(all[i].sql.empty());
    }
    CHECK(all[0].name == "0001_init.sql");
}

TEST_CASE("a new database gets every migration and incremental auto-vacuum", "[store]") {
    test::TempDir dir;
    Database db(dir.file("n.db"), Database::Mode::kReadWrite);
    CHECK(migrate(db) == migrations().back().version);
    CHECK(db.query_int("PRAGMA user_version") == migrations().back().version);
    CHECK(db.query_int("PRAGMA auto_vacuum") == 2);  // INCREMENTAL
    CHECK(db.query_int("SELECT count(*) FROM sqlite_schema WHERE name IN ('flows','dns_names','stats_1s',"
                       "'stats_1m','stats_1h')") == 5);
    CHECK(migrate(db) == migrations().back().version);  // idempotent
}

TEST_CASE("a version 1 database is migrated and keeps its rows", "[store]") {
    test::TempDir dir;
    const std::string path = dir.file("netmonsec.db");
    {
        // What a build with only 0001 wrote.
        Database v1(path, Database::Mode::kReadWrite);
        REQUIRE(migrate(v1, migrations().first(1)) == 1);
        v1.exec_or_throw(
            "INSERT INTO flows(flow_id, stored_s, start_ns, end_ns, src_ip, src_port, dest_ip, dest_port, proto, "
            "pkts_toserver, pkts_toclient, bytes_toserver, bytes_toclient, state, reason) VALUES(42, 1, 10, 20, "
            "'10.0.0.1', 1234, '192.0.2.1', 80, 6, 1, 1, 60, 60, 'closed', 'timeout');"
            "INSERT INTO dns_names(name, first_ns, last_ns, stored_s, queries) VALUES('old.example', 1, 2, 3, 5);");
        CHECK(v1.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'stats_1s'") == 0);
    }
    StoreWriter w(path, nullptr);
    CHECK(w.db().query_int("PRAGMA user_version") == migrations().back().version);
    CHECK(w.db().query_int("SELECT flow_id FROM flows") == 42);
    CHECK(w.db().query_int("SELECT queries FROM dns_names WHERE name = 'old.example'") == 5);
    CHECK(w.db().query_int("SELECT count(*) FROM stats_1s") == 0);
    CHECK(w.db().query_text("PRAGMA integrity_check") == "ok");
}

TEST_CASE("a failing migration leaves the previous version intact", "[store]") {
    test::TempDir dir;
    Database db(dir.file("f.db"), Database::Mode::kReadWrite);
    const Migration bad[] = {migrations()[0], {2, "0002_bad.sql", "CREATE TABLE t(x); CREATE TABLE t(y);"}};
    CHECK_THROWS_AS(migrate(db, bad), StoreError);
    CHECK(db.query_int("PRAGMA user_version") == 1);
    CHECK(db.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 't'") == 0);
}

TEST_CASE("a database newer than the build is refused", "[store]") {
    test::TempDir dir;
    {
        Database db(dir.file("new.db"), Database::Mode::kReadWrite);
        db.exec_or_throw("PRAGMA user_version = 999");
    }
    try {
        StoreWriter w(dir.file("new.db"), nullptr);
        FAIL("opened a newer schema");
    } catch (const StoreError& e) {
        CHECK(std::string(e.what()).find("newer than this build") != std::string::npos);
    }
}
