// AdamW's one-pass CPU step (train/cpu_adamw.h): the same parameters and
// moments as LibTorch's AdamW over several steps with a changing learning
// rate, its state where LibTorch's step (and so a checkpoint) finds it,
// parameters without a gradient left alone, and LibTorch's step where it does
// not apply.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include "common/threads.h"
#include "kernels/cpu_kernels.h"
#include "train/cpu_adamw.h"

using namespace pose::train;
using torch::optim::AdamW;
using torch::optim::AdamWOptions;
using torch::optim::AdamWParamState;

namespace {

// Parameters of several shapes, one large enough to split over the pool.
std::vector<torch::Tensor> parameters() {
  torch::manual_seed(5);
  return {torch::randn({300, 170}).requires_grad_(true), torch::randn({70}).requires_grad_(true),
          torch::randn({3, 5}).requires_grad_(true)};
}

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& ps) {
  std::vector<torch::Tensor> out;
  for (const auto& p : ps) out.push_back(p.detach().clone().requires_grad_(true));
  return out;
}

AdamWOptions options() { return AdamWOptions(1e-2).betas({0.9, 0.95}).eps(1e-8).weight_decay(0.1); }

// Gives both parameter sets the same gradient for step `step`, and both
// optimizers the learning rate the schedule has then.
void prepare(int step, std::vector<torch::Tensor>& a, std::vector<torch::Tensor>& b, AdamW& oa, AdamW& ob) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto g = torch::randn(a[i].sizes()) * (step + 1);
    a[i].mutable_grad() = g.clone();
    b[i].mutable_grad() = g.clone();
  }
  for (AdamW* o : {&oa, &ob}) static_cast<AdamWOptions&>(o->param_groups()[0].options()).lr(1e-2 / (step + 1));
}

bool close(const torch::Tensor& a, const torch::Tensor& b) { return torch::allclose(a, b, 1e-5, 1e-6); }

const AdamWParamState& state_of(AdamW& o, const torch::Tensor& p) {
  return static_cast<const AdamWParamState&>(*o.state().at(pose::train::optimizer_state_key(p)));
}

}  // namespace

class TestCpuAdamW : public QObject {
  Q_OBJECT
 private slots:
  void init() { pose::configure_threads(2); }

  void matchesLibTorchsAdamW() {
    auto ours = parameters(), theirs = copies(ours);
    AdamW fused(ours, options()), reference(theirs, options());
    QVERIFY(cpu_adamw_applies(fused));
    for (int step = 0; step < 6; ++step) {
      prepare(step, ours, theirs, fused, reference);
      cpu_adamw_step(fused);
      reference.step();
    }
    for (std::size_t i = 0; i < ours.size(); ++i) {
      QVERIFY(close(ours[i], theirs[i]));
      QCOMPARE(state_of(fused, ours[i]).step(), int64_t{6});
      QVERIFY(close(state_of(fused, ours[i]).exp_avg(), state_of(reference, theirs[i]).exp_avg()));
      QVERIFY(close(state_of(fused, ours[i]).exp_avg_sq(), state_of(reference, theirs[i]).exp_avg_sq()));
    }
    // Not a vacuous comparison: the parameters moved.
    QVERIFY(!close(ours[0], parameters()[0]));
  }

  void libTorchsStepContinuesFromItsState() {
    // Three steps here, two of LibTorch's: as five of LibTorch's. A state
    // filed under another key would restart the moments and the bias
    // correction at step 1 and end far from it.
    auto ours = parameters(), theirs = copies(ours);
    AdamW mixed(ours, options()), reference(theirs, options());
    for (int step = 0; step < 5; ++step) {
      prepare(step, ours, theirs, mixed, reference);
      if (step < 3) {
        cpu_adamw_step(mixed);
      } else {
        mixed.step();
      }
      reference.step();
    }
    for (std::size_t i = 0; i < ours.size(); ++i) QVERIFY(close(ours[i], theirs[i]));
    QCOMPARE(static_cast<int64_t>(mixed.state().size()), static_cast<int64_t>(ours.size()));
  }

  void leavesParametersWithoutGradientAlone() {
    auto ps = parameters();
    const auto before = ps[1].detach().clone();
    AdamW o(ps, options());
    ps[0].mutable_grad() = torch::ones(ps[0].sizes());
    QVERIFY(cpu_adamw_applies(o));
    cpu_adamw_step(o);
    QVERIFY(torch::equal(ps[1], before));
    QCOMPARE(static_cast<int64_t>(o.state().size()), int64_t{1});
  }

  void takesLibTorchsStepWhereItDoesNotApply() {
    auto ps = parameters();
    ps[0].mutable_grad() = torch::ones(ps[0].sizes());
    AdamW amsgrad(ps, options().amsgrad(true));
    QVERIFY(!cpu_adamw_applies(amsgrad));
    adamw_step(amsgrad);  // LibTorch's, with its max_exp_avg_sq
    QVERIFY(state_of(amsgrad, ps[0]).max_exp_avg_sq().defined());

    auto half = std::vector<torch::Tensor>{torch::randn({8}).to(torch::kDouble).requires_grad_(true)};
    half[0].mutable_grad() = torch::ones({8}, torch::kDouble);
    AdamW doubles(half, options());
    QVERIFY(!cpu_adamw_applies(doubles));

    auto fp32 = parameters();
    fp32[0].mutable_grad() = torch::ones(fp32[0].sizes());
    AdamW plain(fp32, options());
    pose::model::set_cpu_kernels_enabled(false);
    QVERIFY(!cpu_adamw_applies(plain));
    pose::model::set_cpu_kernels_enabled(true);
    QVERIFY(cpu_adamw_applies(plain));
  }
};

QTEST_GUILESS_MAIN(TestCpuAdamW)
#include "test_cpu_adamw.moc"
