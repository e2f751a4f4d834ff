#include "store/sqlite_db.h"

#include <cerrno>
#include <cstring>

#include "common/error.h"

#include <sqlite3.h>

#include <cmath>
#include <limits>
#include <utility>

namespace pose::store::sqlite {

// ---------------------------------------------------------------------------
// Db

Db Db::open(const std::filesystem::path& file, bool read_only) {
  sqlite3* handle = nullptr;
  const int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const int rc = sqlite3_open_v2(file.string().c_str(), &handle, flags, nullptr);
  // SQLite hands back a connection even when opening fails, so that the error
  // message can be read from it; Db's destructor closes it either way.
  Db db(handle, file);
  if (rc != SQLITE_OK) db.fail(rc, "opening");
  if (handle == nullptr) db.fail(SQLITE_NOMEM, "opening");
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, kBusyTimeoutMs);
  return db;
}

Db::Db(Db&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), file_(std::move(other.file_)) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    file_ = std::move(other.file_);
  }
  return *this;
}

Db::~Db() {
  // close_v2 defers the close until outstanding statements are finalized
  // instead of failing with SQLITE_BUSY; there are none by design.
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

void Db::exec_script(std::string_view sql) const {
  while (true) {
    // Skip what is left after the last statement: whitespace only.
    const auto first = sql.find_first_not_of(" \t\r\n;");
    if (first == std::string_view::npos) return;
    sql.remove_prefix(first);
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, &tail);
    if (rc != SQLITE_OK) fail(rc, "preparing \"" + std::string(sql.substr(0, 60)) + "\"");
    if (stmt == nullptr) return;  // only comments were left
    int step_rc;
    while ((step_rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    sqlite3_finalize(stmt);
    if (step_rc != SQLITE_DONE) fail(step_rc, "running \"" + std::string(sql.substr(0, 60)) + "\"");
    sql.remove_prefix(static_cast<std::size_t>(tail - sql.data()));
  }
}

std::int64_t Db::query_int64(std::string_view sql) const {
  Statement stmt(*this, sql);
  return stmt.step() ? stmt.column_int64(0) : 0;
}

std::string Db::query_text(std::string_view sql) const {
  Statement stmt(*this, sql);
  return stmt.step() ? stmt.column_text(0) : std::string();
}

std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int Db::changes() const { return sqlite3_changes(db_); }

void Db::fail(int rc, const std::string& action) const {
  const int errno_now = errno;  // before anything here can change it
  const std::string name = file_.string();
  const std::string sqlite_message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  // The operating system's reason (ENOSPC, EFBIG, EACCES, EIO...) says more than
  // SQLite's "disk I/O error".
  // Only read for failures that come from a system call: otherwise it may be stale.
  const int primary = rc & 0xff;
  const bool from_os = primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN ||
                       primary == SQLITE_READONLY || primary == SQLITE_PERM;
  int system_errno = db_ != nullptr && from_os ? sqlite3_system_errno(db_) : 0;
  // SQLite reads errno for that only after its own clean-up; the write's own
  // errno, still set when we get here, is taken when it names a cause that is
  // never left over from SQLite's routine probing (which leaves ENOENT).
  if (system_errno == 0 && from_os &&
      (errno_now == ENOSPC || errno_now == EFBIG || errno_now == EDQUOT || errno_now == EROFS ||
       errno_now == EACCES || errno_now == EIO)) {
    system_errno = errno_now;
  }
  const std::string detail = " (" + action + ": " + sqlite_message +
                             (system_errno != 0 ? std::string(": ") + std::strerror(system_errno) : "") + ")";
  const bool out_of_space = system_errno == ENOSPC || system_errno == EFBIG || system_errno == EDQUOT;
  if (out_of_space || primary == SQLITE_FULL) {
    throw UserError(name + ": the disk is full" + detail,
                    "free disk space on the store's file system (nothing stored so far is lost), then retry or "
                    "continue with --resume");
  }
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw UserError(name + ": another process holds the experiment store and it stayed busy for " +
                          std::to_string(kBusyTimeoutMs / 1000) + " s" + detail,
                      "retry when that run or command has finished, or close the other PoSE Studio "
                      "window or `pose` command that has it open");
    case SQLITE_NOTADB:
      throw UserError(name + " is not a PoSE Studio experiment store (SQLite: " + sqlite_message + ")",
                      "choose the store file PoSE Studio created, or a new file name");
    case SQLITE_CORRUPT:
      throw UserError(name + ": the experiment store is damaged" + detail,
                      "restore it from a backup, or start a new store file");
    case SQLITE_READONLY:
      throw UserError(name + ": the experiment store cannot be written" + detail,
                      "open it read-write, and check the permissions of the file and its directory");
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      throw UserError(name + ": the experiment store cannot be opened" + detail,
                      "check that the path exists and that the file and its directory are accessible");
    case SQLITE_IOERR:
      throw UserError(name + ": reading or writing the experiment store failed" + detail,
                      "check the disk and the file system the store is on, then retry");
    case SQLITE_CONSTRAINT:
      throw UserError(name + ": the change was refused by the store's constraints" + detail,
                      "check the ids and names given (a run belongs to an existing experiment, "
                      "names are unique)");
    default:
      throw UserError(name + ": SQLite error" + detail,
                      "retry; if it persists, check the store with an integrity check");
  }
}

// ---------------------------------------------------------------------------
// Statement

Statement::Statement(const Db& db, std::string_view sql) : db_(&db), sql_(sql) {
  const int rc = sqlite3_prepare_v2(db.handle(), sql_.c_str(), static_cast<int>(sql_.size()) + 1,
                                    &stmt_, nullptr);
  if (rc != SQLITE_OK) db.fail(rc, "preparing \"" + sql_.substr(0, 60) + "\"");
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), sql_(std::move(other.sql_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    sql_ = std::move(other.sql_);
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

namespace {
void check_bind(const Db& db, int rc, int index) {
  if (rc != SQLITE_OK) db.fail(rc, "binding parameter " + std::to_string(index));
}
}  // namespace

Statement& Statement::bind_int64(int index, std::int64_t value) {
  check_bind(*db_, sqlite3_bind_int64(stmt_, index, static_cast<sqlite3_int64>(value)), index);
  return *this;
}

Statement& Statement::bind_double(int index, double value) {
  check_bind(*db_, std::isnan(value) ? sqlite3_bind_null(stmt_, index)
                                     : sqlite3_bind_double(stmt_, index, value),
             index);
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies the bytes, so temporaries are safe to pass.
  check_bind(*db_, sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                       SQLITE_UTF8),
             index);
  return *this;
}

Statement& Statement::bind_null(int index) {
  check_bind(*db_, sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Statement& Statement::bind_optional(int index, const std::optional<std::int64_t>& value) {
  return value ? bind_int64(index, *value) : bind_null(index);
}

Statement& Statement::bind_text_or_null(int index, std::string_view value) {
  return value.empty() ? bind_null(index) : bind_text(index, value);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // A failed statement must be reset before it can be stepped again; do it
  // now so that the connection's error message is read first.
  std::string action = "running \"" + sql_.substr(0, 60) + (sql_.size() > 60 ? "...\"" : "\"");
  try {
    db_->fail(rc, action);
  } catch (...) {
    sqlite3_reset(stmt_);
    throw;
  }
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  // The result of reset repeats the last step's error, which step() reported.
  sqlite3_reset(stmt_);
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Statement::column_int64(int column) const {
  return static_cast<std::int64_t>(sqlite3_column_int64(stmt_, column));
}

double Statement::column_double(int column) const {
  if (is_null(column)) return std::numeric_limits<double>::quiet_NaN();
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::column_text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  const int size = sqlite3_column_bytes(stmt_, column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_int64(column);
}

// ---------------------------------------------------------------------------
// Transaction

Transaction::Transaction(const Db& db) : db_(db) {
  db_.exec_script("BEGIN IMMEDIATE");
  open_ = true;
}

Transaction::~Transaction() {
  if (!open_) return;
  // Nothing can be reported from a destructor, and nothing needs to be: when
  // ROLLBACK fails, SQLite has already rolled the transaction back itself.
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_.handle(), "ROLLBACK", -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
}

void Transaction::commit() {
  db_.exec_script("COMMIT");
  open_ = false;
}

}  // namespace pose::store::sqlite
