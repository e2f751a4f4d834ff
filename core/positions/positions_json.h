// JSON forms of designs, samples and coverage curves: what `pose positions
// --json` and `pose coverage --json` print, and what the store and the GUI read.
#pragma once

#include <nlohmann/json.hpp>

#include "positions/coverage_types.h"
#include "positions/sampler_types.h"

namespace pose::positions {

// {"strategy", "train_len", "target_len", "chunks", "text_skip"}
nlohmann::json to_json(const Design& design);
// Reads the same keys; missing chunks/text_skip take the defaults. UserError on
// bad names or values.
Design design_from_json(const nlohmann::json& j);

// {"index", "status", ["reason"], "window", "position_ids", "chunk_lengths",
//  "position_skips", "text_skips", "text_ranges": [[begin, end), ...]}
nlohmann::json to_json(const Sample& sample);

// {"design", "method", "coverage", "expected_pairs", and for Monte-Carlo
//  "samples", "seed", "std_error", "wilson95_lower", "wilson95_upper"
//  [, "expected_pairs_std_error"]}
nlohmann::json to_json(const CoverageCurve& curve);

}  // namespace pose::positions
