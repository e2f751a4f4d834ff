#include "kernels/cpu_kernels.h"

#include <ATen/Parallel.h>

#include <atomic>

namespace pose::model {

namespace {
std::atomic<bool> enabled{true};
}  // namespace

void set_cpu_kernels_enabled(bool on) { enabled = on; }
bool cpu_kernels_enabled() { return enabled; }

bool cpu_kernels_apply(const torch::Tensor& x) {
  if (!enabled || !x.is_cpu()) return false;
#ifndef _OPENMP
  // parallel_for would run the kernels' parts one after the other, where
  // LibTorch's own ops use every thread.
  if (at::get_num_threads() > 1) return false;
#endif
  return true;
}

}  // namespace pose::model
