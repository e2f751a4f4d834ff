#include "experiment/spec_warnings.h"

#include <algorithm>
#include <cmath>

#include "experiment/spec_fields.h"

namespace pose::experiment {

std::vector<SpecWarning> spec_warnings(const ExperimentSpec& spec) {
  std::vector<SpecWarning> out;
  for (std::size_t i = 0; i < spec.extend.size(); ++i) {
    const auto& run = spec.extend[i];
    if (run.rope.method == rope::RopeMethod::None) continue;
    const double ratio = default_rope_factor(run.target_len, spec.base_model.train_len);
    // Relative tolerance: a factor written with a few decimals (2.667 for 8/3) means the ratio.
    if (!(run.rope.factor < ratio * (1.0 - 1e-3))) continue;
    const std::string path = "extend[" + std::to_string(i) + "].rope.factor";
    const auto covered =
        static_cast<int64_t>(std::llround(run.rope.factor * static_cast<double>(spec.base_model.train_len)));
    out.push_back({path, path + ": " + show_number(run.rope.factor) + " is below target_len / base_model.train_len = " +
                             show_number(ratio) + ", so positions beyond " + std::to_string(covered) +
                             " lie outside the scaled window — legal, but the run extrapolates up to target_len"});
  }
  return out;
}

}  // namespace pose::experiment
