// One-pass CPU kernels (kernels/cpu_kernels.h): RMSNorm, rotary embeddings,
// SwiGLU's gating and the loss's softmax cross-entropy give the reference ops' values and gradients (fp32 and
// bf16, the projections' strided view, partial rotary, extreme and NaN
// inputs, rows split over the pool), the modules take them, and they step
// aside for operands they do not take or when switched off.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include "common/error.h"
#include "common/threads.h"
#include "model/autocast_state.h"
#include "model/chunked_cross_entropy.h"
#include "kernels/cpu_kernels.h"
#include "model/mlp.h"
#include "model/rms_norm.h"
#include "rope/rotary.h"

using namespace pose::model;

namespace {

bool close(const torch::Tensor& a, const torch::Tensor& b, double tol = 1e-5) {
  return a.sizes() == b.sizes() && a.scalar_type() == b.scalar_type() &&
         torch::allclose(a.to(torch::kFloat), b.to(torch::kFloat), tol, tol);
}

// LlamaRMSNorm written out as the reference ops.
torch::Tensor rms_reference(const torch::Tensor& x, const torch::Tensor& w, double eps) {
  return w * (x * torch::rsqrt(x.pow(2).mean(-1, true) + eps));
}

// Rotary tables for positions with PoSE-like skips, [B, T, R].
pose::rope::RotaryTables tables(int64_t batch, int64_t tokens, int64_t rotary_dim) {
  pose::rope::RopeFrequencies f;
  for (int64_t j = 0; j < rotary_dim / 2; ++j) f.inv_freq.push_back(std::pow(10000.0, -2.0 * j / rotary_dim));
  f.attention_factor = 1.0;
  torch::Tensor ids = torch::arange(tokens, torch::kLong).unsqueeze(0).repeat({batch, 1});
  ids.narrow(1, tokens / 2, tokens - tokens / 2).add_(1000);  // a skip in the middle
  return pose::rope::rotary_tables(f, ids);
}

// q as attention gets it: the projection [B, T, H*D] viewed as [B, H, T, D].
torch::Tensor projected(const torch::Tensor& proj, int64_t heads, int64_t head_dim) {
  return proj.view({proj.size(0), proj.size(1), heads, head_dim}).transpose(1, 2);
}

}  // namespace

class TestCpuKernels : public QObject {
  Q_OBJECT
 private slots:
  void init() {
    pose::configure_threads(2);
    torch::manual_seed(11);
  }
  void cleanup() { pose::configure_threads(2); }

  void rmsNormMatchesTheReferenceOpsAndTheirGradients() {
    // 1,200 rows of 96: the rows split into several parts over the pool.
    const auto x = torch::randn({4, 300, 96}).requires_grad_(true);
    const auto w = (torch::rand({96}) + 0.5).requires_grad_(true);
    const auto g = torch::randn({4, 300, 96});
    QVERIFY(rms_norm_cpu_applies(x, w, torch::kFloat));
    const auto y = rms_norm_cpu(x, w, 1e-6, torch::kFloat);
    const auto [dx, dw] = [&] {
      auto grads = torch::autograd::grad({y}, {x, w}, {g});
      return std::make_pair(grads[0], grads[1]);
    }();
    const auto yr = rms_reference(x, w, 1e-6);
    auto ref = torch::autograd::grad({yr}, {x, w}, {g});
    QVERIFY(close(y, yr));
    QVERIFY(close(dx, ref[0]));
    QVERIFY(close(dw, ref[1], 1e-4));  // a sum over 1,200 rows in another order
  }

  void rmsNormHandsOnBf16AndTakesItsGradientInBf16() {
    const auto x = torch::randn({2, 64, 128}).requires_grad_(true);
    const auto w = (torch::rand({128}) + 0.5).requires_grad_(true);
    const auto g = torch::randn({2, 64, 128}).to(torch::kBFloat16);
    const auto y = rms_norm_cpu(x, w, 1e-5, torch::kBFloat16);
    QCOMPARE(y.scalar_type(), torch::kBFloat16);
    const auto yr = rms_reference(x, w, 1e-5).to(torch::kBFloat16);
    QVERIFY(close(y, yr, 1e-2));
    // Equal to the rounding of the fp32 result: at most one bf16 step apart.
    QVERIFY((y.to(torch::kFloat) - yr.to(torch::kFloat)).abs().max().item<float>() <=
            yr.to(torch::kFloat).abs().max().item<float>() / 128);
    auto grads = torch::autograd::grad({y}, {x, w}, {g});
    auto ref = torch::autograd::grad({yr}, {x, w}, {g});
    QCOMPARE(grads[0].scalar_type(), torch::kFloat);
    QVERIFY(close(grads[0], ref[0]));
    QVERIFY(close(grads[1], ref[1], 1e-4));
  }

  void rmsNormRowsAreTheSameOnOneThreadAndOnTwo() {
    const auto x = torch::randn({1024, 64}), w = torch::rand({64});
    const auto two = rms_norm_cpu(x, w, 1e-6, torch::kFloat);
    pose::configure_threads(1);
    const auto one = rms_norm_cpu(x, w, 1e-6, torch::kFloat);
    QVERIFY(torch::equal(one, two));
  }

  void rmsNormModuleTakesTheKernelAndKeepsItsDtypes() {
    RMSNorm norm(96, 1e-6);
    norm->weight.data().uniform_(0.5, 1.5);
    const auto x = torch::randn({2, 40, 96});
    const auto y = norm(x);
    QVERIFY(close(y, rms_reference(x, norm->weight, 1e-6)));
    QVERIFY(y.grad_fn() && y.grad_fn()->name().find("RmsNorm") != std::string::npos);
    {
      const AutocastStateScope bf16({/*cuda=*/false, torch::kBFloat16, /*cpu=*/true, torch::kBFloat16});
      QCOMPARE(norm(x).scalar_type(), torch::kBFloat16);
    }
    QCOMPARE(norm(x.to(torch::kDouble)).scalar_type(), torch::kDouble);  // the reference ops
  }

  void rotaryMatchesTheReferenceOnTheProjectionsView() {
    const int64_t b = 2, t = 50, h = 3, d = 16;
    const auto proj = torch::randn({b, t, h * d}).requires_grad_(true);
    const auto tb = tables(b, t, d);
    const auto q = projected(proj, h, d);
    QVERIFY(rotary_cpu_applies(q, tb.cos, tb.sin));
    const auto y = rotary_cpu(q, tb.cos, tb.sin);
    QVERIFY(y.is_contiguous());  // attention's GEMMs take it without a copy
    const auto yr = pose::rope::apply_rotary(q, tb.cos, tb.sin);
    QVERIFY(close(y, yr, 1e-6));
    const auto g = torch::randn({b, h, t, d});
    const auto dp = torch::autograd::grad({y}, {proj}, {g})[0];
    const auto dpr = torch::autograd::grad({yr}, {proj}, {g})[0];
    QVERIFY(close(dp, dpr, 1e-6));
  }

  void rotaryPassesPartialRotaryChannelsThrough() {
    const auto x = torch::randn({1, 2, 9, 12}).requires_grad_(true);
    const auto tb = tables(1, 9, 8);
    const auto y = rotary_cpu(x, tb.cos, tb.sin);
    QVERIFY(close(y, pose::rope::apply_rotary(x, tb.cos, tb.sin), 1e-6));
    QVERIFY(torch::equal(y.narrow(-1, 8, 4), x.narrow(-1, 8, 4)));
    const auto g = torch::randn({1, 2, 9, 12});
    QVERIFY(close(torch::autograd::grad({y}, {x}, {g})[0],
                  torch::autograd::grad({pose::rope::apply_rotary(x, tb.cos, tb.sin)}, {x}, {g})[0], 1e-6));
  }

  void rotaryInBf16RoundsOnceWhereTheOpsRoundPerOp() {
    const auto x = torch::randn({2, 4, 33, 32}).to(torch::kBFloat16);
    const auto tb = tables(2, 33, 32);
    const auto y = rotary_cpu(x, tb.cos, tb.sin);
    QCOMPARE(y.scalar_type(), torch::kBFloat16);
    // The fp32 rotation of the bf16 inputs with bf16-rounded tables, rounded
    // once: equal but where a fused multiply-add moved an fp32 value across
    // a bf16 rounding boundary, and then one bf16 step apart.
    const auto exact = pose::rope::apply_rotary(x.to(torch::kFloat), tb.cos.to(torch::kBFloat16).to(torch::kFloat),
                                                tb.sin.to(torch::kBFloat16).to(torch::kFloat));
    const auto diff = (y.to(torch::kFloat) - exact.to(torch::kBFloat16).to(torch::kFloat)).abs();
    QVERIFY((diff <= exact.abs() / 128 + 1e-30).all().item<bool>());
    QVERIFY((diff == 0).to(torch::kFloat).mean().item<double>() > 0.99);
    QVERIFY(close(y, pose::rope::apply_rotary(x, tb.cos, tb.sin), 5e-2));
  }

  void swigluMatchesTheReferenceOpsAndTheirGradients() {
    const auto a = (torch::randn({3, 70, 200}) * 4).requires_grad_(true);  // silu's curve, both tails
    const auto b = torch::randn({3, 70, 200}).requires_grad_(true);
    const auto g = torch::randn({3, 70, 200});
    QVERIFY(swiglu_cpu_applies(a, b));
    const auto y = swiglu_cpu(a, b);
    const auto yr = torch::silu(a) * b;
    QVERIFY(close(y, yr, 1e-5));
    const auto grads = torch::autograd::grad({y}, {a, b}, {g});
    const auto ref = torch::autograd::grad({yr}, {a, b}, {g});
    QVERIFY(close(grads[0], ref[0], 1e-5));
    QVERIFY(close(grads[1], ref[1], 1e-5));
  }

  void swigluKeepsExtremesAndNaN() {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const auto a = torch::tensor({-1000.0f, -90.0f, -20.0f, 0.0f, 20.0f, 90.0f, 1000.0f, nan});
    const auto b = torch::ones({8});
    const auto y = swiglu_cpu(a, b);
    const auto yr = torch::silu(a);
    QVERIFY(torch::allclose(y.narrow(0, 0, 7), yr.narrow(0, 0, 7), 1e-6, 1e-6));
    QVERIFY(std::isnan(y[7].item<float>()));  // a NaN loss must stay visible
    const auto an = a.clone().requires_grad_(true);
    const auto da = torch::autograd::grad({swiglu_cpu(an, b)}, {an}, {torch::ones({8})})[0];
    const auto dar = torch::autograd::grad({torch::silu(an) * b}, {an}, {torch::ones({8})})[0];
    QVERIFY(torch::allclose(da.narrow(0, 0, 7), dar.narrow(0, 0, 7), 1e-6, 1e-6));
    QVERIFY(std::isnan(da[7].item<float>()));
  }

  void swigluInBf16() {
    const auto a = (torch::randn({4, 64, 96}) * 3).to(torch::kBFloat16).requires_grad_(true);
    const auto b = torch::randn({4, 64, 96}).to(torch::kBFloat16).requires_grad_(true);
    const auto g = torch::randn({4, 64, 96}).to(torch::kBFloat16);
    const auto y = swiglu_cpu(a, b);
    QCOMPARE(y.scalar_type(), torch::kBFloat16);
    // One rounding of the fp32 value: at most one bf16 step from it.
    const auto exact = torch::silu(a.to(torch::kFloat)) * b.to(torch::kFloat);
    QVERIFY(((y.to(torch::kFloat) - exact).abs() <= exact.abs() / 128 + 1e-6).all().item<bool>());
    const auto grads = torch::autograd::grad({y}, {a, b}, {g});
    const auto ref = torch::autograd::grad({torch::silu(a) * b}, {a, b}, {g});
    QCOMPARE(grads[0].scalar_type(), torch::kBFloat16);
    QVERIFY(close(grads[0], ref[0], 5e-2));
    QVERIFY(close(grads[1], ref[1], 5e-2));
  }

  void switchedOffTheModulesRunTheReferenceOps() {
    pose::model::ModelConfig c;
    c.hidden_size = 32;
    c.intermediate_size = 80;
    Mlp mlp(c);
    const auto x = torch::randn({2, 9, 32});
    const auto fused = mlp(x);
    set_cpu_kernels_enabled(false);
    QVERIFY(!swiglu_cpu_applies(x, x) && !rms_norm_cpu_applies(x, torch::ones({32}), torch::kFloat));
    const auto reference = mlp(x);
    set_cpu_kernels_enabled(true);
    QVERIFY(close(fused, reference, 1e-6));
  }

  void crossEntropyRowsMatchLogSoftmax() {
    const auto logits = torch::randn({300, 1000}) * 5;
    const auto targets = torch::randint(0, 1000, {300}, torch::kLong);
    auto valid = torch::ones({300}, torch::kBool);
    valid[7] = false;
    torch::Tensor nll, lse, grad = torch::empty({300, 1000});
    QVERIFY(cross_entropy_cpu_applies(logits));
    cross_entropy_rows_cpu(logits, targets, valid, nll, lse, &grad);
    const auto log_p = torch::log_softmax(logits, 1);
    auto expected = -log_p.gather(1, targets.unsqueeze(1)).squeeze(1);
    expected[7] = 0.0;
    QVERIFY(torch::allclose(nll, expected, 1e-5, 1e-5));
    QVERIFY(torch::allclose(lse, torch::logsumexp(logits, 1), 1e-5, 1e-5));
    auto expected_grad = log_p.exp() - torch::one_hot(targets, 1000).to(torch::kFloat);
    expected_grad[7] = 0.0;
    QVERIFY(torch::allclose(grad, expected_grad, 1e-6, 1e-6));
    // bf16 gradient: the one-hot subtracted in fp32, then stored.
    torch::Tensor grad16 = torch::empty({300, 1000}, torch::kBFloat16);
    cross_entropy_rows_cpu(logits, targets, valid, nll, lse, &grad16);
    QVERIFY(torch::allclose(grad16.to(torch::kFloat), expected_grad, 1e-2, 1e-3));
  }

  void crossEntropyKeepsNaNAndRefusesTargetsOutsideTheVocabulary() {
    auto logits = torch::randn({4, 50});
    logits[2][9] = std::numeric_limits<float>::quiet_NaN();
    const auto targets = torch::tensor({1, 2, 3, 4}, torch::kLong);
    const auto valid = torch::ones({4}, torch::kBool);
    torch::Tensor nll, lse;
    cross_entropy_rows_cpu(logits, targets, valid, nll, lse, nullptr);
    QVERIFY(std::isnan(nll[2].item<float>()));  // a NaN loss must reach the trainer's guard
    QVERIFY(std::isfinite(nll[1].item<float>()));
    QVERIFY_THROWS_EXCEPTION(pose::UserError, cross_entropy_rows_cpu(logits, torch::tensor({1, 2, 3, 50}, torch::kLong),
                                                                     valid, nll, lse, nullptr));
  }

  void lossUnderBf16AutocastMatchesTheOpChains() {
    const auto hidden = torch::randn({40, 32}).requires_grad_(true);
    const auto weight = torch::randn({70, 32}).requires_grad_(true);
    auto targets = torch::randint(0, 70, {40}, torch::kLong);
    targets[3] = pose::model::kIgnoreIndex;
    const auto run = [&](bool kernels) {
      set_cpu_kernels_enabled(kernels);
      const AutocastStateScope bf16({/*cuda=*/false, torch::kBFloat16, /*cpu=*/true, torch::kBFloat16});
      const auto loss = linear_cross_entropy_sum(hidden, weight, targets, 16);
      auto grads = torch::autograd::grad({loss}, {hidden, weight});
      set_cpu_kernels_enabled(true);
      return std::make_tuple(loss, grads[0], grads[1]);
    };
    const auto [loss, gh, gw] = run(true);
    const auto [loss_ref, gh_ref, gw_ref] = run(false);
    QVERIFY(std::abs(loss.item<double>() - loss_ref.item<double>()) < 1e-3 * std::abs(loss_ref.item<double>()));
    QVERIFY(torch::allclose(gh, gh_ref, 2e-2, 2e-2));
    QVERIFY(torch::allclose(gw, gw_ref, 2e-2, 2e-2));
  }

  void stepsAsideForOperandsItDoesNotTake() {
    const auto x = torch::randn({2, 3, 8, 16});
    const auto tb = tables(2, 8, 16);
    QVERIFY(!rotary_cpu_applies(x.to(torch::kDouble), tb.cos, tb.sin));
    QVERIFY(!rotary_cpu_applies(x, tb.cos.narrow(0, 0, 1), tb.sin.narrow(0, 0, 1)));  // broadcast batch
    QVERIFY(!rotary_cpu_applies(x, tb.cos.clone().requires_grad_(true), tb.sin));
    QVERIFY(!rotary_cpu_applies(x.narrow(-1, 0, 8), tb.cos, tb.sin));  // tables wider than the head
    QVERIFY(!rms_norm_cpu_applies(x.to(torch::kBFloat16), torch::ones({16}), torch::kFloat));
    QVERIFY(!rms_norm_cpu_applies(x, torch::ones({8}), torch::kFloat));
    QVERIFY(!rms_norm_cpu_applies(x, torch::ones({16}), torch::kHalf));
    QVERIFY(!swiglu_cpu_applies(x, x.to(torch::kBFloat16)));
    QVERIFY(!swiglu_cpu_applies(x, x.narrow(0, 0, 1)));  // broadcast
    QVERIFY(!cross_entropy_cpu_applies(torch::randn({4, 6}).t()));
    QVERIFY(!cross_entropy_cpu_applies(torch::randn({4, 6}, torch::kBFloat16)));
  }
};

QTEST_GUILESS_MAIN(TestCpuKernels)
#include "test_cpu_kernels.moc"
