// Keeping data-parallel replicas identical: rank 0's weights to every rank
// before training, and after each backward pass the sum of every rank's
// gradients on every rank, so each applies the same optimizer step.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "distributed/process_group.h"

namespace pose::distributed {

// Rank 0's parameters and buffers into every rank's module, in place.
void broadcast_module(ProcessGroup& group, torch::nn::Module& module);

// Sums the gradients of `parameters` over the ranks, in place. Gradients are
// packed into flat buckets of about `bucket_bytes` (one per dtype and device),
// all in flight at once, so that a model of hundreds of tensors costs a few
// all-reduces. A parameter that got no gradient on some rank (not reached by
// its rows) counts as zero there; one with no gradient on any rank keeps none,
// as it would in one process.
void all_reduce_gradients(ProcessGroup& group, const std::vector<torch::Tensor>& parameters,
                          int64_t bucket_bytes = int64_t{25} << 20);

// The rows [first, first + count) of a step's `global_rows` samples that rank
// `rank` of `world_size` trains: contiguous shares whose sizes differ by at
// most one, in rank order, so that the ranks together train every row once.
struct RowShare {
  int64_t first = 0;
  int64_t count = 0;
};
RowShare row_share(int64_t global_rows, int rank, int world_size);

}  // namespace pose::distributed
