// Cross-entropy of an LM head without the [N, V] logits tensor: logits are
// formed chunk_tokens rows at a time in forward, and formed again chunk by
// chunk in backward (softmax − one-hot gives the logit gradient, which is folded
// into the hidden and weight gradients at once). Peak extra memory is
// chunk_tokens × V fp32 instead of N × V, which for a 32k vocabulary and 16k
// tokens is 2 GiB saved per sequence.
//
// When the whole [N, V] fits in kKeepLogitGradientElements (small models and
// batches, i.e. CPU training), forward keeps the logit gradient it can already
// compute (softmax − one-hot) instead, and backward is two GEMMs: no logits
// formed twice. The numbers are the same either way. Under autocast the kept
// gradient is stored in the autocast dtype, which the backward GEMMs take it in.
#pragma once

#include <cstdint>

#include <torch/torch.h>

namespace pose::model {

// The token that does not count (HF/PyTorch convention).
constexpr int64_t kIgnoreIndex = -100;

// 32M fp32 entries (128 MiB): up to this N × V the logit gradient is kept
// (ModelOptions::loss_keep_gradient_elements has the same default).
constexpr int64_t kKeepLogitGradientElements = int64_t{1} << 25;

// hidden [N, C], weight [V, C] (logits = hidden · weightᵀ, computed in the
// weights' dtype and then fp32), targets [N] int64 with kIgnoreIndex for
// unscored tokens. Returns the fp32 sum of −log p(target) over scored tokens;
// differentiable w.r.t. hidden and weight.
// keep_gradient_elements: the largest N × V for which the logit gradient is kept
// from forward (0: always form the logits again in backward).
torch::Tensor linear_cross_entropy_sum(const torch::Tensor& hidden, const torch::Tensor& weight,
                                       const torch::Tensor& targets, int64_t chunk_tokens,
                                       int64_t keep_gradient_elements = kKeepLogitGradientElements);

}  // namespace pose::model
