// Multi-head attention with grouped key/value heads (GQA), RoPE applied from
// explicit position ids (through cos/sin tables shared by every layer) and
// optional q/k/v (Qwen2) and o_proj (LLaMA attention_bias) biases. Projection
// names are HF's: self_attn.{q,k,v,o}_proj.
#pragma once

#include <array>

#include <torch/torch.h>

#include "kernels/attention_kernel.h"
#include "model/kv_cache.h"
#include "lora/lora_adapter.h"
#include "model/model_config.h"

namespace pose::model {

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const ModelConfig& config);

  // x [B, T, C]; cos/sin [B, T, rotary_dim] for the T new tokens. With a cache,
  // the new keys/values are appended to it and attention spans cache + new.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const AttentionMask& mask, AttentionKernel kernel, LayerKvCache* cache = nullptr);

  torch::nn::Linear q_proj{nullptr};
  torch::nn::Linear k_proj{nullptr};
  torch::nn::Linear v_proj{nullptr};
  torch::nn::Linear o_proj{nullptr};
  // LoRA adapters of q, k, v and o_proj, in that order (lora/lora.h attaches them).
  std::array<LoraAdapter, 4> lora;

 private:
  int64_t num_heads_;
  int64_t num_kv_heads_;
  int64_t head_dim_;
};
TORCH_MODULE(Attention);

}  // namespace pose::model
