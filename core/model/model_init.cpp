#include "model/model_init.h"

#include <ATen/CPUGeneratorImpl.h>

#include <string>

namespace pose::model {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_norm_weight(const std::string& name) {
  return ends_with(name, "layernorm.weight") || name == "model.norm.weight";
}

}  // namespace

void init_weights(LlamaForCausalLM& model, uint64_t seed) {
  torch::NoGradGuard no_grad;
  const ModelConfig& c = model->config();
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (auto& item : model->named_parameters()) {
    torch::Tensor& p = item.value();
    const std::string& name = item.key();
    torch::Tensor value;
    if (is_norm_weight(name)) {
      value = torch::ones(p.sizes());
    } else if (ends_with(name, ".bias")) {
      value = torch::zeros(p.sizes());
    } else {
      value = torch::empty(p.sizes()).normal_(0.0, c.initializer_range, generator);
      if (name == "model.embed_tokens.weight" && c.pad_token_id && *c.pad_token_id >= 0 &&
          *c.pad_token_id < c.vocab_size) {
        value[*c.pad_token_id].zero_();
      }
    }
    p.copy_(value);
  }
}

}  // namespace pose::model
