#include "model/attention_kernel.h"

#include "common/error.h"

#include <cmath>
#include <limits>

namespace pose::model {

AttentionKernel resolve_kernel(AttentionKernel requested) {
  if (requested == AttentionKernel::Auto) return POSE_HAVE_SDPA ? AttentionKernel::Sdpa : AttentionKernel::Eager;
  if (requested == AttentionKernel::Sdpa && !POSE_HAVE_SDPA) {
    throw UserError("attention kernel sdpa needs LibTorch 2.0 or newer (this build uses " TORCH_VERSION ")",
                    "use the eager kernel, or build against LibTorch 2.x");
  }
  return requested;
}

AttentionMask make_attention_mask(int64_t query_len, int64_t past_len, std::optional<int64_t> sliding_window,
                                  AttentionKernel kernel, torch::ScalarType dtype, torch::Device device) {
  AttentionMask mask;
  const int64_t key_len = past_len + query_len;
  const bool window_bites = sliding_window && key_len > *sliding_window;
  if (query_len == 1 && !window_bites) return mask;  // one query, every key visible
  if (kernel == AttentionKernel::Sdpa && past_len == 0 && !window_bites) {
    mask.is_causal = true;
    return mask;
  }
  // Built on the host side of the device once per forward; T_q x T_k entries.
  const auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(device);
  const torch::Tensor query_index = torch::arange(past_len, key_len, long_opts).unsqueeze(1);  // [Tq, 1]
  const torch::Tensor key_index = torch::arange(0, key_len, long_opts).unsqueeze(0);           // [1, Tk]
  torch::Tensor blocked = key_index > query_index;
  if (window_bites) blocked = blocked.logical_or(query_index - key_index >= *sliding_window);
  mask.additive = torch::zeros({query_len, key_len}, torch::TensorOptions().dtype(dtype).device(device))
                      .masked_fill(blocked, -std::numeric_limits<double>::infinity());
  return mask;
}

torch::Tensor repeat_kv(const torch::Tensor& x, int64_t n_rep) {
  if (n_rep == 1) return x;
  const int64_t b = x.size(0), kv = x.size(1), t = x.size(2), d = x.size(3);
  return x.unsqueeze(2).expand({b, kv, n_rep, t, d}).reshape({b, kv * n_rep, t, d});
}

torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const AttentionMask& mask,
                     AttentionKernel kernel) {
#if POSE_HAVE_SDPA
  if (kernel == AttentionKernel::Sdpa) {
    c10::optional<torch::Tensor> attn_mask;
    if (mask.additive.defined()) attn_mask = mask.additive.to(q.scalar_type());
    return at::scaled_dot_product_attention(q, k, v, attn_mask, /*dropout_p=*/0.0, mask.is_causal);
  }
#else
  (void)kernel;
#endif
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) * scale;
  if (mask.additive.defined()) {
    scores = scores + mask.additive.to(scores.scalar_type());
  } else if (mask.is_causal) {
    // Only Sdpa asks for is_causal; an eager caller given one builds the triangle.
    const int64_t tq = q.size(-2), tk = k.size(-2);
    scores = scores + make_attention_mask(tq, tk - tq, std::nullopt, AttentionKernel::Eager, scores.scalar_type(),
                                          scores.device()).additive;
  }
  const torch::Tensor probs = torch::softmax(scores, -1, torch::kFloat).to(q.scalar_type());
  return torch::matmul(probs, v);
}

}  // namespace pose::model
