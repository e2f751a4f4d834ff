// Runs every stage of an experiment spec and records everything in the
// ExperimentStore:
//   data      corpus, split, tokenizer, token files           (run "data")
//   base      the base model: trained here at Lc, or an HF directory (run "base")
//   extend    each extension run: the base weights with the run's RoPE,
//             fine-tuned with its position strategy (or not), exported as an
//             HF directory, then evaluated with the spec's evaluation plan.
//
// Without `resume` every run starts from scratch. With `resume`, runs that are
// done with the same settings are skipped and an interrupted run continues
// from its last checkpoint, its stored metrics cut back to that step.
//
// Data parallelism (RunnerOptions::group): every rank runs the same stages and
// trains each run together; rank 0 alone writes the store, checkpoints,
// exports and evaluates, and decides what is skipped, while the others wait
// for it. A failure on any rank ends the whole job (rank 0 records it in the
// store), since the ranks could no longer agree on what comes next.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "distributed/process_group.h"
#include "experiment/experiment_spec.h"
#include "experiment/periodic_eval.h"
#include "train/train_events.h"

namespace pose::experiment {

class ExperimentObserver : public train::TrainObserver {
 public:
  virtual void on_run_started(const std::string& /*run*/, const std::string& /*kind*/) {}
  // status: "done", "failed", "cancelled", "skipped"
  virtual void on_run_finished(const std::string& /*run*/, const std::string& /*status*/,
                               const std::string& /*message*/) {}
  virtual void on_eval_result(const std::string& /*run*/, const std::string& /*kind*/,
                              const nlohmann::json& /*results*/) {}
  // A periodic evaluation of a run finished and was stored.
  virtual void on_periodic_eval(const PeriodicEvalEvent& /*event*/) {}
};

struct RunnerOptions {
  std::filesystem::path store_file;  // the ExperimentStore
  std::filesystem::path work_dir;    // data, checkpoints and exports of this experiment
  torch::Device device = torch::kCPU;
  bool resume = false;
  std::vector<std::string> only_runs;  // extension runs to run (empty: all); data and base always
  ExperimentObserver* observer = nullptr;
  train::RunControl* control = nullptr;
  // Data-parallel job this process belongs to (null: one process).
  distributed::ProcessGroup* group = nullptr;
  // With a group: ZeRO stage 1, AdamW's moments divided over the ranks
  // (train/optimizer_sharding.h); the losses are the same.
  bool shard_optimizer = false;
};

struct RunnerSummary {
  int64_t experiment_id = 0;
  std::vector<std::string> done, skipped, failed;
  bool cancelled = false;
  double wall_s = 0.0;
};

// Throws UserError for problems that stop the whole experiment (unreadable
// corpus, a base model that cannot be trained). A failing extension run is
// recorded as failed and the others still run; the summary lists it.
RunnerSummary run_experiment(const ExperimentSpec& spec, const RunnerOptions& options);

// The default place for an experiment's files: <data dir>/experiments/<name>.
std::filesystem::path default_work_dir(const ExperimentSpec& spec);
// <data dir>/store.sqlite, shared by the CLI and the GUI.
std::filesystem::path default_store_file();

// "cpu" or "cuda:0 (NVIDIA H100 ...)", as runs record it.
std::string device_description(const torch::Device& device);
// {"pose", "libtorch", "build"}: the versions a run records.
nlohmann::json versions_json();

// Parses "cpu", "cuda", "cuda:N"; UserError when CUDA is asked for but absent.
torch::Device parse_device(const std::string& name);

}  // namespace pose::experiment
