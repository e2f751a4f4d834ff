// The precision policy: fp32 on the CPU; on CUDA, bf16 autocast (matmuls and
// attention in bf16, weights, optimizer state and the loss in fp32). "auto"
// picks by device. The scope turns autocast on for the forward and backward of
// one micro-batch and restores the previous state on exit.
#pragma once

#include <string>

#include <torch/torch.h>

#include "experiment/experiment_spec.h"

namespace pose::train {

// What `precision` means on `device`: Fp32 or Bf16. Throws UserError for bf16
// on a device without bf16 autocast (the CPU build trains in fp32).
experiment::Precision resolve_precision(experiment::Precision precision, const torch::Device& device);

class AutocastScope {
 public:
  AutocastScope(const torch::Device& device, experiment::Precision resolved);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool previous_enabled_ = false;
};

}  // namespace pose::train
