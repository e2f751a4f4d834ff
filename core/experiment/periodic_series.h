// The store kinds of periodic evaluations (evaluation.periodic). Their metric
// series are named in results/metric_names.h (phase Periodic). No LibTorch
// here: the workbench and reports read these without the engine's headers.
#pragma once

namespace pose::experiment {

inline constexpr const char* kPeriodicPerplexityKind = "periodic-perplexity";
inline constexpr const char* kPeriodicPasskeyKind = "periodic-passkey";
inline constexpr const char* kPeriodicAttentionKind = "periodic-attention";
// Registered suites with a plan of their own: "periodic-" + the suite's kind ("periodic-ruler").
inline constexpr const char* kPeriodicKindPrefix = "periodic-";

}  // namespace pose::experiment
