// Evaluating a model with a RoPE other than the one it was trained with: a
// base model with linear or dynamic factor 2 and no fine-tuning, or an
// extended model with a larger factor than it was tuned for. The override
// replaces the method and factor relative to the model's original window
// (L0: original_max_position_embeddings when its rope records one, else
// max_position_embeddings); rope_theta and the rotary fraction are kept.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/llama_model.h"
#include "model/model_config.h"
#include "rope/rope_params.h"

namespace pose::eval {

struct RopeOverride {
  rope::RopeMethod method = rope::RopeMethod::None;
  double factor = 1.0;
  std::string text() const;  // "linear:2", "none"
};

// "none", "linear:2", "dynamic:2", "yarn:4", "ntk:8", "yarn-pose:8", "llama3:8",
// comma-separated. Throws UserError naming the item and the fix.
std::vector<RopeOverride> parse_rope_overrides(const std::string& list);

// L0 of a model config (see above).
int64_t original_window_of(const model::ModelConfig& config);

// The config with the override's RoPE; max_position_embeddings becomes
// round(L0 · factor) (L0 for dynamic, whose scaling starts beyond it).
model::ModelConfig config_with_rope(const model::ModelConfig& config, const RopeOverride& rope);

// A model with the override's RoPE whose parameters are `model`'s own tensors
// (shared storage, no copy): for evaluation only.
model::LlamaForCausalLM model_with_rope(model::LlamaForCausalLM& model, const RopeOverride& rope);

nlohmann::json to_json(const RopeOverride& rope, const model::ModelConfig& config);

}  // namespace pose::eval
