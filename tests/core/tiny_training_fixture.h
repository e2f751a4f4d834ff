// A model small enough to train in a test (vocabulary 64, hidden 32, 2 layers,
// 4 heads over 2 KV heads) and documents it can learn from.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/model_config.h"

inline pose::model::ModelConfig tiny_training_config() {
  nlohmann::json cfg = {{"model_type", "llama"},       {"vocab_size", 64},          {"hidden_size", 32},
                        {"intermediate_size", 64},     {"num_hidden_layers", 2},    {"num_attention_heads", 4},
                        {"num_key_value_heads", 2},    {"max_position_embeddings", 64}, {"tie_word_embeddings", true}};
  return pose::model::config_from_hf_json(cfg);
}

// Documents with structure a model can learn (a repeating pattern with noise).
inline std::shared_ptr<const std::vector<std::vector<int32_t>>> learnable_documents() {
  auto docs = std::make_shared<std::vector<std::vector<int32_t>>>();
  for (int d = 0; d < 6; ++d) {
    std::vector<int32_t> doc;
    for (int t = 0; t < 300 + 40 * d; ++t) doc.push_back(3 + (t * (d + 1) + (t % 7 == 0 ? d : 0)) % 61);
    docs->push_back(doc);
  }
  return docs;
}
