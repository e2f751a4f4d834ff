// Keeping data-parallel replicas identical: rank 0's weights to every rank
// before training, and each rank's share of a step's rows. The gradients'
// sum over the ranks is distributed/gradient_reducer.h's.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "distributed/process_group.h"

namespace pose::distributed {

// Rank 0's parameters and buffers into every rank's module, in place.
void broadcast_module(ProcessGroup& group, torch::nn::Module& module);

// The rows [first, first + count) of a step's `global_rows` samples that rank
// `rank` of `world_size` trains: contiguous shares whose sizes differ by at
// most one, in rank order, so that the ranks together train every row once.
struct RowShare {
  int64_t first = 0;
  int64_t count = 0;
};
RowShare row_share(int64_t global_rows, int rank, int world_size);

}  // namespace pose::distributed
