#include "model/model_init.h"

#include "model/default_dtype_scope.h"
#include "model/parameter_names.h"
#include "model/weight_shell.h"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>
#include <string>

namespace pose::model {

namespace {

// The fields that decide which weights a model has and their shapes.
bool same_weights(const ModelConfig& a, const ModelConfig& b) {
  return a.family == b.family && a.vocab_size == b.vocab_size && a.hidden_size == b.hidden_size &&
         a.intermediate_size == b.intermediate_size && a.num_hidden_layers == b.num_hidden_layers &&
         a.num_attention_heads == b.num_attention_heads && a.num_key_value_heads == b.num_key_value_heads &&
         a.head_dim == b.head_dim && a.tie_word_embeddings == b.tie_word_embeddings && a.qkv_bias == b.qkv_bias &&
         a.o_proj_bias == b.o_proj_bias && a.mlp_bias == b.mlp_bias;
}

}  // namespace

LlamaForCausalLM make_model(const ModelConfig& config, torch::ScalarType dtype, const ModelOptions& options) {
  const DefaultDtypeScope scope(dtype);
  return LlamaForCausalLM(config, options);
}

LlamaForCausalLM make_model_sharing(LlamaForCausalLM& base, const ModelConfig& config, const ModelOptions& options) {
  if (!same_weights(base->config(), config)) {
    throw std::invalid_argument("make_model_sharing: the model's architecture differs from the base's");
  }
  LlamaForCausalLM model = [&] {
    const WeightShellScope shell;
    return LlamaForCausalLM(config, options);
  }();
  torch::NoGradGuard no_grad;
  const auto shared = base->named_parameters();
  for (auto& p : model->named_parameters()) {
    const torch::Tensor* source = shared.find(p.key());
    if (source == nullptr) throw std::invalid_argument("make_model_sharing: the base has no " + p.key());
    p.value().set_data(*source);
  }
  // The model's own buffers (RoPE tables) join the weights' device.
  if (!shared.is_empty()) model->to(shared[0].value().device());
  return model;
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
