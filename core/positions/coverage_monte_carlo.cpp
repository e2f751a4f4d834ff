#include "positions/coverage_monte_carlo.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "common/error.h"
#include "positions/layout.h"
#include "positions/random_stream.h"

namespace pose::positions {

namespace {

using Index = std::size_t;

struct Span {
  std::int64_t lo, hi;  // inclusive distance interval
};

// Adds one chunk pair's count trapezoid to a second-order difference array:
// pairs between a block of la positions and a block of lb positions starting s
// distances apart (s = first distance) number box(la) * box(lb), whose second
// difference is +1 at s, -1 at s+la and s+lb, +1 at s+la+lb.
inline void add_trapezoid(std::vector<std::int64_t>& d2, std::int64_t s, std::int64_t la, std::int64_t lb) {
  d2[static_cast<Index>(s)] += 1;
  d2[static_cast<Index>(s + la)] -= 1;
  d2[static_cast<Index>(s + lb)] -= 1;
  d2[static_cast<Index>(s + la + lb)] += 1;
}

// Pairs (i <= j) inside one block of l positions: l - d at distance d < l.
inline void add_within(std::vector<std::int64_t>& d2, std::int64_t l) {
  d2[0] += l;
  d2[1] -= l + 1;
  d2[static_cast<Index>(l + 1)] += 1;
}

// Integrates a second-order difference array in place.
void integrate_twice(std::vector<std::int64_t>& a) {
  for (int pass = 0; pass < 2; ++pass) {
    std::int64_t run = 0;
    for (auto& x : a) {
      run += x;
      x = run;
    }
  }
}

}  // namespace

CoverageCurve coverage_monte_carlo(const Design& design, const MonteCarloOptions& options) {
  validate(design);
  if (options.samples < 1) {
    throw UserError("samples: " + std::to_string(options.samples) + " is below 1",
                    "Monte-Carlo coverage needs at least one sample (10000 gives about ±0.01)");
  }
  const std::int64_t lt = design.target_len;
  const std::int64_t window = full_window(design);
  const auto size = static_cast<Index>(lt + 2);  // updates reach index Lt + 1

  std::vector<std::int64_t> covered_d1(size, 0);  // first-order: samples covering d
  std::vector<std::int64_t> pairs_d2(size, 0);    // second-order: pair counts over all samples
  std::vector<std::int64_t> scratch_d1, scratch_pairs;
  std::vector<double> pair_sum_sq;
  if (options.pair_std_error) pair_sum_sq.assign(static_cast<Index>(lt), 0.0);

  std::vector<std::int64_t> starts;
  std::vector<Span> spans;
  std::int64_t drawn = 0;
  for (std::int64_t k = 0; k < options.samples; ++k) {
    if (options.cancel && options.cancel->load(std::memory_order_relaxed)) break;
    RandomStream rng = RandomStream::for_sample(options.seed, static_cast<std::uint64_t>(k));
    const Layout layout = draw_layout(design, window, rng);
    const auto n = layout.lengths.size();
    starts.resize(n);
    std::int64_t offset = 0, longest = 0;
    for (Index i = 0; i < n; ++i) {
      starts[i] = offset + layout.skips[i];
      offset += layout.lengths[i];
      longest = std::max(longest, layout.lengths[i]);
    }

    // Pair counts of this sample.
    std::vector<std::int64_t>& pd2 = options.pair_std_error ? scratch_pairs : pairs_d2;
    if (options.pair_std_error) scratch_pairs.assign(size, 0);
    for (Index a = 0; a < n; ++a) {
      add_within(pd2, layout.lengths[a]);
      const std::int64_t end_a = starts[a] + layout.lengths[a] - 1;
      for (Index b = a + 1; b < n; ++b) add_trapezoid(pd2, starts[b] - end_a, layout.lengths[a], layout.lengths[b]);
    }
    if (options.pair_std_error) {
      integrate_twice(scratch_pairs);
      for (std::int64_t d = 0; d < lt; ++d) {
        const auto v = static_cast<double>(scratch_pairs[static_cast<Index>(d)]);
        pair_sum_sq[static_cast<Index>(d)] += v * v;
      }
      // With standard errors on, pairs_d2 holds plain per-distance totals (each
      // sample's curve is integrated already) and is not integrated at the end.
      for (std::int64_t d = 0; d < lt; ++d) pairs_d2[static_cast<Index>(d)] += scratch_pairs[static_cast<Index>(d)];
    }

    // Distances this sample covers: [0, longest-1] within chunks, and for each
    // chunk pair the interval from its closest to its farthest pair.
    const std::int64_t cross_pairs = static_cast<std::int64_t>(n * (n - 1) / 2);
    const double merge_cost = static_cast<double>(cross_pairs) * std::log2(static_cast<double>(cross_pairs) + 2.0);
    if (merge_cost < static_cast<double>(lt)) {
      spans.clear();
      spans.push_back({0, longest - 1});
      for (Index a = 0; a < n; ++a) {
        const std::int64_t end_a = starts[a] + layout.lengths[a] - 1;
        for (Index b = a + 1; b < n; ++b) {
          spans.push_back({starts[b] - end_a, starts[b] + layout.lengths[b] - 1 - starts[a]});
        }
      }
      std::sort(spans.begin(), spans.end(), [](const Span& x, const Span& y) { return x.lo < y.lo; });
      std::int64_t lo = spans[0].lo, hi = spans[0].hi;
      for (Index i = 1; i < spans.size(); ++i) {
        if (spans[i].lo <= hi + 1) {
          hi = std::max(hi, spans[i].hi);
        } else {
          covered_d1[static_cast<Index>(lo)] += 1;
          covered_d1[static_cast<Index>(hi + 1)] -= 1;
          lo = spans[i].lo;
          hi = spans[i].hi;
        }
      }
      covered_d1[static_cast<Index>(lo)] += 1;
      covered_d1[static_cast<Index>(hi + 1)] -= 1;
    } else {
      // Many chunks: count overlaps on a scratch array, then mark d once where
      // the overlap count is positive.
      scratch_d1.assign(size, 0);
      scratch_d1[0] += 1;
      scratch_d1[static_cast<Index>(longest)] -= 1;
      for (Index a = 0; a < n; ++a) {
        const std::int64_t end_a = starts[a] + layout.lengths[a] - 1;
        for (Index b = a + 1; b < n; ++b) {
          scratch_d1[static_cast<Index>(starts[b] - end_a)] += 1;
          scratch_d1[static_cast<Index>(starts[b] + layout.lengths[b] - starts[a])] -= 1;
        }
      }
      std::int64_t run = 0;
      bool inside = false;
      for (std::int64_t d = 0; d <= lt; ++d) {
        run += scratch_d1[static_cast<Index>(d)];
        const bool now = run > 0;
        if (now != inside) covered_d1[static_cast<Index>(d)] += now ? 1 : -1;
        inside = now;
      }
    }
    ++drawn;
  }

  CoverageCurve c;
  c.design = design;
  c.method = CoverageMethod::MonteCarlo;
  c.samples = drawn;
  c.seed = options.seed;
  if (!options.pair_std_error) integrate_twice(pairs_d2);
  const double kk = static_cast<double>(std::max<std::int64_t>(drawn, 1));
  c.coverage.resize(static_cast<Index>(lt));
  c.expected_pairs.resize(static_cast<Index>(lt));
  c.std_error.resize(static_cast<Index>(lt));
  c.lower.resize(static_cast<Index>(lt));
  c.upper.resize(static_cast<Index>(lt));
  if (options.pair_std_error) c.expected_pairs_std_error.resize(static_cast<Index>(lt));
  std::int64_t hits = 0;
  for (std::int64_t d = 0; d < lt; ++d) {
    const auto i = static_cast<Index>(d);
    hits += covered_d1[i];
    const double p = static_cast<double>(hits) / kk;
    c.coverage[i] = p;
    c.std_error[i] = std::sqrt(p * (1 - p) / kk);
    const Interval band = wilson_interval(hits, drawn);
    c.lower[i] = band.lower;
    c.upper[i] = band.upper;
    const double mean = static_cast<double>(pairs_d2[i]) / kk;
    c.expected_pairs[i] = mean;
    if (options.pair_std_error) {
      const double var = std::max(0.0, pair_sum_sq[i] / kk - mean * mean);
      c.expected_pairs_std_error[i] = drawn > 1 ? std::sqrt(var / (kk - 1)) : 0.0;
    }
  }
  return c;
}

}  // namespace pose::positions
