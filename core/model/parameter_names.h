// Which kind of weight an HF parameter name (LlamaForCausalLM's own, e.g.
// model.layers.3.input_layernorm.weight) is: one rule for initialisation,
// LoRA's choice of what trains, and loading.
#pragma once

#include <string>

namespace pose::model {

inline bool name_ends_with(const std::string& name, const std::string& suffix) {
  return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Every RMSNorm weight: the two per layer and the final norm.
inline bool is_norm_weight(const std::string& name) {
  return name_ends_with(name, "layernorm.weight") || name == "model.norm.weight";
}

// The token embeddings and an untied LM head.
inline bool is_embedding_weight(const std::string& name) {
  return name == "model.embed_tokens.weight" || name == "lm_head.weight";
}

}  // namespace pose::model
