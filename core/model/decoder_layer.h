// One pre-norm decoder block: x + attn(norm(x)), then x + mlp(norm(x)).
#pragma once

#include <torch/torch.h>

#include "model/attention.h"
#include "model/mlp.h"
#include "model/rms_norm.h"

namespace pose::model {

class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const ModelConfig& config);

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const AttentionMask& mask, AttentionKernel kernel, LayerKvCache* cache = nullptr);

  // Whether a forward now draws random numbers: LoRA dropout in training.
  bool draws_random_numbers() const;

  Attention self_attn{nullptr};
  Mlp mlp{nullptr};
  RMSNorm input_layernorm{nullptr};
  RMSNorm post_attention_layernorm{nullptr};
};
TORCH_MODULE(DecoderLayer);

}  // namespace pose::model
