// The headline quantities of a run summary (run_summary.h) as a table: each
// one's field in the summary and its name in the summary's JSON. The summary's
// JSON, the seed spread (seed_spread.h) and every table that shows a spread
// read the quantities through this, so a quantity is named once.
// No LibTorch and no Qt here.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "results/run_summary.h"

namespace pose::results {

enum class Headline {
  FinalLoss,
  WallS,
  TokensPerS,
  PplAtLc,
  PplAtLt,
  MinPpl,
  PasskeyAtLc,
  PasskeyAtLt,
  KvAtLt,
  AttentionBeyondLc,
  RulerAtLt,
  RulerEffectiveLength,
  OriginalPplAtLc,
  PplRatio,
  WorstPasskey,
};

// Every headline quantity, in the order above.
const std::vector<Headline>& headlines();
// Its name in to_json(RunSummary): "final_loss", "ppl_at_lt", ...
std::string_view headline_key(Headline h);
// Whole numbers (a length in tokens) rather than measurements.
bool headline_is_whole(Headline h);
// The summary's value, nullopt where the run has none.
std::optional<double> headline_value(const RunSummary& summary, Headline h);

// The headline fields of a summary written into / read from its JSON (null
// where missing; a missing or null field stays unset).
void write_headlines(const RunSummary& summary, nlohmann::json& j);
void read_headlines(const nlohmann::json& j, RunSummary& summary);

}  // namespace pose::results
