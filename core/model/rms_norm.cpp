#include "model/rms_norm.h"

namespace pose::model {

RMSNormImpl::RMSNormImpl(int64_t dim, double eps) : eps_(eps) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  const auto input_dtype = x.scalar_type();
  const torch::Tensor h = x.to(torch::kFloat);
  const torch::Tensor variance = h.pow(2).mean(-1, /*keepdim=*/true);
  const torch::Tensor normed = h * torch::rsqrt(variance + eps_);
  return weight * normed.to(input_dtype);
}

}  // namespace pose::model
