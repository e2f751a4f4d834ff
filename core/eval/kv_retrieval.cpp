#include "eval/kv_retrieval.h"

#include <memory>

#include "text/kv_prompt.h"

namespace pose::eval {

RetrievalFormat kv_retrieval_format(const text::Tokenizer& tokenizer) {
  auto builder = std::make_shared<text::KvPromptBuilder>(tokenizer);
  RetrievalFormat f;
  f.name = "kv";
  f.minimum_length = builder->minimum_length();
  f.details = {{"key_digits", 8}, {"value_digits", 4}, {"line", text::kv_line("<key>", "<value>")}};
  f.build = [builder](int64_t length, double depth, uint64_t seed, uint64_t index) {
    const text::KvPrompt p = builder->build(length, depth, seed, index);
    return RetrievalPrompt{p.tokens, p.answer_begin, p.answer_end, p.value};
  };
  return f;
}

}  // namespace pose::eval
