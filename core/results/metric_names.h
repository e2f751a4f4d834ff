// The names of the metric series a run stores: one definition for the writers
// (the trainer's stages, the final and the periodic evaluations) and for every
// reader (`pose runs`, the report, the workbench). A name is never spelled
// out anywhere else; readers build it here or parse it here.
//
//   train/loss, train/lr, ...        one point per training step
//   run/wall_s, run/tokens_per_s     a finished training stage
//   eval/<metric>[@L]                the final evaluation of a run
//   periodic/<metric>[@L]            an evaluation while the run trains
//
// <metric>@L is per context length L (perplexity, passkey and key-value
// accuracy, RULER's average score); the others are one number per evaluation.
// No LibTorch and no Qt here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pose::results {

// Training series (core/train/train_events.h).
inline constexpr const char* kTrainLoss = "train/loss";
inline constexpr const char* kTrainLr = "train/lr";
inline constexpr const char* kTrainGradNorm = "train/grad_norm";
inline constexpr const char* kTrainTokensPerS = "train/tokens_per_s";
inline constexpr const char* kTrainTokens = "train/tokens";
inline constexpr const char* kTrainMemoryMb = "train/memory_mb";
// Data-parallel runs (more than one rank): the rank whose share of the step
// took longest, and its tokens/s (train/tokens_per_s counts every rank's).
inline constexpr const char* kTrainSlowestRank = "train/slowest_rank";
inline constexpr const char* kTrainSlowestRankTokensPerS = "train/slowest_rank_tokens_per_s";
// A finished training stage.
inline constexpr const char* kRunWallS = "run/wall_s";
inline constexpr const char* kRunTokensPerS = "run/tokens_per_s";
// The number of data-parallel processes that trained the stage's last session.
inline constexpr const char* kRunWorldSize = "run/world_size";
// Parameters of the trained model, and those of them that trained (all of
// them in full fine-tuning; LoRA: adapters and what else it trains).
inline constexpr const char* kRunParameters = "run/parameters";
inline constexpr const char* kRunTrainableParameters = "run/trainable_parameters";

// When an evaluation metric was measured.
enum class EvalPhase {
  Final,     // "eval/": after the run, by its experiment's evaluation plan or `pose eval`
  Periodic,  // "periodic/": while the run trains (evaluation.periodic)
};

enum class EvalMetric {
  Perplexity,            // ppl@L
  Passkey,               // passkey@L: accuracy over the depths and trials at L
  Kv,                    // kv@L: key-value retrieval accuracy at L
  Ruler,                 // ruler@L: RULER's score averaged over its tasks at L
  PasskeyMean,           // passkey: accuracy over the whole grid (periodic)
  AttentionBeyondLc,     // attention_beyond_lc: mean attention mass at distance >= Lc
  WallS,                 // wall_s: seconds one evaluation took (periodic)
};

// Whether the metric is per context length (named with "@L").
bool per_length(EvalMetric metric);
// The metric's word in a name ("ppl", "passkey", ...).
std::string_view metric_word(EvalMetric metric);

struct MetricName {
  EvalPhase phase = EvalPhase::Final;
  EvalMetric metric = EvalMetric::Perplexity;
  std::optional<int64_t> length;  // set exactly when per_length(metric)
};

// "eval/ppl@2048", "periodic/passkey", ... Throws std::invalid_argument when
// the length is missing for a per-length metric or given for another.
std::string metric_name(EvalPhase phase, EvalMetric metric, std::optional<int64_t> length = std::nullopt);
std::string metric_name(const MetricName& name);
// The inverse; nullopt for a training series or any name not made above.
std::optional<MetricName> parse_metric_name(std::string_view name);

// Shorthands for the final evaluation's names.
std::string ppl_at(int64_t length, EvalPhase phase = EvalPhase::Final);
std::string passkey_at(int64_t length, EvalPhase phase = EvalPhase::Final);

// Retrieval prompt formats ("passkey", "kv": eval::RetrievalFormat::name) name their metric.
EvalMetric retrieval_metric(std::string_view format_name);

// The prefix of every name of a phase ("eval/", "periodic/").
std::string_view phase_prefix(EvalPhase phase);

}  // namespace pose::results
