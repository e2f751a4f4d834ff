// SwiGLU feed-forward of LLaMA-family decoders: down(silu(gate(x)) * up(x)).
// Three separate projections so parameter names are HF's (mlp.gate_proj, ...).
#pragma once

#include <array>

#include <torch/torch.h>

#include "lora/lora_adapter.h"
#include "model/model_config.h"

namespace pose::model {

class MlpImpl : public torch::nn::Module {
 public:
  explicit MlpImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Linear gate_proj{nullptr};
  torch::nn::Linear up_proj{nullptr};
  torch::nn::Linear down_proj{nullptr};
  // LoRA adapters of gate, up and down_proj, in that order (lora/lora.h attaches them).
  std::array<LoraAdapter, 3> lora;
};
TORCH_MODULE(Mlp);

}  // namespace pose::model
