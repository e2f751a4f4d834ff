// Thin RAII layer over the SQLite C API for the experiment store: a connection,
// prepared statements and an IMMEDIATE transaction. Every failure becomes a
// UserError that names the store file, because the person reading it has to
// find out which file is busy, read-only or not a store at all.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

// The typedefs in <sqlite3.h> name these structs; declaring them keeps the C
// header out of everything that includes the store.
struct sqlite3;
struct sqlite3_stmt;

namespace pose::store::sqlite {

class Db;

// A prepared statement. Values are only ever bound, never spliced into SQL.
// Parameter and column indexes follow SQLite: parameters from 1, columns from 0.
class Statement {
 public:
  Statement(const Db& db, std::string_view sql);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind_int64(int index, std::int64_t value);
  // SQLite has no NaN: it would store one as NULL, so NULL reads back as NaN.
  Statement& bind_double(int index, double value);
  Statement& bind_text(int index, std::string_view value);
  Statement& bind_null(int index);
  Statement& bind_optional(int index, const std::optional<std::int64_t>& value);
  // Text, or NULL when empty (timestamps that are not set yet).
  Statement& bind_text_or_null(int index, std::string_view value);

  // True when a row is ready, false when the statement has finished.
  bool step();
  // Steps to the end, ignoring any rows (INSERT, UPDATE, PRAGMA ... = ...).
  void run();
  // Makes the statement ready to run again; bindings are kept until rebound.
  void reset();

  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;  // NaN for NULL
  std::string column_text(int column) const;  // "" for NULL
  std::optional<std::int64_t> column_optional_int64(int column) const;

 private:
  const Db* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;  // for error messages
};

class Db {
 public:
  // Opens `file` read-write (creating it) or read-only, with a busy timeout so
  // that a second process waits for the writer instead of failing at once.
  static Db open(const std::filesystem::path& file, bool read_only);
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  static constexpr int kBusyTimeoutMs = 10000;

  const std::filesystem::path& file() const { return file_; }
  sqlite3* handle() const { return db_; }

  Statement prepare(std::string_view sql) const { return Statement(*this, sql); }
  // Runs every statement of a fixed script (schema, pragmas) in order; the
  // script carries no values, so there is nothing to bind.
  void exec_script(std::string_view sql) const;
  // First column of the first row (PRAGMA user_version and the like).
  std::int64_t query_int64(std::string_view sql) const;
  std::string query_text(std::string_view sql) const;
  std::int64_t last_insert_rowid() const;
  int changes() const;  // rows changed by the last INSERT/UPDATE/DELETE

  // Throws the UserError for result code `rc` while doing `action`.
  [[noreturn]] void fail(int rc, const std::string& action) const;

 private:
  Db(sqlite3* db, std::filesystem::path file) : db_(db), file_(std::move(file)) {}
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
};

// BEGIN IMMEDIATE takes the write lock up front: a busy store fails (after the
// timeout) before any work is done, and a reader-turned-writer can never hit
// SQLITE_BUSY_SNAPSHOT halfway. Rolls back unless commit() was called.
class Transaction {
 public:
  explicit Transaction(const Db& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  const Db& db_;
  bool open_ = false;
};

}  // namespace pose::store::sqlite
