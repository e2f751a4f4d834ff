#include "model/mlp.h"

#include "kernels/cpu_kernels.h"
#include "kernels/pool_gemm.h"
#include "model/weight_shell.h"

namespace pose::model {

MlpImpl::MlpImpl(const ModelConfig& c) {
  using torch::nn::LinearOptions;
  const int64_t hidden = weight_dim(c.hidden_size), inner = weight_dim(c.intermediate_size);
  gate_proj = register_module("gate_proj", torch::nn::Linear(LinearOptions(hidden, inner).bias(c.mlp_bias)));
  up_proj = register_module("up_proj", torch::nn::Linear(LinearOptions(hidden, inner).bias(c.mlp_bias)));
  down_proj = register_module("down_proj", torch::nn::Linear(LinearOptions(inner, hidden).bias(c.mlp_bias)));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  const torch::Tensor gate = adapted_projection(gate_proj, lora[0], x, is_training());
  const torch::Tensor up = adapted_projection(up_proj, lora[1], x, is_training());
  // One pass forward and backward on the CPU (kernels/cpu_kernels.h).
  const torch::Tensor gated = swiglu_cpu_applies(gate, up) ? swiglu_cpu(gate, up) : torch::silu(gate) * up;
  return adapted_projection(down_proj, lora[2], gated, is_training());
}

}  // namespace pose::model
