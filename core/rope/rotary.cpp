#include "rope/rotary.h"

#include "common/error.h"

#include <string>

namespace pose::rope {

RotaryTables rotary_tables(const RopeFrequencies& frequencies, const torch::Tensor& position_ids,
                           torch::ScalarType dtype) {
  if (position_ids.dim() != 2 || position_ids.scalar_type() != torch::kLong) {
    throw UserError("position_ids: expected an int64 tensor [B, T], got " + std::to_string(position_ids.dim()) +
                        " dimensions of " + std::string(c10::toString(position_ids.scalar_type())),
                    "pass position ids as int64 with shape [batch, tokens]");
  }
  if (frequencies.inv_freq.empty()) {
    throw UserError("inv_freq: empty", "compute the frequencies with compute_rope() first");
  }
  // HF keeps inv_freq as an fp32 buffer; the double values are rounded once here.
  const torch::Tensor inv_freq =
      torch::tensor(frequencies.inv_freq, torch::TensorOptions().dtype(torch::kDouble))
          .to(position_ids.device(), torch::kFloat);
  // [B, T, 1] * [d/2] -> [B, T, d/2]. HF writes this as an fp32 matmul with an
  // inner dimension of 1, i.e. one fp32 product per entry: the same numbers.
  const torch::Tensor freqs = position_ids.to(torch::kFloat).unsqueeze(-1) * inv_freq;
  const torch::Tensor emb = torch::cat({freqs, freqs}, -1);
  const auto a = static_cast<float>(frequencies.attention_factor);
  return {(emb.cos() * a).to(dtype), (emb.sin() * a).to(dtype)};
}

torch::Tensor rotate_half(const torch::Tensor& x) {
  const int64_t half = x.size(-1) / 2;
  const torch::Tensor x1 = x.narrow(-1, 0, half);
  const torch::Tensor x2 = x.narrow(-1, half, half);
  return torch::cat({-x2, x1}, -1);
}

torch::Tensor apply_rotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  if (x.dim() != 4 || cos.dim() != 3 || sin.sizes() != cos.sizes()) {
    throw UserError("apply_rotary: expected x [B, H, T, head_dim] and cos/sin [B, T, rotary_dim]",
                    "build cos/sin with rotary_tables() for the same position ids");
  }
  const int64_t rotary_dim = cos.size(-1);
  if (rotary_dim > x.size(-1) || rotary_dim % 2 != 0 || cos.size(1) != x.size(2)) {
    throw UserError("apply_rotary: rotary_dim " + std::to_string(rotary_dim) + " or " +
                        std::to_string(cos.size(1)) + " positions do not fit x with head_dim " +
                        std::to_string(x.size(-1)) + " and " + std::to_string(x.size(2)) + " tokens",
                    "build cos/sin from the same RoPE parameters and position ids as x");
  }
  const torch::Tensor c = cos.unsqueeze(1).to(x.scalar_type());  // broadcast over heads
  const torch::Tensor s = sin.unsqueeze(1).to(x.scalar_type());
  const torch::Tensor x_rot = x.narrow(-1, 0, rotary_dim);
  const torch::Tensor rotated = x_rot * c + rotate_half(x_rot) * s;
  if (rotary_dim == x.size(-1)) return rotated;
  return torch::cat({rotated, x.narrow(-1, rotary_dim, x.size(-1) - rotary_dim)}, -1);
}

}  // namespace pose::rope
