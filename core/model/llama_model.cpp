#include "model/llama_model.h"

#include "common/error.h"
#include "model/activation_checkpoint.h"
#include "model/chunked_cross_entropy.h"
#include "kernels/pool_gemm.h"
#include "model/weight_shell.h"
#include "rope/rotary.h"

#include <string>

namespace pose::model {

namespace {

bool rope_depends_on_length(rope::RopeMethod method) {
  return method == rope::RopeMethod::Dynamic || method == rope::RopeMethod::LongRope;
}

std::string shape_of(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

}  // namespace

LlamaModelImpl::LlamaModelImpl(const ModelConfig& c) {
  embed_tokens = register_module("embed_tokens", torch::nn::Embedding(weight_dim(c.vocab_size), weight_dim(c.hidden_size)));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    DecoderLayer layer(c);
    layers->push_back(layer);
    layer_list.push_back(layer);
  }
  norm = register_module("norm", RMSNorm(c.hidden_size, c.rms_norm_eps));
}

LlamaForCausalLMImpl::LlamaForCausalLMImpl(const ModelConfig& config, ModelOptions options)
    : config_(config), options_(options) {
  config_.validate();
  options_.kernel = resolve_kernel(options_.kernel);
  model = register_module("model", LlamaModel(config_));
  if (!config_.tie_word_embeddings) {
    lm_head = register_module("lm_head",
                              torch::nn::Linear(torch::nn::LinearOptions(weight_dim(config_.hidden_size),
                                                                         weight_dim(config_.vocab_size)).bias(false)));
  }
  const rope::RopeParams params = config_.rope_params();
  length_dependent_rope_ = rope_depends_on_length(params.method);
  static_frequencies_ = rope::compute_rope(params);
}

rope::RopeFrequencies LlamaForCausalLMImpl::frequencies_for(int64_t max_position_id) {
  if (!length_dependent_rope_) return static_frequencies_;
  // HF (dynamic_rope_update): seq_len = max(position_ids) + 1.
  const int64_t seq_len = max_position_id + 1;
  if (!cached_seq_len_ || *cached_seq_len_ != seq_len) {
    rope::RopeParams params = config_.rope_params();
    params.seq_len = static_cast<int>(std::min<int64_t>(seq_len, INT32_MAX));
    cached_frequencies_ = rope::compute_rope(params);
    cached_seq_len_ = seq_len;
  }
  return cached_frequencies_;
}

torch::Tensor LlamaForCausalLMImpl::lm_head_weight() const {
  return lm_head ? lm_head->weight : model->embed_tokens->weight;
}

void LlamaForCausalLMImpl::check_inputs(const torch::Tensor& input_ids, const torch::Tensor& position_ids) const {
  if (input_ids.dim() != 2 || input_ids.scalar_type() != torch::kLong) {
    throw UserError("input_ids: expected int64 [batch, tokens], got " + shape_of(input_ids) + " " +
                        std::string(c10::toString(input_ids.scalar_type())),
                    "pass token ids as an int64 tensor of shape [B, T]");
  }
  if (position_ids.sizes() != input_ids.sizes() || position_ids.scalar_type() != torch::kLong) {
    throw UserError("position_ids: shape " + shape_of(position_ids) + " does not match input_ids " + shape_of(input_ids),
                    "give one int64 position id per token, [B, T]");
  }
  if (input_ids.numel() == 0) throw UserError("input_ids: empty", "give at least one token");
  const auto [lo, hi] = torch::aminmax(input_ids);
  const int64_t min_id = lo.item<int64_t>(), max_id = hi.item<int64_t>();
  if (min_id < 0 || max_id >= config_.vocab_size) {
    throw UserError("input_ids: token id " + std::to_string(min_id < 0 ? min_id : max_id) + " is outside the vocabulary [0, " +
                        std::to_string(config_.vocab_size) + ")",
                    "tokenize with the model's own tokenizer");
  }
}

torch::Tensor LlamaForCausalLMImpl::run_decoder(const torch::Tensor& input_ids, const torch::Tensor& position_ids,
                                                KvCache* cache) {
  check_inputs(input_ids, position_ids);
  const int64_t t = input_ids.size(1);
  const int64_t past = cache ? cache->length : 0;

  torch::Tensor h = model->embed_tokens(input_ids);
  const torch::Device device = h.device();
  // One frequency set and one cos/sin table for every layer of this forward.
  const int64_t max_position = length_dependent_rope_ ? position_ids.max().item<int64_t>() : 0;
  const rope::RotaryTables tables = rope::rotary_tables(frequencies_for(max_position), position_ids.to(device));
  const AttentionMask mask = make_attention_mask(t, past, config_.sliding_window, options_.kernel, h.scalar_type(), device);

  if (cache && cache->layers.size() != model->layer_list.size()) cache->layers.resize(model->layer_list.size());
  const bool checkpoint = options_.activation_checkpointing && torch::GradMode::is_enabled() && !cache && is_training();
  for (std::size_t i = 0; i < model->layer_list.size(); ++i) {
    DecoderLayer& layer = model->layer_list[i];
    if (checkpoint) {
      h = checkpointed_layer_forward(*layer, h, tables.cos, tables.sin, mask, options_.kernel);
    } else {
      h = layer(h, tables.cos, tables.sin, mask, options_.kernel, cache ? &cache->layers[i] : nullptr);
    }
  }
  if (cache) {
    cache->length += t;
    cache->next_position = position_ids.select(1, t - 1).to(device) + 1;
  }
  return model->norm(h);
}

torch::Tensor LlamaForCausalLMImpl::hidden_states(const torch::Tensor& input_ids, const torch::Tensor& position_ids) {
  return run_decoder(input_ids, position_ids, nullptr);
}

torch::Tensor LlamaForCausalLMImpl::logits_from_hidden(const torch::Tensor& hidden) {
  return lm_head ? project(lm_head, hidden) : pool_linear(hidden, model->embed_tokens->weight, torch::Tensor());
}

torch::Tensor LlamaForCausalLMImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& position_ids) {
  return logits_from_hidden(hidden_states(input_ids, position_ids));
}

LlamaForCausalLMImpl::NllSum LlamaForCausalLMImpl::nll_sum(const torch::Tensor& input_ids,
                                                           const torch::Tensor& position_ids,
                                                           const torch::Tensor& labels) {
  if (labels.sizes() != input_ids.sizes() || labels.scalar_type() != torch::kLong) {
    throw UserError("labels: shape " + shape_of(labels) + " does not match input_ids " + shape_of(input_ids),
                    "give int64 labels [B, T] aligned with input_ids (HF convention: the model shifts them)");
  }
  const torch::Tensor hidden = hidden_states(input_ids, position_ids);
  const int64_t t = hidden.size(1), c = hidden.size(2);
  if (t < 2) return {torch::zeros({}, hidden.options().dtype(torch::kFloat)), 0};
  // Position t predicts labels[t + 1].
  const torch::Tensor h = hidden.narrow(1, 0, t - 1).reshape({-1, c});
  const torch::Tensor targets = labels.narrow(1, 1, t - 1).reshape({-1}).to(hidden.device());
  NllSum out;
  out.sum = linear_cross_entropy_sum(h, lm_head_weight(), targets, options_.loss_chunk_tokens,
                                     options_.loss_keep_gradient_elements);
  out.tokens = (targets != kIgnoreIndex).sum().item<int64_t>();
  return out;
}

torch::Tensor LlamaForCausalLMImpl::loss(const torch::Tensor& input_ids, const torch::Tensor& position_ids,
                                         const torch::Tensor& labels) {
  const NllSum s = nll_sum(input_ids, position_ids, labels);
  return s.sum / static_cast<double>(s.tokens);  // NaN when nothing is scored, as in HF
}

torch::Tensor LlamaForCausalLMImpl::prefill(const torch::Tensor& input_ids, const torch::Tensor& position_ids,
                                            KvCache& cache) {
  torch::NoGradGuard no_grad;
  cache = KvCache{};
  const torch::Tensor positions =
      position_ids.defined() ? position_ids : contiguous_positions(input_ids.size(0), input_ids.size(1), input_ids.device());
  const torch::Tensor hidden = run_decoder(input_ids, positions, &cache);
  return logits_from_hidden(hidden.select(1, hidden.size(1) - 1));
}

torch::Tensor LlamaForCausalLMImpl::step(const torch::Tensor& tokens, KvCache& cache, const torch::Tensor& positions) {
  torch::NoGradGuard no_grad;
  if (cache.length == 0 || !cache.next_position.defined()) {
    throw UserError("step: the KV cache is empty", "call prefill() with the prompt first");
  }
  const torch::Tensor ids = tokens.reshape({-1, 1});
  const torch::Tensor pos = (positions.defined() ? positions : cache.next_position).reshape({-1, 1}).to(torch::kLong);
  const torch::Tensor hidden = run_decoder(ids, pos, &cache);
  return logits_from_hidden(hidden.select(1, 0));
}

torch::Tensor contiguous_positions(int64_t batch, int64_t tokens, torch::Device device) {
  return torch::arange(tokens, torch::TensorOptions().dtype(torch::kLong).device(device))
      .unsqueeze(0)
      .expand({batch, tokens})
      .contiguous();
}

}  // namespace pose::model
