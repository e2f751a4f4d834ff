// The default experiment's model shape (hidden 64, 2 layers, 4 heads, 2 KV
// heads, tied embeddings, vocabulary 1024), for tests of cost formulas.
#pragma once

#include "model/model_config.h"

inline pose::model::ModelConfig micro_model_config() {
  pose::model::ModelConfig c;
  c.vocab_size = 1024;
  c.hidden_size = 64;
  c.intermediate_size = 176;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.head_dim = 16;
  c.tie_word_embeddings = true;
  return c;
}
