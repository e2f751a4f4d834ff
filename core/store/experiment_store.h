// ExperimentStore: every number a run produces, in one SQLite file that the
// GUI and the CLI share. WAL journal, so several readers (the GUI, `pose runs`)
// read while one run writes; a busy timeout instead of "database is locked".
// The schema is versioned (PRAGMA user_version) and upgraded by ordered
// migrations when an older file is opened; a file from a newer version is
// refused with a message, never modified. Prepared statements only.
//
// Tables: experiments, runs (spec, status, timestamps, device, library
// versions, message), metrics (run, series, step, value, time), eval_results
// (run, kind, settings JSON, results JSON, checkpoint step), artifacts (run,
// kind, path, sha256, bytes, step).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pose::store {

// Run lifecycle: pending -> running -> done | failed | cancelled (and running
// again when resumed).
enum class RunStatus { Pending, Running, Done, Failed, Cancelled };
std::string to_string(RunStatus s);          // "pending", "running", ...
RunStatus parse_run_status(const std::string& s);  // throws UserError

struct ExperimentRecord {
  int64_t id = 0;
  std::string name;
  nlohmann::json spec;       // canonical spec JSON
  std::string created_at;    // UTC ISO 8601, e.g. "2026-11-23T10:15:02Z"
  std::string updated_at;
};

struct RunRecord {
  int64_t id = 0;
  int64_t experiment_id = 0;
  std::string experiment_name;
  std::string name;          // unique within its experiment ("base", "pose-linear", ...)
  std::string kind;          // "base" or "extend"
  RunStatus status = RunStatus::Pending;
  nlohmann::json spec;       // the run's resolved settings
  std::string device;        // "cpu", "cuda:0 (NVIDIA H100 ...)"
  nlohmann::json versions;   // {"pose": "...", "libtorch": "...", ...}
  std::string message;       // why it failed / was cancelled; empty otherwise
  std::string created_at, started_at, finished_at;  // empty until set
  std::string owner;         // the process running it (store/run_owner.h); empty unless running
  // Status "running", but the process that ran it is gone (killed, crashed,
  // machine restarted): what readers show as "interrupted".
  bool interrupted = false;
};

// "interrupted" for an interrupted run, else to_string(status): what to show.
std::string display_status(const RunRecord& r);

struct MetricPoint {
  std::string series;        // "train/loss", "train/lr", "train/grad_norm", "train/tokens_per_s", ...
  int64_t step = 0;
  double value = 0.0;
  double wall_time = 0.0;    // seconds since the run started
};

struct EvalRecord {
  int64_t id = 0;
  int64_t run_id = 0;
  std::string kind;          // "perplexity", "passkey", ...
  nlohmann::json settings;   // every setting needed to reproduce it
  nlohmann::json results;
  std::optional<int64_t> checkpoint_step;
  std::string created_at;
};

struct ArtifactRecord {
  int64_t id = 0;
  int64_t run_id = 0;
  std::string kind;          // "checkpoint", "hf-export", "tokenizer", "tokens", "report"
  std::string path;          // absolute
  std::string sha256;        // hex, of the file (for a directory: of its files' names and hashes, sorted)
  int64_t bytes = 0;
  std::optional<int64_t> step;
  std::string created_at;
};

class ExperimentStore {
 public:
  enum class Mode { ReadWrite, ReadOnly };
  // Opens (ReadWrite: creates, with parent directories, and migrates). Throws
  // UserError naming the file: unreadable, not a PoSE Studio store, newer schema.
  static ExperimentStore open(const std::filesystem::path& file, Mode mode = Mode::ReadWrite);
  ExperimentStore(ExperimentStore&&) noexcept;
  ExperimentStore& operator=(ExperimentStore&&) noexcept;
  ~ExperimentStore();

  static constexpr int kSchemaVersion = 2;
  int schema_version() const;
  const std::filesystem::path& path() const;

  // Experiments: by name; upsert keeps the id and replaces the spec.
  int64_t upsert_experiment(const std::string& name, const nlohmann::json& spec);
  std::optional<ExperimentRecord> find_experiment(const std::string& name) const;
  std::vector<ExperimentRecord> experiments() const;

  // Runs: (experiment, name) is unique. ensure_run creates it (pending) or
  // returns the existing one, updating its spec.
  int64_t ensure_run(int64_t experiment_id, const std::string& name, const std::string& kind,
                     const nlohmann::json& spec);
  std::optional<RunRecord> find_run(int64_t experiment_id, const std::string& name) const;
  std::optional<RunRecord> run(int64_t run_id) const;
  // All runs (of one experiment when given), in creation order.
  std::vector<RunRecord> runs(std::optional<int64_t> experiment_id = std::nullopt) const;
  // Running: sets started_at (first time only), device and versions, clears
  // message, records this process as the owner.
  void mark_running(int64_t run_id, const std::string& device, const nlohmann::json& versions);
  // Done / Failed / Cancelled: sets finished_at and message.
  void finish_run(int64_t run_id, RunStatus status, const std::string& message = {});
  // Back to pending, dropping its metrics, eval results and artifacts (a rerun from scratch).
  void reset_run(int64_t run_id);
  // Finishes every interrupted run (see RunRecord::interrupted) as cancelled,
  // with a message saying so and how to continue; returns them. Their metrics,
  // results and checkpoints are kept.
  std::vector<RunRecord> settle_interrupted_runs();

  // Metrics: appended in one transaction.
  void append_metrics(int64_t run_id, const std::vector<MetricPoint>& points);
  // Removes the points with step > `step` (a resumed run rewrites them exactly).
  void truncate_metrics_after(int64_t run_id, int64_t step);
  std::vector<MetricPoint> metric_series(int64_t run_id, const std::string& series) const;
  std::vector<std::string> metric_names(int64_t run_id) const;
  // Last value of a series, if any.
  std::optional<MetricPoint> last_metric(int64_t run_id, const std::string& series) const;

  int64_t add_eval_result(const EvalRecord& record);  // record.id ignored; returns the new id
  std::vector<EvalRecord> eval_results(int64_t run_id, const std::string& kind = {}) const;
  // Removes a run's results of one kind (re-evaluation replaces them).
  void delete_eval_results(int64_t run_id, const std::string& kind);
  // Removes a run's results whose kind starts with `kind_prefix` and whose
  // step is above `step` (a resumed run evaluates those steps again).
  void delete_eval_results_after(int64_t run_id, int64_t step, const std::string& kind_prefix);
  // Several results of one run and their metric points in one transaction:
  // all of them are stored or none (e.g. the parts of one periodic evaluation).
  void add_evaluation(int64_t run_id, const std::vector<EvalRecord>& records, const std::vector<MetricPoint>& points);

  // Computes sha256 and size of `path` (file or directory) and records it.
  int64_t add_artifact(int64_t run_id, const std::string& kind, const std::filesystem::path& path,
                       std::optional<int64_t> step = std::nullopt);
  std::vector<ArtifactRecord> artifacts(int64_t run_id, const std::string& kind = {}) const;

  // "ok", or SQLite's list of problems (PRAGMA integrity_check).
  std::string integrity_check() const;

 private:
  struct Impl;
  explicit ExperimentStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// <data dir>/store.sqlite: the store the CLI and the GUI share by default.
std::filesystem::path default_store_file();

// Hex SHA-256 of a file, streamed; of a directory: of "relative path\0file hash\n"
// for each regular file, sorted by path. Throws UserError when unreadable.
std::string sha256_of_path(const std::filesystem::path& path);
// Hex SHA-256 of bytes (exposed for tests: NIST vectors).
std::string sha256_hex(const void* data, std::size_t size);

}  // namespace pose::store
