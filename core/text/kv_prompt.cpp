#include "text/kv_prompt.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "positions/random_stream.h"

namespace pose::text {

namespace {

void append(std::vector<std::int32_t>& out, const std::vector<std::int32_t>& part) {
  out.insert(out.end(), part.begin(), part.end());
}

std::string hex_digits(positions::RandomStream& rng, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < digits; ++i) s.push_back(kHex[rng.below(16)]);
  return s;
}

std::string line_start(const std::string& key) { return "'" + key + "' ="; }

// Upper bound of a tokenized string's length: one piece per byte plus a
// possible word-start piece.
std::int64_t bound(const std::string& s) { return static_cast<std::int64_t>(s.size()) + 1; }

}  // namespace

std::string kv_line(const std::string& key, const std::string& value) { return line_start(key) + " " + value; }

std::string kv_question(const std::string& key) { return "What is the value of the key '" + key + "'?"; }

KvPromptBuilder::KvPromptBuilder(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {
  intro_ = tokenizer.encode(kKvIntro);
  newline_ = tokenizer.encode("\n");
  if (newline_.empty()) newline_ = tokenizer.encode(" ");  // see passkey_prompt.cpp
}

std::vector<std::int32_t> KvPromptBuilder::line(const std::string& key, const std::string& value) const {
  auto t = tokenizer_.encode(line_start(key));
  append(t, tokenizer_.encode(value));
  return t;
}

std::int64_t KvPromptBuilder::minimum_length() const {
  const std::string key(8, 'f'), value(4, 'f');
  const auto nl = static_cast<std::int64_t>(newline_.size());
  const auto line_bound = bound(line_start(key)) + bound(value);
  return 1 + static_cast<std::int64_t>(intro_.size()) + nl + line_bound + nl + bound(kv_question(key)) + nl +
         bound(line_start(key)) + bound(value);
}

KvPrompt KvPromptBuilder::build(std::int64_t length, double depth, std::uint64_t seed, std::uint64_t index) const {
  const std::int64_t minimum = minimum_length();
  if (length < minimum) {
    throw UserError("key-value prompt: length " + std::to_string(length) + " cannot hold the prompt (" +
                        std::to_string(minimum) + " tokens without distractors)",
                    "use lengths of at least " + std::to_string(minimum) + " tokens");
  }
  auto rng = positions::RandomStream::for_sample(seed ^ 0x6b767274ULL, index);  // "kvrt"
  KvPrompt p;
  p.key = hex_digits(rng, 8);
  p.value = hex_digits(rng, 4);
  const auto secret = line(p.key, p.value);
  auto question = tokenizer_.encode(kv_question(p.key));
  append(question, newline_);
  append(question, tokenizer_.encode(line_start(p.key)));
  const auto answer = tokenizer_.encode(p.value);
  const auto nl = static_cast<std::int64_t>(newline_.size());
  const std::int64_t fixed = 1 + static_cast<std::int64_t>(intro_.size()) + nl +
                             static_cast<std::int64_t>(secret.size()) + nl +
                             static_cast<std::int64_t>(question.size() + answer.size());

  // Distractor lines until the next one would not fit; a distractor never
  // repeats the secret key.
  std::vector<std::vector<std::int32_t>> distractors;
  std::int64_t budget = length - fixed;
  for (;;) {
    std::string key = hex_digits(rng, 8);
    if (key == p.key) continue;
    auto tokens = line(key, hex_digits(rng, 4));
    const auto cost = static_cast<std::int64_t>(tokens.size()) + nl;
    if (cost > budget) break;
    budget -= cost;
    distractors.push_back(std::move(tokens));
  }
  const double d = std::min(1.0, std::max(0.0, depth));
  const auto before = static_cast<std::size_t>(std::llround(d * static_cast<double>(distractors.size())));

  auto& t = p.tokens;
  t.reserve(static_cast<std::size_t>(length));
  t.push_back(tokenizer_.bos_id());
  append(t, intro_);
  append(t, newline_);
  for (std::size_t i = 0; i < distractors.size(); ++i) {
    if (i == before) {
      p.secret_line_begin = static_cast<std::int64_t>(t.size());
      append(t, secret);
      append(t, newline_);
    }
    append(t, distractors[i]);
    append(t, newline_);
  }
  if (before == distractors.size()) {
    p.secret_line_begin = static_cast<std::int64_t>(t.size());
    append(t, secret);
    append(t, newline_);
  }
  append(t, question);
  p.answer_begin = static_cast<std::int64_t>(t.size());
  append(t, answer);
  p.answer_end = static_cast<std::int64_t>(t.size());
  p.pairs = static_cast<std::int64_t>(distractors.size()) + 1;
  return p;
}

}  // namespace pose::text
