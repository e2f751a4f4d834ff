#include "store/experiment_store.h"

#include "store/run_owner.h"

#include "common/logging.h"

#include "common/error.h"
#include "store/sqlite_db.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <system_error>
#include <utility>

namespace pose::store {

std::filesystem::path default_store_file() { return logging::default_data_dir() / "store.sqlite"; }

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

namespace {

// PRAGMA application_id: "PoSE" in ASCII. It tells our files apart from other
// programs' SQLite databases before anything is read or written.
constexpr std::int64_t kApplicationId = 0x506f5345;

// Migration i (from 1) takes the schema from version i - 1 to i; the runner
// sets user_version (and, with the first, application_id) in the same
// transaction. Append only: a released migration never changes, since stores
// out there have already run it.
constexpr std::array<const char*, ExperimentStore::kSchemaVersion> kMigrations = {
    // 1: the initial schema. JSON columns hold nlohmann::json dumps; timestamps
    // are UTC ISO 8601 ("2026-11-23T10:15:02Z"), NULL until set. Metric values
    // are nullable because SQLite stores a NaN (a diverged loss) as NULL.
    R"sql(
CREATE TABLE experiments (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  spec        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE TABLE runs (
  id             INTEGER PRIMARY KEY,
  experiment_id  INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  kind           TEXT NOT NULL,
  status         TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
  spec           TEXT NOT NULL,
  device         TEXT NOT NULL DEFAULT '',
  versions       TEXT NOT NULL DEFAULT 'null',
  message        TEXT NOT NULL DEFAULT '',
  created_at     TEXT NOT NULL,
  started_at     TEXT,
  finished_at    TEXT,
  UNIQUE (experiment_id, name)
);
CREATE TABLE metrics (
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  series     TEXT NOT NULL,
  step       INTEGER NOT NULL,
  value      REAL,
  wall_time  REAL
);
CREATE INDEX metrics_run_series_step ON metrics(run_id, series, step);
CREATE TABLE eval_results (
  id               INTEGER PRIMARY KEY,
  run_id           INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind             TEXT NOT NULL,
  settings         TEXT NOT NULL,
  results          TEXT NOT NULL,
  checkpoint_step  INTEGER,
  created_at       TEXT NOT NULL
);
CREATE INDEX eval_results_run_kind ON eval_results(run_id, kind);
CREATE TABLE artifacts (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL,
  path        TEXT NOT NULL,
  sha256      TEXT NOT NULL,
  bytes       INTEGER NOT NULL,
  step        INTEGER,
  created_at  TEXT NOT NULL
);
CREATE INDEX artifacts_run_kind ON artifacts(run_id, kind);
)sql",
    // 2: the process running a run (JSON from store/run_owner.h), so that a
    // run whose process was killed is not taken for a running one.
    R"sql(
ALTER TABLE runs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
)sql",
};

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
// civil_from_days); avoids gmtime, which is not thread-safe everywhere.
void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;  // shift the epoch to 0000-03-01, so leap days end a year
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned month_from_march = (5 * day_of_year + 2) / 153;
  day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
  month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
  year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
}

std::string utc_now() {
  const std::int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
  std::int64_t days = seconds / 86400;
  std::int64_t second_of_day = seconds % 86400;
  if (second_of_day < 0) {
    second_of_day += 86400;
    --days;
  }
  std::int64_t year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, year, month, day);
  char text[32];
  std::snprintf(text, sizeof text, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(year),
                month, day, static_cast<long long>(second_of_day / 3600),
                static_cast<long long>(second_of_day / 60 % 60), static_cast<long long>(second_of_day % 60));
  return text;
}

std::string dump_json(const nlohmann::json& value, const std::string& what) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception& e) {
    throw UserError(what + " cannot be stored (" + std::string(e.what()) + ")",
                    "make sure its strings are valid UTF-8");
  }
}

std::string hex32(std::int64_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08llx", static_cast<unsigned long long>(value) & 0xffffffffULL);
  return text;
}

UserError newer_schema_error(const std::filesystem::path& file, std::int64_t version) {
  return UserError(file.string() + " was written by a newer PoSE Studio (store schema " +
                       std::to_string(version) + "; this version reads up to " +
                       std::to_string(ExperimentStore::kSchemaVersion) + ")",
                   "upgrade PoSE Studio to open it; the file was not modified");
}

UserError not_a_store_error(const std::filesystem::path& file, const std::string& why) {
  return UserError(file.string() + " is not a PoSE Studio experiment store (" + why + ")",
                   "choose the store file PoSE Studio created, or a new file name");
}

// Decides whether `db` may be used as a store before anything is written to
// it: ours (any schema up to ours), or a brand-new empty file. A text file
// fails in the first PRAGMA with SQLITE_NOTADB, which Db reports as "not a
// PoSE Studio experiment store".
void check_identity(const Db& db, bool read_only) {
  const std::int64_t application_id = db.query_int64("PRAGMA application_id");
  const std::int64_t version = db.query_int64("PRAGMA user_version");
  if (application_id != 0 && application_id != kApplicationId) {
    throw not_a_store_error(db.file(), "it is a SQLite database of another program, application id " +
                                           hex32(application_id));
  }
  if (application_id == 0) {
    const std::int64_t objects = db.query_int64("SELECT count(*) FROM sqlite_master");
    if (version != 0 || objects != 0) {
      throw not_a_store_error(db.file(), "it is a SQLite database of another program");
    }
    if (read_only) {
      throw UserError(db.file().string() + " is empty, not yet a PoSE Studio experiment store",
                      "open it read-write (run an experiment with it) to create the store");
    }
  }
  if (version > ExperimentStore::kSchemaVersion) throw newer_schema_error(db.file(), version);
  if (read_only && version < ExperimentStore::kSchemaVersion) {
    throw UserError(db.file().string() + " was written by an older PoSE Studio (store schema " +
                        std::to_string(version) + ") and is opened read-only, so it cannot be upgraded",
                    "open it read-write once (in PoSE Studio or with a `pose` command) to upgrade it");
  }
}

// Brings the schema to kSchemaVersion, one migration per transaction. The
// version is read again under the write lock: another process opening the
// same file at the same moment may have migrated it already.
void migrate(const Db& db) {
  while (true) {
    Transaction transaction(db);
    const std::int64_t version = db.query_int64("PRAGMA user_version");
    if (version > ExperimentStore::kSchemaVersion) throw newer_schema_error(db.file(), version);
    if (version == ExperimentStore::kSchemaVersion) return;  // the rollback changes nothing
    db.exec_script(kMigrations[static_cast<std::size_t>(version)]);
    // PRAGMAs take no bound parameters; these are integers from this file.
    if (version == 0) db.exec_script("PRAGMA application_id = " + std::to_string(kApplicationId));
    db.exec_script("PRAGMA user_version = " + std::to_string(version + 1));
    transaction.commit();
  }
}

std::string run_status_list() { return "pending, running, done, failed or cancelled"; }

// Total size of a file, or of the regular files under a directory.
std::int64_t bytes_of_path(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw UserError(path.string() + ": size unknown (" + ec.message() + ")", "check the file");
    return static_cast<std::int64_t>(size);
  }
  std::int64_t total = 0;
  try {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
      if (entry.is_regular_file()) total += static_cast<std::int64_t>(entry.file_size());
    }
  } catch (const std::filesystem::filesystem_error& e) {
    throw UserError(path.string() + ": the directory cannot be listed (" + e.code().message() + ")",
                    "check the directory's permissions");
  }
  return total;
}

constexpr const char* kExperimentSelect =
    "SELECT id, name, spec, created_at, updated_at FROM experiments";
constexpr const char* kRunSelect =
    "SELECT r.id, r.experiment_id, e.name, r.name, r.kind, r.status, r.spec, r.device, r.versions, "
    "r.message, r.created_at, r.started_at, r.finished_at, r.owner "
    "FROM runs r JOIN experiments e ON e.id = r.experiment_id";

}  // namespace

std::string display_status(const RunRecord& r) { return r.interrupted ? "interrupted" : to_string(r.status); }

std::string to_string(RunStatus s) {
  switch (s) {
    case RunStatus::Pending: return "pending";
    case RunStatus::Running: return "running";
    case RunStatus::Done: return "done";
    case RunStatus::Failed: return "failed";
    case RunStatus::Cancelled: return "cancelled";
  }
  return "pending";
}

RunStatus parse_run_status(const std::string& s) {
  for (RunStatus status : {RunStatus::Pending, RunStatus::Running, RunStatus::Done, RunStatus::Failed,
                           RunStatus::Cancelled}) {
    if (to_string(status) == s) return status;
  }
  throw UserError("unknown run status \"" + s + "\"", "use one of " + run_status_list());
}

// One connection per store object. SQLite serializes a connection's calls, but
// a transaction spans several; the mutex keeps one thread's transaction from
// taking in another thread's statements.
struct ExperimentStore::Impl {
  Impl(std::filesystem::path p, Db d, Mode m) : path(std::move(p)), db(std::move(d)), mode(m) {}

  std::filesystem::path path;
  Db db;
  Mode mode;
  mutable std::mutex mutex;

  nlohmann::json parse_json(const std::string& text, const char* what) const {
    try {
      return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
      throw UserError(path.string() + ": a stored " + std::string(what) + " is not valid JSON",
                      "the store is damaged; restore it from a backup");
    }
  }

  ExperimentRecord read_experiment(const Statement& s) const {
    ExperimentRecord r;
    r.id = s.column_int64(0);
    r.name = s.column_text(1);
    r.spec = parse_json(s.column_text(2), "experiment spec");
    r.created_at = s.column_text(3);
    r.updated_at = s.column_text(4);
    return r;
  }

  RunRecord read_run(const Statement& s) const {
    RunRecord r;
    r.id = s.column_int64(0);
    r.experiment_id = s.column_int64(1);
    r.experiment_name = s.column_text(2);
    r.name = s.column_text(3);
    r.kind = s.column_text(4);
    r.status = parse_run_status(s.column_text(5));
    r.spec = parse_json(s.column_text(6), "run spec");
    r.device = s.column_text(7);
    r.versions = parse_json(s.column_text(8), "run versions");
    r.message = s.column_text(9);
    r.created_at = s.column_text(10);
    r.started_at = s.column_text(11);
    r.finished_at = s.column_text(12);
    r.owner = s.column_text(13);
    r.interrupted = r.status == RunStatus::Running && owner_state(r.owner) == OwnerState::Gone;
    return r;
  }

  void require_run(std::int64_t run_id) const {
    Statement s = db.prepare("SELECT 1 FROM runs WHERE id = ?1");
    s.bind_int64(1, run_id);
    if (!s.step()) {
      throw UserError(path.string() + ": there is no run with id " + std::to_string(run_id),
                      "check the run id; the run may have been deleted");
    }
  }
};

ExperimentStore::ExperimentStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ExperimentStore::ExperimentStore(ExperimentStore&&) noexcept = default;
ExperimentStore& ExperimentStore::operator=(ExperimentStore&&) noexcept = default;
ExperimentStore::~ExperimentStore() = default;

ExperimentStore ExperimentStore::open(const std::filesystem::path& file, Mode mode) {
  const bool read_only = mode == Mode::ReadOnly;
  std::error_code ec;
  if (read_only) {
    // SQLite would report a bare "unable to open database file".
    if (!std::filesystem::exists(file, ec)) {
      throw UserError(file.string() + ": no such experiment store",
                      "check the path, or open it read-write to create a new store");
    }
  } else if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) {
      throw UserError(file.string() + ": its directory cannot be created (" + ec.message() + ")",
                      "choose a writable location for the experiment store");
    }
  }
  if (std::filesystem::is_directory(file, ec)) {
    throw UserError(file.string() + " is a directory, not an experiment store",
                    "give the path of the store file");
  }

  Db db = Db::open(file, read_only);
  check_identity(db, read_only);
  // Per-connection settings. foreign_keys makes ON DELETE CASCADE work;
  // synchronous=NORMAL is durable enough under WAL (a power cut may lose the
  // last commits, never the file) and saves an fsync per metrics batch.
  db.exec_script("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL");
  if (!read_only) {
    // WAL lets the GUI and `pose runs` read while a training run writes. It is
    // a property of the file, which read-only connections then inherit; on a
    // file already in WAL mode this is a no-op.
    db.exec_script("PRAGMA journal_mode = WAL");
    migrate(db);
  }
  return ExperimentStore(std::make_unique<Impl>(file, std::move(db), mode));
}

int ExperimentStore::schema_version() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return static_cast<int>(impl_->db.query_int64("PRAGMA user_version"));
}

const std::filesystem::path& ExperimentStore::path() const { return impl_->path; }

// ---------------------------------------------------------------------------
// Experiments

int64_t ExperimentStore::upsert_experiment(const std::string& name, const nlohmann::json& spec) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string spec_text = dump_json(spec, "the spec of experiment \"" + name + "\"");
  const std::string now = utc_now();
  const Db& db = impl_->db;
  Transaction transaction(db);
  Statement find = db.prepare("SELECT id FROM experiments WHERE name = ?1");
  find.bind_text(1, name);
  std::int64_t id = 0;
  if (find.step()) {
    id = find.column_int64(0);
    Statement update = db.prepare("UPDATE experiments SET spec = ?2, updated_at = ?3 WHERE id = ?1");
    update.bind_int64(1, id).bind_text(2, spec_text).bind_text(3, now).run();
  } else {
    Statement insert = db.prepare(
        "INSERT INTO experiments (name, spec, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)");
    insert.bind_text(1, name).bind_text(2, spec_text).bind_text(3, now).run();
    id = db.last_insert_rowid();
  }
  transaction.commit();
  return id;
}

std::optional<ExperimentRecord> ExperimentStore::find_experiment(const std::string& name) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s = impl_->db.prepare(std::string(kExperimentSelect) + " WHERE name = ?1");
  s.bind_text(1, name);
  if (!s.step()) return std::nullopt;
  return impl_->read_experiment(s);
}

std::vector<ExperimentRecord> ExperimentStore::experiments() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s = impl_->db.prepare(std::string(kExperimentSelect) + " ORDER BY id");
  std::vector<ExperimentRecord> out;
  while (s.step()) out.push_back(impl_->read_experiment(s));
  return out;
}

// ---------------------------------------------------------------------------
// Runs

int64_t ExperimentStore::ensure_run(int64_t experiment_id, const std::string& name, const std::string& kind,
                                    const nlohmann::json& spec) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string spec_text = dump_json(spec, "the spec of run \"" + name + "\"");
  const Db& db = impl_->db;
  Transaction transaction(db);
  Statement experiment = db.prepare("SELECT 1 FROM experiments WHERE id = ?1");
  experiment.bind_int64(1, experiment_id);
  if (!experiment.step()) {
    throw UserError(impl_->path.string() + ": there is no experiment with id " +
                        std::to_string(experiment_id),
                    "record the experiment (upsert_experiment) before its runs");
  }
  Statement find = db.prepare("SELECT id FROM runs WHERE experiment_id = ?1 AND name = ?2");
  find.bind_int64(1, experiment_id).bind_text(2, name);
  std::int64_t id = 0;
  if (find.step()) {
    id = find.column_int64(0);
    Statement update = db.prepare("UPDATE runs SET spec = ?2 WHERE id = ?1");
    update.bind_int64(1, id).bind_text(2, spec_text).run();
  } else {
    Statement insert = db.prepare(
        "INSERT INTO runs (experiment_id, name, kind, status, spec, created_at) "
        "VALUES (?1, ?2, ?3, 'pending', ?4, ?5)");
    insert.bind_int64(1, experiment_id).bind_text(2, name).bind_text(3, kind).bind_text(4, spec_text);
    insert.bind_text(5, utc_now()).run();
    id = db.last_insert_rowid();
  }
  transaction.commit();
  return id;
}

std::optional<RunRecord> ExperimentStore::find_run(int64_t experiment_id, const std::string& name) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s = impl_->db.prepare(std::string(kRunSelect) + " WHERE r.experiment_id = ?1 AND r.name = ?2");
  s.bind_int64(1, experiment_id).bind_text(2, name);
  if (!s.step()) return std::nullopt;
  return impl_->read_run(s);
}

std::optional<RunRecord> ExperimentStore::run(int64_t run_id) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s = impl_->db.prepare(std::string(kRunSelect) + " WHERE r.id = ?1");
  s.bind_int64(1, run_id);
  if (!s.step()) return std::nullopt;
  return impl_->read_run(s);
}

std::vector<RunRecord> ExperimentStore::runs(std::optional<int64_t> experiment_id) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  // Ids grow with every insert, so id order is creation order.
  Statement s = impl_->db.prepare(std::string(kRunSelect) +
                                  " WHERE ?1 IS NULL OR r.experiment_id = ?1 ORDER BY r.id");
  s.bind_optional(1, experiment_id);
  std::vector<RunRecord> out;
  while (s.step()) out.push_back(impl_->read_run(s));
  return out;
}

void ExperimentStore::mark_running(int64_t run_id, const std::string& device,
                                   const nlohmann::json& versions) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string versions_text = dump_json(versions, "the library versions");
  // A resumed run keeps its first start time; finished_at belongs to the
  // attempt that ended, so it goes.
  Statement s = impl_->db.prepare(
      "UPDATE runs SET status = 'running', started_at = COALESCE(started_at, ?2), finished_at = NULL, "
      "device = ?3, versions = ?4, message = '', owner = ?5 WHERE id = ?1");
  s.bind_int64(1, run_id).bind_text(2, utc_now()).bind_text(3, device).bind_text(4, versions_text);
  s.bind_text(5, current_process_owner()).run();
  if (impl_->db.changes() == 0) impl_->require_run(run_id);
}

void ExperimentStore::finish_run(int64_t run_id, RunStatus status, const std::string& message) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (status != RunStatus::Done && status != RunStatus::Failed && status != RunStatus::Cancelled) {
    throw UserError("a run cannot finish as \"" + to_string(status) + "\"",
                    "finish it as done, failed or cancelled (mark_running / reset_run for the others)");
  }
  Statement s = impl_->db.prepare(
      "UPDATE runs SET status = ?2, finished_at = ?3, message = ?4, owner = '' WHERE id = ?1");
  s.bind_int64(1, run_id).bind_text(2, to_string(status)).bind_text(3, utc_now()).bind_text(4, message).run();
  if (impl_->db.changes() == 0) impl_->require_run(run_id);
}

std::vector<RunRecord> ExperimentStore::settle_interrupted_runs() {
  std::vector<RunRecord> settled;
  for (RunRecord r : runs()) {
    if (!r.interrupted) continue;
    std::lock_guard<std::mutex> lock(impl_->mutex);
    // Only while it still says running with the same owner: another process
    // may have resumed it in the meantime.
    Statement s = impl_->db.prepare(
        "UPDATE runs SET status = 'cancelled', finished_at = ?2, message = ?3, owner = '' "
        "WHERE id = ?1 AND status = 'running' AND owner = ?4");
    r.message = "interrupted: its process (pid " + std::to_string(owner_pid(r.owner)) +
                ") ended without finishing it (killed, crashed or the machine restarted); "
                "`pose run --resume` continues from its last checkpoint";
    s.bind_int64(1, r.id).bind_text(2, utc_now()).bind_text(3, r.message).bind_text(4, r.owner).run();
    if (impl_->db.changes() == 0) continue;
    r.status = RunStatus::Cancelled;
    r.interrupted = false;
    r.owner.clear();
    settled.push_back(std::move(r));
  }
  return settled;
}

void ExperimentStore::reset_run(int64_t run_id) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const Db& db = impl_->db;
  Transaction transaction(db);
  impl_->require_run(run_id);
  for (const char* sql : {"DELETE FROM metrics WHERE run_id = ?1",
                          "DELETE FROM eval_results WHERE run_id = ?1",
                          "DELETE FROM artifacts WHERE run_id = ?1",
                          "UPDATE runs SET status = 'pending', started_at = NULL, finished_at = NULL, "
                          "message = '', owner = '' WHERE id = ?1"}) {
    Statement s = db.prepare(sql);
    s.bind_int64(1, run_id).run();
  }
  transaction.commit();
}

namespace {

// Inside the caller's transaction and lock.
int64_t insert_eval_result(const Db& db, const EvalRecord& record) {
  const std::string settings = dump_json(record.settings, "the settings of a " + record.kind + " evaluation");
  const std::string results = dump_json(record.results, "the results of a " + record.kind + " evaluation");
  Statement s = db.prepare(
      "INSERT INTO eval_results (run_id, kind, settings, results, checkpoint_step, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  // A given created_at is kept (results carried over from elsewhere).
  s.bind_int64(1, record.run_id).bind_text(2, record.kind).bind_text(3, settings).bind_text(4, results);
  s.bind_optional(5, record.checkpoint_step)
      .bind_text(6, record.created_at.empty() ? utc_now() : record.created_at)
      .run();
  return db.last_insert_rowid();
}

void insert_metrics(const Db& db, int64_t run_id, const std::vector<MetricPoint>& points) {
  Statement insert =
      db.prepare("INSERT INTO metrics (run_id, series, step, value, wall_time) VALUES (?1, ?2, ?3, ?4, ?5)");
  insert.bind_int64(1, run_id);
  for (const MetricPoint& p : points) {
    insert.bind_text(2, p.series).bind_int64(3, p.step).bind_double(4, p.value).bind_double(5, p.wall_time);
    insert.run();
    insert.reset();
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Metrics

void ExperimentStore::append_metrics(int64_t run_id, const std::vector<MetricPoint>& points) {
  if (points.empty()) return;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const Db& db = impl_->db;
  Transaction transaction(db);
  impl_->require_run(run_id);
  insert_metrics(db, run_id, points);
  transaction.commit();
}

void ExperimentStore::truncate_metrics_after(int64_t run_id, int64_t step) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s = impl_->db.prepare("DELETE FROM metrics WHERE run_id = ?1 AND step > ?2");
  s.bind_int64(1, run_id).bind_int64(2, step).run();
}

std::vector<MetricPoint> ExperimentStore::metric_series(int64_t run_id, const std::string& series) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  // rowid breaks ties in insertion order, should a step be logged twice.
  Statement s = impl_->db.prepare(
      "SELECT step, value, wall_time FROM metrics WHERE run_id = ?1 AND series = ?2 ORDER BY step, rowid");
  s.bind_int64(1, run_id).bind_text(2, series);
  std::vector<MetricPoint> out;
  while (s.step()) out.push_back({series, s.column_int64(0), s.column_double(1), s.column_double(2)});
  return out;
}

std::vector<std::string> ExperimentStore::metric_names(int64_t run_id) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s = impl_->db.prepare("SELECT DISTINCT series FROM metrics WHERE run_id = ?1 ORDER BY series");
  s.bind_int64(1, run_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.column_text(0));
  return out;
}

std::optional<MetricPoint> ExperimentStore::last_metric(int64_t run_id, const std::string& series) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s = impl_->db.prepare(
      "SELECT step, value, wall_time FROM metrics WHERE run_id = ?1 AND series = ?2 "
      "ORDER BY step DESC, rowid DESC LIMIT 1");
  s.bind_int64(1, run_id).bind_text(2, series);
  if (!s.step()) return std::nullopt;
  return MetricPoint{series, s.column_int64(0), s.column_double(1), s.column_double(2)};
}

// ---------------------------------------------------------------------------
// Evaluation results


int64_t ExperimentStore::add_eval_result(const EvalRecord& record) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const Db& db = impl_->db;
  Transaction transaction(db);
  impl_->require_run(record.run_id);
  const std::int64_t id = insert_eval_result(db, record);
  transaction.commit();
  return id;
}

void ExperimentStore::add_evaluation(int64_t run_id, const std::vector<EvalRecord>& records,
                                     const std::vector<MetricPoint>& points) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const Db& db = impl_->db;
  Transaction transaction(db);
  impl_->require_run(run_id);
  for (EvalRecord record : records) {
    record.run_id = run_id;
    insert_eval_result(db, record);
  }
  insert_metrics(db, run_id, points);
  transaction.commit();
}

void ExperimentStore::delete_eval_results_after(int64_t run_id, int64_t step, const std::string& kind_prefix) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s = impl_->db.prepare(
      "DELETE FROM eval_results WHERE run_id = ?1 AND checkpoint_step > ?2 AND substr(kind, 1, length(?3)) = ?3");
  s.bind_int64(1, run_id).bind_int64(2, step).bind_text(3, kind_prefix).run();
}

std::vector<EvalRecord> ExperimentStore::eval_results(int64_t run_id, const std::string& kind) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s = impl_->db.prepare(
      "SELECT id, run_id, kind, settings, results, checkpoint_step, created_at FROM eval_results "
      "WHERE run_id = ?1 AND (?2 = '' OR kind = ?2) ORDER BY id");
  s.bind_int64(1, run_id).bind_text(2, kind);
  std::vector<EvalRecord> out;
  while (s.step()) {
    EvalRecord r;
    r.id = s.column_int64(0);
    r.run_id = s.column_int64(1);
    r.kind = s.column_text(2);
    r.settings = impl_->parse_json(s.column_text(3), "evaluation settings");
    r.results = impl_->parse_json(s.column_text(4), "evaluation result");
    r.checkpoint_step = s.column_optional_int64(5);
    r.created_at = s.column_text(6);
    out.push_back(std::move(r));
  }
  return out;
}

void ExperimentStore::delete_eval_results(int64_t run_id, const std::string& kind) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s = impl_->db.prepare("DELETE FROM eval_results WHERE run_id = ?1 AND kind = ?2");
  s.bind_int64(1, run_id).bind_text(2, kind).run();
}

// ---------------------------------------------------------------------------
// Artifacts

int64_t ExperimentStore::add_artifact(int64_t run_id, const std::string& kind,
                                      const std::filesystem::path& path, std::optional<int64_t> step) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) absolute = path;
  absolute = absolute.lexically_normal();
  // "ckpt/" and "ckpt" are one artifact; record it without the trailing '/'.
  if (!absolute.has_filename() && absolute.has_parent_path()) absolute = absolute.parent_path();
  // Hashing a checkpoint takes a while: do it before taking the lock, so that
  // other threads' reads (the GUI's) are not held up.
  const std::string hash = sha256_of_path(absolute);
  const std::int64_t bytes = bytes_of_path(absolute);

  std::lock_guard<std::mutex> lock(impl_->mutex);
  const Db& db = impl_->db;
  Transaction transaction(db);
  impl_->require_run(run_id);
  Statement s = db.prepare(
      "INSERT INTO artifacts (run_id, kind, path, sha256, bytes, step, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.bind_int64(1, run_id).bind_text(2, kind).bind_text(3, absolute.string()).bind_text(4, hash);
  s.bind_int64(5, bytes).bind_optional(6, step).bind_text(7, utc_now()).run();
  const std::int64_t id = db.last_insert_rowid();
  transaction.commit();
  return id;
}

std::vector<ArtifactRecord> ExperimentStore::artifacts(int64_t run_id, const std::string& kind) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s = impl_->db.prepare(
      "SELECT id, run_id, kind, path, sha256, bytes, step, created_at FROM artifacts "
      "WHERE run_id = ?1 AND (?2 = '' OR kind = ?2) ORDER BY id");
  s.bind_int64(1, run_id).bind_text(2, kind);
  std::vector<ArtifactRecord> out;
  while (s.step()) {
    ArtifactRecord r;
    r.id = s.column_int64(0);
    r.run_id = s.column_int64(1);
    r.kind = s.column_text(2);
    r.path = s.column_text(3);
    r.sha256 = s.column_text(4);
    r.bytes = s.column_int64(5);
    r.step = s.column_optional_int64(6);
    r.created_at = s.column_text(7);
    out.push_back(std::move(r));
  }
  return out;
}

std::string ExperimentStore::integrity_check() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement s = impl_->db.prepare("PRAGMA integrity_check");
  std::string report;
  while (s.step()) {
    if (!report.empty()) report += '\n';
    report += s.column_text(0);
  }
  return report;
}

}  // namespace pose::store
