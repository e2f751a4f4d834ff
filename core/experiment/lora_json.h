// A run's LoRA settings read back from JSON (a spec or the settings a run
// stored), and the short text tables show for how a run trains.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lora/lora_config.h"

namespace pose::experiment {

// The spec's reading of a "lora" value (experiment_spec.cpp): nullopt for
// false or null; FieldError at `path` for anything invalid.
std::optional<model::LoraConfig> lora_from_json(const nlohmann::json& value, const std::string& path = "lora");

// "LoRA r8 α16 q,k,v,o + embeddings + norms", for tables.
std::string describe(const model::LoraConfig& config);

// How a run with these stored settings (to_json(ExtendRunSpec)) trains:
// "full", describe(lora), or "" when it does not train. Adds ", act. ckpt"
// with activation checkpointing. Settings it cannot read give "".
std::string describe_training(const nlohmann::json& run_settings);

}  // namespace pose::experiment
