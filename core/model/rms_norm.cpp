#include "model/rms_norm.h"

#include "model/autocast_state.h"
#include "kernels/cpu_kernels.h"
#include "model/weight_shell.h"

namespace pose::model {

RMSNormImpl::RMSNormImpl(int64_t dim, double eps) : eps_(eps) {
  weight = register_parameter("weight", torch::ones({weight_dim(dim)}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  if (x.scalar_type() == torch::kFloat && x.is_cpu()) {
    // One pass forward and backward on the CPU (kernels/cpu_kernels.h), the
    // result in the dtype the reference ops below hand on.
    const AutocastState autocast = current_autocast();
    const torch::ScalarType out_dtype = autocast.cpu ? autocast.cpu_dtype : torch::kFloat;
    if (rms_norm_cpu_applies(x, weight, out_dtype)) return rms_norm_cpu(x, weight, eps_, out_dtype);
  }
  const auto input_dtype = x.scalar_type();
  const torch::Tensor h = x.to(torch::kFloat);
  const torch::Tensor variance = h.pow(2).mean(-1, /*keepdim=*/true);
  const torch::Tensor normed = h * torch::rsqrt(variance + eps_);
  const torch::Tensor out = weight * normed.to(input_dtype);
  const AutocastState autocast = current_autocast();
  const bool on = (out.is_cpu() && autocast.cpu) || (out.is_cuda() && autocast.cuda);
  if (!on || out.scalar_type() != torch::kFloat) return out;
  return out.to(out.is_cpu() ? autocast.cpu_dtype : autocast.cuda_dtype);
}

}  // namespace pose::model
