// Greedy decoding with the KV cache: one prefill over the prompt, then one
// cached step per new token.
#pragma once

#include <cstdint>
#include <vector>

#include "model/llama_model.h"

namespace pose::model {

struct GenerateOptions {
  int64_t max_new_tokens = 16;
  bool stop_at_eos = true;  // stop after emitting one of config().eos_token_ids
  // Prompt position ids (empty: 0..T-1). New tokens continue after the last one.
  std::vector<int64_t> prompt_positions;
};

// Returns the new tokens only (not the prompt).
std::vector<int64_t> generate_greedy(LlamaForCausalLM& model, const std::vector<int64_t>& prompt,
                                     const GenerateOptions& options);

}  // namespace pose::model
