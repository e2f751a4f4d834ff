// How much memory a device has, for the question "does this run fit"
// (experiment/cost_estimate.h): a CUDA device's total memory, or the host's.
#pragma once

#include <optional>

namespace pose {

// Whether LibTorch sees a CUDA device.
bool cuda_device_available();

// Total memory of CUDA device `index` in bytes; nullopt without CUDA (a build
// without it, or no device).
std::optional<double> cuda_memory_bytes(int index = 0);

// The host's physical memory in bytes (MemTotal in /proc/meminfo); nullopt
// when unknown.
std::optional<double> host_memory_bytes();

}  // namespace pose
