#include "eval/passkey_eval.h"

#include <memory>

#include "text/passkey_prompt.h"

namespace pose::eval {

namespace {
constexpr int64_t kLongestKey = 50000;
}

RetrievalFormat passkey_format(const text::Tokenizer& tokenizer) {
  auto builder = std::make_shared<text::PasskeyPromptBuilder>(tokenizer);
  RetrievalFormat f;
  f.name = "passkey";
  f.minimum_length = builder->minimum_length(kLongestKey);
  f.details = {{"key_range", {1, kLongestKey}}};
  f.build = [builder](int64_t length, double depth, uint64_t seed, uint64_t index) {
    const text::PasskeyPrompt p = builder->build(length, depth, text::draw_passkey(seed, index));
    return RetrievalPrompt{p.tokens, p.answer_begin, p.answer_end, std::to_string(p.key)};
  };
  return f;
}

std::vector<RetrievalCell> evaluate_passkey(model::LlamaForCausalLM& model, const text::Tokenizer& tokenizer,
                                            const RetrievalSettings& settings, const RetrievalProgress& progress) {
  ModelPredictor predictor(model);
  return evaluate_retrieval(predictor, tokenizer, passkey_format(tokenizer), settings, progress);
}

}  // namespace pose::eval
