// RULER's synthetic tasks (eval/ruler_tasks.h) over a grid of tasks × context
// lengths × depths × trials, scored as RULER scores them, with RULER's
// effective length.
//
// Each trial is decoded greedily (TokenPredictor::generate, stopping at EOS)
// for the task's generation budget; the text is trimmed and control
// characters become line breaks, as RULER's post-processing does; the score is
// RULER's case-insensitive substring match (ruler_score).
//
// Depth: needle tasks get one cell per depth. Tasks without a depth (vt, cwe,
// fwe) get one cell per length with depth kNoDepth and trials × the number of
// depths, so that every task is measured on as many samples per length.
//
// A trial's sample depends only on (seed, task, length, depth, trial number),
// not on what else the grid holds: adding a length does not change the others.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/eval_share.h"
#include "eval/ruler_tasks.h"
#include "eval/token_predictor.h"
#include "results/effective_length.h"
#include "text/tokenizer.h"

namespace pose::eval {

// RULER's threshold for effective length: Llama-2-7B's average at 4K (85.6%).
inline constexpr double kRulerThreshold = results::kRulerThreshold;
// The depth of a cell whose task has none (JSON: null).
inline constexpr double kNoDepth = -1.0;

struct RulerSettings {
  std::vector<std::string> tasks;  // RULER's names; empty: every task
  std::vector<int64_t> lengths;
  std::vector<double> depths;      // in [0, 1]
  int64_t trials = 4;              // per cell of a needle task
  uint64_t seed = 0;
  std::optional<int64_t> max_new_tokens;  // overrides every task's generation budget
};

struct RulerSampleRecord {
  std::string expected_joined;  // the expected strings joined by ", "
  std::string generated;        // the decoded output, post-processed
  double score = 0.0;
};

struct RulerCell {
  std::string task;
  int64_t length = 0;
  double depth = kNoDepth;
  int64_t trials = 0;
  double score_sum = 0.0;       // sum of the trials' scores (each in [0, 1])
  int64_t prompt_tokens = 0;    // longest prompt built for the cell
  std::vector<RulerSampleRecord> samples;  // the first few trials
  std::string skipped;          // why the cell was not evaluated (then trials is 0)
  double accuracy() const { return trials > 0 ? score_sum / static_cast<double>(trials) : 0.0; }
};

struct RulerResult {
  std::vector<RulerCell> cells;
  // Trial-weighted over the task's cells at `length`; nullopt when none was evaluated.
  std::optional<double> accuracy(const std::string& task, int64_t length) const;
  // Mean over the tasks evaluated at `length` of accuracy(task, length) (RULER's
  // average; a task skipped there is left out); nullopt when none was.
  std::optional<double> average(int64_t length) const;
  // Every length of the cells, ascending (skipped ones included).
  std::vector<int64_t> lengths() const;
};

// RULER's string_match_all / string_match_part for one output: the share of
// `expected` strings the output contains (All), or 1 when it contains any
// (Part); case-insensitive. 0 when `expected` is empty.
double ruler_score(RulerScoring scoring, const std::vector<std::string>& expected, const std::string& output);

// Progress in trials: (done, total); skipped cells count as done.
RulerResult evaluate_ruler(TokenPredictor& predictor, const text::Tokenizer& tokenizer,
                           const std::vector<std::vector<int32_t>>& haystack_documents, const RulerSettings& settings,
                           const std::function<void(int64_t done, int64_t total)>& progress = {},
                           const EvalShare& share = {});

// Every setting, each task's RULER configuration, budget and scoring included.
nlohmann::json to_json(const RulerSettings& settings);
// Throws UserError naming the field of a malformed document.
RulerSettings ruler_settings_from_json(const nlohmann::json& j);
// The cells, plus derived numbers for readers (averages per length, effective
// length at kRulerThreshold) that ruler_result_from_json does not read back.
nlohmann::json to_json(const RulerResult& result);
// Reads to_json(RulerResult) back; throws UserError naming the field of a malformed document.
RulerResult ruler_result_from_json(const nlohmann::json& j);

// RULER's effective length (results/effective_length.h, the one definition the
// run summary also reads): the longest evaluated length L such that the
// average (RulerResult::average) at every evaluated length <= L is at or
// above `threshold`. A length is evaluated when at least one task was; a dip
// below the threshold ends the effective length even if a longer length
// recovers. nullopt when even the shortest evaluated length is below.
std::optional<int64_t> effective_length(const RulerResult& result, double threshold = kRulerThreshold);

}  // namespace pose::eval
