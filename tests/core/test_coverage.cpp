// Relative-position coverage: the exact two-chunk formulas against brute-force
// enumeration of every layout, the published plateau (Lc-1)/(Lt-Lc+1), the
// Monte-Carlo estimator against exact curves (within its own error) and against
// brute-force counting of the very samples it draws.
#include <QtTest>

#include "common/error.h"
#include "positions/coverage_exact.h"
#include "positions/coverage_monte_carlo.h"
#include "positions/coverage_types.h"
#include "positions/positions_json.h"
#include "positions/sampler.h"

#include <cmath>

using namespace pose::positions;

namespace {

struct Truth {
  std::vector<double> coverage, pairs;
};

// Adds one sample's pairs (i <= j) by brute force, O(Lc^2).
void add_brute(Truth& t, const std::vector<std::int64_t>& pos, double weight) {
  std::vector<std::int64_t> count(t.coverage.size(), 0);
  for (std::size_t i = 0; i < pos.size(); ++i)
    for (std::size_t j = i; j < pos.size(); ++j) count[static_cast<std::size_t>(pos[j] - pos[i])]++;
  for (std::size_t d = 0; d < count.size(); ++d) {
    if (count[d] > 0) t.coverage[d] += weight;
    t.pairs[d] += weight * static_cast<double>(count[d]);
  }
}

std::vector<std::int64_t> positions_of(const std::vector<std::int64_t>& lengths, const std::vector<std::int64_t>& skips) {
  std::vector<std::int64_t> pos;
  std::int64_t offset = 0;
  for (std::size_t k = 0; k < lengths.size(); ++k) {
    for (std::int64_t t = 0; t < lengths[k]; ++t) pos.push_back(offset + skips[k] + t);
    offset += lengths[k];
  }
  return pos;
}

// Every layout the two-chunk samplers can draw, with its probability.
Truth enumerate_two_chunks(const Design& d) {
  const std::int64_t lc = d.train_len, lt = d.target_len, m = lt - lc, h = (lc + 1) / 2;
  Truth t{std::vector<double>(static_cast<std::size_t>(lt), 0.0), std::vector<double>(static_cast<std::size_t>(lt), 0.0)};
  for (std::int64_t l0 = 1; l0 <= h; ++l0) {
    if (d.strategy == Strategy::Pose) {
      for (std::int64_t u = 0; u <= m; ++u)
        add_brute(t, positions_of({l0, lc - l0}, {0, u}), 1.0 / static_cast<double>(h * (m + 1)));
    } else {
      for (std::int64_t a = 0; a <= m; ++a)
        for (std::int64_t b = a; b <= m; ++b)
          add_brute(t, positions_of({l0, lc - l0}, {a, b}),
                    1.0 / static_cast<double>(h) / static_cast<double>(m + 1) / static_cast<double>(m - a + 1));
    }
  }
  return t;
}

// Every three-chunk pose layout: uniform compositions, u1 ~ U{0..M}, u2 ~ U{u1..M}.
Truth enumerate_three_chunks(std::int64_t lc, std::int64_t lt) {
  const std::int64_t m = lt - lc;
  const double compositions = static_cast<double>((lc - 1) * (lc - 2) / 2);
  Truth t{std::vector<double>(static_cast<std::size_t>(lt), 0.0), std::vector<double>(static_cast<std::size_t>(lt), 0.0)};
  for (std::int64_t a = 1; a < lc; ++a)
    for (std::int64_t b = 1; a + b < lc; ++b)
      for (std::int64_t u1 = 0; u1 <= m; ++u1)
        for (std::int64_t u2 = u1; u2 <= m; ++u2)
          add_brute(t, positions_of({a, b, lc - a - b}, {0, u1, u2}),
                    1.0 / compositions / static_cast<double>(m + 1) / static_cast<double>(m - u1 + 1));
  return t;
}

// Largest |estimate - truth| in units of the estimator's standard error
// sqrt(p(1-p)/K) under the truth; where the truth is 0 or 1 the estimate must match.
double worst_z(const CoverageCurve& mc, const std::vector<double>& truth) {
  double worst = 0;
  const double k = static_cast<double>(mc.samples);
  for (std::size_t d = 0; d < truth.size(); ++d) {
    const double p = truth[d];
    if (p < 1e-12 || p > 1 - 1e-12) {
      if (std::abs(mc.coverage[d] - std::round(p)) > 0) return 1e9;
      continue;
    }
    worst = std::max(worst, std::abs(mc.coverage[d] - p) / std::sqrt(p * (1 - p) / k));
  }
  return worst;
}

double worst_pairs_z(const CoverageCurve& mc, const std::vector<double>& truth) {
  double worst = 0;
  for (std::size_t d = 0; d < truth.size(); ++d) {
    const double diff = std::abs(mc.expected_pairs[d] - truth[d]);
    if (mc.expected_pairs_std_error[d] == 0) {
      if (diff > 1e-9 * std::max(1.0, truth[d])) return 1e9;
      continue;
    }
    worst = std::max(worst, diff / mc.expected_pairs_std_error[d]);
  }
  return worst;
}

}  // namespace

class TestCoverage : public QObject {
  Q_OBJECT
 private slots:
  void exactTwoChunkMatchesEnumerationOfEveryLayout() {
    for (const Design& d : {make_design(Strategy::Pose, 7, 20), make_design(Strategy::Pose, 8, 8), make_design(Strategy::Pose, 6, 31),
                            make_design(Strategy::PoseV1, 7, 20), make_design(Strategy::PoseV1, 6, 15), make_design(Strategy::Pose, 2, 9)}) {
      const CoverageCurve exact = coverage_exact(d);
      const Truth truth = enumerate_two_chunks(d);
      QCOMPARE(exact.coverage.size(), static_cast<std::size_t>(d.target_len));
      for (std::size_t i = 0; i < truth.coverage.size(); ++i) {
        QVERIFY2(std::abs(exact.coverage[i] - truth.coverage[i]) < 1e-12,
                 qPrintable(QString::fromStdString(describe(d)) + QString(" d=%1 coverage").arg(i)));
        QVERIFY2(std::abs(exact.expected_pairs[i] - truth.pairs[i]) < 1e-9,
                 qPrintable(QString::fromStdString(describe(d)) + QString(" d=%1 pairs").arg(i)));
      }
    }
  }

  void publishedPlateauIsLcMinusOneOverLtMinusLcPlusOne() {
    for (auto [lc, lt] : {std::pair<std::int64_t, std::int64_t>{8, 40}, {64, 1000}, {2048, 16384}}) {
      const CoverageCurve c = coverage_exact(make_design(Strategy::Pose, lc, lt));
      const double plateau = static_cast<double>(lc - 1) / static_cast<double>(lt - lc + 1);
      for (std::int64_t d = lc; d <= lt - lc + 1; ++d) QCOMPARE(c.coverage[static_cast<std::size_t>(d)], plateau);
      // Beyond the plateau only the largest skips reach: down to 1/(M+1) at Lt-1.
      QCOMPARE(c.coverage.back(), 1.0 / static_cast<double>(lt - lc + 1));
      QVERIFY(c.coverage[static_cast<std::size_t>(lt - lc + 2)] < plateau);
      QCOMPARE(c.coverage[0], 1.0);
      const CoverageSummary s = summarize(c);
      QCOMPARE(s.argmin_beyond_window, lt - 1);
      QCOMPARE(s.never_covered, std::int64_t{0});
      // Every sample holds Lc(Lc+1)/2 pairs (i <= j), whatever the layout.
      QVERIFY(std::abs(s.expected_pairs_total - static_cast<double>(lc * (lc + 1) / 2)) < 1e-6 * static_cast<double>(lc * lc));
    }
  }

  void monteCarloAgreesWithTheExactPlateau() {
    const Design d = make_design(Strategy::Pose, 64, 1024);
    MonteCarloOptions o;
    o.samples = 20000;
    o.seed = 5;
    const CoverageCurve mc = coverage_monte_carlo(d, o);
    const double plateau = 63.0 / 961.0;
    double sum = 0;
    int inside_band = 0, n = 0;
    for (std::int64_t dd = 64; dd <= 961; ++dd, ++n) {
      const auto i = static_cast<std::size_t>(dd);
      sum += mc.coverage[i];
      inside_band += mc.lower[i] <= plateau && plateau <= mc.upper[i];
    }
    // The plateau's mean over 898 distances is far tighter than one distance's error.
    QVERIFY2(std::abs(sum / n - plateau) < 3 * std::sqrt(plateau * (1 - plateau) / 20000.0),
             qPrintable(QString("mean %1 vs %2").arg(sum / n).arg(plateau)));
    QVERIFY2(inside_band > 0.9 * n, qPrintable(QString("%1 of %2 inside the Wilson band").arg(inside_band).arg(n)));
  }

  void monteCarloAgreesWithExactWithinItsError() {
    for (const Design& d : {make_design(Strategy::Pose, 8, 40), make_design(Strategy::PoseV1, 8, 40), make_design(Strategy::Pose, 33, 200),
                            make_design(Strategy::Pose, 16, 64, 1), make_design(Strategy::Full, 16, 64), make_design(Strategy::None, 16, 64)}) {
      MonteCarloOptions o;
      o.samples = 4000;
      o.seed = 17;
      o.pair_std_error = true;
      const CoverageCurve mc = coverage_monte_carlo(d, o);
      const CoverageCurve exact = coverage_exact(d);
      QCOMPARE(mc.samples, std::int64_t{4000});
      const double z = worst_z(mc, exact.coverage);
      QVERIFY2(z < 4.5, qPrintable(QString::fromStdString(describe(d)) + QString(": worst z %1").arg(z)));
      const double zp = worst_pairs_z(mc, exact.expected_pairs);
      QVERIFY2(zp < 4.5, qPrintable(QString::fromStdString(describe(d)) + QString(": worst pairs z %1").arg(zp)));
    }
  }

  void threeChunksHaveNoExactCurveButMonteCarloMatchesEnumeration() {
    const Design d = make_design(Strategy::Pose, 7, 16, 3);
    QVERIFY(!has_exact_coverage(d));
    try {
      coverage_exact(d);
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      QVERIFY(QString(e.what()).startsWith("method:"));
      QVERIFY(QString(e.what()).contains("monte-carlo"));
    }
    const Truth truth = enumerate_three_chunks(7, 16);
    MonteCarloOptions o;
    o.samples = 6000;
    o.seed = 23;
    o.pair_std_error = true;
    const CoverageCurve mc = coverage_monte_carlo(d, o);
    QVERIFY2(worst_z(mc, truth.coverage) < 4.5, qPrintable(QString("worst z %1").arg(worst_z(mc, truth.coverage))));
    QVERIFY(worst_pairs_z(mc, truth.pairs) < 4.5);
    QVERIFY(!has_exact_coverage(make_design(Strategy::RandPos, 7, 16)));
  }

  void monteCarloCountsExactlyWhatTheSamplerDraws() {
    // Same seed, same indices: the difference-array counting must give exactly
    // the brute-force counts over draw_sample's position ids. randpos with many
    // runs takes the scratch-array path, the pose designs the sort-and-merge path.
    for (const Design& d : {make_design(Strategy::Pose, 12, 50), make_design(Strategy::Pose, 12, 50, 3), make_design(Strategy::Pose, 12, 50, 6),
                            make_design(Strategy::PoseV1, 12, 50, 2), make_design(Strategy::RandPos, 12, 50), make_design(Strategy::RandPos, 40, 50)}) {
      const std::int64_t k = 300;
      Truth t{std::vector<double>(50, 0.0), std::vector<double>(50, 0.0)};
      for (std::int64_t i = 0; i < k; ++i) add_brute(t, draw_sample(d, 1000, 77, static_cast<std::uint64_t>(i)).position_ids, 1.0);
      MonteCarloOptions o;
      o.samples = k;
      o.seed = 77;
      const CoverageCurve mc = coverage_monte_carlo(d, o);
      for (std::size_t i = 0; i < 50; ++i) {
        QVERIFY2(std::llround(mc.coverage[i] * k) == std::llround(t.coverage[i]),
                 qPrintable(QString::fromStdString(describe(d)) + QString(" d=%1").arg(i)));
        QVERIFY(std::abs(mc.expected_pairs[i] * k - t.pairs[i]) < 1e-6);
      }
    }
  }

  void fullCoversEverythingNoneOnlyTheWindow() {
    const CoverageCurve full = coverage_exact(make_design(Strategy::Full, 16, 64));
    for (double p : full.coverage) QCOMPARE(p, 1.0);
    QCOMPARE(full.expected_pairs[63], 1.0);
    const CoverageCurve none = coverage_exact(make_design(Strategy::None, 16, 64));
    for (std::size_t d = 0; d < 64; ++d) QCOMPARE(none.coverage[d], d < 16 ? 1.0 : 0.0);
    QCOMPARE(summarize(none).never_covered, std::int64_t{48});
    MonteCarloOptions o;
    o.samples = 50;
    const CoverageCurve mc_full = coverage_monte_carlo(make_design(Strategy::Full, 16, 64), o);
    QCOMPARE(mc_full.coverage.back(), 1.0);
    QCOMPARE(mc_full.lower.back() > 0.9, true);
  }

  void randposReachesEveryDistanceButRarelyAsAFullSpan() {
    // RandPos trains long distances often (ids are spread over [0, Lt)) ...
    MonteCarloOptions o;
    o.samples = 400;
    const CoverageCurve r = coverage_monte_carlo(make_design(Strategy::RandPos, 32, 256), o);
    QVERIFY(r.coverage[200] > 0.5);
    QCOMPARE(r.coverage[0], 1.0);
    // ... but one pair per distance on average, against Lc - d for a real window:
    // E[pairs at d] = (Lt - d) * Lc (Lc - 1) / (Lt (Lt - 1)).
    const double expected_at_1 = 255.0 * 32 * 31 / (256.0 * 255.0);
    QVERIFY(std::abs(r.expected_pairs[1] - expected_at_1) < 0.5);
  }

  void poseV1FavoursShortDistancesOverPose() {
    const CoverageCurve v1 = coverage_exact(make_design(Strategy::PoseV1, 64, 1024));
    const CoverageCurve fixed = coverage_exact(make_design(Strategy::Pose, 64, 1024));
    QVERIFY(v1.coverage[100] > 2 * fixed.coverage[100]);
    QVERIFY(v1.coverage[900] < 0.5 * fixed.coverage[900]);
  }

  void atLeastOnceInKSamples() {
    QCOMPARE(at_least_once(0.0, 100), 0.0);
    QCOMPARE(at_least_once(1.0, 1), 1.0);
    QVERIFY(std::abs(at_least_once(0.01, 100) - (1 - std::pow(0.99, 100))) < 1e-12);
    QVERIFY(std::abs(at_least_once(1e-12, 1000) - 1e-9) < 1e-15);  // no cancellation for tiny p
    const auto v = at_least_once(std::vector<double>{0.5, 0.25}, 2);
    QCOMPARE(v[0], 0.75);
    QCOMPARE(v[1], 1 - 0.5625);
  }

  void wilsonIntervalKnownValues() {
    const Interval none = wilson_interval(0, 10);
    QCOMPARE(none.lower, 0.0);
    QVERIFY(std::abs(none.upper - 0.27753) < 1e-4);
    const Interval half = wilson_interval(50, 100);
    QVERIFY(std::abs(half.lower - 0.40383) < 1e-4 && std::abs(half.upper - 0.59617) < 1e-4);
  }

  void exactTwoChunkIsFastAtLongTargets() {
    // Shape only (speed lives in bench/): the curve has Lt entries and the
    // plateau value at the largest design the bench uses.
    const CoverageCurve c = coverage_exact(make_design(Strategy::Pose, 2048, 131072));
    QCOMPARE(c.coverage.size(), std::size_t(131072));
    QCOMPARE(c.coverage[50000], 2047.0 / 129025.0);
  }

  void jsonHasTheFields() {
    MonteCarloOptions o;
    o.samples = 20;
    const auto j = to_json(coverage_monte_carlo(make_design(Strategy::Pose, 8, 32), o));
    QCOMPARE(j.at("coverage").size(), std::size_t(32));
    QCOMPARE(j.at("method").get<std::string>(), std::string("monte-carlo"));
    QVERIFY(j.contains("wilson95_lower") && j.contains("std_error") && j.contains("samples"));
    const auto e = to_json(coverage_exact(make_design(Strategy::Pose, 8, 32)));
    QVERIFY(!e.contains("std_error"));
    QCOMPARE(e.at("design").at("strategy").get<std::string>(), std::string("pose"));
  }

  void rejectsBadMonteCarloOptions() {
    MonteCarloOptions o;
    o.samples = 0;
    QVERIFY_THROWS_EXCEPTION(pose::UserError, coverage_monte_carlo(make_design(Strategy::Pose, 8, 32), o));
    QVERIFY_THROWS_EXCEPTION(pose::UserError, parse_method("analytic"));
    QCOMPARE(parse_method("monte-carlo"), CoverageMethod::MonteCarlo);
  }
};

QTEST_APPLESS_MAIN(TestCoverage)
#include "test_coverage.moc"
