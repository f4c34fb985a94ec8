#include "store/sqlite.hpp"

#include <sqlite3.h>

namespace nms::store {
namespace {

Rc to_rc(int rc) noexcept {
    switch (rc & 0xff) {  // primary code: SQLITE_IOERR_* etc. map to their family
        case SQLITE_OK: return Rc::kOk;
        case SQLITE_BUSY: return Rc::kBusy;
        case SQLITE_FULL: return Rc::kFull;
        case SQLITE_ROW: return Rc::kRow;
        case SQLITE_DONE: return Rc::kDone;
        default: return Rc::kOther;
    }
}

}  // namespace

Database::Database(const std::string& path, Mode mode, int busy_timeout_ms) {
    const int flags = mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY
                                              : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = "cannot open database " + path + ": " +
                          (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
        sqlite3_close(db_);
        db_ = nullptr;
        throw StoreError(msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
}

Database::~Database() {
    if (db_) sqlite3_close_v2(db_);
}

Database& Database::operator=(Database&& o) noexcept {
    if (this != &o) {
        if (db_) sqlite3_close_v2(db_);
        db_ = o.db_;
        o.db_ = nullptr;
    }
    return *this;
}

Rc Database::exec(std::string_view sql, std::string* error) noexcept {
    const std::string s(sql);
    char* msg = nullptr;
    const int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &msg);
    if (rc != SQLITE_OK && error) *error = msg ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    return to_rc(rc);
}

void Database::exec_or_throw(std::string_view sql) {
    std::string err;
    if (exec(sql, &err) != Rc::kOk) throw StoreError(err + " (in: " + std::string(sql.substr(0, 80)) + ")");
}

int64_t Database::query_int(std::string_view sql, int64_t fallback) noexcept {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK) {
        sqlite3_finalize(st);
        return fallback;
    }
    int64_t v = fallback;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

std::string Database::query_text(std::string_view sql) {
    Statement st(*this, sql);
    if (st.step() != Rc::kRow) return {};
    return std::string(st.column_text(0));
}

std::string Database::last_error() const { return db_ ? sqlite3_errmsg(db_) : "not open"; }
int64_t Database::changes() const noexcept { return db_ ? sqlite3_changes64(db_) : 0; }
bool Database::in_transaction() const noexcept { return db_ && sqlite3_get_autocommit(db_) == 0; }

Statement::Statement(Database& db, std::string_view sql) {
    const int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &st_, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st_);
        st_ = nullptr;
        throw StoreError("cannot prepare statement: " + db.last_error() + " (in: " + std::string(sql) + ")");
    }
}

Statement::~Statement() { sqlite3_finalize(st_); }

Statement& Statement::operator=(Statement&& o) noexcept {
    if (this != &o) {
        sqlite3_finalize(st_);
        st_ = o.st_;
        o.st_ = nullptr;
    }
    return *this;
}

Statement& Statement::bind(int i, int64_t v) noexcept {
    sqlite3_bind_int64(st_, i, v);
    return *this;
}
Statement& Statement::bind(int i, double v) noexcept {
    sqlite3_bind_double(st_, i, v);
    return *this;
}
Statement& Statement::bind(int i, std::string_view text) noexcept {
    sqlite3_bind_text64(st_, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
}
Statement& Statement::bind_null(int i) noexcept {
    sqlite3_bind_null(st_, i);
    return *this;
}

Rc Statement::step() noexcept { return to_rc(sqlite3_step(st_)); }

void Statement::reset() noexcept {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
}

int64_t Statement::column_int(int i) const noexcept { return sqlite3_column_int64(st_, i); }
double Statement::column_double(int i) const noexcept { return sqlite3_column_double(st_, i); }
std::string_view Statement::column_text(int i) const noexcept {
    const auto* p = sqlite3_column_text(st_, i);
    if (!p) return {};
    return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, i))};
}
bool Statement::column_is_null(int i) const noexcept { return sqlite3_column_type(st_, i) == SQLITE_NULL; }

}  // namespace nms::store
