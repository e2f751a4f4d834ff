// The shape of a LLaMA-family decoder (LLaMA, Mistral, Qwen2) and its HF
// config.json form.
//
// One struct for the three families: they differ only in which projections
// carry a bias (Qwen2: q/k/v; LLaMA: all four attention projections when
// attention_bias is set) and in Mistral's optional sliding window. The RoPE part
// is the rope library's HfRopeConfig, read and written by hf_rope_config.h, so
// both HF styles (rope_scaling + rope_theta, rope_parameters) round-trip.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rope/hf_rope_config.h"

namespace pose::model {

// "llama", "mistral", "qwen2": the model_type values we read and write.
enum class ModelFamily { Llama, Mistral, Qwen2 };
std::string to_string(ModelFamily family);
// Throws UserError for anything else, naming the supported types.
ModelFamily parse_model_family(const std::string& model_type);

// The dtype a checkpoint stores its weights in (HF torch_dtype / dtype).
enum class WeightDtype { Float32, BFloat16, Float16 };
std::string to_hf_dtype_name(WeightDtype dtype);  // "float32", "bfloat16", "float16"
// Accepts the HF names and the short ones ("fp32", "bf16", "fp16").
WeightDtype parse_weight_dtype(const std::string& name, const std::string& what);

struct ModelConfig {
  ModelFamily family = ModelFamily::Llama;
  int64_t vocab_size = 32000;
  int64_t hidden_size = 4096;
  int64_t intermediate_size = 11008;
  int64_t num_hidden_layers = 32;
  int64_t num_attention_heads = 32;
  int64_t num_key_value_heads = 32;  // < num_attention_heads: grouped-query attention
  int64_t head_dim = 128;            // HF default hidden_size / num_attention_heads
  double rms_norm_eps = 1e-6;
  bool tie_word_embeddings = false;
  // Bias on q/k/v (Qwen2 always; LLaMA when attention_bias is set).
  bool qkv_bias = false;
  // Bias on o_proj (LLaMA's attention_bias covers o_proj too; Qwen2 never).
  bool o_proj_bias = false;
  bool mlp_bias = false;  // LLaMA's mlp_bias: gate/up/down
  int64_t max_position_embeddings = 2048;
  // Mistral (and Qwen2 with use_sliding_window): each token sees at most this
  // many tokens, itself included. Unset: full causal attention.
  std::optional<int64_t> sliding_window;
  std::optional<int64_t> bos_token_id;
  // Llama-3.1 lists several end-of-sequence ids; generation stops at any.
  std::vector<int64_t> eos_token_ids;
  std::optional<int64_t> pad_token_id;  // its embedding row starts at zero (HF init)
  double initializer_range = 0.02;  // std of HF's normal init
  WeightDtype torch_dtype = WeightDtype::Float32;

  // RoPE method and parameters, plus the HF style the config was read in.
  // rope.params.head_dim and max_position are kept equal to head_dim and
  // max_position_embeddings: use rope_params() to read them.
  rope::HfRopeConfig rope;

  // Keys of the source config.json we do not model (transformers_version,
  // use_cache, ...): written back unchanged.
  nlohmann::json extra = nlohmann::json::object();

  // The rope parameters with head_dim and max_position taken from this config.
  rope::RopeParams rope_params() const;

  // Total number of weights (tied embeddings counted once).
  int64_t parameter_count() const;

  // Throws UserError naming the field for every inconsistent value.
  void validate() const;
};

// Reads an HF config.json object; `source` names the file in messages.
// Throws UserError for unsupported model types, activations other than SiLU,
// missing or malformed fields.
ModelConfig config_from_hf_json(const nlohmann::json& json, const std::string& source = "config.json");

// The HF config.json object, rope keys in `style` (nullopt: the style it was read in).
nlohmann::json config_to_hf_json(const ModelConfig& config,
                                 std::optional<rope::HfRopeStyle> style = std::nullopt);

}  // namespace pose::model
