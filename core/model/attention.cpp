#include "model/attention.h"

#include "kernels/cpu_kernels.h"
#include "kernels/pool_gemm.h"
#include "model/weight_shell.h"
#include "rope/rotary.h"

namespace pose::model {

namespace {

// RoPE in one pass where the CPU kernel takes it (kernels/cpu_kernels.h).
torch::Tensor rotate(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  return rotary_cpu_applies(x, cos, sin) ? rotary_cpu(x, cos, sin) : rope::apply_rotary(x, cos, sin);
}

}  // namespace

AttentionImpl::AttentionImpl(const ModelConfig& c)
    : num_heads_(c.num_attention_heads), num_kv_heads_(c.num_key_value_heads), head_dim_(c.head_dim) {
  using torch::nn::LinearOptions;
  const int64_t q_out = num_heads_ * head_dim_;
  const int64_t kv_out = num_kv_heads_ * head_dim_;
  const int64_t hidden = weight_dim(c.hidden_size), q = weight_dim(q_out), kv = weight_dim(kv_out);
  q_proj = register_module("q_proj", torch::nn::Linear(LinearOptions(hidden, q).bias(c.qkv_bias)));
  k_proj = register_module("k_proj", torch::nn::Linear(LinearOptions(hidden, kv).bias(c.qkv_bias)));
  v_proj = register_module("v_proj", torch::nn::Linear(LinearOptions(hidden, kv).bias(c.qkv_bias)));
  o_proj = register_module("o_proj", torch::nn::Linear(LinearOptions(q, hidden).bias(c.o_proj_bias)));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                     const AttentionMask& mask, AttentionKernel kernel, LayerKvCache* cache) {
  const int64_t b = x.size(0), t = x.size(1);
  // [B, T, H*D] -> [B, H, T, D]
  torch::Tensor q = adapted_projection(q_proj, lora[0], x, is_training()).view({b, t, num_heads_, head_dim_}).transpose(1, 2);
  torch::Tensor k = adapted_projection(k_proj, lora[1], x, is_training()).view({b, t, num_kv_heads_, head_dim_}).transpose(1, 2);
  torch::Tensor v = adapted_projection(v_proj, lora[2], x, is_training()).view({b, t, num_kv_heads_, head_dim_}).transpose(1, 2);
  q = rotate(q, cos, sin);
  k = rotate(k, cos, sin);
  if (cache) {
    if (cache->keys.defined()) {
      k = torch::cat({cache->keys, k}, 2);
      v = torch::cat({cache->values, v}, 2);
    }
    cache->keys = k;
    cache->values = v;
  }
  const torch::Tensor out = attend_grouped(q, k, v, mask, kernel);
  return adapted_projection(o_proj, lora[3], out.transpose(1, 2).reshape({b, t, num_heads_ * head_dim_}), is_training());
}

}  // namespace pose::model
