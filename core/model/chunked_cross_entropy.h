// Cross-entropy of an LM head without the [N, V] logits tensor: logits are
// formed chunk_tokens rows at a time in forward, and formed again chunk by
// chunk in backward (softmax − one-hot gives the logit gradient, which is folded
// into the hidden and weight gradients at once). Peak extra memory is
// chunk_tokens × V fp32 instead of N × V, which for a 32k vocabulary and 16k
// tokens is 2 GiB saved per sequence.
#pragma once

#include <cstdint>

#include <torch/torch.h>

namespace pose::model {

// The token that does not count (HF/PyTorch convention).
constexpr int64_t kIgnoreIndex = -100;

// hidden [N, C], weight [V, C] (logits = hidden · weightᵀ, computed in the
// weights' dtype and then fp32), targets [N] int64 with kIgnoreIndex for
// unscored tokens. Returns the fp32 sum of −log p(target) over scored tokens;
// differentiable w.r.t. hidden and weight.
torch::Tensor linear_cross_entropy_sum(const torch::Tensor& hidden, const torch::Tensor& weight,
                                       const torch::Tensor& targets, int64_t chunk_tokens);

}  // namespace pose::model
