#include <string>

#include "store/migrations.hpp"
#include "store/sqlite.hpp"

namespace nms::store {

int migrate(Database& db, std::span<const Migration> all) {
    const int64_t have = db.query_int("PRAGMA user_version", 0);
    const int want = all.empty() ? 0 : all.back().version;
    if (have > want) {
        throw StoreError("database schema version " + std::to_string(have) + " is newer than this build (" +
                         std::to_string(want) + "): use a newer netmonsec or another --data-dir");
    }
    if (have == 0 && db.query_int("SELECT count(*) FROM sqlite_schema", 0) == 0) {
        db.exec_or_throw("PRAGMA auto_vacuum = INCREMENTAL");
    }
    for (const Migration& m : all) {
        if (m.version <= have) continue;
        std::string err;
        const std::string sql = std::string(m.sql) + "\nPRAGMA user_version = " + std::to_string(m.version) + ";";
        if (db.exec("BEGIN IMMEDIATE", &err) != Rc::kOk)
            throw StoreError("cannot start migration " + std::string(m.name) + ": " + err);
        if (db.exec(sql, &err) != Rc::kOk) {
            db.exec("ROLLBACK");
            throw StoreError("migration " + std::string(m.name) + " failed: " + err);
        }
        if (db.exec("COMMIT", &err) != Rc::kOk) {
            if (db.in_transaction()) db.exec("ROLLBACK");
            throw StoreError("migration " + std::string(m.name) + " could not be committed: " + err);
        }
    }
    return static_cast<int>(db.query_int("PRAGMA user_version", 0));
}

}  // namespace nms::store
