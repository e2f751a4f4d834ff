// Monte-Carlo coverage for every strategy: draw K layouts with the same streams
// the sampler uses (sample k of `seed` here has the positions of
// draw_sample(design, long_doc, seed, k)) and count, per distance, how many
// samples trained it.
//
// Cost per sample is O(C^2) for C chunks, not O(Lc^2) pairs: chunk pair (a, b)
// covers one contiguous distance interval and its pair counts form a trapezoid,
// so each pair is a few updates to difference arrays (first order for "covered",
// second order for counts) that are integrated once at the end. The per-sample
// union of intervals is sorted and merged when there are few, or swept on a
// scratch difference array when there are many (randpos).
#pragma once

#include <atomic>
#include <cstdint>

#include "positions/coverage_types.h"
#include "positions/sampler_types.h"

namespace pose::positions {

struct MonteCarloOptions {
  std::int64_t samples = 10000;  // K
  std::uint64_t seed = 0;
  // Per-distance standard error of expected_pairs needs each sample's full
  // count curve: O(Lt) extra work per sample, so it is off by default.
  bool pair_std_error = false;
  // Set from another thread to stop early; the curve then holds the samples
  // drawn so far (curve.samples says how many).
  const std::atomic<bool>* cancel = nullptr;
};

CoverageCurve coverage_monte_carlo(const Design& design, const MonteCarloOptions& options);

}  // namespace pose::positions
