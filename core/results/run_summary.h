// A run's headline numbers, read from its stored metrics the same way by every
// reader: `pose runs` (table and --json), the report's run table, the
// workbench's Compare table and the paper-claims column. The original model
// (the experiment's run that neither fine-tunes nor rescales RoPE) is the
// reference: perplexity at Lt is also given as a ratio to its perplexity at Lc.
// No LibTorch and no Qt here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace pose::results {

// The last point of each metric series of a run, by name (metric_names.h);
// for a series the summary reads as its mean over the run
// (summarized_by_mean), also the mean of all its points.
struct LastValue {
  int64_t step = 0;
  double value = 0.0;
  std::optional<double> mean = std::nullopt;
};
using LastMetrics = std::map<std::string, LastValue>;

// Series whose headline is their mean over the run's steps rather than their
// last point: a reader of the store fills LastValue::mean for these.
bool summarized_by_mean(const std::string& series);

// From a stored extension run's settings (to_json(ExtendRunSpec)).
bool run_trains(const nlohmann::json& run_spec);
// No fine-tuning and RoPE unscaled: the run that evaluates the original model.
bool is_original_model(const nlohmann::json& run_spec);

// Lc: the original model's training length (base_model.train_len); 0 when the
// spec does not say (an HF base model).
int64_t experiment_lc(const nlohmann::json& experiment_spec);
// Lt of a run: its own target_len, else the experiment's; 0 when neither says.
int64_t run_lt(const nlohmann::json& experiment_spec, const nlohmann::json& run_spec);

struct RunSummary {
  int64_t lc = 0;
  int64_t lt = 0;
  std::optional<int64_t> steps;  // the last step with a training loss
  std::optional<double> final_loss;
  std::optional<double> wall_s;
  std::optional<double> tokens_per_s;  // every rank's together
  // Data parallelism: the processes that trained the run's last session (1 for
  // one process, and for runs stored before the store recorded it), and the
  // slowest rank's tokens/s over its share of each step, averaged over the
  // steps (only runs of more than one rank have it).
  int64_t world_size = 1;
  std::optional<double> slowest_rank_tokens_per_s;
  std::optional<double> ppl_at_lc;
  std::optional<double> ppl_at_lt;
  std::optional<double> min_ppl;  // lowest final perplexity at any evaluated length
  std::optional<double> passkey_at_lc;
  std::optional<double> passkey_at_lt;
  std::optional<double> kv_at_lt;
  std::optional<double> attention_beyond_lc;
  std::optional<double> ruler_at_lt;  // RULER's average over its tasks at Lt
  // RULER's effective length (results/effective_length.h) against the threshold below: the
  // original model's own RULER average at Lc when the experiment measured it above 0, else RULER's 85.6%.
  std::optional<int64_t> ruler_effective_length;
  std::optional<double> ruler_threshold;  // set when the run has RULER scores
  std::string ruler_threshold_source;     // "original model at Lc" or "RULER (Llama-2-7B at 4K)"
  // Against the original model.
  std::optional<double> original_ppl_at_lc;
  std::optional<double> ppl_ratio;      // ppl_at_lt / original_ppl_at_lc
  std::optional<double> worst_passkey;  // lowest final passkey accuracy at a length <= Lt
};

// `original`: the last metrics of the experiment's original-model run, when it has one.
RunSummary summarize_run(const LastMetrics& run, const LastMetrics* original, int64_t lc, int64_t lt);

// Every field by its name above; null where the value is missing.
nlohmann::json to_json(const RunSummary& summary);
// The inverse (a report's stored summary); missing or null fields stay unset.
RunSummary run_summary_from_json(const nlohmann::json& j);

}  // namespace pose::results
