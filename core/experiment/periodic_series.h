// How periodic evaluations (evaluation.periodic) are recorded in the store —
// their kinds and metric series — and what a reader needs to know about the
// stored runs to draw them. No LibTorch here: the workbench and reports read
// these without the engine's headers.
#pragma once

#include <nlohmann/json.hpp>

namespace pose::experiment {

// Store kinds and metric series of periodic evaluations.
inline constexpr const char* kPeriodicPerplexityKind = "periodic-perplexity";
inline constexpr const char* kPeriodicPasskeyKind = "periodic-passkey";
inline constexpr const char* kPeriodicAttentionKind = "periodic-attention";
inline constexpr const char* kPeriodicSeriesPrefix = "periodic/";

// From a stored extension run's settings (to_json(ExtendRunSpec)): whether it
// fine-tunes, and whether it is the original model (its RoPE unchanged, no
// fine-tuning) — whose perplexity at Lc is the reference line of "perplexity
// at Lt against the step".
bool stored_run_trains(const nlohmann::json& run_spec);
bool stored_run_is_original_model(const nlohmann::json& run_spec);

}  // namespace pose::experiment
