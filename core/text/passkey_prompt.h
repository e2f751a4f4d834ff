// The passkey retrieval prompt as the PoSE and YaRN evaluations write it:
//   intro line, filler, "The pass key is K. Remember it. K is the pass key.",
//   more filler, "What is the pass key? The pass key is" and the answer " K".
// Lines are joined by "\n". The same builder makes the passkey-format training
// documents of the base model and the evaluation prompts, so the two agree.
//
// Each part is tokenized on its own and the token lists are concatenated, so
// the length in tokens is exact and the key's tokens are the same at every
// depth (BPE does not merge across the joins).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "text/tokenizer.h"

namespace pose::text {

inline constexpr const char* kPasskeyIntro =
    "There is an important info hidden inside a lot of irrelevant text. Find it and memorize them. "
    "I will quiz you about the important information there.";
inline constexpr const char* kPasskeyFiller =
    "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";
inline constexpr const char* kPasskeyQuestion = "What is the pass key? The pass key is";

struct PasskeyPrompt {
  std::vector<std::int32_t> tokens;  // BOS, prompt, answer (the key's tokens), then "." when it fits
  std::int64_t answer_begin = 0;     // tokens[answer_begin, answer_end) are the key
  std::int64_t answer_end = 0;
  std::int64_t key_line_begin = 0;   // where the key line starts (depth in tokens)
  std::int64_t filler_units = 0;     // total filler sentences-units used
  std::int64_t key = 0;
};

// Token pieces of the format, tokenized once per tokenizer.
class PasskeyPromptBuilder {
 public:
  explicit PasskeyPromptBuilder(const Tokenizer& tokenizer);

  // A prompt of at most `length` tokens (BOS and answer included), with the key
  // line after round(depth · units) of the filler units that fit. Throws
  // UserError when `length` cannot hold the prompt without filler.
  PasskeyPrompt build(std::int64_t length, double depth, std::int64_t key) const;
  // Tokens the format needs besides filler (BOS, intro, key line, question, answer).
  std::int64_t minimum_length(std::int64_t key) const;

 private:
  std::vector<std::int32_t> key_line(std::int64_t key) const;
  std::vector<std::int32_t> answer(std::int64_t key) const;

  const Tokenizer& tokenizer_;
  std::vector<std::int32_t> intro_, filler_, question_, newline_, period_;
};

// Keys as PoSE draws them: uniform on 1..50000.
std::int64_t draw_passkey(std::uint64_t seed, std::uint64_t index);

}  // namespace pose::text
