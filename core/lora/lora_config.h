// What a LoRA adaptation trains (Hu et al. 2021; LongLoRA, Chen et al. 2023,
// for context extension): for each targeted projection W [out, in] a pair
// A [rank, in], B [out, rank] with W' = W + (alpha / rank) · B A, B starting
// at zero so the adapted model starts as the base model. Only the adapters —
// and, when asked, the embeddings and the RMSNorm weights, which LongLoRA found
// necessary for context extension — get gradients and optimizer state.
//
// Target names are the projections' HF module names, the same PEFT writes in
// adapter_config.json's target_modules.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pose::model {

enum class LoraTarget { Q, K, V, O, Gate, Up, Down };

// Every target in the decoder's order: q_proj, k_proj, v_proj, o_proj,
// gate_proj, up_proj, down_proj.
const std::vector<LoraTarget>& all_lora_targets();
// "q_proj", ... (the HF and PEFT module name).
std::string lora_target_name(LoraTarget target);
// The target named `name`, or false when there is none.
bool parse_lora_target(const std::string& name, LoraTarget& target);
// The names all_lora_targets() has, comma-separated (for messages).
std::string lora_target_names();

struct LoraConfig {
  int64_t rank = 8;
  double alpha = 16.0;
  double dropout = 0.0;  // on the adapter's input, in training only
  std::vector<LoraTarget> targets = {LoraTarget::Q, LoraTarget::K, LoraTarget::V, LoraTarget::O};
  bool train_embeddings = false;  // embed_tokens (and an untied lm_head) trained in full
  bool train_norms = false;       // every RMSNorm weight trained in full

  double scaling() const { return alpha / static_cast<double>(rank); }
  bool targets_contain(LoraTarget t) const;
  bool operator==(const LoraConfig& other) const;
  bool operator!=(const LoraConfig& other) const { return !(*this == other); }
};

}  // namespace pose::model
