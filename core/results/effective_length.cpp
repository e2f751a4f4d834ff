#include "results/effective_length.h"

namespace pose::results {

std::optional<int64_t> effective_length(const std::map<int64_t, double>& average_by_length, double threshold) {
  std::optional<int64_t> longest;
  for (const auto& [length, average] : average_by_length) {  // increasing lengths
    if (average < threshold) break;
    longest = length;
  }
  return longest;
}

}  // namespace pose::results
