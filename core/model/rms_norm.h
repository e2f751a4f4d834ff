// RMSNorm as HF's LlamaRMSNorm: statistics in fp32 whatever the input dtype,
// result cast back to the input dtype before the weight multiplies it (the
// order matters for bf16 bit-compatibility with HF). Under autocast an fp32
// result is handed on in the autocast dtype: every consumer (the q/k/v, gate
// and up projections, the LM head) is a GEMM that would cast it to that dtype
// anyway, so the numbers are the same and the cast happens once, not per
// projection (and once in backward).
#pragma once

#include <torch/torch.h>

namespace pose::model {

class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight;

 private:
  double eps_;
};
TORCH_MODULE(RMSNorm);

}  // namespace pose::model
