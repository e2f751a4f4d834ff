#include "distributed/gradient_sync.h"

#include <algorithm>

namespace pose::distributed {

void broadcast_module(ProcessGroup& group, torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> tensors;
  for (const auto& p : module.parameters()) tensors.push_back(p);
  for (const auto& b : module.buffers()) tensors.push_back(b);
  // Collectives need contiguous tensors; a non-contiguous one goes through a copy.
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;
  for (auto& t : tensors) {
    if (!t.is_contiguous()) {
      auto c = t.contiguous();
      copies.emplace_back(t, c);
      t = c;
    }
  }
  group.broadcast(tensors, 0, "broadcasting rank 0's weights");
  for (auto& [target, copy] : copies) target.copy_(copy);
}

RowShare row_share(int64_t global_rows, int rank, int world_size) {
  const int64_t n = world_size, r = rank;
  const int64_t base = global_rows / n, extra = global_rows % n;
  RowShare s;
  s.count = base + (r < extra ? 1 : 0);
  s.first = r * base + std::min(r, extra);
  return s;
}

}  // namespace pose::distributed
