// RoPE parameters from and to an HF transformers config.json object.
//
// Two styles exist:
//   rope_scaling   (transformers <= 4.x): "rope_theta" at the top level beside
//                  "rope_scaling": {"type" or "rope_type", "factor", ...}, or
//                  "rope_scaling": null for plain RoPE.
//   rope_parameters (transformers v5): "rope_parameters": {"rope_type", "rope_theta",
//                  "partial_rotary_factor", "factor", ...}; "default" = none.
// Reading follows HF v5's standardisation: top-level original_max_position_embeddings
// (Phi-3) wins over the one inside the rope dict; head_dim falls back to
// hidden_size / num_attention_heads; yarn and longrope without a `factor` take
// max_position_embeddings / original_max_position_embeddings.
//
// yarn-pose and ntk have no HF rope_type; they are written as rope_type
// "yarn-pose" and "ntk", which HF transformers refuses to load (on purpose: a
// silent fallback to "yarn" would give different frequencies).
//
// Keys inside the rope dict that we do not model (e.g. DeepSeek's extra keys)
// are kept in `extra_keys` and written back unchanged.
#pragma once

#include <nlohmann/json.hpp>

#include "rope/rope_params.h"

namespace pose::rope {

enum class HfRopeStyle { RopeScaling, RopeParameters };

struct HfRopeConfig {
  RopeParams params;
  HfRopeStyle style = HfRopeStyle::RopeScaling;  // the style it was read in
  nlohmann::json extra_keys = nlohmann::json::object();  // unmodelled keys of the rope dict
  // Where the original window was found: Phi-3 keeps it at the top level.
  bool original_window_at_top_level = false;
  // Older configs name the method "type" instead of "rope_type".
  bool legacy_type_key = false;
};

// Reads and validates. Throws UserError naming the key for malformed values
// (a string where a number belongs, a negative window, an unknown rope_type).
HfRopeConfig read_hf_rope_config(const nlohmann::json& config);

// Writes the rope keys of `rope` into `config` (other keys untouched) in the
// given style, replacing the rope keys of the other style. Writes head_dim
// only when hidden_size / num_attention_heads in `config` does not already give it.
void write_hf_rope_config(const HfRopeConfig& rope, HfRopeStyle style, nlohmann::json& config);

}  // namespace pose::rope
