// The LLaMA-family decoder (LLaMA, Mistral, Qwen2) with RoPE from explicit
// position ids — PoSE feeds skipped, non-contiguous ids.
//
// Module names follow HF transformers exactly, so named_parameters() of
// LlamaForCausalLM are the tensor names of an HF checkpoint:
//   model.embed_tokens.weight, model.layers.N.self_attn.q_proj.weight, ...,
//   model.norm.weight, lm_head.weight (absent when embeddings are tied).
//
// RoPE: cos/sin are computed once per forward from compute_rope()'s inv_freq
// and shared by every layer. Methods whose frequencies depend on the sequence
// length (dynamic NTK, longrope) use HF's rule seq_len = max(position_ids) + 1
// for every forward (stateless; HF additionally keeps the largest base seen
// until a sequence shorter than the original window resets it — the two agree
// for a fresh model and for monotonic decoding).
#pragma once

#include <cstdint>
#include <optional>

#include <torch/torch.h>

#include "kernels/attention_kernel.h"
#include "model/decoder_layer.h"
#include "model/kv_cache.h"
#include "model/model_config.h"
#include "model/rms_norm.h"
#include "rope/rope_scaling.h"

namespace pose::model {

struct ModelOptions {
  AttentionKernel kernel = AttentionKernel::Auto;
  // Recompute each layer in backward instead of storing its activations
  // (only while grad mode is on; inference is unaffected).
  bool activation_checkpointing = false;
  // Tokens per chunk when computing the loss: at most this many rows of
  // vocabulary-sized logits exist at once.
  int64_t loss_chunk_tokens = 1024;
  // Up to this many N × V entries the loss keeps its logit gradient from
  // forward instead of forming the logits again in backward (0: never).
  int64_t loss_keep_gradient_elements = int64_t{1} << 25;
};

// The "model." part: embeddings, decoder layers, final norm.
class LlamaModelImpl : public torch::nn::Module {
 public:
  explicit LlamaModelImpl(const ModelConfig& config);

  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RMSNorm norm{nullptr};
  std::vector<DecoderLayer> layer_list;  // typed views of `layers`
};
TORCH_MODULE(LlamaModel);

class LlamaForCausalLMImpl : public torch::nn::Module {
 public:
  explicit LlamaForCausalLMImpl(const ModelConfig& config, ModelOptions options = {});

  // input_ids, position_ids: int64 [B, T] -> logits [B, T, V] in the weights' dtype.
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& position_ids);
  // After the final norm, before the LM head: [B, T, C].
  torch::Tensor hidden_states(const torch::Tensor& input_ids, const torch::Tensor& position_ids);
  // hidden [..., C] -> logits [..., V].
  torch::Tensor logits_from_hidden(const torch::Tensor& hidden);

  // Mean next-token cross-entropy as HF's LlamaForCausalLM computes it with
  // `labels`: position t predicts labels[t + 1]; labels of -100 are ignored.
  // Computed chunk by chunk from the hidden states (forward and backward), in
  // fp32, without materialising [B, T, V] logits.
  torch::Tensor loss(const torch::Tensor& input_ids, const torch::Tensor& position_ids, const torch::Tensor& labels);
  struct NllSum {
    torch::Tensor sum;  // fp32 scalar, differentiable
    int64_t tokens = 0;
  };
  // Sum of the token NLLs and the number of scored tokens (for token-weighted
  // means across windows, e.g. sliding-window perplexity).
  NllSum nll_sum(const torch::Tensor& input_ids, const torch::Tensor& position_ids, const torch::Tensor& labels);

  // Decoding with a KV cache. prefill runs the prompt (positions default to
  // 0..T-1 when undefined), fills `cache` and returns the last position's logits
  // [B, V]; step appends one token per row at `positions` [B] (default: the
  // position after the previous one) and returns its logits [B, V].
  torch::Tensor prefill(const torch::Tensor& input_ids, const torch::Tensor& position_ids, KvCache& cache);
  torch::Tensor step(const torch::Tensor& tokens, KvCache& cache, const torch::Tensor& positions = {});

  // The frequencies a forward with this largest position id uses.
  rope::RopeFrequencies frequencies_for(int64_t max_position_id);
  // The LM head's weight [V, C]: embed_tokens.weight when tied.
  torch::Tensor lm_head_weight() const;

  const ModelConfig& config() const { return config_; }
  ModelOptions& options() { return options_; }

  LlamaModel model{nullptr};
  torch::nn::Linear lm_head{nullptr};  // null when tie_word_embeddings

 private:
  torch::Tensor run_decoder(const torch::Tensor& input_ids, const torch::Tensor& position_ids, KvCache* cache);
  void check_inputs(const torch::Tensor& input_ids, const torch::Tensor& position_ids) const;

  ModelConfig config_;
  ModelOptions options_;
  bool length_dependent_rope_ = false;
  rope::RopeFrequencies static_frequencies_;
  std::optional<int64_t> cached_seq_len_;  // length_dependent_rope_: last seq_len computed
  rope::RopeFrequencies cached_frequencies_;
};
TORCH_MODULE(LlamaForCausalLM);

// Positions 0..T-1 for every row: [B, T] int64 on `device`.
torch::Tensor contiguous_positions(int64_t batch, int64_t tokens, torch::Device device = torch::kCPU);

}  // namespace pose::model
