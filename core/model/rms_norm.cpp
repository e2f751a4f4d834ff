#include "model/rms_norm.h"

#include "model/autocast_state.h"

namespace pose::model {

RMSNormImpl::RMSNormImpl(int64_t dim, double eps) : eps_(eps) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
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
