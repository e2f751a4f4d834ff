#include "eval/token_predictor.h"

#include "common/error.h"
#include "model/generate.h"

namespace pose::eval {

namespace {
torch::Device device_of(model::LlamaForCausalLM& model) {
  const auto params = model->parameters();
  return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}
}  // namespace

ModelPredictor::ModelPredictor(model::LlamaForCausalLM model) : model_(std::move(model)), device_(device_of(model_)) {}

std::vector<SpanPrediction> ModelPredictor::predict(const torch::Tensor& ids, const std::vector<Span>& spans) {
  const int64_t B = ids.size(0), T = ids.size(1);
  if (static_cast<int64_t>(spans.size()) != B) {
    throw UserError("predict: " + std::to_string(spans.size()) + " spans for " + std::to_string(B) + " rows",
                    "give one span per row");
  }
  torch::NoGradGuard no_grad;
  model_->eval();
  const torch::Tensor on_device = ids.to(device_);
  const torch::Tensor hidden = model_->hidden_states(on_device, model::contiguous_positions(B, T, device_));
  std::vector<SpanPrediction> out(static_cast<std::size_t>(B));
  using torch::indexing::Slice;
  for (int64_t r = 0; r < B; ++r) {
    const Span s = spans[static_cast<std::size_t>(r)];
    if (s.begin < 0 || s.end <= s.begin || s.end > T - 1) {
      throw UserError("predict: span [" + std::to_string(s.begin) + ", " + std::to_string(s.end) +
                          ") is outside a row of " + std::to_string(T) + " tokens",
                      "spans must leave the predicted tokens inside the row");
    }
    const torch::Tensor logits = model_->logits_from_hidden(hidden.index({r, Slice(s.begin, s.end)})).to(torch::kFloat);
    const torch::Tensor targets = on_device.index({r, Slice(s.begin + 1, s.end + 1)});
    const torch::Tensor logp = torch::log_softmax(logits, -1).gather(1, targets.unsqueeze(1));
    const torch::Tensor argmax = logits.argmax(-1).to(torch::kCPU);
    auto& p = out[static_cast<std::size_t>(r)];
    p.nll_sum = -logp.sum().item<double>();
    p.argmax.reserve(static_cast<std::size_t>(argmax.numel()));
    const auto a = argmax.accessor<int64_t, 1>();
    for (int64_t k = 0; k < argmax.numel(); ++k) p.argmax.push_back(static_cast<int32_t>(a[k]));
  }
  return out;
}

std::vector<int32_t> ModelPredictor::generate(const std::vector<int32_t>& prompt, int64_t max_new) {
  if (max_new < 1) return {};
  model::GenerateOptions o;
  o.max_new_tokens = max_new;
  const std::vector<int64_t> wide(prompt.begin(), prompt.end());
  const auto tokens = model::generate_greedy(model_, wide, o);
  return {tokens.begin(), tokens.end()};
}

}  // namespace pose::eval
