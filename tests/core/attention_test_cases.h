// What the attention tests share: one attention problem (its shape, cache and
// window), the output and gradients of one forward and backward, and the
// largest difference between two tensors in fp32.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <optional>

namespace attention_test {

struct Case {
  int64_t batch, heads, kv_heads, query_len, past_len, head_dim;
  std::optional<int64_t> window;
};

struct Result {
  torch::Tensor out, dq, dk, dv;
};

inline double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat) - b.to(torch::kFloat)).abs().max().item<double>();
}

}  // namespace attention_test
