#include "experiment/lora_json.h"

#include <sstream>

#include "common/error.h"

namespace pose::experiment {

std::string describe(const model::LoraConfig& c) {
  std::ostringstream s;
  s << "LoRA r" << c.rank << " \u03b1" << c.alpha << " ";
  bool first = true;
  for (const auto t : c.targets) {
    std::string name = model::lora_target_name(t);
    if (const auto cut = name.find("_proj"); cut != std::string::npos) name.erase(cut);
    s << (first ? "" : ",") << name;
    first = false;
  }
  if (c.train_embeddings) s << " + embeddings";
  if (c.train_norms) s << " + norms";
  return s.str();
}

std::string describe_training(const nlohmann::json& run) {
  if (!run.is_object()) return {};
  const bool trains = run.value("strategy", std::string()) != "none" && run.value("steps", int64_t{0}) > 0;
  if (!trains) return {};
  std::string text = "full";
  if (const auto it = run.find("lora"); it != run.end()) {
    try {
      if (const auto lora = lora_from_json(*it)) text = describe(*lora);
    } catch (const UserError&) {
      return {};
    }
  }
  if (run.value("activation_checkpointing", false)) text += ", act. ckpt";
  return text;
}

}  // namespace pose::experiment
