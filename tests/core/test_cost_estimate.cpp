// The design's cost estimate: compute per step from the forward FLOPs; memory
// for weights, their bf16 copies, gradients, AdamW and activations, with LoRA
// and activation checkpointing, tensor by tensor as the engine holds them
// (docs/PERFORMANCE.md measures them); PoSE against Full-length at Lt; whether
// a device's memory holds it and which changes would make it; the periodic
// evaluation's share and the time per step from a throughput.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include "common/error.h"
#include "experiment/cost_estimate.h"
#include "experiment/periodic_eval.h"
#include "micro_model_config.h"
#include "kernels/attention_kernel.h"
#include "model/llama_model.h"
#include "lora/lora.h"

using namespace pose;
using namespace pose::experiment;

namespace {

model::ModelConfig micro() { return micro_model_config(); }

}  // namespace

class TestCostEstimate : public QObject {
  Q_OBJECT
 private slots:
  void trainableParametersAreTheModelsOwn() {
    const auto c = micro();
    model::LlamaForCausalLM m(c);
    int64_t trainable = 0;
    for (const auto& p : m->parameters()) {
      if (p.requires_grad()) trainable += p.numel();
    }
    QCOMPARE(trainable_parameter_count(c, std::nullopt), trainable);
    QCOMPARE(estimate_training_cost(c, 256, 2, 1).trainable_parameters, trainable);

    // LoRA rank 8 on q, k, v, o: rank x (in + out) per projection and layer
    // (q 64->64, k and v 64->32, o 64->64), then embeddings and norms.
    model::LoraConfig lora;
    const int64_t adapters = 2 * 8 * ((64 + 64) + 2 * (64 + 32) + (64 + 64));
    QCOMPARE(trainable_parameter_count(c, lora), adapters);
    lora.train_embeddings = true;
    QCOMPARE(trainable_parameter_count(c, lora), adapters + 1024 * 64);  // tied: one matrix
    lora.train_norms = true;
    QCOMPARE(trainable_parameter_count(c, lora), adapters + 1024 * 64 + (2 * 2 + 1) * 64);
    auto untied = c;
    untied.tie_word_embeddings = false;
    QCOMPARE(trainable_parameter_count(untied, lora), adapters + 2 * 1024 * 64 + (2 * 2 + 1) * 64);
  }

  void loraCountsAndBytesAreTheAdaptedModelsOwn() {
    // The engine's own LoRA (lora/lora.h) on models of two shapes: the
    // estimate's trainable count, weight bytes and gradient bytes are exactly
    // what the adapted model holds.
    auto untied = micro();
    untied.tie_word_embeddings = false;
    for (const auto& c : {micro(), untied}) {
      for (const bool bf16 : {false, true}) {
        for (int variant = 0; variant < 3; ++variant) {
          model::LoraConfig lora;
          if (variant == 1) {
            lora.rank = 4;
            lora.targets = model::all_lora_targets();
          } else if (variant == 2) {
            lora.train_embeddings = lora.train_norms = true;
          }
          model::LlamaForCausalLM m(c);
          model::attach_lora(m, lora, 1);
          if (bf16) model::store_frozen_projections_as(m, torch::kBFloat16);
          double bytes = 0, trainableBytes = 0;
          for (const auto& p : m->parameters()) {
            bytes += double(p.numel() * p.element_size());
            if (p.requires_grad()) trainableBytes += double(p.numel()) * 4.0;
          }
          QCOMPARE(trainable_parameter_count(c, lora), model::count_parameters(m).trainable);
          CostOptions o;
          o.bf16 = bf16;
          o.lora = lora;
          const auto t = estimate_training_cost(c, 64, 1, 1, o);
          QCOMPARE(t.parameters, model::count_parameters(m).total);
          QCOMPARE(t.memory.weights, bytes);
          QCOMPARE(t.memory.gradients, trainableBytes);
          QCOMPARE(t.memory.optimizer, 2 * trainableBytes);
        }
      }
    }
  }

  void parameterMemoryByCategory() {
    const auto c = micro();
    const double p = static_cast<double>(c.parameter_count());
    CostOptions o;
    const auto full = estimate_training_cost(c, 256, 2, 3, o);
    QCOMPARE(full.tokens_per_step, int64_t(2 * 3 * 256));
    QCOMPARE(full.flops_per_step, 3.0 * 1536 * forward_flops_per_token(c, 256));
    QCOMPARE(full.memory.weights, 4 * p);
    QCOMPARE(full.memory.gradients, 4 * p);
    QCOMPARE(full.memory.optimizer, 8 * p);
    QCOMPARE(full.memory.weight_copies, 0.0);
    QVERIFY(!full.seconds_per_step);

    // LoRA: gradients and AdamW for the adapters only; under bf16 the frozen
    // projections in 2 bytes, the rest of the frozen model in fp32.
    model::LoraConfig lora;
    o.lora = lora;
    o.bf16 = true;
    const auto adapted = estimate_training_cost(c, 256, 2, 3, o);
    const double trainable = static_cast<double>(trainable_parameter_count(c, lora));
    const double projections = 2.0 * (64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 176);
    QCOMPARE(adapted.memory.gradients, 4 * trainable);
    QCOMPARE(adapted.memory.optimizer, 8 * trainable);
    // (The adapted model is the base plus its adapters, which are all it trains here.)
    QCOMPARE(adapted.parameters, c.parameter_count() + trainable_parameter_count(c, lora));
    QCOMPARE(adapted.memory.weights, 4 * trainable + 2 * projections + 4 * (p - projections));
    // Without a cast cache only the adapters' bf16 copies are kept.
    QCOMPARE(adapted.memory.weight_copies, 2 * trainable);

    // Full fine-tuning under bf16: the projections' copies, and the LM
    // head's too where autocast caches its casts.
    CostOptions bf16;
    bf16.bf16 = true;
    QCOMPARE(estimate_training_cost(c, 256, 2, 3, bf16).memory.weight_copies, 2 * projections);
    bf16.autocast_weight_cache = true;
    QCOMPARE(estimate_training_cost(c, 256, 2, 3, bf16).memory.weight_copies, 2 * projections + 2.0 * 1024 * 64);
    QCOMPARE(estimate_training_cost(c, 256, 2, 3, bf16).memory.weights, 4 * p);  // master weights stay fp32

    // Checkpointing runs the forward once more.
    CostOptions ckpt;
    ckpt.activation_checkpointing = true;
    QCOMPARE(estimate_training_cost(c, 256, 2, 3, ckpt).flops_per_step, 4.0 * 1536 * forward_flops_per_token(c, 256));
  }

  void activationsAreTheEnginesTensors() {
    // fp32 on the CPU with the engine's kernels (heads 16 wide take the
    // attention kernel): per token and layer the residual stream twice, two
    // norm outputs with their statistic, q, k, v, attention's output and
    // log-sum-exp per head, SwiGLU's gate, up and product.
    const auto c = micro();
    CostOptions o;
    o.cpu_kernels = true;
    o.materialized_attention = false;
    const auto t = estimate_training_cost(c, 256, 2, 1, o);
    const double n = 512, scored = 510;
    const double perLayer = 2 * 4.0 * 64 + 2 * (4.0 * 64 + 4) + 4.0 * (64 + 2 * 32) + 4.0 * 64 + 4.0 * 4 + 3 * 4.0 * 176;
    const auto& a = t.memory.activation_parts;
    QCOMPARE(a.layers, 2 * perLayer * n);
    QCOMPARE(a.inputs, (2 * 4.0 * 16 + 4 * 8.0) * n + (POSE_HAVE_SDPA ? 0.0 : 4.0 * 256 * 256));
    // The loss keeps the final norm's input and output and the whole logit
    // gradient (510 x 1024 entries is under the kept limit); its working set
    // is the larger of a chunk of logits and the hidden + LM-head gradients.
    const double lossSaved = (4.0 * 64 + 4.0 * 64 + 4) * n + 4.0 * scored * 1024;
    const double lossWorking = std::max(4.0 * scored * 1024, 4.0 * 64 * scored + 4.0 * 1024 * 64);
    QCOMPARE(a.loss, lossSaved);
    QCOMPARE(a.backward_peak, lossWorking);
    QCOMPARE(a.recompute, 0.0);
    QCOMPARE(t.memory.activations, a.total());
    QCOMPARE(t.memory.total(), t.memory.weights + t.memory.gradients + t.memory.optimizer + t.memory.activations);

    // Checkpointing keeps each layer's input; the loss's moment is still the peak here.
    o.activation_checkpointing = true;
    const auto ck = estimate_training_cost(c, 256, 2, 1, o);
    QCOMPARE(ck.memory.activation_parts.layers, 2 * 4.0 * 64 * n);
    QCOMPARE(ck.memory.activation_parts.loss, lossSaved);
    QVERIFY(ck.memory.activations < t.memory.activations);

    // Eager attention keeps the probabilities: 4 heads x 256 x 256 per sequence and layer.
    o.activation_checkpointing = false;
    o.materialized_attention = true;
    const auto eager = estimate_training_cost(c, 256, 2, 1, o);
    const double eagerLayer = perLayer - 4.0 * 4;  // no log-sum-exp; o_proj's copy replaces the in-place output
    QCOMPARE(eager.memory.activation_parts.layers, 2 * (eagerLayer * n + 2 * 4.0 * 4 * 256 * 256));

    // bf16 autocast halves what autocast hands on, not the fp32 residual stream.
    o.materialized_attention = false;
    o.bf16 = true;
    const auto half = estimate_training_cost(c, 256, 2, 1, o);
    QVERIFY(half.memory.activation_parts.layers < t.memory.activation_parts.layers);
    QVERIFY(half.memory.activation_parts.layers > 0.5 * t.memory.activation_parts.layers);

    // LoRA adds each adapter's rank-sized intermediate, and with dropout its input.
    o.bf16 = false;
    model::LoraConfig lora;
    lora.dropout = 0.05;
    o.lora = lora;
    const auto adapted = estimate_training_cost(c, 256, 2, 1, o);
    // Per adapter A's rank-sized output, the dropped-out input and the CPU's
    // dropout noise (both in the input's dtype).
    QCOMPARE(adapted.memory.activation_parts.adapters, 2 * n * (4 * 4 * 8.0 + 2 * 4.0 * (64 + 64 + 64 + 64)));
    // In fp32 on the CPU the engine's products keep their inputs whether or not the weight trains.
    QCOMPARE(adapted.memory.activation_parts.layers, t.memory.activation_parts.layers);

    // Under bf16 LibTorch's products keep an input only for a trained weight
    // (here: the adapters on q, k, v, o, without dropout): the MLP's norm
    // output and SwiGLU's product are not kept.
    o.bf16 = true;
    lora.dropout = 0;
    o.lora = lora;
    const auto frozen = estimate_training_cost(c, 256, 2, 1, o);
    const double bf16Layer = 2 * 4.0 * 64 + 2 * 4.0 + 2.0 * 64 + 2.0 * (64 + 2 * 32) + 2.0 * 64 + 4.0 * 4 + 2 * 2.0 * 176;
    QCOMPARE(frozen.memory.activation_parts.layers, 2 * bf16Layer * n);
  }

  void engineOptionsFollowTheDeviceAndSettings() {
    auto c = micro();
    TrainingSettings t;
    auto cpu = engine_cost_options(c, t, CostDevice::Cpu);
    QVERIFY(!cpu.bf16);
    QVERIFY(cpu.cpu_kernels);
    QVERIFY(!cpu.materialized_attention);  // 16-wide heads: the CPU kernel
    c.head_dim = 128;
    QVERIFY(engine_cost_options(c, t, CostDevice::Cpu).materialized_attention);
    auto cuda = engine_cost_options(c, t, CostDevice::Cuda);
    QVERIFY(cuda.bf16);  // auto resolves to bf16 there
    QVERIFY(!cuda.cpu_kernels);
    QCOMPARE(cuda.materialized_attention, !POSE_HAVE_SDPA);
    QVERIFY(!engine_cost_options(c, t, CostDevice::Cuda, AttentionMemory::RowStatistics).materialized_attention);
    t.precision = Precision::Bf16;
    t.activation_checkpointing = true;
    t.lora = model::LoraConfig{};
    cpu = engine_cost_options(c, t, CostDevice::Cpu);
    QVERIFY(cpu.bf16);
    QVERIFY(cpu.activation_checkpointing);
    QVERIFY(cpu.lora.has_value());
  }

  void verdictAndSuggestionsComeFromTheSameEstimate() {
    const auto c = micro();
    ExperimentSpec spec;
    spec.base_model.train_len = 256;
    ExtendRunSpec run;
    run.strategy = positions::Strategy::Pose;
    run.train_len = 256;
    run.target_len = 2048;
    run.training.batch_size = 4;
    const auto estimate = [&](const TrainingSettings& t, int64_t len) {
      return estimate_training_cost(c, len, t.batch_size, t.grad_accum, engine_cost_options(c, t, CostDevice::Cpu))
          .memory.total();
    };
    const double design = estimate(run.training, 256);
    auto ckpt = run.training;
    ckpt.activation_checkpointing = true;
    const double withCkpt = estimate(ckpt, 256);
    QVERIFY(withCkpt < design);

    // A device where the design fits.
    const auto roomy = fit_design(spec, run, c, 2 * design / (1 - kMemoryHeadroom), CostDevice::Cpu);
    QVERIFY(roomy.design.fits);
    QVERIFY(roomy.design.suggestions.empty());
    QCOMPARE(roomy.design.needed, design);
    QVERIFY(!roomy.full_length.fits || estimate(run.training, 2048) <= roomy.full_length.available);

    // One where only a change makes it fit: checkpointing comes first, with
    // its bytes from the estimate; every suggestion needs less than the design.
    const double device = (design + withCkpt) / 2 / (1 - kMemoryHeadroom);
    const auto tight = fit_design(spec, run, c, device, CostDevice::Cpu);
    QVERIFY(!tight.design.fits);
    QVERIFY(!tight.design.suggestions.empty());
    const auto& first = tight.design.suggestions.front();
    QCOMPARE(first.changes.size(), std::size_t(1));
    QVERIFY(first.changes[0].kind == SettingChange::Kind::ActivationCheckpointing);
    QCOMPARE(first.bytes, withCkpt);
    QVERIFY(first.fits);
    QVERIFY(tight.design.top().has_value());
    QCOMPARE(describe(tight.design.top()->changes), std::string("turn on activation_checkpointing"));
    for (const auto& s : tight.design.suggestions) QVERIFY(s.bytes < design);
    // The batch suggestion keeps the sequences per step.
    for (const auto& s : tight.design.suggestions) {
      if (s.changes.size() == 1 && s.changes[0].kind == SettingChange::Kind::BatchSize) {
        QVERIFY(s.changes[0].value * s.changes[0].accum >= 4);
        auto smaller = run.training;
        smaller.batch_size = s.changes[0].value;
        smaller.grad_accum = s.changes[0].accum;
        QCOMPARE(s.bytes, estimate(smaller, 256));
      }
    }
    // Full-length at Lt needs more than the design.
    QVERIFY(tight.full_length.needed > tight.design.needed);
    QVERIFY(!tight.full_length.fits);

    // A device nothing fits: combinations, none fitting, and no top.
    const auto none = fit_design(spec, run, c, 1024.0, CostDevice::Cpu);
    QVERIFY(!none.design.top());
    QVERIFY(none.design.suggestions.back().changes.size() > 1);
  }

  void memorySizesReadAndPrint() {
    QCOMPARE(parse_memory_size("80GB", "--device-memory"), 80e9);
    QCOMPARE(parse_memory_size("80GiB", "--device-memory"), 80.0 * (1 << 30));
    QCOMPARE(parse_memory_size("80", "--device-memory"), 80.0 * (1 << 30));
    QCOMPARE(parse_memory_size("24g", "--device-memory"), 24.0 * (1 << 30));
    QCOMPARE(parse_memory_size("512MiB", "--device-memory"), 512.0 * (1 << 20));
    for (const char* bad : {"", "GB", "-3GB", "80 parsecs", "0"}) {
      try {
        parse_memory_size(bad, "--device-memory");
        QFAIL(bad);
      } catch (const UserError& e) {
        QVERIFY2(std::string(e.what()).rfind("--device-memory: ", 0) == 0, e.what());
      }
    }
    QCOMPARE(format_bytes(38.25 * (1 << 30)), std::string("38.2 GiB"));
    QCOMPARE(format_bytes(1.5 * (1 << 20)), std::string("1.5 MiB"));
  }

  void poseAgainstFullLengthAtTheTarget() {
    ExperimentSpec spec;
    spec.base_model.train_len = 256;
    ExtendRunSpec run;
    run.strategy = positions::Strategy::Pose;
    run.train_len = 256;
    run.target_len = 2048;
    run.training.steps = 40;
    run.training.batch_size = 2;
    const auto d = estimate_design_cost(spec, run, micro());
    QCOMPARE(d.steps, int64_t(40));
    QCOMPARE(d.full_length.train_len, int64_t(2048));
    QCOMPARE(d.full_length.tokens_per_step, 8 * d.design.tokens_per_step);
    // Attention grows with the window: more than the 8x in tokens.
    QVERIFY2(d.step_ratio() > 8.0, qPrintable(QString::number(d.step_ratio())));
    QVERIFY(d.memory_ratio() > 1.0);
    QCOMPARE(d.full_length.memory.weights, d.design.memory.weights);
    QCOMPARE(d.periodic_share, 0.0);  // no schedule

    PeriodicPlan plan;
    plan.every = 10;
    plan.perplexity = PerplexityPlan{};
    plan.perplexity->max_tokens = 2048;
    spec.evaluation.periodic = plan;
    const auto withPeriodic = estimate_design_cost(spec, run, micro(), {}, 100000);
    const auto expected = estimate_periodic_cost(resolve_periodic_plan(plan, 256, 2048), micro(), run, 100000).share();
    QVERIFY(expected > 0);
    QCOMPARE(withPeriodic.periodic_share, expected);

    // A run that does not train costs nothing to train.
    run.strategy = positions::Strategy::None;
    QCOMPARE(estimate_design_cost(spec, run, micro()).steps, int64_t(0));
  }

  void achievedThroughputInvertsTheStepCost() {
    const auto c = micro();
    CostOptions o;
    o.flops_per_second = achieved_flops_per_second(c, 256, 30000.0);
    const auto t = estimate_training_cost(c, 256, 2, 1, o);
    // 512 tokens at 30000 tokens/s.
    QVERIFY(std::abs(*t.seconds_per_step - 512.0 / 30000.0) < 1e-12);
  }
};

QTEST_APPLESS_MAIN(TestCostEstimate)
#include "test_cost_estimate.moc"
