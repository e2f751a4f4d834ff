// Learning rate at an optimizer step: linear warmup from 0 to the peak over
// `warmup_steps`, then constant, linear or cosine decay to min_lr_ratio·peak at
// the last step (PoSE's recipe: 10 warmup steps, then linear decay).
#pragma once

#include <cstdint>

#include "train/training_settings.h"

namespace pose::train {

// `step` counts from 0 (the first optimizer step) to settings.steps - 1.
double learning_rate_at(const TrainingSettings& settings, int64_t step);

}  // namespace pose::train
