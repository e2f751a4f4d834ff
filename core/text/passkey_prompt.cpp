#include "text/passkey_prompt.h"

#include <cmath>

#include "common/error.h"
#include "positions/random_stream.h"

namespace pose::text {

namespace {
void append(std::vector<std::int32_t>& out, const std::vector<std::int32_t>& part) {
  out.insert(out.end(), part.begin(), part.end());
}
}  // namespace

PasskeyPromptBuilder::PasskeyPromptBuilder(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {
  intro_ = tokenizer.encode(kPasskeyIntro);
  filler_ = tokenizer.encode(kPasskeyFiller);
  question_ = tokenizer.encode(kPasskeyQuestion);
  newline_ = tokenizer.encode("\n");
  // SentencePiece turns a lone "\n" into nothing when it normalises whitespace;
  // fall back to a space piece so that lines stay separated.
  if (newline_.empty()) newline_ = tokenizer.encode(" ");
  period_ = tokenizer.encode(".");
}

std::vector<std::int32_t> PasskeyPromptBuilder::key_line(std::int64_t key) const {
  const std::string k = std::to_string(key);
  return tokenizer_.encode("The pass key is " + k + ". Remember it. " + k + " is the pass key.");
}

std::vector<std::int32_t> PasskeyPromptBuilder::answer(std::int64_t key) const {
  return tokenizer_.encode(" " + std::to_string(key));
}

std::int64_t PasskeyPromptBuilder::minimum_length(std::int64_t key) const {
  const auto nl = static_cast<std::int64_t>(newline_.size());
  return 1 + static_cast<std::int64_t>(intro_.size() + key_line(key).size() + question_.size() + answer(key).size()) +
         3 * nl;
}

PasskeyPrompt PasskeyPromptBuilder::build(std::int64_t length, double depth, std::int64_t key) const {
  const std::int64_t fixed = minimum_length(key);
  if (length < fixed) {
    throw UserError("passkey prompt: length " + std::to_string(length) + " cannot hold the prompt (" +
                        std::to_string(fixed) + " tokens without filler)",
                    "use lengths of at least " + std::to_string(fixed) + " tokens");
  }
  // Each filler unit costs its tokens plus a line break.
  const auto unit = static_cast<std::int64_t>(filler_.size() + newline_.size());
  const std::int64_t units = unit > 0 ? (length - fixed) / unit : 0;
  const double d = std::min(1.0, std::max(0.0, depth));
  const auto before = static_cast<std::int64_t>(std::llround(d * static_cast<double>(units)));

  PasskeyPrompt p;
  p.key = key;
  p.filler_units = units;
  auto& t = p.tokens;
  t.reserve(static_cast<std::size_t>(length));
  t.push_back(tokenizer_.bos_id());
  append(t, intro_);
  append(t, newline_);
  for (std::int64_t i = 0; i < before; ++i) {
    append(t, filler_);
    append(t, newline_);
  }
  p.key_line_begin = static_cast<std::int64_t>(t.size());
  append(t, key_line(key));
  append(t, newline_);
  for (std::int64_t i = before; i < units; ++i) {
    append(t, filler_);
    append(t, newline_);
  }
  append(t, question_);
  p.answer_begin = static_cast<std::int64_t>(t.size());
  append(t, answer(key));
  p.answer_end = static_cast<std::int64_t>(t.size());
  // A closing period when there is room: training documents end the sentence.
  if (static_cast<std::int64_t>(t.size() + period_.size()) <= length) append(t, period_);
  return p;
}

std::int64_t draw_passkey(std::uint64_t seed, std::uint64_t index) {
  auto rng = positions::RandomStream::for_sample(seed ^ 0x70617373ULL, index);  // "pass"
  return rng.between(1, 50000);
}

}  // namespace pose::text
