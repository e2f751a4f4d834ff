// Evaluation suites behind one interface, in one registry: the runner's final
// evaluation of a run, periodic evaluation while it trains and `pose eval`
// all loop over eval_suites(), so adding a suite is adding one class here and
// one line in the registry (eval_suite.cpp).
//
// A suite's plan is JSON: the spec's evaluation.<name> object (canonical,
// every default filled in), or for `pose eval` the command's flags over the
// run's own stored settings. run() turns a plan into the store's record — the
// settings that reproduce it, the results, and the headline metric points
// (results/metric_names.h) that `pose runs`, the report and the workbench read.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/eval_share.h"
#include "experiment/experiment_spec.h"
#include "model/llama_model.h"
#include "results/metric_names.h"
#include "text/tokenizer.h"

namespace pose::experiment {

using TokenDocuments = std::vector<std::vector<int32_t>>;

// What a suite measures with, besides the model.
struct SuiteInputs {
  const text::Tokenizer* tokenizer = nullptr;
  // Held-out documents of a split ("validation", "test"); `pose eval` has one set and returns it for any split.
  std::function<const TokenDocuments&(const std::string& split)> documents;
  // How those documents were chosen, stored with the settings (document names, corpus, split).
  std::function<nlohmann::json(const std::string& split)> documents_source;
  int64_t original_window = 0;  // Lc
  int64_t target_len = 0;       // Lt: the longest length the model is meant for
  // `pose eval`: the lengths a suite uses when neither the command nor the run's own settings of
  // its kind give any (the run's perplexity lengths, else default_eval_lengths).
  std::vector<int64_t> default_lengths;
  std::function<void(int64_t done, int64_t total)> progress;
  // Data parallelism: this rank's share of a suite that divides its work
  // (SuiteInfo::divides_work); the whole of it by default.
  eval::EvalShare share;
};

// One evaluation's record.
struct SuiteResult {
  nlohmann::json settings;  // every setting that reproduces it
  nlohmann::json results;
  std::vector<std::pair<std::string, double>> headline;  // metric points at the evaluated step
};

// Where a suite's plan lives in a spec.
enum class SpecPlan {
  None,   // `pose eval` only (probe: its document is given on the command line)
  Typed,  // a typed member of EvaluationPlan (and PeriodicPlan), read by the spec parser, edited by the Design form
  Own,    // EvaluationPlan::suites / PeriodicPlan::suites, read and checked by the suite (read_plan)
};

struct SuiteInfo {
  std::string name;         // `pose eval --suite NAME`, the spec's evaluation.NAME
  std::string kind;         // the store's kind of its records ("perplexity", "passkey", ...)
  std::string description;  // one line for --help and the workbench
  bool needs_documents = false;  // held-out text (perplexity, attention, RULER's haystacks)
  SpecPlan spec_plan = SpecPlan::None;
  // Whether run() divides its work over data-parallel ranks (SuiteInputs::share).
  bool divides_work = false;
};

// What a spec gives a suite's plan besides its own object.
struct SuitePlanContext {
  uint64_t seed = 0;            // the experiment's seed: the default seed of sampled prompts
  const CorpusSpec* corpus = nullptr;  // which held-out splits have documents
};

class EvalSuite {
 public:
  virtual ~EvalSuite() = default;
  virtual const SuiteInfo& info() const = 0;

  // The canonical plan of evaluation.<name> in a parsed spec; nullopt when the spec does not ask for it.
  // The default reads EvaluationPlan::suites (SpecPlan::Own).
  virtual std::optional<nlohmann::json> planned(const EvaluationPlan& plan) const;
  // SpecPlan::Own: reads and checks evaluation.<name> (or evaluation.periodic.<name>) of a spec
  // document, every error naming the field's path; returns the canonical plan, every default filled
  // in, which the spec parser keeps and to_json(spec) writes back.
  virtual nlohmann::json read_plan(const nlohmann::json& value, const std::string& path,
                                   const SuitePlanContext& context) const;
  // `pose eval`: the plan from the command's flags (`overrides`, as JSON: lengths, depths, trials,
  // seed, stride, ...; absent when not given) over the settings of the run's own evaluation of this
  // kind (null when none), else the suite's defaults for the model.
  virtual nlohmann::json request_plan(const nlohmann::json& overrides, const nlohmann::json& own,
                                      const SuiteInputs& inputs) const = 0;
  // Forward FLOPs of running a canonical plan on a model of this shape (prompts
  // and generated tokens), for the periodic evaluation's cost estimate; 0 when
  // the suite does not estimate it (the typed suites are estimated by
  // estimate_periodic_cost itself).
  virtual double forward_flops(const nlohmann::json& plan, const model::ModelConfig& config) const;
  // Runs a canonical plan on the model; `phase` names the headline metrics.
  virtual SuiteResult run(model::LlamaForCausalLM& model, const nlohmann::json& plan, const SuiteInputs& inputs,
                          results::EvalPhase phase) const = 0;
};

// Every suite, in the order they run.
const std::vector<const EvalSuite*>& eval_suites();
// UserError with a did-you-mean for an unknown name.
const EvalSuite& eval_suite(const std::string& name);
const EvalSuite* find_eval_suite(const std::string& name);

// Powers of two times Lc from Lc/2 up to max(2·Lc, longest): the lengths of a
// suite that has none from its plan, its run or the command line.
std::vector<int64_t> default_eval_lengths(int64_t original_window, int64_t longest);

}  // namespace pose::experiment
