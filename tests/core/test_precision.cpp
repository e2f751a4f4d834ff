// The precision policy: fp32 by default on the CPU, bf16 autocast when asked
// for (on the CPU too), the grouped attention kernel and the activation
// checkpoint under autocast, and bf16 training that follows fp32 training.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <cmath>

#include "kernels/attention_kernel.h"
#include "model/autocast_state.h"
#include "model/chunked_cross_entropy.h"
#include "model/llama_model.h"
#include "model/model_init.h"
#include "tiny_training_fixture.h"
#include "train/batch_source.h"
#include "train/precision.h"
#include "train/trainer.h"

using namespace pose;
using train::Precision;

namespace {

model::ModelConfig tiny_config() { return tiny_training_config(); }

model::LlamaForCausalLM tiny_model(uint64_t seed, bool checkpointing = false) {
  model::ModelOptions options;
  options.activation_checkpointing = checkpointing;
  model::LlamaForCausalLM m(tiny_config(), options);
  model::init_weights(m, seed);
  m->train();
  return m;
}

torch::Tensor random_ids(int64_t b, int64_t t, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randint(3, 64, {b, t}, torch::kLong);
}

double cosine(const torch::Tensor& a, const torch::Tensor& b) {
  const auto x = a.flatten().to(torch::kDouble), y = b.flatten().to(torch::kDouble);
  return (x.dot(y) / (x.norm() * y.norm())).item<double>();
}

// Gradients of the mean token NLL of one batch, by parameter name, in fp32 or
// under bf16 autocast.
std::map<std::string, torch::Tensor> gradients(model::LlamaForCausalLM& m, Precision precision, double* loss) {
  for (auto& p : m->parameters()) p.mutable_grad() = torch::Tensor();
  const torch::Tensor ids = random_ids(2, 24, 4);
  const torch::Tensor positions = model::contiguous_positions(2, 24) * 2;  // skipped ids, as PoSE's
  {
    const train::AutocastScope autocast(torch::kCPU, precision);
    const torch::Tensor l = m->loss(ids, positions, ids);
    l.backward();
    *loss = l.item<double>();
  }
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : m->named_parameters()) out[item.key()] = item.value().grad().clone();
  return out;
}

std::shared_ptr<const std::vector<std::vector<int32_t>>> documents() { return learnable_documents(); }

class Losses : public train::TrainObserver {
 public:
  std::vector<double> values;
  std::vector<std::string> log;
  void on_step(const train::StepEvent& e) override { values.push_back(e.loss); }
  void on_log(const std::string& line) override { log.push_back(line); }
};

}  // namespace

class TestPrecision : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { torch::set_num_threads(1); }

  void autoIsFp32OnTheCpuAndBf16OnCuda() {
    QCOMPARE(train::resolve_precision(Precision::Auto, torch::kCPU), Precision::Fp32);
    QCOMPARE(train::resolve_precision(Precision::Bf16, torch::kCPU), Precision::Bf16);
    QCOMPARE(train::resolve_precision(Precision::Fp32, torch::kCPU), Precision::Fp32);
    QCOMPARE(train::resolve_precision(Precision::Auto, torch::Device(torch::kCUDA, 0)), Precision::Bf16);
    // A note only where bf16 is emulated.
    QCOMPARE(train::precision_note(Precision::Bf16, torch::kCPU).empty(), train::cpu_has_native_bf16());
    QVERIFY(train::precision_note(Precision::Fp32, torch::kCPU).empty());
  }

  void autocastScopeSwitchesCpuBf16AndRestores() {
    const torch::Tensor a = torch::randn({4, 8}), b = torch::randn({8, 3});
    QCOMPARE(torch::mm(a, b).scalar_type(), torch::kFloat);
    {
      const train::AutocastScope fp32(torch::kCPU, Precision::Fp32);
      QCOMPARE(torch::mm(a, b).scalar_type(), torch::kFloat);
    }
    {
      const train::AutocastScope bf16(torch::kCPU, Precision::Bf16);
      QVERIFY(model::current_autocast().cpu);
      QCOMPARE(torch::mm(a, b).scalar_type(), torch::kBFloat16);
      {
        const train::AutocastScope nested(torch::kCPU, Precision::Bf16);
        QCOMPARE(torch::mm(a, b).scalar_type(), torch::kBFloat16);
      }
      QCOMPARE(torch::mm(a, b).scalar_type(), torch::kBFloat16);  // the outer scope is still on
    }
    QVERIFY(!model::current_autocast().cpu);
    QCOMPARE(torch::mm(a, b).scalar_type(), torch::kFloat);
  }

  // The grouped kernel takes bf16 q/k/v (as autocast hands them over) and
  // gives what the repeated-K/V path gives, forward and backward.
  void groupedKernelInBf16MatchesTheRepeatedPath() {
    torch::manual_seed(3);
    const int64_t b = 2, h = 4, kv = 2, t = 9, d = 8;
    const auto make = [](std::vector<int64_t> shape) {
      return torch::randn(shape).to(torch::kBFloat16).requires_grad_(true);
    };
    const torch::Tensor q = make({b, h, t, d}), k = make({b, kv, t, d}), v = make({b, kv, t, d});
    const auto mask = model::make_attention_mask(t, 0, std::nullopt, model::AttentionKernel::Eager,
                                                 torch::kBFloat16, torch::kCPU);
    const torch::Tensor upstream = torch::randn({b, h, t, d}).to(torch::kBFloat16);
    const torch::Tensor ours = model::attend_grouped(q, k, v, mask, model::AttentionKernel::Eager);
    QCOMPARE(ours.scalar_type(), torch::kBFloat16);
    (ours.to(torch::kFloat) * upstream.to(torch::kFloat)).sum().backward();
    const torch::Tensor gq = q.grad().clone(), gk = k.grad().clone(), gv = v.grad().clone();
    q.mutable_grad() = torch::Tensor();
    k.mutable_grad() = torch::Tensor();
    v.mutable_grad() = torch::Tensor();
    const torch::Tensor reference = model::attend(q, model::repeat_kv(k, h / kv), model::repeat_kv(v, h / kv), mask,
                                                  model::AttentionKernel::Eager);
    (reference.to(torch::kFloat) * upstream.to(torch::kFloat)).sum().backward();
    // Both in bf16: equal up to bf16 rounding (8 bits of mantissa).
    QVERIFY(torch::allclose(ours.to(torch::kFloat), reference.to(torch::kFloat), 3e-2, 3e-2));
    QVERIFY(cosine(gq, q.grad()) > 0.999);
    QVERIFY(cosine(gk, k.grad()) > 0.999);
    QVERIFY(cosine(gv, v.grad()) > 0.999);
  }

  // The loss under autocast: the logit gradient kept from forward (stored in
  // bf16) and the one formed again in backward give the same gradients, and
  // the loss is fp32 cross-entropy of the bf16 logits.
  void lossUnderAutocastKeepsItsGradientInBf16() {
    torch::manual_seed(8);
    const torch::Tensor hidden0 = torch::randn({40, 16}), weight0 = torch::randn({50, 16}) * 0.5;
    torch::Tensor targets = torch::randint(0, 50, {40}, torch::kLong);
    targets[3] = model::kIgnoreIndex;
    const torch::Tensor reference = torch::nn::functional::cross_entropy(
        torch::matmul(hidden0.to(torch::kBFloat16), weight0.to(torch::kBFloat16).t()).to(torch::kFloat), targets,
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    std::vector<torch::Tensor> grads;
    for (const int64_t keep : {int64_t{0}, int64_t{1} << 20}) {
      const torch::Tensor hidden = hidden0.clone().requires_grad_(true), weight = weight0.clone().requires_grad_(true);
      const train::AutocastScope autocast(torch::kCPU, Precision::Bf16);
      const torch::Tensor loss = model::linear_cross_entropy_sum(hidden, weight, targets, 16, keep);
      QCOMPARE(loss.scalar_type(), torch::kFloat);
      QVERIFY2(std::abs(loss.item<double>() - reference.item<double>()) < 1e-3 * reference.item<double>(),
               qPrintable(QStringLiteral("%1 vs %2").arg(loss.item<double>()).arg(reference.item<double>())));
      loss.backward();
      QCOMPARE(hidden.grad().scalar_type(), torch::kFloat);
      QCOMPARE(hidden.grad()[3].abs().sum().item<double>(), 0.0);  // the ignored token has no gradient
      QVERIFY(hidden.grad()[4].abs().sum().item<double>() > 0);
      grads.push_back(hidden.grad());
      grads.push_back(weight.grad());
    }
    QVERIFY(cosine(grads[0], grads[2]) > 0.999);
    QVERIFY(cosine(grads[1], grads[3]) > 0.999);
  }

  // bf16 autocast changes rounding, not the model: its loss and every
  // parameter's gradient follow fp32's, and the gradients stay fp32.
  void bf16GradientsFollowFp32() {
    auto m = tiny_model(21);
    double fp32_loss = 0, bf16_loss = 0;
    const auto fp32 = gradients(m, Precision::Fp32, &fp32_loss);
    const auto bf16 = gradients(m, Precision::Bf16, &bf16_loss);
    QVERIFY2(std::abs(bf16_loss - fp32_loss) < 1e-2 * fp32_loss,
             qPrintable(QStringLiteral("%1 vs %2").arg(bf16_loss).arg(fp32_loss)));
    QVERIFY(bf16_loss != fp32_loss);  // autocast was really on
    for (const auto& [name, g] : fp32) {
      const torch::Tensor& h = bf16.at(name);
      QCOMPARE(h.scalar_type(), torch::kFloat);
      QVERIFY2(g.abs().max().item<double>() > 0, name.c_str());
      const double c = cosine(g, h);
      QVERIFY2(c > 0.99, qPrintable(QStringLiteral("%1: cosine %2").arg(QString::fromStdString(name)).arg(c)));
    }
  }

  // The checkpoint's recomputation runs under the forward's CPU autocast:
  // the same gradients as without checkpointing (a recomputation in fp32 would
  // differ at bf16 rounding).
  void checkpointRecomputesUnderTheForwardsAutocast() {
    auto plain = tiny_model(22), ckpt = tiny_model(22, /*checkpointing=*/true);
    double plain_loss = 0, ckpt_loss = 0;
    const auto a = gradients(plain, Precision::Bf16, &plain_loss);
    const auto b = gradients(ckpt, Precision::Bf16, &ckpt_loss);
    QCOMPARE(plain_loss, ckpt_loss);
    for (const auto& [name, g] : a) {
      QVERIFY2(torch::allclose(g, b.at(name), 1e-5, 1e-7), name.c_str());
    }
  }

  // The trainer with precision bf16 on the CPU: the loss curve follows the
  // fp32 run from the same start, and training still learns.
  void bf16TrainingFollowsTheFp32LossCurve() {
    QTemporaryDir dir;
    std::vector<double> curves[2];
    for (int i = 0; i < 2; ++i) {
      auto m = tiny_model(5);
      train::BatchSourceOptions so;
      so.design = positions::make_design(positions::Strategy::Pose, 16, 64);
      so.segment_len = 64;
      so.batch_size = 4;
      so.seed = 99;
      train::BatchSource source(documents(), so);
      train::TrainerOptions o;
      o.settings.steps = 30;
      o.settings.lr = 3e-3;
      o.settings.warmup_steps = 2;
      o.settings.batch_size = 4;
      o.settings.checkpoint_every = 0;
      o.settings.precision = i == 0 ? Precision::Fp32 : Precision::Bf16;
      o.checkpoint_file = dir.filePath(QStringLiteral("run%1.pt").arg(i)).toStdString();
      Losses losses;
      o.observer = &losses;
      train::train_model(m, source, o);
      curves[i] = losses.values;
    }
    QCOMPARE(curves[1].size(), curves[0].size());
    bool any_differs = false;
    for (std::size_t s = 0; s < curves[0].size(); ++s) {
      QVERIFY2(std::abs(curves[1][s] - curves[0][s]) < 0.02 * curves[0][s],
               qPrintable(QStringLiteral("step %1: bf16 %2, fp32 %3").arg(s).arg(curves[1][s]).arg(curves[0][s])));
      any_differs = any_differs || curves[1][s] != curves[0][s];
    }
    QVERIFY(any_differs);
    QVERIFY(curves[1].back() < curves[1].front() - 0.3);  // it learns (fp32: 4.16 -> 3.70 nats here)
  }
};

QTEST_GUILESS_MAIN(TestPrecision)
#include "test_precision.moc"
