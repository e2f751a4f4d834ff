// Rotary embeddings: HF rotate_half layout, fp32 angles, attention factor,
// partial rotary, and the property RoPE exists for — attention logits depend on
// relative positions only, also for non-contiguous (PoSE) position ids.
// LibTorch first: Qt's `slots` macro would otherwise rewrite torch's slots() methods.
#include "rope/rotary.h"

#include <QtTest>

#include "common/error.h"
#include "rope/rope_scaling.h"

#include <cmath>

using namespace pose::rope;

namespace {

RopeFrequencies frequencies(std::vector<double> inv, double attention = 1.0) {
  RopeFrequencies f;
  f.inv_freq = std::move(inv);
  f.attention_factor = attention;
  return f;
}

// q·k for every (query token, key token) pair, summed over channels: [B, H, T, T].
torch::Tensor logits(const torch::Tensor& q, const torch::Tensor& k) { return torch::matmul(q, k.transpose(-1, -2)); }

}  // namespace

class TestRotary : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { torch::manual_seed(7); }

  // x = [x0, x1, x2, x3] with pairs (x0, x2) at inv 1.0 and (x1, x3) at inv 0.5:
  // out = [x0·c0 − x2·s0, x1·c1 − x3·s1, x2·c0 + x0·s0, x3·c1 + x1·s1].
  void layoutMatchesHandComputedRotateHalf() {
    const std::vector<double> inv = {1.0, 0.5};
    const std::vector<int64_t> positions = {0, 3, 10};
    const torch::Tensor ids = torch::tensor(positions, torch::kLong).view({1, 3});
    const torch::Tensor x = torch::arange(1, 13, torch::kFloat).view({1, 1, 3, 4});
    const RotaryTables t = rotary_tables(frequencies(inv), ids);
    QCOMPARE(t.cos.sizes().vec(), (std::vector<int64_t>{1, 3, 4}));
    const torch::Tensor out = apply_rotary(x, t.cos, t.sin);
    for (int64_t n = 0; n < 3; ++n) {
      const double p = static_cast<double>(positions[static_cast<std::size_t>(n)]);
      const double c0 = std::cos(p * 1.0), s0 = std::sin(p * 1.0), c1 = std::cos(p * 0.5), s1 = std::sin(p * 0.5);
      const double x0 = 1 + 4 * n, x1 = 2 + 4 * n, x2 = 3 + 4 * n, x3 = 4 + 4 * n;
      const double expected[4] = {x0 * c0 - x2 * s0, x1 * c1 - x3 * s1, x2 * c0 + x0 * s0, x3 * c1 + x1 * s1};
      for (int64_t j = 0; j < 4; ++j) {
        const double got = out[0][0][n][j].item<double>();
        QVERIFY2(std::abs(got - expected[j]) < 1e-5, qPrintable(QString("token %1 channel %2: %3 vs %4")
                                                                     .arg(n).arg(j).arg(got).arg(expected[j])));
      }
    }
  }

  void rotateHalfIsMinusSecondHalfThenFirst() {
    const torch::Tensor x = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f});
    const torch::Tensor r = rotate_half(x);
    const float expected[6] = {-4, -5, -6, 1, 2, 3};
    for (int i = 0; i < 6; ++i) QCOMPARE(r[i].item<float>(), expected[i]);
  }

  // HF: inv_freq as fp32, position as fp32, one fp32 product, cos in fp32.
  void anglesAreComputedInFp32() {
    const double inv = theta_like();
    const int64_t position = 1000003;
    const torch::Tensor ids = torch::full({1, 1}, position, torch::kLong);
    const RotaryTables t = rotary_tables(frequencies({inv}), ids);
    const float angle32 = static_cast<float>(position) * static_cast<float>(inv);
    QVERIFY(std::abs(t.cos[0][0][0].item<double>() - std::cos(static_cast<double>(angle32))) < 2e-6);
    QVERIFY(std::abs(t.sin[0][0][1].item<double>() - std::sin(static_cast<double>(angle32))) < 2e-6);
    // The check can tell: a double-precision angle gives a visibly different cosine here.
    QVERIFY(std::abs(t.cos[0][0][0].item<double>() - std::cos(static_cast<double>(position) * inv)) > 1e-4);
  }

  void attentionFactorScalesCosAndSin() {
    const torch::Tensor ids = torch::tensor(std::vector<int64_t>{0, 5, 17, 400}, torch::kLong).view({2, 2});
    const std::vector<double> inv = base_inv_freq(16, 1e4);
    const RotaryTables plain = rotary_tables(frequencies(inv), ids);
    const RotaryTables scaled = rotary_tables(frequencies(inv, 1.2772589), ids);
    QVERIFY(torch::allclose(scaled.cos, plain.cos * 1.2772589f, 1e-6, 1e-7));
    QVERIFY(torch::allclose(scaled.sin, plain.sin * 1.2772589f, 1e-6, 1e-7));
    QCOMPARE(scaled.cos[0][0][0].item<float>(), 1.2772589f);  // position 0: cos = 1 times a
  }

  void outputDtypeIsSelectable() {
    const torch::Tensor ids = torch::arange(4, torch::kLong).view({1, 4});
    const RotaryTables t = rotary_tables(frequencies(base_inv_freq(8, 1e4)), ids, torch::kBFloat16);
    QCOMPARE(t.cos.scalar_type(), torch::kBFloat16);
    QCOMPARE(t.sin.scalar_type(), torch::kBFloat16);
    const torch::Tensor x = torch::randn({1, 2, 4, 8}).to(torch::kBFloat16);
    QCOMPARE(apply_rotary(x, t.cos, t.sin).scalar_type(), torch::kBFloat16);
  }

  void partialRotaryLeavesTailChannelsUntouched() {
    const torch::Tensor ids = torch::tensor(std::vector<int64_t>{3, 9, 200}, torch::kLong).view({1, 3});
    const RotaryTables t = rotary_tables(frequencies(base_inv_freq(4, 1e4)), ids);  // rotary_dim 4 of 10
    const torch::Tensor x = torch::randn({2, 3, 3, 10});
    const torch::Tensor out = apply_rotary(x, t.cos.expand({2, 3, 4}), t.sin.expand({2, 3, 4}));
    QVERIFY(torch::equal(out.narrow(-1, 4, 6), x.narrow(-1, 4, 6)));
    QVERIFY(!torch::allclose(out.narrow(-1, 0, 4), x.narrow(-1, 0, 4)));
    // Rotation keeps the length of every rotating pair.
    const torch::Tensor pair_in = x.narrow(-1, 0, 1).pow(2) + x.narrow(-1, 2, 1).pow(2);
    const torch::Tensor pair_out = out.narrow(-1, 0, 1).pow(2) + out.narrow(-1, 2, 1).pow(2);
    QVERIFY(torch::allclose(pair_in, pair_out, 1e-5, 1e-5));
  }

  // q·k after rotation at positions (m, n) equals that at (m + c, n + c), for a
  // non-contiguous view of arbitrary increasing ids (a PoSE layout with a skip).
  void logitsDependOnRelativePositionOnly() {
    RopeParams params;
    params.method = RopeMethod::Yarn;
    params.head_dim = 32;
    params.factor = 4.0;
    params.original_max_position = 512;
    const RopeFrequencies f = compute_rope(params);
    QVERIFY(f.attention_factor > 1.0);

    // Every other column of [1, 12]: ids 0, 2, 4 | skip | 700, 702, 704.
    const std::vector<int64_t> raw = {0, -1, 2, -1, 4, -1, 700, -1, 702, -1, 704, -1};
    const torch::Tensor ids = torch::tensor(raw, torch::kLong).view({1, 12}).slice(1, 0, 12, 2);
    QVERIFY(!ids.is_contiguous());
    const torch::Tensor shifted = ids + 1000;

    const torch::Tensor q = torch::randn({1, 2, 6, 32});
    const torch::Tensor k = torch::randn({1, 2, 6, 32});
    const RotaryTables a = rotary_tables(f, ids);
    const RotaryTables b = rotary_tables(f, shifted);
    const torch::Tensor la = logits(apply_rotary(q, a.cos, a.sin), apply_rotary(k, a.cos, a.sin));
    const torch::Tensor lb = logits(apply_rotary(q, b.cos, b.sin), apply_rotary(k, b.cos, b.sin));
    QVERIFY2(torch::allclose(la, lb, 1e-3, 1e-3), "logits changed under a common shift");

    // And they do depend on the relative position: moving only the keys changes them.
    const RotaryTables c = rotary_tables(f, ids + torch::tensor(std::vector<int64_t>{0, 0, 0, 50, 50, 50}).view({1, 6}));
    const torch::Tensor lc = logits(apply_rotary(q, a.cos, a.sin), apply_rotary(k, c.cos, c.sin));
    QVERIFY(!torch::allclose(la, lc, 1e-3, 1e-3));

    // The attention factor scales logits by a^2: compare against a = 1.
    RopeFrequencies unit = f;
    unit.attention_factor = 1.0;
    const RotaryTables u = rotary_tables(unit, ids);
    const torch::Tensor lu = logits(apply_rotary(q, u.cos, u.sin), apply_rotary(k, u.cos, u.sin));
    const auto a2 = static_cast<float>(f.attention_factor * f.attention_factor);
    QVERIFY(torch::allclose(la, lu * a2, 1e-4, 1e-4));
  }

  void rejectsMisshapenInputs() {
    const RopeFrequencies f = frequencies(base_inv_freq(8, 1e4));
    QVERIFY_THROWS_EXCEPTION(pose::UserError, rotary_tables(f, torch::arange(4, torch::kLong)));
    QVERIFY_THROWS_EXCEPTION(pose::UserError, rotary_tables(f, torch::zeros({1, 4}, torch::kInt)));
    const RotaryTables t = rotary_tables(f, torch::arange(4, torch::kLong).view({1, 4}));
    QVERIFY_THROWS_EXCEPTION(pose::UserError, apply_rotary(torch::randn({1, 1, 4, 6}), t.cos, t.sin));
    QVERIFY_THROWS_EXCEPTION(pose::UserError, apply_rotary(torch::randn({1, 1, 3, 8}), t.cos, t.sin));
  }

 private:
  // A mid-spectrum frequency of d=128, b=1e4, where fp32 and fp64 angles at
  // position ~1e6 differ visibly.
  static double theta_like() { return std::pow(1e4, -2.0 * 7 / 128); }
};

QTEST_APPLESS_MAIN(TestRotary)
#include "test_rotary.moc"
