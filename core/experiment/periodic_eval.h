// Light evaluations while an extension run trains (evaluation.periodic in the
// spec): which steps are evaluated, what one evaluation costs against the
// run's training, and the evaluation itself — perplexity at a few lengths, a
// small passkey grid and the attention mass beyond Lc, on held-out text.
//
// The runner stores every result like any evaluation (kinds
// "periodic-perplexity", "periodic-passkey", "periodic-attention", with the
// step and settings) plus metric series indexed by step ("periodic/ppl@L",
// "periodic/passkey@L", "periodic/passkey", "periodic/attention_beyond_lc",
// "periodic/wall_s"), and streams each as a live event.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/attention_distance.h"
#include "eval/perplexity.h"
#include "eval/retrieval_grid.h"
#include "experiment/experiment_spec.h"
#include "experiment/periodic_series.h"
#include "model/llama_model.h"
#include "text/tokenizer.h"

namespace pose::experiment {

// Lc/2, Lc, 2·Lc, 4·Lc and Lt, those in [2, Lt], increasing and distinct.
std::vector<int64_t> default_periodic_perplexity_lengths(int64_t original_window, int64_t target_len);
// Lc, 2·Lc and Lt, those up to Lt.
std::vector<int64_t> default_periodic_passkey_lengths(int64_t original_window, int64_t target_len);

// The plan with every length filled in for a run extending Lc to Lt.
PeriodicPlan resolve_periodic_plan(const PeriodicPlan& plan, int64_t original_window, int64_t target_len);

// Scheduled steps: 0 (when at_start), every multiple of `every`, and the last
// step. A run that does not train (total_steps 0) is evaluated once, at 0.
bool periodic_due(const PeriodicPlan& plan, int64_t step, int64_t total_steps);
std::vector<int64_t> periodic_steps(const PeriodicPlan& plan, int64_t total_steps);
// Whether max_share may skip this step (never the first or last evaluation).
bool periodic_skippable(const PeriodicPlan& plan, int64_t step, int64_t total_steps);

// Forward FLOPs of one token that attends to `context` tokens: the matrix
// products of every weight (2 per parameter, the LM head included, the
// embedding lookup not) plus attention scores and values (4·heads·head_dim·
// context per layer).
double forward_flops_per_token(const model::ModelConfig& config, double context);

struct PeriodicCostEstimate {
  int64_t evaluations = 0;        // scheduled over the run
  double evaluation_flops = 0.0;  // one evaluation (forward passes only)
  double training_flops = 0.0;    // the whole run: 3x forward (backward ≈ 2x forward)
  double share() const { return training_flops > 0 ? evaluations * evaluation_flops / training_flops : 0.0; }
};

// The cost of a resolved plan on a run. `held_out_tokens`: tokens of the split,
// which bounds perplexity evaluation when max_tokens is 0.
PeriodicCostEstimate estimate_periodic_cost(const PeriodicPlan& resolved, const model::ModelConfig& config,
                                            const ExtendRunSpec& run, int64_t held_out_tokens);

struct PeriodicResult {
  int64_t step = 0;
  std::vector<eval::PerplexityPoint> perplexity;
  nlohmann::json perplexity_settings;
  std::vector<eval::RetrievalCell> passkey;
  nlohmann::json passkey_settings;
  std::optional<eval::AttentionDistanceResult> attention;
  nlohmann::json attention_settings;
  // Registered suites with a plan of their own (PeriodicPlan::suites, e.g. a
  // small RULER subset): stored as kind "periodic-<kind>".
  struct SuiteRecord {
    std::string name, kind;
    nlohmann::json settings, results;
    std::vector<std::pair<std::string, double>> headline;  // periodic metric points
  };
  std::vector<SuiteRecord> suites;
  double wall_s = 0.0;
};

// What a periodic evaluation needs besides the model.
struct PeriodicContext {
  const std::vector<std::vector<int32_t>>* documents = nullptr;  // the plan's held-out split
  const text::Tokenizer* tokenizer = nullptr;
  int64_t original_window = 0;  // Lc
  int64_t target_len = 0;       // Lt of the run
  // Polled between parts and lengths: when it returns true the evaluation
  // stops and nothing is returned, so a result is always whole.
  std::function<bool()> cancelled;
  // Data-parallel ranks: perplexity, passkey and the suites that divide their
  // work (EvalSuite::info().divides_work) are divided and summed, so every
  // rank ends with one process's result; attention and other suites run on
  // share index 0 alone. Every rank calls with the same plan and step.
  eval::EvalShare share;
};

// Runs the resolved plan's parts in evaluation mode without gradients; nullopt
// when cancelled.
std::optional<PeriodicResult> run_periodic_evaluation(model::LlamaForCausalLM& model, const PeriodicPlan& resolved,
                                                      const PeriodicContext& context, int64_t step);

// Metric points of a result (series name, value): "periodic/ppl@L",
// "periodic/passkey@L", "periodic/passkey" (trial-weighted mean over the
// grid), "periodic/attention_beyond_lc", the suites' own (e.g.
// "periodic/ruler@L"), "periodic/wall_s".
std::vector<std::pair<std::string, double>> periodic_headline(const PeriodicResult& result);

// "ppl@128 45.1 @256 44.0 | passkey@256 0.50 @2048 0.00 | attention beyond Lc 0.452 | ruler@256 0.10 (1.3 s)".
std::string describe(const PeriodicResult& result);

// A live event: one finished periodic evaluation of a run.
struct PeriodicEvalEvent {
  std::string run;
  int64_t step = 0;
  int64_t total_steps = 0;
  std::vector<std::pair<int64_t, double>> perplexity;  // (length, ppl)
  std::vector<std::pair<int64_t, double>> passkey;     // (length, accuracy)
  std::optional<double> passkey_mean;
  std::optional<double> attention_beyond;              // mean attention mass at distance >= Lc
  double wall_s = 0.0;
  double share = 0.0;  // periodic evaluation time so far / training time so far
};

PeriodicEvalEvent make_periodic_event(const std::string& run, int64_t total_steps, const PeriodicResult& result,
                                      double share);

}  // namespace pose::experiment
