#include "model/decoder_layer.h"

namespace pose::model {

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& c) {
  self_attn = register_module("self_attn", Attention(c));
  mlp = register_module("mlp", Mlp(c));
  input_layernorm = register_module("input_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
  post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
}

bool DecoderLayerImpl::draws_random_numbers() const {
  if (!is_training()) return false;
  for (const auto& a : self_attn->lora) {
    if (a.attached() && a.dropout > 0) return true;
  }
  for (const auto& a : mlp->lora) {
    if (a.attached() && a.dropout > 0) return true;
  }
  return false;
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                        const AttentionMask& mask, AttentionKernel kernel, LayerKvCache* cache) {
  const torch::Tensor h = x + self_attn(input_layernorm(x), cos, sin, mask, kernel, cache);
  return h + mlp(post_attention_layernorm(h));
}

}  // namespace pose::model
