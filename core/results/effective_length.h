// RULER's effective length: the longest context length at which a model's
// average score over the tasks still holds a threshold. RULER's threshold is
// Llama-2-7B's average at 4K (85.6%); a workbench run is judged against its
// own original model's score at Lc, when the experiment measured one.
//
// Read here as the longest evaluated length L such that the average at every
// evaluated length up to L holds the threshold: a model that fails at 4K and
// recovers at 8K has an effective length below 4K, as a user would expect from
// "the context length it can be trusted with".
#pragma once

#include <cstdint>
#include <map>
#include <optional>

namespace pose::results {

inline constexpr double kRulerThreshold = 0.856;

// `average_by_length`: the average score at each evaluated length. nullopt
// when even the shortest is below the threshold (or nothing was evaluated).
std::optional<int64_t> effective_length(const std::map<int64_t, double>& average_by_length, double threshold);

}  // namespace pose::results
