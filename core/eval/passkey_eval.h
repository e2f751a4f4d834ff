// Passkey retrieval over a grid of context lengths × depths, scored by
// teacher forcing: one forward pass over prompt + key, and a trial passes when
// the model's argmax at every key position is the key's next token (for exact
// match this equals greedy decoding of the key, without decoding).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/llama_model.h"
#include "text/passkey_prompt.h"

namespace pose::eval {

struct PasskeySettings {
  std::vector<int64_t> lengths;
  std::vector<double> depths;
  int64_t trials = 8;
  uint64_t seed = 0;
  int64_t batch_tokens = 16384;  // trials of a cell are batched up to this many positions
};

struct PasskeySampleOutput {
  int64_t key = 0;
  std::string predicted;  // the tokens the model put where the key is, decoded
  bool correct = false;
};

struct PasskeyCell {
  int64_t length = 0;         // requested context length
  int64_t prompt_tokens = 0;  // longest prompt actually built for this cell
  double depth = 0.0;
  int64_t trials = 0;
  int64_t correct = 0;
  double accuracy() const { return trials > 0 ? static_cast<double>(correct) / static_cast<double>(trials) : 0.0; }
  std::vector<PasskeySampleOutput> samples;  // the first few trials
  std::string skipped;  // why the cell was not evaluated (length below the prompt's minimum)
};

using PasskeyProgress = std::function<void(int64_t cells_done, int64_t cells_total)>;

std::vector<PasskeyCell> evaluate_passkey(model::LlamaForCausalLM& model, const text::Tokenizer& tokenizer,
                                          const PasskeySettings& settings, const PasskeyProgress& progress = {});

nlohmann::json to_json(const PasskeySettings& s);
nlohmann::json to_json(const std::vector<PasskeyCell>& cells);
// Mean accuracy of the cells whose length is `length`.
double mean_accuracy_at(const std::vector<PasskeyCell>& cells, int64_t length);

}  // namespace pose::eval
