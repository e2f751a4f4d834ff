// A retrieval test over a grid of context lengths × depths × trials: each trial
// is a prompt with something hidden at a depth and a question whose answer the
// model must retrieve. Passkey and key-value retrieval are two prompt formats
// of the same grid.
//
// Scoring is teacher-forced exact match: one forward pass over prompt +
// answer, and a trial passes when the argmax at every answer position is the
// answer's next token (equal to greedy decoding of the answer, without
// decoding). Optionally each trial is also decoded greedily through the KV
// cache; the text produced is kept and passes when it contains the answer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/eval_share.h"
#include "eval/token_predictor.h"
#include "text/tokenizer.h"

namespace pose::eval {

struct RetrievalPrompt {
  std::vector<int32_t> tokens;  // BOS, prompt, answer tokens (and possibly a closing token)
  int64_t answer_begin = 0;     // tokens[answer_begin, answer_end) are the answer
  int64_t answer_end = 0;
  std::string answer;           // the answer as text ("48213", "a3f9")
};

struct RetrievalFormat {
  std::string name;  // "passkey", "kv"
  // Tokens the longest prompt of the format needs without filler; shorter
  // lengths are skipped with a reason.
  int64_t minimum_length = 0;
  // The prompt of trial `index` (a global counter over the grid, so every
  // trial's secret is drawn from (seed, index)) at `length` tokens and `depth`
  // in [0, 1].
  std::function<RetrievalPrompt(int64_t length, double depth, uint64_t seed, uint64_t index)> build;
  // Format-specific settings stored with the results (key range, sizes).
  nlohmann::json details = nlohmann::json::object();
};

struct RetrievalSettings {
  std::vector<int64_t> lengths;
  std::vector<double> depths;
  int64_t trials = 8;
  uint64_t seed = 0;
  int64_t batch_tokens = 16384;  // trials of a cell are batched up to this many positions
  bool generate = false;         // also decode each trial greedily and keep the text
  int64_t generate_extra_tokens = 4;  // decoded beyond the answer's length
};

struct RetrievalSample {
  std::string expected;
  std::string predicted;  // the teacher-forced argmax over the answer span, decoded
  bool correct = false;
  std::string generated;  // greedy continuation (settings.generate only)
  bool generated_correct = false;
};

struct RetrievalCell {
  int64_t length = 0;         // requested context length
  int64_t prompt_tokens = 0;  // longest prompt actually built for this cell
  double depth = 0.0;
  int64_t trials = 0;
  int64_t correct = 0;
  int64_t generated_correct = -1;  // -1 when not generated
  double accuracy() const { return trials > 0 ? static_cast<double>(correct) / static_cast<double>(trials) : 0.0; }
  std::vector<RetrievalSample> samples;  // the first few trials
  std::string skipped;  // why the cell was not evaluated
};

// Progress: (cells done, cells total).
using RetrievalProgress = std::function<void(int64_t, int64_t)>;

std::vector<RetrievalCell> evaluate_retrieval(TokenPredictor& predictor, const text::Tokenizer& tokenizer,
                                              const RetrievalFormat& format, const RetrievalSettings& settings,
                                              const RetrievalProgress& progress = {}, const EvalShare& share = {});

// Settings common to every format ("format" and the scoring rule included).
nlohmann::json to_json(const RetrievalSettings& s, const RetrievalFormat& format);
nlohmann::json to_json(const std::vector<RetrievalCell>& cells);
// Reads to_json(cells) back (every reader of stored retrieval results goes
// through here); UserError naming the cell and field of a malformed document.
std::vector<RetrievalCell> retrieval_cells_from_json(const nlohmann::json& j);
// Mean accuracy of the cells whose length is `length` (trial-weighted).
double mean_accuracy_at(const std::vector<RetrievalCell>& cells, int64_t length);

}  // namespace pose::eval
