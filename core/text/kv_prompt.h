// The key-value retrieval prompt (the long-context "UUID" test): many lines
//   '<8 hex digits>' = <4 hex digits>
// with one secret pair at a chosen depth among random distractor pairs, then
//   What is the value of the key '<secret key>'?
//   '<secret key>' =
// and the answer " <value>": the question ends by restating the line's start,
// so the answer is the value itself. Lines are joined by "\n". The value is a
// word of its own (unquoted, unlike LongChat's '<value>'), so that a line
// tokenizes as "'<key>' =" followed by the value's tokens, the same tokens as
// the answer, and lengths are exact.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "text/tokenizer.h"

namespace pose::text {

inline constexpr const char* kKvIntro =
    "Below is a list of keys and their values. Remember them: you will be asked for the value of one key.";

struct KvPrompt {
  std::vector<std::int32_t> tokens;  // BOS, prompt, answer (the value's tokens)
  std::int64_t answer_begin = 0;     // tokens[answer_begin, answer_end) are the value
  std::int64_t answer_end = 0;
  std::int64_t secret_line_begin = 0;  // where the secret pair's line starts
  std::int64_t pairs = 0;              // lines in the prompt, the secret one included
  std::string key;                     // 8 hex digits
  std::string value;                   // 4 hex digits
};

class KvPromptBuilder {
 public:
  explicit KvPromptBuilder(const Tokenizer& tokenizer);

  // A prompt of at most `length` tokens whose secret pair follows
  // round(depth · distractors) distractor lines. Keys and values come from
  // (seed, index). Throws UserError when `length` is below minimum_length().
  KvPrompt build(std::int64_t length, double depth, std::uint64_t seed, std::uint64_t index) const;
  // An upper bound of the tokens the format needs without distractors, for
  // every key and value (hex digits cost at most one token each).
  std::int64_t minimum_length() const;

 private:
  std::vector<std::int32_t> line(const std::string& key, const std::string& value) const;

  const Tokenizer& tokenizer_;
  std::vector<std::int32_t> intro_, newline_;
};

std::string kv_line(const std::string& key, const std::string& value);
std::string kv_question(const std::string& key);  // the first of the two question lines

}  // namespace pose::text
