#include "positions/coverage_types.h"

#include <cmath>

#include "common/error.h"

namespace pose::positions {

const char* method_name(CoverageMethod m) {
  return m == CoverageMethod::Exact ? "exact" : "monte-carlo";
}

CoverageMethod parse_method(const std::string& name) {
  if (name == "exact") return CoverageMethod::Exact;
  if (name == "monte-carlo" || name == "mc") return CoverageMethod::MonteCarlo;
  throw UserError("method: unknown coverage method '" + name + "'", "use exact or monte-carlo");
}

double at_least_once(double p, std::int64_t k) {
  if (p >= 1.0) return k > 0 ? 1.0 : 0.0;
  if (p <= 0.0 || k <= 0) return 0.0;
  return -std::expm1(static_cast<double>(k) * std::log1p(-p));
}

std::vector<double> at_least_once(const std::vector<double>& p, std::int64_t k) {
  std::vector<double> out(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) out[i] = at_least_once(p[i], k);
  return out;
}

Interval wilson_interval(std::int64_t successes, std::int64_t trials, double z) {
  if (trials <= 0) return {0.0, 1.0};
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / n;
  const double center = (p + z2 / (2 * n)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom;
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

CoverageSummary summarize(const CoverageCurve& curve) {
  CoverageSummary s;
  const auto lt = static_cast<std::int64_t>(curve.coverage.size());
  const std::int64_t lc = curve.design.train_len;
  s.min_beyond_window = 1.0;
  double sum = 0;
  for (std::int64_t d = 0; d < lt; ++d) {
    const double p = curve.coverage[static_cast<std::size_t>(d)];
    if (p <= 0.0) ++s.never_covered;
    if (d >= lc) {
      sum += p;
      if (p < s.min_beyond_window || s.argmin_beyond_window < 0) {
        s.min_beyond_window = p;
        s.argmin_beyond_window = d;
      }
    }
  }
  s.mean_beyond_window = lt > lc ? sum / static_cast<double>(lt - lc) : 1.0;
  for (double e : curve.expected_pairs) s.expected_pairs_total += e;
  return s;
}

}  // namespace pose::positions
