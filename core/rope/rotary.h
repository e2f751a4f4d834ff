// Rotary embeddings for arbitrary position ids, in HF transformers' layout.
//
// HF layout ("rotate_half"): the d rotary channels are two halves; channel j and
// j + d/2 form one rotating pair with frequency inv_freq[j]. So
//   emb = cat(freqs, freqs), q' = q·cos + rotate_half(q)·sin,
//   rotate_half(x) = cat(−x[d/2:], x[:d/2]).
// This is not the interleaved (x0,x1),(x2,x3) pairing of the original RoPE code;
// HF checkpoints permute q/k weights so that the halves layout is correct.
#pragma once

#include <torch/torch.h>

#include "rope/rope_scaling.h"

namespace pose::rope {

struct RotaryTables {
  torch::Tensor cos;  // [B, T, rotary_dim], attention factor included
  torch::Tensor sin;  // [B, T, rotary_dim], attention factor included
};

// cos/sin for position ids [B, T] (int64, any stride, any values — PoSE skips
// make them non-contiguous). As HF: inv_freq cast to fp32, positions cast to
// fp32, angles = position·inv_freq in fp32, cos/sin in fp32, times the
// attention factor, then cast to `dtype`. Tables land on position_ids' device.
// Positions above 2^24 lose integer precision in fp32, exactly as in HF.
RotaryTables rotary_tables(const RopeFrequencies& frequencies, const torch::Tensor& position_ids,
                           torch::ScalarType dtype = torch::kFloat);

// cat(−x2, x1) over the last dimension (which must be even).
torch::Tensor rotate_half(const torch::Tensor& x);

// Rotates the first rotary_dim = cos.size(-1) channels of x [B, H, T, head_dim]
// and passes the remaining (partial rotary) channels through unchanged. cos and
// sin are [B, T, rotary_dim] (broadcast over heads) and are cast to x's dtype,
// as HF does.
torch::Tensor apply_rotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

}  // namespace pose::rope
