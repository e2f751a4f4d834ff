#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace pose::train {

double learning_rate_at(const TrainingSettings& s, int64_t step) {
  const double peak = s.lr;
  // Step k trains with the lr reached after k+1 warmup increments, so the first
  // step is not wasted at lr = 0 (the HF/PoSE schedulers behave the same way).
  if (s.warmup_steps > 0 && step < s.warmup_steps) {
    return peak * static_cast<double>(step + 1) / static_cast<double>(s.warmup_steps);
  }
  const double floor_lr = peak * s.min_lr_ratio;
  const int64_t decay_steps = s.steps - s.warmup_steps;
  if (s.schedule == Schedule::Constant || decay_steps <= 1) return peak;
  const double progress =
      std::clamp(static_cast<double>(step - s.warmup_steps) / static_cast<double>(decay_steps - 1), 0.0, 1.0);
  if (s.schedule == Schedule::Linear) return floor_lr + (peak - floor_lr) * (1.0 - progress);
  const double pi = 3.14159265358979323846;
  return floor_lr + (peak - floor_lr) * 0.5 * (1.0 + std::cos(pi * progress));
}

}  // namespace pose::train
