#include "model/model_init.h"

#include "model/parameter_names.h"

#include "model/default_dtype_scope.h"

#include <ATen/CPUGeneratorImpl.h>

#include <string>

namespace pose::model {

namespace {


}  // namespace

LlamaForCausalLM make_model(const ModelConfig& config, torch::ScalarType dtype, const ModelOptions& options) {
  const DefaultDtypeScope scope(dtype);
  return LlamaForCausalLM(config, options);
}

void init_weights(LlamaForCausalLM& model, uint64_t seed) {
  torch::NoGradGuard no_grad;
  const ModelConfig& c = model->config();
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  // Explicitly fp32: the values must not depend on LibTorch's default dtype.
  const auto fp32 = torch::TensorOptions().dtype(torch::kFloat);
  for (auto& item : model->named_parameters()) {
    torch::Tensor& p = item.value();
    const std::string& name = item.key();
    torch::Tensor value;
    if (is_norm_weight(name)) {
      value = torch::ones(p.sizes(), fp32);
    } else if (name_ends_with(name, ".bias")) {
      value = torch::zeros(p.sizes(), fp32);
    } else {
      value = torch::empty(p.sizes(), fp32).normal_(0.0, c.initializer_range, generator);
      if (name == "model.embed_tokens.weight" && c.pad_token_id && *c.pad_token_id >= 0 &&
          *c.pad_token_id < c.vocab_size) {
        value[*c.pad_token_id].zero_();
      }
    }
    p.copy_(value);
  }
}

}  // namespace pose::model
