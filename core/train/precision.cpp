#include "train/precision.h"

#include <ATen/autocast_mode.h>

#include "common/error.h"

namespace pose::train {

namespace {
// LibTorch 2.4 replaced the per-backend autocast switches with device-typed ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool cuda_autocast_enabled() { return at::autocast::is_autocast_enabled(at::kCUDA); }
void set_cuda_autocast(bool on) {
  at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
  at::autocast::set_autocast_enabled(at::kCUDA, on);
}
#else
bool cuda_autocast_enabled() { return at::autocast::is_enabled(); }
void set_cuda_autocast(bool on) {
  at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
  at::autocast::set_enabled(on);
}
#endif
}  // namespace

experiment::Precision resolve_precision(experiment::Precision precision, const torch::Device& device) {
  using experiment::Precision;
  if (precision == Precision::Auto) return device.is_cuda() ? Precision::Bf16 : Precision::Fp32;
  if (precision == Precision::Bf16 && !device.is_cuda()) {
    throw UserError("precision bf16 needs a CUDA device (this run is on " + device.str() + ")",
                    "set precision to \"auto\" or \"fp32\", or run with --device cuda");
  }
  return precision;
}

AutocastScope::AutocastScope(const torch::Device& device, experiment::Precision resolved) {
  if (!device.is_cuda() || resolved != experiment::Precision::Bf16) return;
  active_ = true;
  previous_enabled_ = cuda_autocast_enabled();
  set_cuda_autocast(true);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // Casts cached for this forward/backward hold memory; drop them when the
  // outermost scope closes, as torch.autocast does.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_cuda_autocast(previous_enabled_);
}

}  // namespace pose::train
