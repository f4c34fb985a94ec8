#pragma once
// Schema migrations, embedded at build time from engine/store/migrations/NNNN_name.sql (see
// CMakeLists.txt). Migration i (1-based) takes the database from user_version i-1 to i.
#include <span>
#include <string_view>

namespace nms::store {

class Database;

struct Migration {
    int version;             // NNNN of the file name
    std::string_view name;   // file name
    std::string_view sql;
};

// Every migration, in version order (generated file).
std::span<const Migration> migrations();

// Applies the missing migrations in order, each in its own transaction that also sets
// PRAGMA user_version, so a crash leaves the database at the last complete version.
// A new database is set to auto_vacuum=INCREMENTAL first (only possible before any table and
// before journal_mode=WAL: StoreWriter does it before switching to WAL).
// Returns the version now in the file. Throws StoreError when a migration fails or the file
// is newer than this build (a downgrade would misread it).
int migrate(Database& db, std::span<const Migration> all = migrations());

}  // namespace nms::store
