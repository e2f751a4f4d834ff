#include "train/precision.h"

#include <ATen/autocast_mode.h>

namespace pose::train {

Precision resolve_precision(Precision precision, const torch::Device& device) {
  if (precision == Precision::Auto) return device.is_cuda() ? Precision::Bf16 : Precision::Fp32;
  return precision;
}

bool cpu_has_native_bf16() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bf16") != 0;
#else
  return false;
#endif
}

std::string precision_note(Precision resolved, const torch::Device& device) {
  if (resolved != Precision::Bf16 || !device.is_cpu() || cpu_has_native_bf16()) return {};
  return "precision bf16 on a CPU without bf16 instructions (AVX-512 BF16): bf16 is emulated and usually slower "
         "than fp32; set precision to \"fp32\" (or \"auto\") for speed";
}

AutocastScope::AutocastScope(const torch::Device& device, Precision resolved) {
  if (resolved != Precision::Bf16 || !(device.is_cuda() || device.is_cpu())) return;
  active_ = true;
  previous_ = model::current_autocast();
  model::AutocastState on = previous_;
  if (device.is_cuda()) {
    on.cuda = true;
    on.cuda_dtype = at::kBFloat16;
  } else {
    on.cpu = true;
    on.cpu_dtype = at::kBFloat16;
  }
  model::set_autocast(on);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // Casts cached for this forward/backward hold memory; drop them when the
  // outermost scope closes, as torch.autocast does.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  model::set_autocast(previous_);
}

}  // namespace pose::train
