#include "distributed/gradient_sync.h"

#include <map>
#include <tuple>

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

void all_reduce_gradients(ProcessGroup& group, const std::vector<torch::Tensor>& parameters, int64_t bucket_bytes) {
  torch::NoGradGuard no_grad;
  if (parameters.empty()) return;
  // Which parameters have a gradient on some rank.
  auto present = torch::zeros({static_cast<int64_t>(parameters.size())}, torch::kInt32);
  {
    auto p = present.accessor<int32_t, 1>();
    for (std::size_t i = 0; i < parameters.size(); ++i) p[static_cast<int64_t>(i)] = parameters[i].grad().defined() ? 1 : 0;
  }
  std::vector<torch::Tensor> flags{present.to(parameters.front().device())};
  group.all_reduce_sum(flags, "exchanging which weights have gradients");
  const auto anywhere = flags[0].to(torch::kCPU);
  const auto any = anywhere.accessor<int32_t, 1>();

  // Buckets of gradients that share a dtype and device, in parameter order.
  struct Bucket {
    std::vector<torch::Tensor> grads;
    int64_t bytes = 0;
  };
  std::map<std::tuple<int, int, int>, std::vector<Bucket>> open;
  std::vector<Bucket> buckets;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (any[static_cast<int64_t>(i)] == 0) continue;
    torch::Tensor p = parameters[i];  // a handle: the same parameter
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    const auto& g = p.grad();
    const auto key = std::make_tuple(static_cast<int>(g.scalar_type()), static_cast<int>(g.device().type()),
                                     static_cast<int>(g.device().index()));
    auto& list = open[key];
    if (list.empty() || list.back().bytes >= bucket_bytes) list.emplace_back();
    list.back().grads.push_back(g);
    list.back().bytes += g.numel() * static_cast<int64_t>(g.element_size());
  }
  for (auto& [key, list] : open) {
    for (auto& b : list) buckets.push_back(std::move(b));
  }
  std::vector<torch::Tensor> flat;
  flat.reserve(buckets.size());
  for (const auto& b : buckets) {
    std::vector<torch::Tensor> pieces;
    pieces.reserve(b.grads.size());
    for (const auto& g : b.grads) pieces.push_back(g.reshape({-1}));
    flat.push_back(torch::cat(pieces));
  }
  group.all_reduce_sum(flat, "summing gradients");
  for (std::size_t k = 0; k < buckets.size(); ++k) {
    int64_t offset = 0;
    for (auto& g : buckets[k].grads) {
      const int64_t n = g.numel();
      g.copy_(flat[k].narrow(0, offset, n).view_as(g));
      offset += n;
    }
  }
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
