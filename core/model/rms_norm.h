// RMSNorm as HF's LlamaRMSNorm: statistics in fp32 whatever the input dtype,
// result cast back to the input dtype before the weight multiplies it (the
// order matters for bf16 bit-compatibility with HF).
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
