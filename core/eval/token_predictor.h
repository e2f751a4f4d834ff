// What the retrieval evaluations (passkey, key-value, custom probe) need from a
// model, behind one interface so the scoring logic is independent of how the
// predictions are made: teacher-forced predictions over an answer span, and
// greedy continuation of a prompt.
//
// ModelPredictor is the LLaMA decoder's implementation; tests also use
// rule-based predictors with a known answer.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "model/llama_model.h"

namespace pose::eval {

// Token indices [begin, end) of one row: the positions whose *next* tokens are
// predicted. Position t predicts token t + 1.
struct Span {
  int64_t begin = 0;
  int64_t end = 0;
};

struct SpanPrediction {
  std::vector<int32_t> argmax;  // the most likely next token at each position of the span
  double nll_sum = 0.0;         // -sum log p(token t+1 | tokens <= t) over the span
};

class TokenPredictor {
 public:
  virtual ~TokenPredictor() = default;
  // ids [B, T] int64 on the CPU (rows padded with 0 after their own length);
  // one span per row, inside the row's own tokens with end <= T - 1.
  virtual std::vector<SpanPrediction> predict(const torch::Tensor& ids, const std::vector<Span>& spans) = 0;
  // Greedy continuation: at most `max_new` tokens after `prompt` (stops at EOS).
  virtual std::vector<int32_t> generate(const std::vector<int32_t>& prompt, int64_t max_new) = 0;
};

// One forward per batch, logits only on the spans (never [B, T, V]); position
// ids 0..T-1; generation through the KV cache.
class ModelPredictor : public TokenPredictor {
 public:
  explicit ModelPredictor(model::LlamaForCausalLM model);
  std::vector<SpanPrediction> predict(const torch::Tensor& ids, const std::vector<Span>& spans) override;
  std::vector<int32_t> generate(const std::vector<int32_t>& prompt, int64_t max_new) override;

 private:
  model::LlamaForCausalLM model_;
  torch::Device device_;
};

}  // namespace pose::eval
