// Versions of the product and of the libraries it was built with, and the
// compute devices it can see. Shown by `pose --version` and the About dialog.
#pragma once

#include <string>

namespace pose {

struct DeviceInfo {
  bool cuda_built = false;      // this binary was compiled against a CUDA LibTorch
  bool cuda_available = false;  // a CUDA device answered at run time
  int device_count = 0;
  std::string device_name;      // first CUDA device, empty when none
};

std::string product_version();   // e.g. "0.1.0"
std::string torch_version();     // LibTorch, e.g. "1.13.0"
std::string build_description(); // build type and compiler
DeviceInfo device_info();

// Several lines: product, LibTorch, CUDA/device, BLAS threads. Same text in CLI and GUI.
std::string version_report();

}  // namespace pose
