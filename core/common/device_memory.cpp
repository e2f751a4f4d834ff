#include "common/device_memory.h"

#include <fstream>
#include <sstream>
#include <string>

#include <torch/torch.h>

#if defined(POSE_WITH_CUDA) && __has_include(<cuda_runtime_api.h>) && __has_include(<ATen/cuda/CUDAContext.h>)
#include <ATen/cuda/CUDAContext.h>
#define POSE_HAVE_CUDA_PROPERTIES 1
#endif

namespace pose {

bool cuda_device_available() { return torch::cuda::is_available(); }

std::optional<double> cuda_memory_bytes(int index) {
#ifdef POSE_HAVE_CUDA_PROPERTIES
  if (!torch::cuda::is_available() || index < 0 || index >= static_cast<int>(torch::cuda::device_count())) {
    return std::nullopt;
  }
  return static_cast<double>(at::cuda::getDeviceProperties(index)->totalGlobalMem);
#else
  (void)index;
  return std::nullopt;
#endif
}

std::optional<double> host_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    if (line.rfind("MemTotal:", 0) != 0) continue;
    std::istringstream fields(line.substr(9));
    double kib = 0;
    if (fields >> kib && kib > 0) return kib * 1024.0;
  }
  return std::nullopt;
}

}  // namespace pose
