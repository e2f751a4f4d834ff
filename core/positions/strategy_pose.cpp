// PoSE's skip-wise layouts: the published 2-chunk sampler, its N-chunk
// generalisation (paper appendix) and the pre-fix variant pose-v1.
#include "positions/layout.h"

namespace pose::positions {

std::vector<std::int64_t> pose_chunk_lengths(std::int64_t window, int chunks, RandomStream& rng) {
  if (chunks == 1) return {window};
  if (chunks == 2) {
    // The reference implementation: rt1 = randint(1, (len_chunk + 1) // 2).
    // Chunk 0 is at most half the window, so the long contiguous chunk is the
    // one that is skipped; we keep the rule exactly so N = 2 reproduces PoSE.
    const std::int64_t l0 = rng.between(1, (window + 1) / 2);
    return {l0, window - l0};
  }
  // The paper only says "split Lc randomly". A uniform composition (every
  // split into N positive parts equally likely) has no preferred chunk and is
  // what N-1 sorted distinct cut points give.
  const auto cuts = rng.distinct_sorted(window - 1, chunks - 1);  // values in 0..W-2 → cuts 1..W-1
  std::vector<std::int64_t> lengths;
  lengths.reserve(static_cast<std::size_t>(chunks));
  std::int64_t previous = 0;
  for (auto c : cuts) {
    lengths.push_back(c + 1 - previous);
    previous = c + 1;
  }
  lengths.push_back(window - previous);
  return lengths;
}

Layout pose_layout(std::int64_t window, std::int64_t target_len, int chunks, bool shift_first_chunk,
                   RandomStream& rng) {
  Layout layout;
  layout.lengths = pose_chunk_lengths(window, chunks, rng);
  const std::int64_t max_skip = target_len - window;  // the last position stays <= Lt - 1
  layout.skips.resize(layout.lengths.size());
  // The fix of October 2023 pinned chunk 0 at position 0 (lt = 0); before it,
  // chunk 0 was shifted too, which made the gap between chunks (rt - lt)
  // favour small distances.
  std::int64_t u = shift_first_chunk ? rng.between(0, max_skip) : 0;
  layout.skips[0] = u;
  for (std::size_t i = 1; i < layout.skips.size(); ++i) {
    u = rng.between(u, max_skip);
    layout.skips[i] = u;
  }
  return layout;
}

}  // namespace pose::positions
