#include "lora/lora_config.h"

#include <algorithm>

namespace pose::model {

const std::vector<LoraTarget>& all_lora_targets() {
  static const std::vector<LoraTarget> targets = {LoraTarget::Q,    LoraTarget::K,  LoraTarget::V,   LoraTarget::O,
                                                  LoraTarget::Gate, LoraTarget::Up, LoraTarget::Down};
  return targets;
}

std::string lora_target_name(LoraTarget target) {
  switch (target) {
    case LoraTarget::Q: return "q_proj";
    case LoraTarget::K: return "k_proj";
    case LoraTarget::V: return "v_proj";
    case LoraTarget::O: return "o_proj";
    case LoraTarget::Gate: return "gate_proj";
    case LoraTarget::Up: return "up_proj";
    case LoraTarget::Down: return "down_proj";
  }
  return "?";
}

bool parse_lora_target(const std::string& name, LoraTarget& target) {
  for (const LoraTarget t : all_lora_targets()) {
    if (lora_target_name(t) == name) {
      target = t;
      return true;
    }
  }
  return false;
}

std::string lora_target_names() {
  std::string s;
  for (const LoraTarget t : all_lora_targets()) s += (s.empty() ? "" : ", ") + lora_target_name(t);
  return s;
}

bool LoraConfig::targets_contain(LoraTarget t) const {
  return std::find(targets.begin(), targets.end(), t) != targets.end();
}

bool LoraConfig::operator==(const LoraConfig& o) const {
  return rank == o.rank && alpha == o.alpha && dropout == o.dropout && targets == o.targets &&
         train_embeddings == o.train_embeddings && train_norms == o.train_norms;
}

}  // namespace pose::model
