#include "model/generate.h"

#include "common/error.h"

#include <algorithm>

namespace pose::model {

std::vector<int64_t> generate_greedy(LlamaForCausalLM& model, const std::vector<int64_t>& prompt,
                                     const GenerateOptions& options) {
  if (prompt.empty()) throw UserError("generate: the prompt is empty", "give at least one token (e.g. BOS)");
  if (!options.prompt_positions.empty() && options.prompt_positions.size() != prompt.size()) {
    throw UserError("generate: " + std::to_string(options.prompt_positions.size()) + " position ids for " +
                        std::to_string(prompt.size()) + " prompt tokens",
                    "give one position id per prompt token, or none");
  }
  torch::NoGradGuard no_grad;
  const torch::Device device = model->model->embed_tokens->weight.device();
  const auto long_opts = torch::TensorOptions().dtype(torch::kLong);
  const torch::Tensor ids = torch::tensor(prompt, long_opts).unsqueeze(0).to(device);
  const torch::Tensor positions = options.prompt_positions.empty()
                                      ? contiguous_positions(1, static_cast<int64_t>(prompt.size()), device)
                                      : torch::tensor(options.prompt_positions, long_opts).unsqueeze(0).to(device);
  const auto& eos = model->config().eos_token_ids;

  KvCache cache;
  std::vector<int64_t> out;
  torch::Tensor logits = model->prefill(ids, positions, cache);
  for (int64_t i = 0; i < options.max_new_tokens; ++i) {
    const int64_t next = logits.argmax(-1).item<int64_t>();
    out.push_back(next);
    if (options.stop_at_eos && std::find(eos.begin(), eos.end(), next) != eos.end()) break;
    if (i + 1 == options.max_new_tokens) break;
    logits = model->step(torch::tensor({next}, long_opts).to(device), cache);
  }
  return out;
}

}  // namespace pose::model
