// Coverage at the scale researchers ask about: Lt = 131072, Lc = 2048.
// Prints the exact two-chunk curve's time, the three-chunk curve (Monte-Carlo:
// no exact method for N >= 3), and a 10,000-sample Monte-Carlo estimate of the
// two-chunk curve — its time as a ratio to the exact computation and its error
// against the exact curve.
#include <chrono>
#include <cmath>
#include <cstdio>

#include "positions/coverage_exact.h"
#include "positions/coverage_monte_carlo.h"

using namespace pose::positions;

namespace {

template <class F>
double seconds(F&& f, int repeats) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

Design make(Strategy s, int chunks) {
  Design d;
  d.strategy = s;
  d.train_len = 2048;
  d.target_len = 131072;
  d.chunks = chunks;
  return d;
}

}  // namespace

int main() {
  const Design two = make(Strategy::Pose, 2);
  CoverageCurve exact;
  const double t_exact = seconds([&] { exact = coverage_exact(two); }, 5);
  std::printf("design: %s\n", describe(two).c_str());
  std::printf("exact, 2 chunks:                 %8.2f ms (best of 5)\n", t_exact * 1e3);

  CoverageCurve v1;
  const double t_v1 = seconds([&] { v1 = coverage_exact(make(Strategy::PoseV1, 2)); }, 1);
  std::printf("exact, pose-v1 2 chunks:         %8.2f ms  (%.1fx the pose time: O(Lt*Lc) pair convolution)\n",
              t_v1 * 1e3, t_v1 / t_exact);

  MonteCarloOptions o;
  o.samples = 10000;
  o.seed = 1;
  CoverageCurve mc;
  const double t_mc = seconds([&] { mc = coverage_monte_carlo(two, o); }, 1);
  double max_err = 0, sum_err = 0, max_z = 0;
  for (std::size_t d = 0; d < exact.coverage.size(); ++d) {
    const double e = std::abs(mc.coverage[d] - exact.coverage[d]);
    max_err = std::max(max_err, e);
    sum_err += e;
    const double p = exact.coverage[d];
    if (p > 0 && p < 1) max_z = std::max(max_z, e / std::sqrt(p * (1 - p) / 1e4));
  }
  std::printf("monte-carlo, 2 chunks, 10000:    %8.2f ms  = %.1fx exact\n", t_mc * 1e3, t_mc / t_exact);
  std::printf("  |MC - exact| over d in [0, Lt): max %.5f, mean %.6f, max/stderr %.2f\n", max_err,
              sum_err / static_cast<double>(exact.coverage.size()), max_z);

  const Design three = make(Strategy::Pose, 3);
  CoverageCurve mc3;
  const double t_mc3 = seconds([&] { mc3 = coverage_monte_carlo(three, o); }, 1);
  std::printf("3 chunks: no exact method; monte-carlo 10000: %8.2f ms = %.1fx the 2-chunk exact time\n", t_mc3 * 1e3,
              t_mc3 / t_exact);
  double max_se = 0;
  for (double s : mc3.std_error) max_se = std::max(max_se, s);
  std::printf("  3-chunk coverage at d = 65536: %.4f ± %.4f (2 chunks exact: %.4f); max stderr %.4f\n",
              mc3.coverage[65536], mc3.std_error[65536], exact.coverage[65536], max_se);

  Design rp = make(Strategy::RandPos, 2);
  MonteCarloOptions orp = o;
  orp.samples = 100;
  const double t_rp = seconds([&] { (void)coverage_monte_carlo(rp, orp); }, 1);
  std::printf("randpos monte-carlo, 100 samples: %8.2f ms = %.1fx exact (O(runs^2) per sample)\n", t_rp * 1e3,
              t_rp / t_exact);
  return 0;
}
