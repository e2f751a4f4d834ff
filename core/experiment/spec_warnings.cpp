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
  // LoRA that extends the context with the embeddings or the norms frozen:
  // LongLoRA (Chen et al. 2023) found adapters alone fall well short
  // of full fine-tuning at long context, and trainable embeddings and norms
  // close the gap. The path names the flag to turn on, or the LoRA setting
  // itself when both are off.
  for (std::size_t i = 0; i < spec.extend.size(); ++i) {
    const auto& run = spec.extend[i];
    if (!run.training.lora || !run.fine_tunes() || run.target_len <= spec.base_model.train_len) continue;
    const auto& lora = *run.training.lora;
    if (lora.train_embeddings && lora.train_norms) continue;
    const std::string run_path = "extend[" + std::to_string(i) + "].lora";
    std::string path, what;
    if (!lora.train_embeddings && !lora.train_norms) {
      path = run_path;
      what = "train_embeddings and train_norms are false";
    } else if (!lora.train_embeddings) {
      path = run_path + ".train_embeddings";
      what = "false";
    } else {
      path = run_path + ".train_norms";
      what = "false";
    }
    out.push_back({path, path + ": " + what +
                             " — LongLoRA found trainable embeddings and norms necessary for context extension with "
                             "LoRA"});
  }
  return out;
}

}  // namespace pose::experiment
