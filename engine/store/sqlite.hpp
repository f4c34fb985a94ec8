#pragma once
// RAII wrappers over the SQLite C API: Database owns a connection, Statement a prepared
// statement. The only place besides sqlite.cpp that sees sqlite3.h is nothing: callers use
// these types and the result codes below, so SQLite stays an implementation detail of
// nms_store. Errors are return values (the store thread must survive a full disk), except
// for open() and prepare(), which throw StoreError with a message for the operator.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace nms::store {

class StoreError : public std::runtime_error {
 public:
    using std::runtime_error::runtime_error;
};

// The few SQLite result codes callers act on (values equal SQLite's).
enum class Rc : int { kOk = 0, kBusy = 5, kFull = 13, kRow = 100, kDone = 101, kOther = -1 };

class Database {
 public:
    enum class Mode { kReadWrite, kReadOnly };

    Database() = default;
    // Opens (creating in kReadWrite) the file; throws StoreError naming the path.
    Database(const std::string& path, Mode mode, int busy_timeout_ms = 5000);
    ~Database();
    Database(Database&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
    Database& operator=(Database&& o) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    [[nodiscard]] bool is_open() const noexcept { return db_ != nullptr; }
    [[nodiscard]] sqlite3* handle() const noexcept { return db_; }

    // Runs one or more statements without results. Returns the result code; `error` gets
    // SQLite's message on failure.
    Rc exec(std::string_view sql, std::string* error = nullptr) noexcept;
    // exec() that throws StoreError (setup paths only).
    void exec_or_throw(std::string_view sql);
    // First column of the first row as an integer (PRAGMAs, counts); `fallback` on error.
    int64_t query_int(std::string_view sql, int64_t fallback = -1) noexcept;
    std::string query_text(std::string_view sql);

    [[nodiscard]] std::string last_error() const;
    [[nodiscard]] int64_t changes() const noexcept;
    [[nodiscard]] bool in_transaction() const noexcept;

 private:
    sqlite3* db_ = nullptr;
};

class Statement {
 public:
    Statement() = default;
    // Prepares `sql` once (throws StoreError with the SQL's error).
    Statement(Database& db, std::string_view sql);
    ~Statement();
    Statement(Statement&& o) noexcept : st_(o.st_) { o.st_ = nullptr; }
    Statement& operator=(Statement&& o) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Parameters are 1-based, as in SQL (?1, ?2, ...).
    Statement& bind(int i, int64_t v) noexcept;
    Statement& bind(int i, uint64_t v) noexcept { return bind(i, static_cast<int64_t>(v)); }
    Statement& bind(int i, int v) noexcept { return bind(i, static_cast<int64_t>(v)); }
    Statement& bind(int i, uint32_t v) noexcept { return bind(i, static_cast<int64_t>(v)); }
    Statement& bind(int i, double v) noexcept;
    Statement& bind(int i, std::string_view text) noexcept;  // copied by SQLite
    Statement& bind_null(int i) noexcept;

    // kRow while rows come, kDone at the end, anything else is an error.
    Rc step() noexcept;
    // Ready for new bindings (clears the old ones).
    void reset() noexcept;

    [[nodiscard]] int64_t column_int(int i) const noexcept;
    [[nodiscard]] double column_double(int i) const noexcept;
    [[nodiscard]] std::string_view column_text(int i) const noexcept;
    [[nodiscard]] bool column_is_null(int i) const noexcept;

 private:
    sqlite3_stmt* st_ = nullptr;
};

// Runs `body` in one transaction (BEGIN IMMEDIATE .. COMMIT); rolls back if it throws or
// returns false. Returns the commit's result code (kOk on success).
template <typename Fn>
Rc in_transaction(Database& db, Fn&& body) {
    if (Rc rc = db.exec("BEGIN IMMEDIATE"); rc != Rc::kOk) return rc;
    bool ok = false;
    try {
        ok = body();
    } catch (...) {
        db.exec("ROLLBACK");
        throw;
    }
    if (!ok) {
        db.exec("ROLLBACK");
        return Rc::kOther;
    }
    const Rc rc = db.exec("COMMIT");
    if (rc != Rc::kOk && db.in_transaction()) db.exec("ROLLBACK");
    return rc;
}

}  // namespace nms::store
