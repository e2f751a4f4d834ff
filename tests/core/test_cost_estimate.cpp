// The design's cost estimate: compute per step from the forward FLOPs, memory
// for weights, gradients, AdamW and activations, PoSE against Full-length at
// Lt, the periodic evaluation's share and the time per step from a throughput.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include "experiment/cost_estimate.h"
#include "experiment/periodic_eval.h"
#include "micro_model_config.h"

using namespace pose;
using namespace pose::experiment;

namespace {

model::ModelConfig micro() { return micro_model_config(); }

}  // namespace

class TestCostEstimate : public QObject {
  Q_OBJECT
 private slots:
  void trainingCostFollowsItsFormulas() {
    const auto c = micro();
    const auto t = estimate_training_cost(c, 256, 2, 3);
    const double p = static_cast<double>(c.parameter_count());
    QCOMPARE(t.parameters, c.parameter_count());
    QCOMPARE(t.tokens_per_step, int64_t(2 * 3 * 256));
    QCOMPARE(t.flops_per_step, 3.0 * 1536 * forward_flops_per_token(c, 256));
    QCOMPARE(t.memory.weights, 4 * p);
    QCOMPARE(t.memory.gradients, 4 * p);
    QCOMPARE(t.memory.optimizer, 8 * p);
    // Per token and layer: 10h + 3·kv·hd + 4·I + 2·heads·L; the logits once; one micro-batch.
    const double perToken = (10.0 * 64 + 3.0 * 32 + 4.0 * 176 + 2.0 * 4 * 256) * 2 + 1024;
    QCOMPARE(t.memory.activations, 4.0 * perToken * 2 * 256);
    QVERIFY(!t.seconds_per_step);

    CostOptions o;
    o.bf16 = true;
    o.materialized_attention = false;
    o.flops_per_second = 1e9;
    const auto b = estimate_training_cost(c, 256, 2, 3, o);
    QCOMPARE(b.memory.activations, 2.0 * ((10.0 * 64 + 3.0 * 32 + 4.0 * 176) * 2 + 1024) * 2 * 256);
    QCOMPARE(b.memory.weights, t.memory.weights);  // master weights stay fp32
    QVERIFY(b.seconds_per_step.has_value());
    QCOMPARE(*b.seconds_per_step, b.flops_per_step / 1e9);
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
