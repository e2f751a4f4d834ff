#include "common/version.h"

#include <pose/build_info.h>

#include <sstream>

#include <torch/torch.h>
#include <torch/version.h>

#ifdef POSE_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

namespace pose {

std::string product_version() { return POSE_VERSION_STRING; }

std::string torch_version() { return TORCH_VERSION; }

std::string build_description() {
  return std::string(POSE_BUILD_TYPE) + " build, " + POSE_COMPILER;
}

DeviceInfo device_info() {
  DeviceInfo info;
#ifdef POSE_WITH_CUDA
  info.cuda_built = true;
#endif
  info.cuda_available = torch::cuda::is_available();
  if (info.cuda_available) {
    info.device_count = static_cast<int>(torch::cuda::device_count());
#ifdef POSE_WITH_CUDA
    info.device_name = at::cuda::getDeviceProperties(0)->name;
#endif
  }
  return info;
}

std::string version_report() {
  const DeviceInfo dev = device_info();
  std::ostringstream out;
  out << "PoSE Studio " << product_version() << " (" << build_description() << ")\n";
  out << "LibTorch " << torch_version() << "\n";
  if (dev.cuda_available) {
    out << "CUDA: available, " << dev.device_count << " device(s)";
    if (!dev.device_name.empty()) out << ", " << dev.device_name;
    out << "\n";
  } else if (dev.cuda_built) {
    out << "CUDA: LibTorch built with CUDA, but no device is visible\n";
  } else {
    out << "CUDA: not available (CPU-only LibTorch)\n";
  }
  out << "CPU threads: " << torch::get_num_threads() << "\n";
  return out.str();
}

}  // namespace pose
