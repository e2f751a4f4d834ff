// RandPos (Ruoss et al. 2023): positions are a sorted random subset of the
// target range, so every relative distance can appear but no long span of
// consecutive positions is ever trained — the PoSE paper's negative baseline.
#include "positions/layout.h"

namespace pose::positions {

Layout randpos_layout(std::int64_t window, std::int64_t target_len, RandomStream& rng) {
  const auto ids = rng.distinct_sorted(target_len, window);
  // Runs of consecutive ids become chunks: the same Layout shape as PoSE, so
  // coverage, JSON and the layout view treat every strategy alike.
  Layout layout;
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t j = i + 1;
    while (j < ids.size() && ids[j] == ids[j - 1] + 1) ++j;
    const auto length = static_cast<std::int64_t>(j - i);
    layout.lengths.push_back(length);
    layout.skips.push_back(ids[i] - offset);
    offset += length;
    i = j;
  }
  return layout;
}

}  // namespace pose::positions
