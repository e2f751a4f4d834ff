#include "common/memory_usage.h"

#include <unistd.h>

#include <fstream>

#if defined(POSE_WITH_CUDA) && __has_include(<c10/cuda/CUDACachingAllocator.h>)
#include <c10/cuda/CUDACachingAllocator.h>
#define POSE_HAVE_CUDA_ALLOCATOR_STATS 1
#endif

namespace pose {

double resident_memory_mb() {
  std::ifstream statm("/proc/self/statm");
  long long size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0.0;
  return static_cast<double>(resident_pages) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double take_peak_memory_mb(const torch::Device& device) {
#ifdef POSE_HAVE_CUDA_ALLOCATOR_STATS
  if (device.is_cuda()) {
    namespace alloc = c10::cuda::CUDACachingAllocator;
    const int index = device.has_index() ? device.index() : 0;
    const auto stats = alloc::getDeviceStats(index);
    // Index 0 is StatType::AGGREGATE in every LibTorch 2.x (the enum moved namespaces).
    const auto peak = stats.allocated_bytes[0].peak;
    alloc::resetPeakStats(index);
    return static_cast<double>(peak) / (1024.0 * 1024.0);
  }
#else
  (void)device;
#endif
  return resident_memory_mb();
}

}  // namespace pose
