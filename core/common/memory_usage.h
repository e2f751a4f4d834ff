// Memory a run uses, for progress events and cost reports: the process's
// resident set on the CPU, the CUDA caching allocator's peak on a GPU.
#pragma once

#include <torch/torch.h>

namespace pose {

// Resident set size of this process in MiB (Linux /proc/self/statm); 0 when unknown.
double resident_memory_mb();

// CUDA: peak bytes allocated on `device` since the last reset, in MiB, and
// resets the peak; CPU: resident_memory_mb().
double take_peak_memory_mb(const torch::Device& device);

}  // namespace pose
