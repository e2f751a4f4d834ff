// The LLaMA-family decoder: RoPE from explicit (skipped) position ids, GQA,
// causal and sliding-window masking, KV-cache decoding, activation
// checkpointing, the chunked loss and dynamic NTK.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include "common/error.h"
#include "kernels/attention_kernel.h"
#include "model/chunked_cross_entropy.h"
#include "model/generate.h"
#include "model/llama_model.h"
#include "model/model_init.h"


#include <algorithm>
#include <cmath>

using namespace pose::model;
using pose::rope::RopeMethod;

namespace {

constexpr double kFp32Tolerance = 1e-4;

ModelConfig tiny_config(int64_t heads = 4, int64_t kv_heads = 2) {
  ModelConfig c;
  c.vocab_size = 64;
  c.hidden_size = 32;
  c.intermediate_size = 64;
  c.num_hidden_layers = 2;
  c.num_attention_heads = heads;
  c.num_key_value_heads = kv_heads;
  c.head_dim = c.hidden_size / heads;
  c.max_position_embeddings = 64;
  c.rope.params.head_dim = static_cast<int>(c.head_dim);
  return c;
}

LlamaForCausalLM make_model(const ModelConfig& c, uint64_t seed = 7, ModelOptions options = {}) {
  LlamaForCausalLM m(c, options);
  // A larger init than HF's 0.02 so attention is far from uniform and every
  // property below is tested with a sharp, position-sensitive model.
  init_weights(m, seed);
  torch::NoGradGuard no_grad;
  for (auto& p : m->parameters()) {
    if (p.dim() == 2) p.mul_(10.0);
  }
  m->eval();
  return m;
}

torch::Tensor ids_of(std::vector<int64_t> v) { return torch::tensor(v, torch::kLong).unsqueeze(0); }

torch::Tensor random_ids(int64_t b, int64_t t, int64_t vocab, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randint(vocab, {b, t}, torch::kLong);
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

// attend_grouped() against attend() on explicitly repeated K/V, both
// differentiated against the same random upstream gradient.
struct GroupedVsRepeated {
  double worst = 0;        // largest difference of the outputs and of the q, k, v gradients
  torch::Tensor grouped_dk;  // the grouped kernel's dK (tests check it is not all zero)
};

GroupedVsRepeated grouped_against_repeated_kv(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                              const AttentionMask& mask) {
  const int64_t rep = q.size(1) / k.size(1);
  const torch::Tensor upstream = torch::randn(q.sizes());
  const torch::Tensor ours = attend_grouped(q, k, v, mask, AttentionKernel::Eager);
  (ours * upstream).sum().backward();
  const torch::Tensor gq = q.grad().clone(), gk = k.grad().clone(), gv = v.grad().clone();
  q.grad().zero_();
  k.grad().zero_();
  v.grad().zero_();
  const torch::Tensor reference = attend(q, repeat_kv(k, rep), repeat_kv(v, rep), mask, AttentionKernel::Eager);
  (reference * upstream).sum().backward();
  return {std::max({max_abs_diff(ours, reference), max_abs_diff(gq, q.grad()), max_abs_diff(gk, k.grad()),
                    max_abs_diff(gv, v.grad())}),
          gk};
}

}  // namespace

class TestModel : public QObject {
  Q_OBJECT
 private slots:
  void parameterNamesAreHfNames() {
    ModelConfig c = tiny_config();
    c.qkv_bias = true;  // Qwen2
    LlamaForCausalLM m(c);
    auto params = m->named_parameters();
    for (const char* name : {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
                             "model.layers.0.self_attn.q_proj.bias", "model.layers.1.self_attn.k_proj.weight",
                             "model.layers.1.self_attn.v_proj.bias", "model.layers.1.self_attn.o_proj.weight",
                             "model.layers.0.mlp.gate_proj.weight", "model.layers.0.mlp.up_proj.weight",
                             "model.layers.0.mlp.down_proj.weight", "model.layers.0.input_layernorm.weight",
                             "model.layers.0.post_attention_layernorm.weight", "model.norm.weight", "lm_head.weight"}) {
      QVERIFY2(params.contains(name), name);
    }
    QVERIFY(!params.contains("model.layers.0.self_attn.o_proj.bias"));
    QCOMPARE(params["model.layers.0.self_attn.k_proj.weight"].sizes().vec(), (std::vector<int64_t>{16, 32}));
    int64_t total = 0;
    for (const auto& p : m->parameters()) total += p.numel();
    QCOMPARE(total, c.parameter_count());

    c.tie_word_embeddings = true;
    LlamaForCausalLM tied(c);
    QVERIFY(!tied->named_parameters().contains("lm_head.weight"));
    total = 0;
    for (const auto& p : tied->parameters()) total += p.numel();
    QCOMPARE(total, c.parameter_count());
  }

  // Attention logits under RoPE depend on position differences only, so
  // shifting every position id by a constant leaves the logits unchanged. A
  // rotary layout that pairs channels differently from rotate_half (e.g.
  // interleaved pairs with halves-layout cos/sin) is not a rotation of the
  // q/k pairs and breaks this.
  void logitsDependOnRelativePositionsOnly_data() {
    QTest::addColumn<int>("method");
    QTest::newRow("none") << static_cast<int>(RopeMethod::None);
    QTest::newRow("linear") << static_cast<int>(RopeMethod::Linear);
    QTest::newRow("yarn") << static_cast<int>(RopeMethod::Yarn);
    QTest::newRow("llama3") << static_cast<int>(RopeMethod::Llama3);
  }
  void logitsDependOnRelativePositionsOnly() {
    QFETCH(int, method);
    ModelConfig c = tiny_config();
    c.rope.params.method = static_cast<RopeMethod>(method);
    c.rope.params.factor = 4.0;
    c.rope.params.original_max_position = 16;
    LlamaForCausalLM m = make_model(c);
    torch::NoGradGuard no_grad;
    const torch::Tensor ids = random_ids(2, 12, c.vocab_size, 1);
    const torch::Tensor pos = contiguous_positions(2, 12);
    const torch::Tensor base = m->forward(ids, pos);
    const torch::Tensor shifted = m->forward(ids, pos + 37);
    QVERIFY2(max_abs_diff(base, shifted) < kFp32Tolerance, "shifting all positions changed the logits");

    // PoSE-style skipped ids: two chunks with a jump, and the same ids shifted.
    const torch::Tensor skipped = torch::cat({torch::arange(5), torch::arange(29, 36)}).to(torch::kLong).unsqueeze(0).expand({2, 12});
    const torch::Tensor a = m->forward(ids, skipped);
    const torch::Tensor b = m->forward(ids, skipped + 11);
    QVERIFY(max_abs_diff(a, b) < kFp32Tolerance);
    // Tokens before the skip see the same relative positions as in the
    // contiguous run; tokens after it do not.
    QVERIFY(max_abs_diff(a.narrow(1, 0, 5), base.narrow(1, 0, 5)) < kFp32Tolerance);
    QVERIFY(max_abs_diff(a.narrow(1, 5, 7), base.narrow(1, 5, 7)) > 1e-3);
  }

  void groupedQueryAttentionMatchesExplicitRepeat() {
    const ModelConfig gqa_config = tiny_config(4, 2);
    const ModelConfig mha_config = tiny_config(4, 4);
    LlamaForCausalLM gqa = make_model(gqa_config);
    LlamaForCausalLM mha(mha_config);
    torch::NoGradGuard no_grad;
    auto src = gqa->named_parameters();
    const int64_t d = gqa_config.head_dim, rep = 2;
    for (auto& item : mha->named_parameters()) {
      torch::Tensor from = src[item.key()];
      if (item.key().find("k_proj") != std::string::npos || item.key().find("v_proj") != std::string::npos) {
        // kv head g serves query heads g*rep .. g*rep+rep-1 (HF repeat_kv).
        from = from.view({gqa_config.num_key_value_heads, d, -1}).repeat_interleave(rep, 0).reshape(item.value().sizes());
      }
      item.value().copy_(from);
    }
    mha->eval();
    const torch::Tensor ids = random_ids(2, 9, 64, 2);
    const torch::Tensor pos = contiguous_positions(2, 9);
    QVERIFY(max_abs_diff(gqa->forward(ids, pos), mha->forward(ids, pos)) < 1e-5);
  }

  // The eager grouped kernel (no repeated K/V, scale and mask inside the GEMM,
  // its own backward) against attend() on explicitly repeated K/V: outputs and
  // the gradients of q, k and v, for a causal window, queries after a cache,
  // and one query without a mask.
  void groupedEagerKernelMatchesRepeatedKv_data() {
    QTest::addColumn<int64_t>("query_len");
    QTest::addColumn<int64_t>("past_len");
    QTest::addColumn<int64_t>("kv_heads");
    QTest::newRow("causal, 2 queries per kv head") << int64_t{7} << int64_t{0} << int64_t{2};
    QTest::newRow("causal, multi-head") << int64_t{7} << int64_t{0} << int64_t{4};
    QTest::newRow("after a cache of 5") << int64_t{3} << int64_t{5} << int64_t{1};
    QTest::newRow("one query, no mask") << int64_t{1} << int64_t{6} << int64_t{2};
  }

  void groupedEagerKernelMatchesRepeatedKv() {
    QFETCH(int64_t, query_len);
    QFETCH(int64_t, past_len);
    QFETCH(int64_t, kv_heads);
    torch::manual_seed(3);
    const int64_t b = 2, h = 4, d = 8, tk = past_len + query_len;
    const auto make = [](std::vector<int64_t> shape) { return torch::randn(shape).requires_grad_(true); };
    const torch::Tensor q = make({b, h, query_len, d}), k = make({b, kv_heads, tk, d}), v = make({b, kv_heads, tk, d});
    const AttentionMask mask =
        make_attention_mask(query_len, past_len, std::nullopt, AttentionKernel::Eager, torch::kFloat, torch::kCPU);
    QCOMPARE(mask.additive.defined(), query_len > 1);
    const GroupedVsRepeated r = grouped_against_repeated_kv(q, k, v, mask);
    QVERIFY(r.worst < 1e-5);
    QVERIFY(r.grouped_dk.abs().sum().item<double>() > 0);  // gradients reach K (the test is not vacuous)
  }

  // Long plain-causal sequences take the block-by-block kernel (skipping the
  // scores above the diagonal); it gives what the repeated-K/V path gives.
  void blockCausalKernelMatchesRepeatedKv() {
    torch::manual_seed(4);
    const int64_t b = 2, h = 4, kv = 2, d = 8, t = kBlockCausalMinLength + kCausalBlock / 2 + 3;  // a partial last block
    const auto make = [](std::vector<int64_t> shape) { return torch::randn(shape).requires_grad_(true); };
    const torch::Tensor q = make({b, h, t, d}), k = make({b, kv, t, d}), v = make({b, kv, t, d});
    const AttentionMask mask = make_attention_mask(t, 0, std::nullopt, AttentionKernel::Eager, torch::kFloat, torch::kCPU);
    QVERIFY(mask.plain_causal);
    QVERIFY(!make_attention_mask(t, 5, std::nullopt, AttentionKernel::Eager, torch::kFloat, torch::kCPU).plain_causal);
    QVERIFY(!make_attention_mask(t, 0, int64_t{64}, AttentionKernel::Eager, torch::kFloat, torch::kCPU).plain_causal);
    const GroupedVsRepeated r = grouped_against_repeated_kv(q, k, v, mask);
    QVERIFY(r.worst < 1e-5);
    QVERIFY(r.grouped_dk.narrow(2, 0, kCausalBlock).abs().sum().item<double>() > 0);
  }

  void laterTokensDoNotChangeEarlierLogits() {
    LlamaForCausalLM m = make_model(tiny_config());
    torch::NoGradGuard no_grad;
    torch::Tensor ids = random_ids(1, 10, 64, 3);
    // Positions deliberately not in token order: masking must follow token order.
    const torch::Tensor pos = ids_of({0, 1, 2, 40, 41, 42, 43, 60, 61, 62});
    const torch::Tensor before = m->forward(ids, pos);
    torch::Tensor changed = ids.clone();
    changed[0][6] = (changed[0][6].item<int64_t>() + 5) % 64;
    const torch::Tensor after = m->forward(changed, pos);
    QCOMPARE(max_abs_diff(before.narrow(1, 0, 6), after.narrow(1, 0, 6)), 0.0);
    QVERIFY(max_abs_diff(before.narrow(1, 6, 4), after.narrow(1, 6, 4)) > 1e-3);
  }

  void slidingWindowLimitsTheReceptiveField() {
    ModelConfig c = tiny_config();
    c.family = ModelFamily::Mistral;
    c.sliding_window = 3;  // each layer sees 2 tokens back: 2 layers reach 4 back
    LlamaForCausalLM m = make_model(c);
    torch::NoGradGuard no_grad;
    const torch::Tensor ids = random_ids(1, 10, 64, 4);
    const torch::Tensor pos = contiguous_positions(1, 10);
    torch::Tensor changed = ids.clone();
    changed[0][0] = (changed[0][0].item<int64_t>() + 1) % 64;
    const torch::Tensor a = m->forward(ids, pos), b = m->forward(changed, pos);
    QVERIFY(max_abs_diff(a.narrow(1, 0, 5), b.narrow(1, 0, 5)) > 1e-4);  // within reach
    QCOMPARE(max_abs_diff(a.narrow(1, 5, 5), b.narrow(1, 5, 5)), 0.0);   // beyond it

    // Decoding with the cache applies the same window.
    KvCache cache;
    const torch::Tensor last = m->prefill(ids.narrow(1, 0, 6), pos.narrow(1, 0, 6), cache);
    QVERIFY(max_abs_diff(last, a.select(1, 5)) < 1e-5);
    for (int64_t t = 6; t < 10; ++t) {
      const torch::Tensor step = m->step(ids.select(1, t), cache);
      QVERIFY(max_abs_diff(step, a.select(1, t)) < 1e-5);
    }
  }

  void kvCacheDecodingMatchesFullForward() {
    LlamaForCausalLM m = make_model(tiny_config());
    torch::NoGradGuard no_grad;
    const torch::Tensor ids = random_ids(2, 14, 64, 5);
    // Skipped prompt positions; decoding continues after the last one.
    const torch::Tensor pos = torch::cat({torch::arange(6), torch::arange(20, 28)}).to(torch::kLong).unsqueeze(0).expand({2, 14}).contiguous();
    const torch::Tensor full = m->forward(ids, pos);
    KvCache cache;
    const torch::Tensor prompt_logits = m->prefill(ids.narrow(1, 0, 10), pos.narrow(1, 0, 10), cache);
    QCOMPARE(cache.length, int64_t{10});
    QVERIFY(max_abs_diff(prompt_logits, full.select(1, 9)) < 1e-5);
    for (int64_t t = 10; t < 14; ++t) {
      const torch::Tensor step = m->step(ids.select(1, t), cache);
      QVERIFY2(max_abs_diff(step, full.select(1, t)) < 1e-5, "cached step differs from the full forward");
    }
    QCOMPARE(cache.length, int64_t{14});
    QCOMPARE(cache.next_position[0].item<int64_t>(), int64_t{28});
  }

  void greedyGenerationMatchesRepeatedFullForwards() {
    ModelConfig c = tiny_config();
    c.eos_token_ids = {};
    LlamaForCausalLM m = make_model(c);
    const std::vector<int64_t> prompt = {3, 14, 15, 9, 26};
    GenerateOptions options;
    options.max_new_tokens = 5;
    const std::vector<int64_t> generated = generate_greedy(m, prompt, options);
    QCOMPARE(generated.size(), std::size_t(5));
    torch::NoGradGuard no_grad;
    std::vector<int64_t> seq = prompt;
    for (int i = 0; i < 5; ++i) {
      const auto t = static_cast<int64_t>(seq.size());
      const torch::Tensor logits = m->forward(torch::tensor(seq, torch::kLong).unsqueeze(0), contiguous_positions(1, t));
      seq.push_back(logits[0][t - 1].argmax().item<int64_t>());
    }
    QCOMPARE(std::vector<int64_t>(seq.begin() + 5, seq.end()), generated);
  }

  void activationCheckpointingGivesEqualGradients() {
    const ModelConfig c = tiny_config();
    ModelOptions plain_options, ckpt_options;
    ckpt_options.activation_checkpointing = true;
    LlamaForCausalLM plain = make_model(c, 11, plain_options);
    LlamaForCausalLM ckpt = make_model(c, 11, ckpt_options);
    plain->train();
    ckpt->train();
    const torch::Tensor ids = random_ids(2, 10, 64, 6);
    const torch::Tensor pos = contiguous_positions(2, 10) * 3;
    const torch::Tensor loss_plain = plain->loss(ids, pos, ids);
    const torch::Tensor loss_ckpt = ckpt->loss(ids, pos, ids);
    QCOMPARE(loss_plain.item<double>(), loss_ckpt.item<double>());
    loss_plain.backward();
    loss_ckpt.backward();
    auto a = plain->named_parameters();
    auto b = ckpt->named_parameters();
    for (const auto& item : a) {
      const torch::Tensor& ga = item.value().grad();
      const torch::Tensor& gb = b[item.key()].grad();
      QVERIFY2(ga.defined() && gb.defined(), item.key().c_str());
      QVERIFY2(ga.abs().max().item<double>() > 0.0, item.key().c_str());
      QVERIFY2(torch::allclose(ga, gb, 1e-5, 1e-7), item.key().c_str());
    }
  }

  void chunkedLossMatchesFullCrossEntropy_data() {
    QTest::addColumn<int64_t>("keep");
    QTest::newRow("logits formed again in backward") << int64_t{0};
    QTest::newRow("logit gradient kept from forward") << (int64_t{1} << 25);
  }

  void chunkedLossMatchesFullCrossEntropy() {
    QFETCH(int64_t, keep);
    ModelOptions options;
    options.loss_chunk_tokens = 3;  // several chunks and a ragged last one
    options.loss_keep_gradient_elements = keep;
    LlamaForCausalLM m = make_model(tiny_config(), 12, options);
    LlamaForCausalLM reference = make_model(tiny_config(), 12);
    const torch::Tensor ids = random_ids(2, 8, 64, 7);
    torch::Tensor labels = ids.clone();
    labels[0][4] = kIgnoreIndex;
    labels[1][1] = kIgnoreIndex;
    const torch::Tensor pos = contiguous_positions(2, 8);

    const torch::Tensor loss = m->loss(ids, pos, labels);
    const torch::Tensor logits = reference->forward(ids, pos);
    const torch::Tensor expected = torch::nn::functional::cross_entropy(
        logits.narrow(1, 0, 7).reshape({-1, 64}).to(torch::kFloat), labels.narrow(1, 1, 7).reshape({-1}),
        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreIndex));
    QVERIFY(std::abs(loss.item<double>() - expected.item<double>()) < 1e-5);
    QCOMPARE(m->nll_sum(ids, pos, labels).tokens, int64_t{12});

    loss.backward();
    expected.backward();
    auto a = m->named_parameters();
    for (const auto& item : reference->named_parameters()) {
      QVERIFY2(torch::allclose(a[item.key()].grad(), item.value().grad(), 1e-4, 1e-6), item.key().c_str());
    }
  }

  // HF: seq_len = max(position_ids) + 1; b' = b·(s·L/W − (s−1))^(d/(d−2)).
  // With s = 2, W = 16 and L = 32 that is static NTK with factor 3.
  void dynamicNtkFollowsTheLargestPosition() {
    ModelConfig dynamic = tiny_config();
    dynamic.max_position_embeddings = 16;
    dynamic.rope.params.method = RopeMethod::Dynamic;
    dynamic.rope.params.factor = 2.0;
    ModelConfig plain = dynamic;
    plain.rope.params.method = RopeMethod::None;
    plain.rope.params.factor = 1.0;
    ModelConfig ntk3 = plain;
    ntk3.rope.params.method = RopeMethod::Ntk;
    ntk3.rope.params.factor = 3.0;
    LlamaForCausalLM m_dynamic = make_model(dynamic), m_plain = make_model(plain), m_ntk3 = make_model(ntk3);
    torch::NoGradGuard no_grad;
    const torch::Tensor ids = random_ids(1, 8, 64, 8);
    const torch::Tensor short_pos = contiguous_positions(1, 8) * 2;         // max 14 < 16: unscaled
    const torch::Tensor long_pos = contiguous_positions(1, 8) * 3 + 10;     // max 31: seq_len 32
    QVERIFY(max_abs_diff(m_dynamic->forward(ids, short_pos), m_plain->forward(ids, short_pos)) < 1e-6);
    QVERIFY(max_abs_diff(m_dynamic->forward(ids, long_pos), m_ntk3->forward(ids, long_pos)) < 1e-5);
    QVERIFY(max_abs_diff(m_dynamic->forward(ids, long_pos), m_plain->forward(ids, long_pos)) > 1e-4);
    // And back: a short sequence after a long one is unscaled again (stateless rule).
    QVERIFY(max_abs_diff(m_dynamic->forward(ids, short_pos), m_plain->forward(ids, short_pos)) < 1e-6);
  }

  void bfloat16WeightsRunCloseToFloat32() {
    LlamaForCausalLM m32 = make_model(tiny_config());
    LlamaForCausalLM m16 = make_model(tiny_config());
    m16->to(torch::kBFloat16);
    torch::NoGradGuard no_grad;
    const torch::Tensor ids = random_ids(1, 6, 64, 9);
    const torch::Tensor pos = contiguous_positions(1, 6);
    const torch::Tensor a = m32->forward(ids, pos);
    const torch::Tensor b = m16->forward(ids, pos);
    QCOMPARE(b.scalar_type(), torch::kBFloat16);
    const double scale = a.abs().max().item<double>();
    QVERIFY(max_abs_diff(a, b.to(torch::kFloat)) < 0.1 * scale);
    QVERIFY(std::isfinite(m16->loss(ids, pos, ids).item<double>()));
  }

  void badInputsAreNamed() {
    LlamaForCausalLM m = make_model(tiny_config());
    torch::NoGradGuard no_grad;
    try {
      m->forward(ids_of({1, 2, 64}), contiguous_positions(1, 3));
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      QVERIFY(std::string(e.what()).find("token id 64") != std::string::npos);
    }
    QVERIFY_THROWS_EXCEPTION(pose::UserError, m->forward(ids_of({1, 2, 3}), contiguous_positions(1, 2)));
  }
};

QTEST_APPLESS_MAIN(TestModel)
#include "test_model.moc"
