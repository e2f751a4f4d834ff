// Relative-position coverage: which query-key distances a design trains.
//
// For a sample, the trained pairs are (i <= j) within the window; their distance
// is pos_j - pos_i (0 included: a token attends to itself). For every distance
// d in [0, Lt) a curve holds
//   coverage[d]       = P(one sample trains at least one pair at distance d)
//   expected_pairs[d] = E[number of pairs at distance d in one sample]
// and K samples cover d at least once with probability 1 - (1 - p)^K
// (samples are independent).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "positions/sampler_types.h"

namespace pose::positions {

enum class CoverageMethod { Exact, MonteCarlo };

const char* method_name(CoverageMethod m);          // "exact", "monte-carlo"
CoverageMethod parse_method(const std::string& name);  // UserError naming "method"

struct CoverageCurve {
  Design design;
  CoverageMethod method = CoverageMethod::Exact;
  std::vector<double> coverage;        // size Lt
  std::vector<double> expected_pairs;  // size Lt

  // Monte-Carlo only (empty for exact curves).
  std::int64_t samples = 0;
  std::uint64_t seed = 0;
  std::vector<double> std_error;       // sqrt(p(1-p)/K) of coverage
  std::vector<double> lower, upper;    // Wilson 95% interval of coverage
  std::vector<double> expected_pairs_std_error;  // only when asked for (costs O(Lt) per sample)
};

// 1 - (1 - p)^k, accurate for tiny p (through log1p/expm1).
double at_least_once(double p, std::int64_t k);
std::vector<double> at_least_once(const std::vector<double>& p, std::int64_t k);

struct Interval {
  double lower = 0;
  double upper = 0;
};
// Wilson score interval (z = 1.96 → 95%): unlike the normal interval it stays
// inside [0, 1] and is not degenerate when no sample (or every sample) hit.
Interval wilson_interval(std::int64_t successes, std::int64_t trials, double z = 1.959963984540054);

// Figures a summary shows: the distances beyond the training window are the
// ones a design exists to reach.
struct CoverageSummary {
  double min_beyond_window = 0;       // min coverage over d in [Lc, Lt) (1 when that range is empty)
  std::int64_t argmin_beyond_window = -1;
  double mean_beyond_window = 0;     // mean coverage over [Lc, Lt) (1 when empty)
  std::int64_t never_covered = 0;     // distances with coverage 0
  double expected_pairs_total = 0;    // sum over d: pairs per sample (Lc(Lc+1)/2 for Lc tokens)
};
CoverageSummary summarize(const CoverageCurve& curve);

}  // namespace pose::positions
