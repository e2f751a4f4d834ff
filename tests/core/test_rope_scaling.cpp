// RoPE scaling methods: every expected value is recomputed here from the
// formulas in docs/reference (HF modeling_rope_utils), not by calling the code
// under test.
#include <QtTest>

#include "common/error.h"
#include "rope/rope_params.h"
#include "rope/rope_scaling.h"

#include <cmath>
#include <functional>

using namespace pose::rope;

namespace {

constexpr double kPi = 3.14159265358979323846;

double theta(int i, int d, double base) { return std::pow(base, -2.0 * i / d); }

// Relative comparison for values spanning many decades.
bool close(double a, double b, double rel = 1e-12) { return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b)); }

RopeParams make(RopeMethod m, int d, double base, double factor, std::optional<int> original = std::nullopt) {
  RopeParams p;
  p.method = m;
  p.head_dim = d;
  p.base = base;
  p.factor = factor;
  p.original_max_position = original;
  return p;
}

}  // namespace

class TestRopeScaling : public QObject {
  Q_OBJECT
 private slots:
  void methodNamesRoundTrip() {
    const char* names[] = {"none", "linear", "ntk", "dynamic", "yarn", "yarn-pose", "llama3", "longrope"};
    QCOMPARE(all_rope_methods().size(), std::size_t(8));
    for (const char* n : names) QCOMPARE(to_string(parse_rope_method(n)), std::string(n));
    try {
      parse_rope_method("yarn_pose");
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      const std::string what = e.what();
      QVERIFY(what.find("yarn_pose") != std::string::npos);
      for (const char* n : names) QVERIFY2(what.find(n) != std::string::npos, n);
    }
  }

  void noneIsTheta_data() {
    QTest::addColumn<int>("d");
    QTest::addColumn<double>("base");
    QTest::newRow("d64 b1e4") << 64 << 1e4;
    QTest::newRow("d128 b1e4") << 128 << 1e4;
    QTest::newRow("d128 b5e5") << 128 << 5e5;
  }
  void noneIsTheta() {
    QFETCH(int, d);
    QFETCH(double, base);
    const RopeFrequencies f = compute_rope(make(RopeMethod::None, d, base, 1.0));
    QCOMPARE(f.inv_freq.size(), std::size_t(d / 2));
    QCOMPARE(f.inv_freq[0], 1.0);
    for (int i = 0; i < d / 2; ++i) QVERIFY(close(f.inv_freq[static_cast<std::size_t>(i)], theta(i, d, base)));
    QCOMPARE(f.attention_factor, 1.0);
    QVERIFY(!f.ramp_low && !f.ramp_high);
  }

  void linearDividesByFactor_data() {
    QTest::addColumn<int>("d");
    QTest::addColumn<double>("base");
    QTest::addColumn<double>("s");
    QTest::newRow("d64 b1e4 s2") << 64 << 1e4 << 2.0;
    QTest::newRow("d128 b5e5 s4") << 128 << 5e5 << 4.0;
    QTest::newRow("d128 b1e4 s16") << 128 << 1e4 << 16.0;
  }
  void linearDividesByFactor() {
    QFETCH(int, d);
    QFETCH(double, base);
    QFETCH(double, s);
    const RopeFrequencies f = compute_rope(make(RopeMethod::Linear, d, base, s));
    for (int i = 0; i < d / 2; ++i) QVERIFY(close(f.inv_freq[static_cast<std::size_t>(i)], theta(i, d, base) / s));
    QCOMPARE(f.attention_factor, 1.0);
  }

  void ntkRaisesTheBase_data() { linearDividesByFactor_data(); }
  void ntkRaisesTheBase() {
    QFETCH(int, d);
    QFETCH(double, base);
    QFETCH(double, s);
    const double new_base = base * std::pow(s, static_cast<double>(d) / (d - 2));
    const RopeFrequencies f = compute_rope(make(RopeMethod::Ntk, d, base, s));
    for (int i = 0; i < d / 2; ++i) QVERIFY(close(f.inv_freq[static_cast<std::size_t>(i)], theta(i, d, new_base)));
    QCOMPARE(f.inv_freq[0], 1.0);  // the fastest dimension never changes
    // The slowest dimension is stretched by almost exactly s: b'^(-(d-2)/d) = b^(-(d-2)/d) / s.
    QVERIFY(close(f.inv_freq.back(), theta(d / 2 - 1, d, base) / s, 1e-9));
  }

  void dynamicEqualsNoneUpToTheWindow() {
    RopeParams p = make(RopeMethod::Dynamic, 128, 1e4, 4.0);
    p.max_position = 4096;
    const RopeFrequencies none = compute_rope(make(RopeMethod::None, 128, 1e4, 1.0));
    for (std::optional<int> seq : {std::optional<int>(), std::optional<int>(100), std::optional<int>(4096)}) {
      p.seq_len = seq;
      const RopeFrequencies f = compute_rope(p);
      for (std::size_t i = 0; i < f.inv_freq.size(); ++i) QVERIFY(close(f.inv_freq[i], none.inv_freq[i]));
    }
  }

  void dynamicAboveTheWindow_data() {
    QTest::addColumn<int>("d");
    QTest::addColumn<double>("base");
    QTest::addColumn<double>("s");
    QTest::addColumn<int>("window");
    QTest::addColumn<int>("seq");
    QTest::newRow("d128 b1e4 s4 8k") << 128 << 1e4 << 4.0 << 4096 << 8192;
    QTest::newRow("d64 b5e5 s2 20k") << 64 << 5e5 << 2.0 << 8192 << 20000;
    QTest::newRow("d128 b1e4 s16 64k") << 128 << 1e4 << 16.0 << 4096 << 65536;
  }
  void dynamicAboveTheWindow() {
    QFETCH(int, d);
    QFETCH(double, base);
    QFETCH(double, s);
    QFETCH(int, window);
    QFETCH(int, seq);
    RopeParams p = make(RopeMethod::Dynamic, d, base, s);
    p.max_position = window;
    p.seq_len = seq;
    const double new_base = base * std::pow(s * seq / window - (s - 1.0), static_cast<double>(d) / (d - 2));
    const RopeFrequencies f = compute_rope(p);
    for (int i = 0; i < d / 2; ++i) QVERIFY(close(f.inv_freq[static_cast<std::size_t>(i)], theta(i, d, new_base)));
    QVERIFY(f.inv_freq.back() < theta(d / 2 - 1, d, base));  // differs from none
    // Without max_position the original window stands in for it.
    RopeParams q = make(RopeMethod::Dynamic, d, base, s, window);
    q.seq_len = seq;
    QCOMPARE(compute_rope(q).inv_freq, f.inv_freq);
  }

  // The example of the reference facts: d=128, b=1e4, L0=4096, s=16.
  void yarnFactsExample() {
    const RopeFrequencies f = compute_rope(make(RopeMethod::Yarn, 128, 1e4, 16.0, 4096));
    QCOMPARE(f.ramp_low.value(), 20.0);
    QCOMPARE(f.ramp_high.value(), 46.0);
    QVERIFY(std::abs(f.attention_factor - 1.2772589) < 1e-7);
    QVERIFY(close(f.attention_factor, 0.1 * std::log(16.0) + 1.0));
    for (int i = 0; i < 64; ++i) {
      const double t = theta(i, 128, 1e4);
      const double ramp = std::clamp((i - 20.0) / 26.0, 0.0, 1.0);
      const double expected = (t / 16.0) * ramp + t * (1.0 - ramp);
      QVERIFY2(close(f.inv_freq[static_cast<std::size_t>(i)], expected), qPrintable(QString::number(i)));
      if (i <= 20) QVERIFY(close(f.inv_freq[static_cast<std::size_t>(i)], t));
      if (i >= 46) QVERIFY(close(f.inv_freq[static_cast<std::size_t>(i)], t / 16.0));
    }
  }

  void yarnRampFromCorrectionDims_data() {
    QTest::addColumn<int>("d");
    QTest::addColumn<double>("base");
    QTest::addColumn<double>("s");
    QTest::addColumn<int>("window");
    QTest::newRow("d64 b1e4 s2 2k") << 64 << 1e4 << 2.0 << 2048;
    QTest::newRow("d128 b5e5 s4 8k") << 128 << 5e5 << 4.0 << 8192;
    QTest::newRow("d128 b1e4 s16 4k") << 128 << 1e4 << 16.0 << 4096;
  }
  void yarnRampFromCorrectionDims() {
    QFETCH(int, d);
    QFETCH(double, base);
    QFETCH(double, s);
    QFETCH(int, window);
    const auto cd = [&](double r) { return d * std::log(window / (2 * kPi * r)) / (2 * std::log(base)); };
    const double low = std::max(std::floor(cd(32.0)), 0.0);
    const double high = std::min(std::ceil(cd(1.0)), d - 1.0);
    const RopeFrequencies yarn = compute_rope(make(RopeMethod::Yarn, d, base, s, window));
    const RopeFrequencies pose = compute_rope(make(RopeMethod::YarnPose, d, base, s, window));
    QCOMPARE(yarn.ramp_low.value(), low);
    QCOMPARE(yarn.ramp_high.value(), high);
    QCOMPARE(pose.ramp_low.value(), low);
    QCOMPARE(pose.ramp_high.value(), high);
    QVERIFY(close(yarn.attention_factor, 0.1 * std::log(s) + 1.0));
    QCOMPARE(pose.attention_factor, yarn.attention_factor);
    bool blends_differ = false;
    for (int i = 0; i < d / 2; ++i) {
      const double t = theta(i, d, base);
      const double gamma = 1.0 - std::clamp((i - low) / (high - low), 0.0, 1.0);
      const double canonical = (t / s) * (1 - gamma) + t * gamma;
      const double wavelength_blend = t / ((1 - gamma) * s + gamma);
      QVERIFY(close(yarn.inv_freq[static_cast<std::size_t>(i)], canonical));
      QVERIFY(close(pose.inv_freq[static_cast<std::size_t>(i)], wavelength_blend));
      if (i <= low) QVERIFY(close(pose.inv_freq[static_cast<std::size_t>(i)], t));
      if (i >= high) QVERIFY(close(pose.inv_freq[static_cast<std::size_t>(i)], t / s));
      if (!close(canonical, wavelength_blend, 1e-6)) blends_differ = true;
    }
    QVERIFY(blends_differ);  // inside the ramp the two blends are different curves
  }

  void yarnAttentionFactorChoices() {
    RopeParams p = make(RopeMethod::Yarn, 128, 1e4, 40.0, 4096);
    const auto g = [](double s, double m) { return s <= 1 ? 1.0 : 0.1 * m * std::log(s) + 1.0; };
    p.mscale = 0.707;
    QVERIFY(close(compute_rope(p).attention_factor, g(40, 1)));  // one of the two alone: ignored
    p.mscale_all_dim = 1.0;
    QVERIFY(close(compute_rope(p).attention_factor, g(40, 0.707) / g(40, 1.0)));
    p.mscale = 1.0;  // DeepSeek-V3: equal mscales cancel
    QCOMPARE(compute_rope(p).attention_factor, 1.0);
    p.attention_factor = 1.5;  // explicit wins
    QCOMPARE(compute_rope(p).attention_factor, 1.5);
    RopeParams unscaled = make(RopeMethod::Yarn, 128, 1e4, 1.0, 4096);
    QCOMPARE(compute_rope(unscaled).attention_factor, 1.0);
  }

  void yarnWithoutTruncationKeepsFractionalBounds() {
    RopeParams p = make(RopeMethod::Yarn, 128, 1e4, 16.0, 4096);
    p.truncate = false;
    const double low = 128 * std::log(4096 / (2 * kPi * 32)) / (2 * std::log(1e4));
    const double high = 128 * std::log(4096 / (2 * kPi * 1)) / (2 * std::log(1e4));
    const RopeFrequencies f = compute_rope(p);
    QVERIFY(close(f.ramp_low.value(), low));
    QVERIFY(close(f.ramp_high.value(), high));
    QVERIFY(f.ramp_low.value() != std::floor(f.ramp_low.value()));
  }

  void yarnFallsBackToMaxPositionForTheWindow() {
    RopeParams a = make(RopeMethod::Yarn, 128, 1e4, 16.0, 4096);
    RopeParams b = make(RopeMethod::Yarn, 128, 1e4, 16.0);
    b.max_position = 4096;
    QCOMPARE(compute_rope(a).inv_freq, compute_rope(b).inv_freq);
  }

  // HF clamps low from below (>= 0) and high from above (<= d-1) only. A
  // window shorter than one turn of the fastest dimension puts both bounds at 0:
  // HF then adds 0.001 to high, so dimension 0 keeps θ and all others get θ/s.
  void yarnEqualBoundsUseTheSingularityGuard() {
    const RopeFrequencies f = compute_rope(make(RopeMethod::Yarn, 64, 1e4, 8.0, 6));
    QCOMPARE(f.ramp_low.value(), 0.0);
    QCOMPARE(f.ramp_high.value(), 0.0);
    QVERIFY(close(f.inv_freq[0], 1.0));
    for (int i = 1; i < 32; ++i) QVERIFY(close(f.inv_freq[static_cast<std::size_t>(i)], theta(i, 64, 1e4) / 8.0));
  }

  // With a tiny base and a huge window, low = floor(cd(32)) lands above d-1 and
  // is not clamped (as in HF), so low > high and the clamped ramp is 1 for every
  // i < d/2: every dimension is interpolated. Odd, but it is what HF computes.
  void yarnCrossedBoundsFollowHf() {
    const double low = std::floor(64 * std::log(1e9 / (2 * kPi * 32)) / (2 * std::log(100.0)));
    QVERIFY(low > 63);
    const RopeFrequencies f = compute_rope(make(RopeMethod::Yarn, 64, 100.0, 8.0, 1000000000));
    QCOMPARE(f.ramp_low.value(), low);
    QCOMPARE(f.ramp_high.value(), 63.0);
    for (int i = 0; i < 32; ++i) QVERIFY(close(f.inv_freq[static_cast<std::size_t>(i)], theta(i, 64, 100.0) / 8.0));
  }

  void llama3Rules_data() {
    QTest::addColumn<int>("d");
    QTest::addColumn<double>("base");
    QTest::addColumn<double>("s");
    QTest::addColumn<int>("window");
    QTest::newRow("llama-3.1 d128 b5e5 s8 8k") << 128 << 5e5 << 8.0 << 8192;
    QTest::newRow("d64 b1e4 s4 2k") << 64 << 1e4 << 4.0 << 2048;
  }
  void llama3Rules() {
    QFETCH(int, d);
    QFETCH(double, base);
    QFETCH(double, s);
    QFETCH(int, window);
    RopeParams p = make(RopeMethod::Llama3, d, base, s, window);
    const RopeFrequencies f = compute_rope(p);
    QCOMPARE(f.attention_factor, 1.0);
    int high = 0, low = 0, mid = 0;
    for (int i = 0; i < d / 2; ++i) {
      const double t = theta(i, d, base);
      const double wavelength = 2 * kPi / t;
      const double got = f.inv_freq[static_cast<std::size_t>(i)];
      if (wavelength < window / 4.0) {
        QVERIFY(close(got, t));
        ++high;
      } else if (wavelength > window / 1.0) {
        QVERIFY(close(got, t / s));
        ++low;
      } else {
        const double sm = (window / wavelength - 1.0) / (4.0 - 1.0);
        QVERIFY(close(got, (1 - sm) * t / s + sm * t));
        ++mid;
      }
    }
    QVERIFY(high > 0 && low > 0 && mid > 0);  // all three regimes were exercised
  }

  void longropePicksFactorsBySequenceLength() {
    RopeParams p = make(RopeMethod::LongRope, 16, 1e4, 32.0, 4096);
    p.short_factors = {1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7};
    p.long_factors = {1, 2, 4, 8, 16, 32, 48, 64};
    const auto expect = [&](const std::vector<double>& factors, const RopeFrequencies& f) {
      for (int i = 0; i < 8; ++i) {
        QVERIFY(close(f.inv_freq[static_cast<std::size_t>(i)],
                      1.0 / (factors[static_cast<std::size_t>(i)] * std::pow(1e4, 2.0 * i / 16))));
      }
    };
    expect(p.short_factors, compute_rope(p));  // no seq_len: short
    p.seq_len = 4096;
    expect(p.short_factors, compute_rope(p));
    p.seq_len = 4097;
    const RopeFrequencies longer = compute_rope(p);
    expect(p.long_factors, longer);
    QVERIFY(close(longer.attention_factor, std::sqrt(1 + std::log(32.0) / std::log(4096.0))));
    p.attention_factor = 1.25;
    QCOMPARE(compute_rope(p).attention_factor, 1.25);
    p.attention_factor.reset();
    p.factor = 1.0;
    QCOMPARE(compute_rope(p).attention_factor, 1.0);
  }

  void partialRotaryUsesTheRotaryDim() {
    RopeParams p = make(RopeMethod::Linear, 128, 1e4, 2.0);
    p.partial_rotary_factor = 0.25;
    QCOMPARE(p.rotary_dim(), 32);
    const RopeFrequencies f = compute_rope(p);
    QCOMPARE(f.inv_freq.size(), std::size_t(16));
    for (int i = 0; i < 16; ++i) QVERIFY(close(f.inv_freq[static_cast<std::size_t>(i)], theta(i, 32, 1e4) / 2));
  }

  void impliedFactorIsTheWindowRatio() {
    RopeParams p;
    QVERIFY(!implied_factor(p));
    p.max_position = 131072;
    p.original_max_position = 4096;
    QCOMPARE(implied_factor(p).value(), 32.0);
  }

  void wavelengthsAndResponse() {
    const std::vector<double> inv = {1.0, 0.5, 0.25};
    const std::vector<double> w = wavelengths(inv);
    QVERIFY(close(w[0], 2 * kPi));
    QVERIFY(close(w[2], 8 * kPi));
    const std::vector<double> r = rotary_response(inv, {0.0, kPi, 2 * kPi});
    QCOMPARE(r[0], 1.0);
    QVERIFY(std::abs(r[1] - (std::cos(kPi) + std::cos(kPi / 2) + std::cos(kPi / 4)) / 3) < 1e-15);
    QVERIFY(std::abs(r[2] - (1.0 + std::cos(kPi) + std::cos(kPi / 2)) / 3) < 1e-15);
  }

  void invalidCombinationsNameTheParameter() {
    struct Case {
      const char* expected;  // the parameter the message must name
      std::function<void(RopeParams&)> mutate;
    };
    const std::vector<Case> cases = {
        {"factor", [](RopeParams& p) { p.factor = 0.5; }},
        {"factor", [](RopeParams& p) { p.factor = std::nan(""); }},
        {"factor", [](RopeParams& p) { p.factor = INFINITY; }},
        {"head_dim", [](RopeParams& p) { p.head_dim = 127; }},
        {"head_dim", [](RopeParams& p) { p.head_dim = 0; }},
        {"partial_rotary_factor", [](RopeParams& p) { p.partial_rotary_factor = 0.0; }},
        {"partial_rotary_factor", [](RopeParams& p) { p.partial_rotary_factor = 1.5; }},
        {"partial_rotary_factor", [](RopeParams& p) { p.head_dim = 100; p.partial_rotary_factor = 0.25; }},  // 25 channels
        {"base", [](RopeParams& p) { p.base = 1.0; }},
        {"base", [](RopeParams& p) { p.base = -5.0; }},
        {"original_max_position", [](RopeParams& p) { p.original_max_position.reset(); }},
        {"original_max_position", [](RopeParams& p) { p.original_max_position = 0; }},
        {"max_position", [](RopeParams& p) { p.max_position = -1; }},
        {"seq_len", [](RopeParams& p) { p.seq_len = -3; }},
        {"beta_fast", [](RopeParams& p) { p.beta_fast = 1.0; }},
        {"beta_fast", [](RopeParams& p) { p.beta_fast = 0.5; p.beta_slow = 2.0; }},
        {"beta_slow", [](RopeParams& p) { p.beta_slow = 0.0; }},
        {"attention_factor", [](RopeParams& p) { p.attention_factor = 0.0; }},
        {"mscale", [](RopeParams& p) { p.mscale = NAN; }},
    };
    for (const Case& c : cases) {
      RopeParams p = make(RopeMethod::Yarn, 128, 1e4, 16.0, 4096);
      c.mutate(p);
      expect_rejected(p, c.expected);
    }

    RopeParams llama = make(RopeMethod::Llama3, 128, 5e5, 8.0, 8192);
    llama.low_freq_factor = 4.0;
    expect_rejected(llama, "low_freq_factor");
    llama.low_freq_factor = 1.0;
    llama.high_freq_factor = -1.0;
    expect_rejected(llama, "high_freq_factor");

    RopeParams longrope = make(RopeMethod::LongRope, 16, 1e4, 2.0, 4096);
    longrope.short_factors = std::vector<double>(8, 1.0);
    longrope.long_factors = std::vector<double>(7, 1.0);
    expect_rejected(longrope, "long_factors");
    longrope.long_factors = std::vector<double>(8, 1.0);
    longrope.short_factors[3] = 0.0;
    expect_rejected(longrope, "short_factors[3]");
    longrope.short_factors[3] = 1.0;
    longrope.original_max_position = 1;
    expect_rejected(longrope, "original_max_position");

    RopeParams dynamic = make(RopeMethod::Dynamic, 128, 1e4, 2.0);
    expect_rejected(dynamic, "max_position");

    // Parameters a method does not use are not judged.
    RopeParams none = make(RopeMethod::None, 128, 1e4, 0.5);
    none.beta_fast = 0;
    validate(none);
  }

 private:
  static void expect_rejected(const RopeParams& p, const std::string& name) {
    try {
      validate(p);
      QFAIL(qPrintable(QString("accepted, expected an error naming %1").arg(QString::fromStdString(name))));
    } catch (const pose::UserError& e) {
      QVERIFY2(e.problem().rfind(name, 0) == 0, e.what());  // the message starts with the parameter
      QVERIFY2(!e.fix().empty(), e.what());
    }
  }
};

QTEST_APPLESS_MAIN(TestRopeScaling)
#include "test_rope_scaling.moc"
