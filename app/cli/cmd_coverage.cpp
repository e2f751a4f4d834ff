// `pose coverage`: which relative distances a design trains, per sample and
// over a run — exact where the distributions allow it, Monte-Carlo otherwise.
#include "commands.h"

#include "common/error.h"
#include "positions/coverage_exact.h"
#include "positions/coverage_monte_carlo.h"
#include "positions/positions_json.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

namespace pose::cli {

namespace {

using positions::CoverageCurve;
using positions::Design;

constexpr std::int64_t kNoBound = std::numeric_limits<std::int64_t>::min();

std::int64_t whole(Args& args, const std::string& name, std::int64_t fallback, std::int64_t min_value) {
  return static_cast<std::int64_t>(args.get_int_at_least(name, fallback, min_value));
}

std::string fixed(double v, int digits = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Distances a reader checks first: inside the window, its edge, the PoSE
// plateau and the far end of the target.
std::vector<std::int64_t> landmarks(std::int64_t lc, std::int64_t lt) {
  std::set<std::int64_t> d = {0, 1, lc / 2, lc - 1, lc, 2 * lc, lt / 4, lt / 2, 3 * lt / 4, lt - lc, lt - lc + 1,
                              lt - lc + 2, lt - 1};
  std::vector<std::int64_t> out;
  for (auto x : d) {
    if (x >= 0 && x < lt) out.push_back(x);
  }
  return out;
}

void print_summary(const CoverageCurve& c, std::int64_t run_samples, std::ostream& out) {
  const Design& d = c.design;
  const auto s = positions::summarize(c);
  out << positions::describe(d) << "\n";
  out << "method: " << positions::method_name(c.method);
  if (c.method == positions::CoverageMethod::MonteCarlo) {
    out << " (" << c.samples << " samples, seed " << c.seed << "; ± is the standard error, [ ] the Wilson 95% band)";
  }
  out << "\n\n";
  out << "P(d) = probability that one sample trains a query-key pair at distance d\n";
  out << "over " << run_samples << ": probability that " << run_samples << " samples train it at least once\n\n";
  out << "  distance d        P(d)      E[pairs at d]   over " << run_samples << "\n";
  for (auto x : landmarks(d.train_len, d.target_len)) {
    const auto i = static_cast<std::size_t>(x);
    char line[160];
    std::snprintf(line, sizeof line, "  %10lld   %10.6f   %14.4f   %10.6f", static_cast<long long>(x), c.coverage[i],
                  c.expected_pairs[i], positions::at_least_once(c.coverage[i], run_samples));
    out << line;
    if (c.method == positions::CoverageMethod::MonteCarlo) {
      out << "   ± " << fixed(c.std_error[i]) << " [" << fixed(c.lower[i]) << ", " << fixed(c.upper[i]) << "]";
    }
    out << "\n";
  }
  out << "\n";
  if (d.target_len > d.train_len) {
    out << "beyond the training window, d in [" << d.train_len << ", " << d.target_len << "):\n";
    out << "  min P(d) = " << fixed(s.min_beyond_window) << " at d = " << s.argmin_beyond_window
        << " (over " << run_samples << ": " << fixed(positions::at_least_once(s.min_beyond_window, run_samples))
        << ")\n";
    out << "  mean P(d) = " << fixed(s.mean_beyond_window) << "\n";
  }
  if (d.strategy == positions::Strategy::Pose && d.chunks == 2 && d.target_len > d.train_len) {
    out << "  published plateau (Lc-1)/(Lt-Lc+1) = "
        << fixed(static_cast<double>(d.train_len - 1) / static_cast<double>(d.target_len - d.train_len + 1))
        << " for d in [" << d.train_len - 1 << ", " << d.target_len - d.train_len + 1 << "]\n";
  }
  out << "distances never trained: " << s.never_covered << " of " << d.target_len << "\n";
  out << "pairs per sample: " << fixed(s.expected_pairs_total, 1) << "\n";
}

}  // namespace

Command coverage_command() {
  Command c;
  c.name = "coverage";
  c.summary = "relative distances a position design trains (exact or Monte-Carlo)";
  c.usage =
      "Usage: pose coverage --train-len LC --target-len LT [--strategy S] [--chunks N]\n"
      "                     [--method exact|monte-carlo] [--samples K] [--seed X]\n"
      "                     [--run-samples R] [--json]\n\n"
      "For every distance d in [0, LT): P(d), the probability that one training sample holds a\n"
      "query-key pair (i <= j) at distance d; E[pairs at d]; and 1 - (1 - P(d))^R, the chance\n"
      "that R samples (steps x batch, default 1000) train d at least once.\n\n"
      "  --strategy     pose (default), pose-v1, randpos, full, none\n"
      "  --method       exact (pose/pose-v1 with 1 or 2 chunks, full, none) or monte-carlo;\n"
      "                 default: exact where it exists\n"
      "  --samples      Monte-Carlo samples (default 10000; standard error about 0.5/sqrt(K))\n"
      "  --json         {design, method, coverage[], expected_pairs[], at_least_once: {samples,\n"
      "                 coverage[]}, and for Monte-Carlo samples, seed, std_error[],\n"
      "                 wilson95_lower[], wilson95_upper[]}\n";
  c.run = [](Args& args, std::ostream& out, std::ostream&) {
    (void)args.require("train-len");
    (void)args.require("target-len");
    Design d;
    d.train_len = whole(args, "train-len", 0, kNoBound);
    d.target_len = whole(args, "target-len", 0, kNoBound);
    d.strategy = positions::parse_strategy(args.get_or("strategy", "pose"));
    d.chunks = static_cast<int>(std::min<std::int64_t>(whole(args, "chunks", 2, kNoBound), 1 << 30));
    const auto method_arg = args.get("method");
    positions::MonteCarloOptions mc;
    mc.samples = whole(args, "samples", 10000, 1);
    mc.seed = static_cast<std::uint64_t>(whole(args, "seed", 0, 0));
    const std::int64_t run_samples = whole(args, "run-samples", 1000, 1);
    const bool json = args.flag("json");
    args.reject_unknown();
    positions::validate(d);

    const positions::CoverageMethod method =
        method_arg ? positions::parse_method(*method_arg)
                   : (positions::has_exact_coverage(d) ? positions::CoverageMethod::Exact
                                                       : positions::CoverageMethod::MonteCarlo);
    const CoverageCurve curve = method == positions::CoverageMethod::Exact ? positions::coverage_exact(d)
                                                                            : positions::coverage_monte_carlo(d, mc);
    if (json) {
      nlohmann::json j = positions::to_json(curve);
      j["at_least_once"] = {{"samples", run_samples}, {"coverage", positions::at_least_once(curve.coverage, run_samples)}};
      const auto s = positions::summarize(curve);
      j["summary"] = {{"min_beyond_window", s.min_beyond_window},
                      {"argmin_beyond_window", s.argmin_beyond_window},
                      {"mean_beyond_window", s.mean_beyond_window},
                      {"never_covered", s.never_covered}};
      out << j.dump() << "\n";
      return 0;
    }
    print_summary(curve, run_samples, out);
    return 0;
  };
  return c;
}

}  // namespace pose::cli
