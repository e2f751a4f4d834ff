// The precision policy. fp32: everything in fp32. bf16: autocast for the
// forward and backward (matmuls and attention in bf16; weights, optimizer
// state, the residual stream, norms, softmax statistics and the loss in fp32),
// on CUDA and on the CPU. "auto" picks bf16 on CUDA and fp32 on the CPU: a CPU
// run is bit-reproducible unless bf16 is asked for. The scope turns autocast
// on for the forward and backward of one micro-batch and restores the
// previous state on exit.
#pragma once

#include <string>

#include <torch/torch.h>

#include "train/training_settings.h"
#include "model/autocast_state.h"

namespace pose::train {

// What `precision` means on `device`: Fp32 or Bf16.
Precision resolve_precision(Precision precision, const torch::Device& device);

// Whether this CPU multiplies bf16 in hardware (x86 AVX-512 BF16 or AMX);
// without it oneDNN emulates bf16 and a bf16 run is usually slower than fp32.
bool cpu_has_native_bf16();

// A line for the run's log when bf16 is asked for where it will not pay, or
// an empty string.
std::string precision_note(Precision resolved, const torch::Device& device);

class AutocastScope {
 public:
  AutocastScope(const torch::Device& device, Precision resolved);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  model::AutocastState previous_;
};

}  // namespace pose::train
