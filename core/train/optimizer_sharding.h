// ZeRO stage 1 over whole parameters: with N data-parallel ranks each rank
// keeps AdamW's moments only for the parameters it owns (about 1/N of them by
// size), updates those after the gradients are summed, and hands the new
// values to the others. Every rank still holds every weight and gradient; the
// optimizer state, 8 bytes per trained parameter in fp32, divides by N. The
// update is the one a single process makes, so losses do not change.
//
// Checkpoints keep their one format: rank 0 gathers the owners' moments into a
// full optimizer before writing, and a resume (with any world size) loads the
// full state and keeps each rank's own part.
#pragma once

#include <memory>
#include <vector>

#include <torch/torch.h>

#include "distributed/process_group.h"

namespace pose::train {

// Owner rank of each parameter: largest first to the rank with the fewest
// elements so far (ties to the lower rank), so every rank computes the same
// assignment.
std::vector<int> assign_owners(const std::vector<torch::Tensor>& parameters, int world_size);

// The parameters `rank` owns, in their order.
std::vector<torch::Tensor> owned_parameters(const std::vector<torch::Tensor>& parameters,
                                            const std::vector<int>& owners, int rank);

// Each parameter's value from its owner to every rank, in place.
void broadcast_from_owners(distributed::ProcessGroup& group, const std::vector<torch::Tensor>& parameters,
                           const std::vector<int>& owners);

// Collective: the owners' AdamW state of every parameter into `full` on rank 0
// (an optimizer over all `parameters`, with the same options); the other ranks
// pass null. Moments arrive on the parameters' device.
void gather_optimizer_state(distributed::ProcessGroup& group, const std::vector<torch::Tensor>& parameters,
                            const std::vector<int>& owners, torch::optim::AdamW& mine, torch::optim::AdamW* full);

// Moves the state of the parameters `rank` owns from `full` (loaded from a
// checkpoint) into `mine`.
void keep_owned_state(torch::optim::AdamW& full, torch::optim::AdamW& mine, const std::vector<torch::Tensor>& parameters,
                      const std::vector<int>& owners, int rank);

// Bytes of AdamW moments this optimizer holds now.
int64_t optimizer_state_bytes(torch::optim::AdamW& optimizer);

}  // namespace pose::train
