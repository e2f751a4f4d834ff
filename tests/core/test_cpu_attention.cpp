// The CPU causal attention kernel (kernels/cpu_kernels.h, causal_attention_cpu)
// gives the eager reference's values and gradients (attend() on repeated K/V
// with make_attention_mask's additive mask) for plain causal attention, a KV
// cache in front of the queries, one decoding query, a sliding window, GQA,
// head widths 16 to 64, lengths that are not multiples of its blocks and that
// span several forward work items; in bf16 within bf16's rounding; the same
// bits on one thread and on two; NaN stays in its rows; attend_grouped and the
// model take it (KV-cache decoding and activation checkpointing included), and
// it steps aside for operands and masks it does not take.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include "common/threads.h"
#include "kernels/attention_kernel.h"
#include "kernels/cpu_kernels.h"
#include "attention_test_cases.h"
#include "micro_model_config.h"
#include "model/kv_cache.h"
#include "model/llama_model.h"

using namespace pose::model;
using attention_test::Case;
using attention_test::max_diff;
using attention_test::Result;

namespace {

struct Operands {
  torch::Tensor q, k, v, grad;
};

Operands operands(const Case& c, torch::ScalarType dtype, uint64_t seed) {
  torch::manual_seed(seed);
  const int64_t tk = c.past_len + c.query_len;
  Operands o;
  o.q = torch::randn({c.batch, c.heads, c.query_len, c.head_dim}).mul_(1.5).to(dtype);
  o.k = torch::randn({c.batch, c.kv_heads, tk, c.head_dim}).mul_(1.5).to(dtype);
  o.v = torch::randn({c.batch, c.kv_heads, tk, c.head_dim}).to(dtype);
  o.grad = torch::randn({c.batch, c.heads, c.query_len, c.head_dim}).to(dtype);
  return o;
}

// Forward and backward through f with q, k, v as fresh leaves.
template <typename F>
Result run(const Operands& o, const F& f) {
  const torch::Tensor q = o.q.detach().requires_grad_(true);
  const torch::Tensor k = o.k.detach().requires_grad_(true);
  const torch::Tensor v = o.v.detach().requires_grad_(true);
  const torch::Tensor out = f(q, k, v);
  out.backward(o.grad);
  return {out.detach(), q.grad(), k.grad(), v.grad()};
}

// The eager reference: repeated K/V, the additive mask, softmax in fp32.
Result reference(const Case& c, const Operands& o) {
  const AttentionMask mask = make_attention_mask(c.query_len, c.past_len, c.window, AttentionKernel::Eager,
                                                 o.q.scalar_type(), torch::kCPU);
  const int64_t rep = c.heads / c.kv_heads;
  return run(o, [&](const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
    return attend(q, repeat_kv(k, rep), repeat_kv(v, rep), mask, AttentionKernel::Eager);
  });
}

Result kernel(const Case& c, const Operands& o) {
  const int64_t window = c.window && c.past_len + c.query_len > *c.window ? *c.window : 0;
  return run(o, [&](const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
    return causal_attention_cpu(q, k, v, window);
  });
}

void expect_close(const Result& ours, const Result& ref, double tol, const char* what) {
  QVERIFY2(ours.out.sizes() == ref.out.sizes() && ours.dk.sizes() == ref.dk.sizes(), what);
  QVERIFY2(ours.out.scalar_type() == ref.out.scalar_type() && ours.dq.scalar_type() == ref.dq.scalar_type(), what);
  const double out = max_diff(ours.out, ref.out), dq = max_diff(ours.dq, ref.dq);
  const double dk = max_diff(ours.dk, ref.dk), dv = max_diff(ours.dv, ref.dv);
  const QByteArray msg = QByteArray(what) + ": max |diff| out " + QByteArray::number(out) + " dq " +
                         QByteArray::number(dq) + " dk " + QByteArray::number(dk) + " dv " + QByteArray::number(dv);
  QVERIFY2(out <= tol && dq <= tol && dk <= tol && dv <= tol, msg.constData());
}

bool bit_equal(const Result& a, const Result& b) {
  return torch::equal(a.out, b.out) && torch::equal(a.dq, b.dq) && torch::equal(a.dk, b.dk) &&
         torch::equal(a.dv, b.dv);
}

}  // namespace

class TestCpuAttention : public QObject {
  Q_OBJECT

 private slots:
  void init() {
    pose::configure_threads(2);
    set_cpu_kernels_enabled(true);
  }
  void cleanup() {
    pose::configure_threads(2);
    set_cpu_kernels_enabled(true);
  }

  void matchesTheEagerReferenceInFp32_data() {
    QTest::addColumn<int>("index");
    QTest::newRow("plain causal, GQA, T=37") << 0;
    QTest::newRow("cache of 35, 5 queries") << 1;
    QTest::newRow("one decoding query after 40") << 2;
    QTest::newRow("sliding window 7 over 50") << 3;
    QTest::newRow("window 9 with a cache") << 4;
    QTest::newRow("head_dim 32, multi-query") << 5;
    QTest::newRow("head_dim 64, heads = kv heads") << 6;
    QTest::newRow("T=530: three forward blocks") << 7;
  }
  void matchesTheEagerReferenceInFp32() {
    QFETCH(int, index);
    const Case cases[] = {
        {2, 4, 2, 37, 0, 16, std::nullopt}, {2, 4, 2, 5, 35, 16, std::nullopt}, {1, 4, 2, 1, 40, 16, std::nullopt},
        {2, 4, 2, 50, 0, 16, int64_t{7}},   {1, 4, 1, 6, 30, 16, int64_t{9}},   {1, 4, 1, 29, 0, 32, std::nullopt},
        {1, 2, 2, 23, 0, 64, std::nullopt}, {1, 2, 1, 530, 0, 16, std::nullopt},
    };
    const Case& c = cases[index];
    const Operands o = operands(c, torch::kFloat, 100 + index);
    expect_close(kernel(c, o), reference(c, o), 2e-5, QTest::currentDataTag());
  }

  void bf16StaysWithinBf16RoundingOfTheFp32Reference() {
    const Case c{2, 4, 2, 70, 0, 16, std::nullopt};
    const Operands o32 = operands(c, torch::kFloat, 7);
    const Operands o16{o32.q.to(torch::kBFloat16), o32.k.to(torch::kBFloat16), o32.v.to(torch::kBFloat16),
                       o32.grad.to(torch::kBFloat16)};
    // The reference on the same bf16-rounded operands, in fp32.
    const Operands rounded{o16.q.to(torch::kFloat), o16.k.to(torch::kFloat), o16.v.to(torch::kFloat),
                           o16.grad.to(torch::kFloat)};
    const Result ours = kernel(c, o16);
    const Result ref = reference(c, rounded);
    QCOMPARE(ours.out.scalar_type(), torch::kBFloat16);
    QCOMPARE(ours.dk.scalar_type(), torch::kBFloat16);
    // One bf16 rounding of each result (8 bits of mantissa) on values of order 1-3.
    QVERIFY(max_diff(ours.out, ref.out) < 0.02);
    QVERIFY(max_diff(ours.dq, ref.dq) < 0.03);
    QVERIFY(max_diff(ours.dk, ref.dk) < 0.03);
    QVERIFY(max_diff(ours.dv, ref.dv) < 0.03);
  }

  void sameBitsOnOneThreadAndOnTwo() {
    const Case c{2, 4, 2, 300, 0, 16, std::nullopt};
    const Operands o = operands(c, torch::kFloat, 3);
    pose::configure_threads(1);
    const Result one = kernel(c, o);
    pose::configure_threads(2);
    const Result two = kernel(c, o);
    QVERIFY(bit_equal(one, two));
  }

  void nanStaysInItsRows() {
    const Case c{1, 2, 1, 20, 0, 16, std::nullopt};
    Operands o = operands(c, torch::kFloat, 5);
    o.q[0][0][12][3] = std::numeric_limits<float>::quiet_NaN();
    const torch::Tensor out = causal_attention_cpu(o.q, o.k, o.v, 0);
    QVERIFY(out[0][0][12].isnan().all().item<bool>());
    QVERIFY(!out[0][0].narrow(0, 0, 12).isnan().any().item<bool>());
    QVERIFY(!out[0][1].isnan().any().item<bool>());
    // A NaN key reaches every query that sees it, and none before it.
    o = operands(c, torch::kFloat, 5);
    o.k[0][0][9][0] = std::numeric_limits<float>::quiet_NaN();
    const torch::Tensor out2 = causal_attention_cpu(o.q, o.k, o.v, 0);
    QVERIFY(!out2[0][0].narrow(0, 0, 9).isnan().any().item<bool>());
    QVERIFY(out2[0][0].narrow(0, 9, 11).isnan().all().item<bool>());
  }

  void resultIsTokenMajorForTheOutputProjection() {
    const Case c{2, 4, 2, 16, 0, 16, std::nullopt};
    const Operands o = operands(c, torch::kFloat, 9);
    const torch::Tensor out = causal_attention_cpu(o.q, o.k, o.v, 0);
    // [B, H, T, D] over [B, T, H, D] memory: transpose(1, 2) is contiguous.
    QVERIFY(out.transpose(1, 2).is_contiguous());
  }

  void attendGroupedTakesItForTokenOrderMasksOnly() {
    const Case c{2, 4, 2, 33, 0, 16, std::nullopt};
    const Operands o = operands(c, torch::kFloat, 11);
    const AttentionMask mask = make_attention_mask(33, 0, std::nullopt, AttentionKernel::Eager, torch::kFloat,
                                                   torch::kCPU);
    QVERIFY(mask.token_order);
    const torch::Tensor fused = attend_grouped(o.q, o.k, o.v, mask, AttentionKernel::Eager);
    QVERIFY(fused.transpose(1, 2).is_contiguous());  // the kernel's layout
    // A mask built by hand carries no token order: the batched path reads it.
    AttentionMask custom;
    custom.additive = mask.additive;
    const torch::Tensor batched = attend_grouped(o.q, o.k, o.v, custom, AttentionKernel::Eager);
    QVERIFY(batched.is_contiguous());
    QVERIFY(torch::allclose(fused, batched, 2e-5, 2e-5));
    // Switched off, the batched path runs for the token-order mask too.
    set_cpu_kernels_enabled(false);
    QVERIFY(attend_grouped(o.q, o.k, o.v, mask, AttentionKernel::Eager).is_contiguous());
  }

  void stepsAsideForOperandsItDoesNotTake() {
    const auto t = [](std::vector<int64_t> s, torch::ScalarType d = torch::kFloat) { return torch::zeros(s, d); };
    QVERIFY(causal_attention_cpu_applies(t({1, 4, 8, 16}), t({1, 2, 8, 16}), t({1, 2, 8, 16})));
    QVERIFY(!causal_attention_cpu_applies(t({1, 4, 8, 8}), t({1, 2, 8, 8}), t({1, 2, 8, 8})));        // D 8
    QVERIFY(!causal_attention_cpu_applies(t({1, 2, 8, 128}), t({1, 2, 8, 128}), t({1, 2, 8, 128})));  // D 128
    QVERIFY(!causal_attention_cpu_applies(t({1, 3, 8, 16}), t({1, 2, 8, 16}), t({1, 2, 8, 16})));     // 3 over 2
    QVERIFY(!causal_attention_cpu_applies(t({1, 2, 9, 16}), t({1, 2, 8, 16}), t({1, 2, 8, 16})));     // Tq > Tk
    QVERIFY(!causal_attention_cpu_applies(t({1, 2, 8, 16}, torch::kDouble), t({1, 2, 8, 16}, torch::kDouble),
                                          t({1, 2, 8, 16}, torch::kDouble)));
    QVERIFY(causal_attention_cpu_applies(t({1, 2, 8, 64}), t({1, 2, 8, 64}), t({1, 2, 8, 64})));
    const auto bf = [&](int64_t d) { return t({1, 2, 8, d}, torch::kBFloat16); };
    QVERIFY(causal_attention_cpu_applies(bf(16), bf(16), bf(16)));
    QVERIFY(!causal_attention_cpu_applies(bf(32), bf(32), bf(32)));  // bf16 from 32 wide: batched GEMMs
    QVERIFY(!causal_attention_cpu_applies(t({1, 2, 8, 16}), t({1, 2, 8, 16}, torch::kBFloat16),
                                          t({1, 2, 8, 16})));
    set_cpu_kernels_enabled(false);
    QVERIFY(!causal_attention_cpu_applies(t({1, 4, 8, 16}), t({1, 2, 8, 16}), t({1, 2, 8, 16})));
  }

  void modelLogitsAndGradientsAgreeWithAndWithoutTheKernel() {
    torch::manual_seed(21);
    LlamaForCausalLM model(micro_model_config());  // the default experiment's shape: 16-wide heads, GQA
    const torch::Tensor ids = torch::randint(0, 1024, {2, 40}, torch::kLong);
    // PoSE-style position ids with a skip.
    torch::Tensor positions = torch::arange(40, torch::kLong).unsqueeze(0).repeat({2, 1});
    positions.narrow(1, 20, 20).add_(300);
    const auto logits_and_grad = [&](bool on) {
      set_cpu_kernels_enabled(on);
      model->zero_grad();
      const torch::Tensor logits = model->forward(ids, positions);
      logits.pow(2).mean().backward();
      return std::make_pair(logits.detach(), model->parameters()[1].grad().clone());
    };
    const auto [with, with_grad] = logits_and_grad(true);
    const auto [without, without_grad] = logits_and_grad(false);
    QVERIFY(torch::allclose(with, without, 1e-5, 1e-5));
    QVERIFY(torch::allclose(with_grad, without_grad, 1e-4, 1e-6));
  }

  // Prefill, then one token at a time through the KV cache (the kernel with a
  // cache in front of the queries), against the full forward; with and without
  // a sliding window that bites.
  void kvCacheDecodingThroughTheKernelMatchesTheFullForward_data() {
    QTest::addColumn<int>("window");
    QTest::newRow("causal") << 0;
    QTest::newRow("sliding window 6") << 6;
  }
  void kvCacheDecodingThroughTheKernelMatchesTheFullForward() {
    QFETCH(int, window);
    ModelConfig config = micro_model_config();
    if (window > 0) config.sliding_window = window;
    torch::manual_seed(4);
    LlamaForCausalLM model(config);
    torch::NoGradGuard no_grad;
    const torch::Tensor ids = torch::randint(0, 1024, {2, 24}, torch::kLong);
    const torch::Tensor positions = torch::arange(24, torch::kLong).unsqueeze(0).repeat({2, 1});
    const torch::Tensor full = model->forward(ids, positions);
    KvCache cache;
    const torch::Tensor last = model->prefill(ids.narrow(1, 0, 17), positions.narrow(1, 0, 17), cache);
    QVERIFY(torch::allclose(last, full.select(1, 16), 1e-5, 1e-5));
    for (int64_t t = 17; t < 24; ++t) {
      const torch::Tensor step = model->step(ids.select(1, t), cache);
      QVERIFY2(torch::allclose(step, full.select(1, t), 1e-5, 1e-5), "cached step differs from the full forward");
    }
  }

  // Activation checkpointing runs each layer again in backward with the mask
  // it saved; the kernel must take it there too and give the same gradients.
  void activationCheckpointingThroughTheKernelGivesEqualGradients() {
    ModelOptions checkpointed;
    checkpointed.activation_checkpointing = true;
    torch::manual_seed(8);
    LlamaForCausalLM plain(micro_model_config());
    LlamaForCausalLM ckpt(micro_model_config(), checkpointed);
    torch::NoGradGuard no_grad_for_copy;
    for (auto& item : ckpt->named_parameters()) item.value().copy_(plain->named_parameters()[item.key()]);
    const torch::Tensor ids = torch::randint(0, 1024, {2, 33}, torch::kLong);
    const torch::Tensor positions = torch::arange(33, torch::kLong).unsqueeze(0).repeat({2, 1}) * 2;
    torch::AutoGradMode grad_on(true);
    plain->train();
    ckpt->train();
    plain->loss(ids, positions, ids).backward();
    ckpt->loss(ids, positions, ids).backward();
    for (const auto& item : plain->named_parameters()) {
      const torch::Tensor a = item.value().grad();
      const torch::Tensor b = ckpt->named_parameters()[item.key()].grad();
      QVERIFY2(a.defined() && b.defined() && a.abs().max().item<double>() > 0.0, item.key().c_str());
      QVERIFY2(torch::allclose(a, b, 1e-5, 1e-7), item.key().c_str());
    }
  }
};

QTEST_GUILESS_MAIN(TestCpuAttention)
#include "test_cpu_attention.moc"
