#include "train/cpu_adamw.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <memory>
#include <string>

#include "kernels/cpu_kernel_loops.h"
#include "kernels/cpu_kernels.h"

namespace pose::train {

namespace {

using torch::optim::AdamWOptions;
using torch::optim::AdamWParamState;

// Scalars as LibTorch's ops apply them to fp32 tensors: cast to float once.
struct StepScalars {
  float decay;      // 1 − lr · weight_decay
  float beta1, one_minus_beta1, beta2, one_minus_beta2;
  float sqrt_bias_correction2, eps, minus_step_size;
};

POSE_CPU_CLONES void update_range(float* p, const float* g, float* m, float* v, int64_t lo, int64_t hi,
                                  const StepScalars& s) {
  for (int64_t i = lo; i < hi; ++i) {
    // p.mul_(decay); m.mul_(β1).add_(g, 1 − β1); v.mul_(β2).addcmul_(g, g, 1 − β2);
    // denom = sqrt(v) / sqrt(bc2) + eps; p.addcdiv_(m, denom, −lr / bc1)
    const float gi = g[i];
    const float mi = m[i] * s.beta1 + s.one_minus_beta1 * gi;
    const float vi = v[i] * s.beta2 + s.one_minus_beta2 * gi * gi;
    const float denom = std::sqrt(vi) / s.sqrt_bias_correction2 + s.eps;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * s.decay + s.minus_step_size * mi / denom;
  }
}

void update(float* p, const float* g, float* m, float* v, int64_t n, const StepScalars& s) {
  at::parallel_for(0, n, int64_t{1} << 15,
                   [&](int64_t lo, int64_t hi) { update_range(p, g, m, v, lo, hi, s); });
}

bool takes(const torch::Tensor& t) {
  return t.is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous() && !t.is_sparse();
}

}  // namespace

bool cpu_adamw_applies(const torch::optim::AdamW& optimizer) {
  for (const auto& group : optimizer.param_groups()) {
    if (static_cast<const AdamWOptions&>(group.options()).amsgrad()) return false;
    for (const auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      if (!model::cpu_kernels_apply(p) || !takes(p) || !takes(p.grad())) return false;
      const auto it = optimizer.state().find(optimizer_state_key(p));
      if (it != optimizer.state().end()) {
        const auto& st = static_cast<const AdamWParamState&>(*it->second);
        if (!takes(st.exp_avg()) || !takes(st.exp_avg_sq())) return false;
      }
    }
  }
  return true;
}

void cpu_adamw_step(torch::optim::AdamW& optimizer) {
  torch::NoGradGuard no_grad;
  auto& states = optimizer.state();
  for (auto& group : optimizer.param_groups()) {
    const auto& o = static_cast<const AdamWOptions&>(group.options());
    const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const OptimizerStateKey key = optimizer_state_key(p);
      auto it = states.find(key);
      if (it == states.end()) {  // as LibTorch: zero moments on a parameter's first step
        auto fresh = std::make_unique<AdamWParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        states[key] = std::move(fresh);
        it = states.find(key);
      }
      auto& st = static_cast<AdamWParamState&>(*it->second);
      st.step(st.step() + 1);
      const double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(st.step()));
      const double bias_correction2 = 1 - std::pow(beta2, static_cast<double>(st.step()));
      const StepScalars s{static_cast<float>(1 - o.lr() * o.weight_decay()),
                          static_cast<float>(beta1),
                          static_cast<float>(1 - beta1),
                          static_cast<float>(beta2),
                          static_cast<float>(1 - beta2),
                          static_cast<float>(std::sqrt(bias_correction2)),
                          static_cast<float>(o.eps()),
                          static_cast<float>(-(o.lr() / bias_correction1))};
      torch::Tensor exp_avg = st.exp_avg(), exp_avg_sq = st.exp_avg_sq();
      update(p.data_ptr<float>(), p.grad().data_ptr<float>(), exp_avg.data_ptr<float>(),
             exp_avg_sq.data_ptr<float>(), p.numel(), s);
    }
  }
}

void adamw_step(torch::optim::AdamW& optimizer) {
  if (cpu_adamw_applies(optimizer)) {
    cpu_adamw_step(optimizer);
  } else {
    optimizer.step();
  }
}

}  // namespace pose::train
