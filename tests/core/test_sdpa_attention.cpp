// LibTorch 2.x's attention path: at::scaled_dot_product_attention (the Sdpa
// kernel, and Auto where it routes there) against the eager reference (HF's
// eager attention: repeated K/V, additive mask, softmax in fp32), values and
// gradients, in fp32 and within bf16 rounding in bf16; plain causal (is_causal,
// no mask built), a KV cache in front, a sliding window, GQA; the model's
// logits with PoSE skip positions; Auto's choice per call between the Eager
// path (the CPU kernel, the batched GEMMs) and SDPA. On LibTorch 1.x (no SDPA) the cases that need it are
// skipped and Auto must resolve to Eager.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include "common/error.h"
#include "common/threads.h"
#include "attention_test_cases.h"
#include "micro_model_config.h"
#include "kernels/attention_kernel.h"
#include "kernels/cpu_kernels.h"
#include "model/llama_model.h"

using namespace pose::model;
using attention_test::Case;
using attention_test::max_diff;
using attention_test::Result;

namespace {

// Forward and backward of `kernel` on fresh leaves made from one seed.
// (Helpers unused on LibTorch 1.x, where the cases that call them skip.)
[[maybe_unused]] Result attention(const Case& c, AttentionKernel kernel, torch::ScalarType dtype, uint64_t seed) {
  torch::manual_seed(seed);
  const int64_t tk = c.past_len + c.query_len;
  const torch::Tensor q = torch::randn({c.batch, c.heads, c.query_len, c.head_dim}).to(dtype).requires_grad_(true);
  const torch::Tensor k = torch::randn({c.batch, c.kv_heads, tk, c.head_dim}).to(dtype).requires_grad_(true);
  const torch::Tensor v = torch::randn({c.batch, c.kv_heads, tk, c.head_dim}).to(dtype).requires_grad_(true);
  const torch::Tensor grad = torch::randn({c.batch, c.heads, c.query_len, c.head_dim}).to(dtype);
  const AttentionMask mask = make_attention_mask(c.query_len, c.past_len, c.window, kernel, dtype, torch::kCPU);
  const torch::Tensor out = attend_grouped(q, k, v, mask, kernel);
  out.backward(grad);
  return {out.detach(), q.grad(), k.grad(), v.grad()};
}

// Largest difference over the output and the three gradients.
[[maybe_unused]] double worst(const Result& a, const Result& b) {
  return std::max({max_diff(a.out, b.out), max_diff(a.dq, b.dq), max_diff(a.dk, b.dk), max_diff(a.dv, b.dv)});
}

const Case kCases[] = {
    {2, 4, 2, 37, 0, 16, std::nullopt},   // plain causal, GQA: is_causal, no mask tensor
    {2, 4, 2, 5, 35, 16, std::nullopt},   // a cache of 35 in front: explicit mask
    {2, 4, 2, 50, 0, 16, int64_t{7}},     // sliding window 7
    {1, 4, 1, 29, 0, 32, std::nullopt},   // multi-query, D 32
    {1, 2, 2, 70, 0, 128, std::nullopt},  // D 128 (LLaMA's width)
};

}  // namespace

class TestSdpaAttention : public QObject {
  Q_OBJECT

 private slots:
  void init() {
    pose::configure_threads(2);
    set_cpu_kernels_enabled(true);
  }
  void cleanup() { set_cpu_kernels_enabled(true); }

  void autoResolvesToWhatThisLibTorchHas() {
#if POSE_HAVE_SDPA
    QCOMPARE(resolve_kernel(AttentionKernel::Auto), AttentionKernel::Auto);
    QCOMPARE(resolve_kernel(AttentionKernel::Sdpa), AttentionKernel::Sdpa);
    QVERIFY(uses_sdpa(AttentionKernel::Auto));
#else
    QCOMPARE(resolve_kernel(AttentionKernel::Auto), AttentionKernel::Eager);
    QVERIFY(!uses_sdpa(AttentionKernel::Auto));
    QVERIFY_THROWS_EXCEPTION(pose::UserError, resolve_kernel(AttentionKernel::Sdpa));
#endif
    QVERIFY(!uses_sdpa(AttentionKernel::Eager));
  }

  void sdpaMatchesTheEagerReferenceInFp32_data() {
    QTest::addColumn<int>("index");
    QTest::newRow("plain causal, GQA") << 0;
    QTest::newRow("cache of 35, 5 queries") << 1;
    QTest::newRow("sliding window 7") << 2;
    QTest::newRow("multi-query, D 32") << 3;
    QTest::newRow("D 128") << 4;
  }
  void sdpaMatchesTheEagerReferenceInFp32() {
#if !POSE_HAVE_SDPA
    QSKIP("LibTorch " TORCH_VERSION " has no scaled_dot_product_attention");
#else
    QFETCH(int, index);
    const Case& c = kCases[index];
    set_cpu_kernels_enabled(false);  // the reference is the batched eager path, not the CPU kernel
    const Result eager = attention(c, AttentionKernel::Eager, torch::kFloat, 40 + index);
    const Result sdpa = attention(c, AttentionKernel::Sdpa, torch::kFloat, 40 + index);
    const double diff = worst(sdpa, eager);
    QVERIFY2(diff < 3e-5, qPrintable(QStringLiteral("max |diff| %1").arg(diff)));
    QVERIFY(eager.out.abs().max().item<double>() > 0.1);  // not a comparison of zeros
#endif
  }

  void sdpaInBf16StaysWithinBf16RoundingOfTheFp32Reference_data() { sdpaMatchesTheEagerReferenceInFp32_data(); }
  void sdpaInBf16StaysWithinBf16RoundingOfTheFp32Reference() {
#if !POSE_HAVE_SDPA
    QSKIP("LibTorch " TORCH_VERSION " has no scaled_dot_product_attention");
#else
    QFETCH(int, index);
    const Case& c = kCases[index];
    set_cpu_kernels_enabled(false);
    const Result fp32 = attention(c, AttentionKernel::Eager, torch::kFloat, 60 + index);
    const Result eager_bf16 = attention(c, AttentionKernel::Eager, torch::kBFloat16, 60 + index);
    const Result sdpa_bf16 = attention(c, AttentionKernel::Sdpa, torch::kBFloat16, 60 + index);
    QCOMPARE(sdpa_bf16.out.scalar_type(), torch::kBFloat16);
    QCOMPARE(sdpa_bf16.dk.scalar_type(), torch::kBFloat16);
    // SDPA in bf16 is no further from fp32 than HF's eager attention in bf16
    // (with a margin of a few bf16 steps), and both are bf16-close.
    const double sdpa_err = worst(sdpa_bf16, fp32), eager_err = worst(eager_bf16, fp32);
    const QString msg = QStringLiteral("sdpa %1, eager %2").arg(sdpa_err).arg(eager_err);
    QVERIFY2(sdpa_err < 0.1, qPrintable(msg));
    QVERIFY2(sdpa_err <= 2 * eager_err + 0.02, qPrintable(msg));
#endif
  }

  // Auto takes the Eager path where eager_attention_beats_sdpa_on_cpu() says
  // it is faster and SDPA elsewhere: bit-identical to the one it chose.
  void autoTakesTheKernelMeasuredFaster_data() {
    QTest::addColumn<int>("head_dim");
    QTest::addColumn<bool>("bf16");
    for (const int d : {16, 32, 64, 128}) {
      QTest::newRow(qPrintable(QStringLiteral("fp32 D %1").arg(d))) << d << false;
      QTest::newRow(qPrintable(QStringLiteral("bf16 D %1").arg(d))) << d << true;
    }
  }
  void autoTakesTheKernelMeasuredFaster() {
#if !POSE_HAVE_SDPA
    QSKIP("LibTorch " TORCH_VERSION " has no scaled_dot_product_attention: Auto is Eager");
#else
    QFETCH(int, head_dim);
    QFETCH(bool, bf16);
    const auto dtype = bf16 ? torch::kBFloat16 : torch::kFloat;
    const Case c{2, 4, 2, 33, 0, head_dim, std::nullopt};
    const Result chosen = attention(c, AttentionKernel::Auto, dtype, 7);
    const Result eager = attention(c, AttentionKernel::Eager, dtype, 7);
    const Result sdpa = attention(c, AttentionKernel::Sdpa, dtype, 7);
    QVERIFY(worst(eager, sdpa) > 0);  // the two paths round differently: the check below can tell them apart
    const Result& expected = eager_attention_beats_sdpa_on_cpu(dtype, head_dim, /*backward=*/true) ? eager : sdpa;
    QCOMPARE(worst(chosen, expected), 0.0);
    // Forward only (evaluation): the choice for no backward pass.
    torch::NoGradGuard no_grad;
    torch::manual_seed(8);
    const torch::Tensor q = torch::randn({1, 4, 40, head_dim}).to(dtype);
    const torch::Tensor k = torch::randn({1, 2, 40, head_dim}).to(dtype), v = torch::randn({1, 2, 40, head_dim}).to(dtype);
    const auto forward = [&](AttentionKernel kernel) {
      return attend_grouped(q, k, v, make_attention_mask(40, 0, std::nullopt, kernel, dtype, torch::kCPU), kernel);
    };
    const torch::Tensor expected_forward = forward(
        eager_attention_beats_sdpa_on_cpu(dtype, head_dim, /*backward=*/false) ? AttentionKernel::Eager
                                                                                 : AttentionKernel::Sdpa);
    QVERIFY(torch::equal(forward(AttentionKernel::Auto), expected_forward));
#endif
  }

  void plainCausalMaskForSdpaBuildsNoMatrix() {
#if !POSE_HAVE_SDPA
    QSKIP("LibTorch " TORCH_VERSION " has no scaled_dot_product_attention");
#else
    for (const auto kernel : {AttentionKernel::Sdpa, AttentionKernel::Auto}) {
      const AttentionMask plain = make_attention_mask(64, 0, std::nullopt, kernel, torch::kFloat, torch::kCPU);
      QVERIFY(plain.is_causal);
      QVERIFY(!plain.additive.defined());
      QVERIFY(plain.token_order);  // the CPU kernel can still take it
      const AttentionMask cached = make_attention_mask(4, 60, std::nullopt, kernel, torch::kFloat, torch::kCPU);
      QVERIFY(!cached.is_causal);
      QCOMPARE(cached.additive.sizes(), (torch::IntArrayRef{4, 64}));
    }
#endif
  }

  // The whole model through SDPA against the eager kernel, PoSE skip positions.
  void modelLogitsAndGradientsAgreeThroughSdpa() {
#if !POSE_HAVE_SDPA
    QSKIP("LibTorch " TORCH_VERSION " has no scaled_dot_product_attention");
#else
    const torch::Tensor ids = torch::randint(0, 1024, {2, 40}, torch::kLong);
    torch::Tensor positions = torch::arange(40, torch::kLong).unsqueeze(0).repeat({2, 1});
    positions.narrow(1, 20, 20).add_(300);
    const auto logits_and_grad = [&](AttentionKernel kernel) {
      torch::manual_seed(21);
      ModelOptions options;
      options.kernel = kernel;
      LlamaForCausalLM model(micro_model_config(), options);
      const torch::Tensor logits = model->forward(ids, positions);
      logits.pow(2).mean().backward();
      return std::make_pair(logits.detach(), model->parameters()[1].grad().clone());
    };
    const auto [eager, eager_grad] = logits_and_grad(AttentionKernel::Eager);
    const auto [sdpa, sdpa_grad] = logits_and_grad(AttentionKernel::Sdpa);
    QVERIFY(torch::allclose(sdpa, eager, 1e-5, 1e-5));
    QVERIFY(torch::allclose(sdpa_grad, eager_grad, 1e-4, 1e-6));
    QVERIFY(eager_grad.abs().max().item<double>() > 0);
#endif
  }
};

QTEST_GUILESS_MAIN(TestSdpaAttention)
#include "test_sdpa_attention.moc"
