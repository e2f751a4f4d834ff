#include "train/optimizer_sharding.h"

#include <algorithm>
#include <numeric>

#include "train/cpu_adamw.h"

namespace pose::train {

using torch::optim::AdamWParamState;

std::vector<int> assign_owners(const std::vector<torch::Tensor>& parameters, int world_size) {
  std::vector<std::size_t> order(parameters.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return parameters[a].numel() > parameters[b].numel(); });
  std::vector<int64_t> load(static_cast<std::size_t>(std::max(world_size, 1)), 0);
  std::vector<int> owners(parameters.size(), 0);
  for (const std::size_t i : order) {
    const auto lightest = std::min_element(load.begin(), load.end()) - load.begin();
    owners[i] = static_cast<int>(lightest);
    load[static_cast<std::size_t>(lightest)] += parameters[i].numel();
  }
  return owners;
}

std::vector<torch::Tensor> owned_parameters(const std::vector<torch::Tensor>& parameters,
                                            const std::vector<int>& owners, int rank) {
  std::vector<torch::Tensor> mine;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (owners[i] == rank) mine.push_back(parameters[i]);
  }
  return mine;
}

void broadcast_from_owners(distributed::ProcessGroup& group, const std::vector<torch::Tensor>& parameters,
                           const std::vector<int>& owners) {
  torch::NoGradGuard no_grad;
  for (int r = 0; r < group.world_size(); ++r) {
    std::vector<torch::Tensor> from_r;
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      if (owners[i] == r) from_r.push_back(parameters[i].detach());
    }
    if (!from_r.empty()) group.broadcast(from_r, r, "sharing rank " + std::to_string(r) + "'s updated weights");
  }
}

namespace {

AdamWParamState* state_of(torch::optim::AdamW& optimizer, const torch::Tensor& parameter) {
  const auto it = optimizer.state().find(optimizer_state_key(parameter));
  return it == optimizer.state().end() ? nullptr : static_cast<AdamWParamState*>(it->second.get());
}

}  // namespace

void gather_optimizer_state(distributed::ProcessGroup& group, const std::vector<torch::Tensor>& parameters,
                            const std::vector<int>& owners, torch::optim::AdamW& mine, torch::optim::AdamW* full) {
  torch::NoGradGuard no_grad;
  const int rank = group.rank();
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const torch::Tensor& p = parameters[i];
    const int owner = owners[i];
    // Whether the owner has state for it yet (not before its first update), and its step.
    const AdamWParamState* own = owner == rank ? state_of(mine, p) : nullptr;
    std::vector<torch::Tensor> header{
        torch::tensor(std::vector<double>{own ? 1.0 : 0.0, own ? static_cast<double>(own->step()) : 0.0},
                      torch::kFloat64)
            .to(p.device())};
    group.broadcast(header, owner, "gathering the optimizer state for a checkpoint");
    const auto h = header[0].to(torch::kCPU);
    if (h[0].item<double>() == 0.0) continue;
    std::vector<torch::Tensor> moments;
    if (own) {
      moments = {own->exp_avg(), own->exp_avg_sq()};
    } else {
      moments = {torch::empty_like(p, torch::MemoryFormat::Contiguous), torch::empty_like(p, torch::MemoryFormat::Contiguous)};
    }
    group.broadcast(moments, owner, "gathering the optimizer state for a checkpoint");
    if (full) {
      auto state = std::make_unique<AdamWParamState>();
      state->step(static_cast<int64_t>(h[1].item<double>()));
      state->exp_avg(own ? moments[0].clone() : moments[0]);
      state->exp_avg_sq(own ? moments[1].clone() : moments[1]);
      full->state()[optimizer_state_key(p)] = std::move(state);
    }
  }
}

void keep_owned_state(torch::optim::AdamW& full, torch::optim::AdamW& mine, const std::vector<torch::Tensor>& parameters,
                      const std::vector<int>& owners, int rank) {
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const auto key = optimizer_state_key(parameters[i]);
    auto it = full.state().find(key);
    if (it == full.state().end()) continue;
    if (owners[i] == rank) mine.state()[key] = std::move(it->second);
    full.state().erase(it);
  }
}

int64_t optimizer_state_bytes(torch::optim::AdamW& optimizer) {
  int64_t bytes = 0;
  for (const auto& [key, state] : optimizer.state()) {
    const auto& s = static_cast<const AdamWParamState&>(*state);
    for (const auto& t : {s.exp_avg(), s.exp_avg_sq(), s.max_exp_avg_sq()}) {
      if (t.defined()) bytes += t.numel() * static_cast<int64_t>(t.element_size());
    }
  }
  return bytes;
}

}  // namespace pose::train
