#include "positions/coverage_exact.h"

#include <algorithm>

#include "common/error.h"

namespace pose::positions {

namespace {

using Index = std::size_t;

// One contiguous block of `window` tokens at positions 0 .. window-1.
CoverageCurve contiguous(const Design& design, std::int64_t window) {
  CoverageCurve c;
  c.design = design;
  c.method = CoverageMethod::Exact;
  const auto lt = static_cast<Index>(design.target_len);
  c.coverage.assign(lt, 0.0);
  c.expected_pairs.assign(lt, 0.0);
  for (std::int64_t d = 0; d < window; ++d) {
    c.coverage[static_cast<Index>(d)] = 1.0;
    c.expected_pairs[static_cast<Index>(d)] = static_cast<double>(window - d);
  }
  return c;
}

// Distribution of the gap between the two chunks, g in 0..M.
std::vector<double> gap_distribution(const Design& design) {
  const std::int64_t m = design.target_len - design.train_len;
  std::vector<double> q(static_cast<Index>(m + 1));
  if (design.strategy == Strategy::Pose) {
    std::fill(q.begin(), q.end(), 1.0 / static_cast<double>(m + 1));
    return q;
  }
  // pose-v1: P(g) = sum_{lt=0}^{M-g} 1/((M+1)(M-lt+1)) = (1/(M+1)) sum_{k=g+1}^{M+1} 1/k.
  // Summed from the small terms up (long double) to keep the tail accurate.
  long double tail = 0;
  for (std::int64_t g = m; g >= 0; --g) {
    tail += 1.0L / static_cast<long double>(g + 1);
    q[static_cast<Index>(g)] = static_cast<double>(tail / static_cast<long double>(m + 1));
  }
  return q;
}

}  // namespace

bool has_exact_coverage(const Design& design) {
  switch (design.strategy) {
    case Strategy::Full:
    case Strategy::None: return true;
    case Strategy::Pose:
    case Strategy::PoseV1: return design.chunks <= 2;
    case Strategy::RandPos: return false;
  }
  return false;
}

CoverageCurve coverage_exact(const Design& design) {
  validate(design);
  if (!has_exact_coverage(design)) {
    throw UserError(std::string("method: no exact coverage for ") + describe(design),
                    "exact curves exist for pose/pose-v1 with 1 or 2 chunks, full and none; "
                    "use --method monte-carlo");
  }
  const std::int64_t lc = design.train_len;
  const std::int64_t lt = design.target_len;
  if (design.strategy == Strategy::Full) return contiguous(design, lt);
  // One chunk has no gap to skip: whatever its shift, it trains d < Lc.
  if (design.strategy == Strategy::None || design.chunks == 1) return contiguous(design, lc);

  CoverageCurve c;
  c.design = design;
  c.method = CoverageMethod::Exact;
  c.coverage.assign(static_cast<Index>(lt), 0.0);
  c.expected_pairs.assign(static_cast<Index>(lt), 0.0);

  // l0 ~ U{1 .. ceil(Lc/2)}, l1 = Lc - l0 (the published rule).
  const std::int64_t h = (lc + 1) / 2;
  const double w = 1.0 / static_cast<double>(h);

  // Within-chunk part. tail[d] = P(max chunk length > d); pairs: max(0, l - d).
  std::vector<double> longer_than(static_cast<Index>(lc + 1), 0.0);
  for (std::int64_t l0 = 1; l0 <= h; ++l0) {
    const std::int64_t l1 = lc - l0;
    longer_than[static_cast<Index>(std::max(l0, l1) - 1)] += w;  // covers d <= max - 1
    for (std::int64_t d = 0; d < l0; ++d) c.expected_pairs[static_cast<Index>(d)] += w * static_cast<double>(l0 - d);
    for (std::int64_t d = 0; d < l1; ++d) c.expected_pairs[static_cast<Index>(d)] += w * static_cast<double>(l1 - d);
  }
  // longer_than[x] currently holds P(max - 1 == x); turn it into P(max - 1 >= d).
  for (std::int64_t d = lc - 1; d > 0; --d) longer_than[static_cast<Index>(d - 1)] += longer_than[static_cast<Index>(d)];

  // Gap distribution and its prefix sums: P(a <= g <= b) in O(1).
  const std::vector<double> q = gap_distribution(design);
  const std::int64_t m = lt - lc;
  std::vector<double> q_prefix(static_cast<Index>(m + 2), 0.0);  // q_prefix[i] = sum_{g < i} q[g]
  for (std::int64_t g = 0; g <= m; ++g) q_prefix[static_cast<Index>(g + 1)] = q_prefix[static_cast<Index>(g)] + q[static_cast<Index>(g)];

  c.coverage[0] = 1.0;  // every token pairs with itself
  for (std::int64_t d = 1; d < lt; ++d) {
    const double within = d < lc ? longer_than[static_cast<Index>(d)] : 0.0;
    const std::int64_t lo = std::max<std::int64_t>(0, d - lc + 1);
    const std::int64_t hi = std::min<std::int64_t>(m, d - 1);
    const double cross = hi >= lo ? q_prefix[static_cast<Index>(hi + 1)] - q_prefix[static_cast<Index>(lo)] : 0.0;
    c.coverage[static_cast<Index>(d)] = 1.0 - (1.0 - within) * (1.0 - cross);
  }

  // Cross pairs for fixed l0: a trapezoid over x = d - g - 1 in [0, Lc - 2],
  // count(x) = min(x + 1, l0, l1, Lc - 1 - x). Averaged over l0 into s[x].
  std::vector<double> s(static_cast<Index>(lc - 1), 0.0);
  for (std::int64_t l0 = 1; l0 <= h; ++l0) {
    const std::int64_t plateau = std::min(l0, lc - l0);
    for (std::int64_t x = 0; x <= lc - 2; ++x) {
      s[static_cast<Index>(x)] += w * static_cast<double>(std::min({x + 1, plateau, lc - 1 - x}));
    }
  }
  if (design.strategy == Strategy::Pose) {
    // Uniform g: E[cross](d) = (1/(M+1)) * sum_{g=0}^{M} s[d - 1 - g] — a window
    // sum of s, read off its prefix sums.
    std::vector<double> s_prefix(static_cast<Index>(lc), 0.0);  // s_prefix[i] = sum_{x < i} s[x]
    for (std::int64_t x = 0; x <= lc - 2; ++x) s_prefix[static_cast<Index>(x + 1)] = s_prefix[static_cast<Index>(x)] + s[static_cast<Index>(x)];
    const auto s_upto = [&](std::int64_t x) {  // sum_{j <= x} s[j]
      if (x < 0) return 0.0;
      return s_prefix[static_cast<Index>(std::min(x, lc - 2) + 1)];
    };
    const double qg = 1.0 / static_cast<double>(m + 1);
    for (std::int64_t d = 1; d < lt; ++d) {
      c.expected_pairs[static_cast<Index>(d)] += qg * (s_upto(d - 1) - s_upto(d - 2 - m));
    }
  } else {
    // pose-v1: g is not uniform; convolve directly (contiguous inner loop).
    for (std::int64_t g = 0; g <= m; ++g) {
      const double qg = q[static_cast<Index>(g)];
      double* out = c.expected_pairs.data() + g + 1;
      for (std::int64_t x = 0; x <= lc - 2; ++x) out[x] += qg * s[static_cast<Index>(x)];
    }
  }
  return c;
}

}  // namespace pose::positions
