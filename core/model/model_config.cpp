#include "model/model_config.h"

#include "common/error.h"
#include "common/printable.h"

#include <cmath>
#include <set>

namespace pose::model {

namespace {

using nlohmann::json;

// HF defaults where a config leaves a key out (LlamaConfig, MistralConfig, Qwen2Config).
constexpr int64_t kLlamaDefaultMaxPositions = 2048;
constexpr int64_t kMistralDefaultMaxPositions = 4096 * 32;
constexpr int64_t kQwen2DefaultMaxPositions = 32768;
constexpr int64_t kMistralDefaultSlidingWindow = 4096;
constexpr double kDefaultRmsNormEps = 1e-6;

// Keys this file (or the rope library) owns; every other key is kept in `extra`.
const std::set<std::string>& modelled_keys() {
  static const std::set<std::string> keys = {
      "model_type", "architectures", "hidden_act", "vocab_size", "hidden_size", "intermediate_size",
      "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim", "rms_norm_eps",
      "tie_word_embeddings", "attention_bias", "mlp_bias", "max_position_embeddings", "sliding_window",
      "use_sliding_window", "bos_token_id", "eos_token_id", "pad_token_id", "initializer_range",
      "torch_dtype", "dtype", "rope_theta", "rope_scaling", "rope_parameters", "partial_rotary_factor",
      "original_max_position_embeddings"};
  return keys;
}

std::string architecture(ModelFamily family) {
  switch (family) {
    case ModelFamily::Llama: return "LlamaForCausalLM";
    case ModelFamily::Mistral: return "MistralForCausalLM";
    case ModelFamily::Qwen2: return "Qwen2ForCausalLM";
  }
  return "LlamaForCausalLM";
}

// A present, non-null key must be a whole number; returns nullopt when absent or null.
std::optional<int64_t> read_int(const json& j, const std::string& key, const std::string& source) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer() && !(it->is_number_float() && std::floor(it->get<double>()) == it->get<double>())) {
    throw UserError(source + ": " + key + " = " + it->dump() + " is not a whole number",
                    "write " + key + " as a JSON integer, without quotes");
  }
  // Beyond int64 a float cannot be converted (undefined behaviour) and an
  // unsigned value would wrap to a negative one.
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if ((it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) ||
      (it->is_number_float() && !(std::fabs(it->get<double>()) < kTwoTo63))) {
    throw UserError(source + ": " + key + " = " + it->dump() + " is out of range",
                    "write " + key + " as an integer of magnitude below 2^63");
  }
  return it->is_number_integer() ? it->get<int64_t>() : static_cast<int64_t>(it->get<double>());
}

int64_t require_int(const json& j, const std::string& key, const std::string& source) {
  auto v = read_int(j, key, source);
  if (!v) throw UserError(source + ": " + key + " is missing", "add " + key + " (a positive integer) to the config");
  return *v;
}

std::optional<bool> read_bool(const json& j, const std::string& key, const std::string& source) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) {
    throw UserError(source + ": " + key + " = " + it->dump() + " is not true or false", "write " + key + " as a JSON boolean");
  }
  return it->get<bool>();
}

std::optional<double> read_double(const json& j, const std::string& key, const std::string& source) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) {
    throw UserError(source + ": " + key + " = " + it->dump() + " is not a number", "write " + key + " as a JSON number");
  }
  return it->get<double>();
}

void require_positive(int64_t value, const char* field) {
  if (value <= 0) {
    throw UserError(std::string(field) + ": " + std::to_string(value) + " is not a positive size",
                    std::string("set ") + field + " to 1 or more");
  }
}

}  // namespace

std::string to_string(ModelFamily family) {
  switch (family) {
    case ModelFamily::Llama: return "llama";
    case ModelFamily::Mistral: return "mistral";
    case ModelFamily::Qwen2: return "qwen2";
  }
  return "llama";
}

ModelFamily parse_model_family(const std::string& model_type) {
  if (model_type == "llama") return ModelFamily::Llama;
  if (model_type == "mistral") return ModelFamily::Mistral;
  if (model_type == "qwen2") return ModelFamily::Qwen2;
  throw UserError("model_type '" + printable(model_type) + "' is not supported",
                  "PoSE Studio runs LLaMA-family decoders: use a model with model_type llama, mistral or qwen2");
}

std::string to_hf_dtype_name(WeightDtype dtype) {
  switch (dtype) {
    case WeightDtype::Float32: return "float32";
    case WeightDtype::BFloat16: return "bfloat16";
    case WeightDtype::Float16: return "float16";
  }
  return "float32";
}

WeightDtype parse_weight_dtype(const std::string& name, const std::string& what) {
  if (name == "float32" || name == "fp32" || name == "float") return WeightDtype::Float32;
  if (name == "bfloat16" || name == "bf16") return WeightDtype::BFloat16;
  if (name == "float16" || name == "fp16" || name == "half") return WeightDtype::Float16;
  throw UserError(what + ": '" + printable(name) + "' is not a supported weight dtype", "use float32 (fp32), bfloat16 (bf16) or float16 (fp16)");
}

rope::RopeParams ModelConfig::rope_params() const {
  rope::RopeParams p = rope.params;
  p.head_dim = static_cast<int>(head_dim);
  p.max_position = static_cast<int>(max_position_embeddings);
  return p;
}

namespace {

// An int64 that remembers whether any step of its computation overflowed.
struct CheckedInt {
  CheckedInt(int64_t v = 0) : value(v) {}  // implicit, so the formula reads as it does for int64_t
  int64_t value;
  bool ok = true;
};
CheckedInt operator+(CheckedInt a, CheckedInt b) {
  CheckedInt r;
  r.ok = a.ok && b.ok && !__builtin_add_overflow(a.value, b.value, &r.value);
  return r;
}
CheckedInt operator*(CheckedInt a, CheckedInt b) {
  CheckedInt r;
  r.ok = a.ok && b.ok && !__builtin_mul_overflow(a.value, b.value, &r.value);
  return r;
}

// The weight count in int64_t, or in CheckedInt to find out whether it fits.
template <typename N>
N count_parameters(const ModelConfig& c) {
  const N hidden = c.hidden_size;
  const N q_out = N(c.num_attention_heads) * N(c.head_dim);
  const N kv_out = N(c.num_key_value_heads) * N(c.head_dim);
  N attention = hidden * q_out + N(2) * hidden * kv_out + q_out * hidden;
  if (c.qkv_bias) attention = attention + q_out + N(2) * kv_out;
  if (c.o_proj_bias) attention = attention + hidden;
  N mlp = N(3) * hidden * N(c.intermediate_size);
  if (c.mlp_bias) mlp = mlp + N(2) * N(c.intermediate_size) + hidden;
  const N norms = N(2) * hidden;
  const N embeddings = N(c.vocab_size) * hidden;
  return embeddings + N(c.num_hidden_layers) * (attention + mlp + norms) + hidden +
         (c.tie_word_embeddings ? N(0) : embeddings);
}

}  // namespace

// validate() refuses shapes whose count does not fit in int64_t.
int64_t ModelConfig::parameter_count() const { return count_parameters<int64_t>(*this); }

void ModelConfig::validate() const {
  require_positive(vocab_size, "vocab_size");
  require_positive(hidden_size, "hidden_size");
  require_positive(intermediate_size, "intermediate_size");
  require_positive(num_hidden_layers, "num_hidden_layers");
  require_positive(num_attention_heads, "num_attention_heads");
  require_positive(num_key_value_heads, "num_key_value_heads");
  require_positive(head_dim, "head_dim");
  require_positive(max_position_embeddings, "max_position_embeddings");
  if (num_attention_heads % num_key_value_heads != 0) {
    throw UserError("num_key_value_heads: " + std::to_string(num_key_value_heads) + " does not divide num_attention_heads " +
                        std::to_string(num_attention_heads),
                    "use a key/value head count that divides the attention heads (e.g. 8 for 32 heads)");
  }
  if (head_dim % 2 != 0) {
    throw UserError("head_dim: " + std::to_string(head_dim) + " is odd", "RoPE rotates channel pairs: use an even head_dim");
  }
  if (!std::isfinite(rms_norm_eps) || rms_norm_eps <= 0.0) {
    throw UserError("rms_norm_eps: " + std::to_string(rms_norm_eps) + " is not a positive number", "use e.g. 1e-6 or 1e-5");
  }
  if (sliding_window && *sliding_window <= 0) {
    throw UserError("sliding_window: " + std::to_string(*sliding_window) + " is not positive",
                    "give the window in tokens, or null for full attention");
  }
  if (!std::isfinite(initializer_range) || initializer_range < 0.0) {
    throw UserError("initializer_range: not a non-negative number", "use HF's 0.02");
  }
  if (!count_parameters<CheckedInt>(*this).ok) {
    throw UserError("the model would have more than 2^63 weights",
                    "check vocab_size, hidden_size, intermediate_size, num_hidden_layers and the head counts");
  }
  if (max_position_embeddings > INT32_MAX) {
    throw UserError("max_position_embeddings: " + std::to_string(max_position_embeddings) + " is too large",
                    "use a window below 2^31 tokens");
  }
  try {
    rope::validate(rope_params());
  } catch (const UserError& e) {
    throw UserError("rope: " + e.problem(), e.fix());
  }
}

ModelConfig config_from_hf_json(const json& j, const std::string& source) {
  if (!j.is_object()) throw UserError(source + ": not a JSON object", "give an HF config.json");
  ModelConfig c;

  auto type_it = j.find("model_type");
  if (type_it == j.end() || !type_it->is_string()) {
    throw UserError(source + ": model_type is missing or not a string", "add \"model_type\": \"llama\" (or mistral, qwen2)");
  }
  try {
    c.family = parse_model_family(type_it->get<std::string>());
  } catch (const UserError& e) {
    throw UserError(source + ": " + e.problem(), e.fix());
  }
  for (const char* act_key : {"hidden_act", "hidden_activation"}) {
    auto it = j.find(act_key);
    if (it != j.end() && !it->is_null() && (!it->is_string() || it->get<std::string>() != "silu")) {
      throw UserError(source + ": " + act_key + " = " + it->dump() + " is not supported",
                      "LLaMA-family MLPs use SwiGLU: set hidden_act to \"silu\"");
    }
  }

  c.vocab_size = require_int(j, "vocab_size", source);
  c.hidden_size = require_int(j, "hidden_size", source);
  c.intermediate_size = require_int(j, "intermediate_size", source);
  c.num_hidden_layers = require_int(j, "num_hidden_layers", source);
  c.num_attention_heads = require_int(j, "num_attention_heads", source);
  require_positive(c.num_attention_heads, "num_attention_heads");
  c.num_key_value_heads = read_int(j, "num_key_value_heads", source).value_or(c.num_attention_heads);
  if (auto hd = read_int(j, "head_dim", source)) {
    c.head_dim = *hd;
  } else {
    if (c.hidden_size % c.num_attention_heads != 0) {
      throw UserError(source + ": num_attention_heads " + std::to_string(c.num_attention_heads) +
                          " does not divide hidden_size " + std::to_string(c.hidden_size),
                      "choose a head count that divides hidden_size, or give head_dim explicitly");
    }
    c.head_dim = c.hidden_size / c.num_attention_heads;
  }
  c.rms_norm_eps = read_double(j, "rms_norm_eps", source).value_or(kDefaultRmsNormEps);
  c.tie_word_embeddings = read_bool(j, "tie_word_embeddings", source).value_or(false);
  switch (c.family) {
    case ModelFamily::Llama: {
      const bool bias = read_bool(j, "attention_bias", source).value_or(false);
      c.qkv_bias = bias;
      c.o_proj_bias = bias;
      c.mlp_bias = read_bool(j, "mlp_bias", source).value_or(false);
      c.max_position_embeddings = kLlamaDefaultMaxPositions;
      break;
    }
    case ModelFamily::Mistral:
      c.max_position_embeddings = kMistralDefaultMaxPositions;
      c.sliding_window = j.contains("sliding_window") ? read_int(j, "sliding_window", source)
                                                      : std::optional<int64_t>(kMistralDefaultSlidingWindow);
      break;
    case ModelFamily::Qwen2:
      c.qkv_bias = true;  // Qwen2Attention: bias on q/k/v, none on o_proj
      c.max_position_embeddings = kQwen2DefaultMaxPositions;
      if (read_bool(j, "use_sliding_window", source).value_or(false)) {
        throw UserError(source + ": use_sliding_window = true (Qwen2 per-layer sliding windows) is not supported",
                        "set use_sliding_window to false; released Qwen2 checkpoints use full attention");
      }
      break;
  }
  if (auto m = read_int(j, "max_position_embeddings", source)) c.max_position_embeddings = *m;
  c.bos_token_id = read_int(j, "bos_token_id", source);
  if (auto it = j.find("eos_token_id"); it != j.end() && it->is_array()) {
    for (std::size_t i = 0; i < it->size(); ++i) {
      json one = {{"id", (*it)[i]}};
      c.eos_token_ids.push_back(require_int(one, "id", source + " eos_token_id[" + std::to_string(i) + "]"));
    }
  } else if (auto eos = read_int(j, "eos_token_id", source)) {
    c.eos_token_ids.push_back(*eos);
  }
  c.pad_token_id = read_int(j, "pad_token_id", source);
  c.initializer_range = read_double(j, "initializer_range", source).value_or(c.initializer_range);
  for (const char* dtype_key : {"torch_dtype", "dtype"}) {
    auto it = j.find(dtype_key);
    if (it == j.end() || it->is_null()) continue;
    if (!it->is_string()) throw UserError(source + ": " + dtype_key + " is not a string", "write e.g. \"bfloat16\"");
    c.torch_dtype = parse_weight_dtype(it->get<std::string>(), source + ": " + dtype_key);
    break;
  }

  try {
    c.rope = rope::read_hf_rope_config(j);
  } catch (const UserError& e) {
    throw UserError(source + ": " + e.problem(), e.fix());
  }
  c.rope.params.head_dim = static_cast<int>(c.head_dim);
  c.rope.params.max_position = static_cast<int>(c.max_position_embeddings);

  for (const auto& [key, value] : j.items()) {
    if (!modelled_keys().count(key)) c.extra[key] = value;
  }
  try {
    c.validate();
  } catch (const UserError& e) {
    throw UserError(source + ": " + e.problem(), e.fix());
  }
  return c;
}

json config_to_hf_json(const ModelConfig& c, std::optional<rope::HfRopeStyle> style) {
  json j = c.extra.is_object() ? c.extra : json::object();
  j["architectures"] = json::array({architecture(c.family)});
  j["model_type"] = to_string(c.family);
  j["hidden_act"] = "silu";
  j["vocab_size"] = c.vocab_size;
  j["hidden_size"] = c.hidden_size;
  j["intermediate_size"] = c.intermediate_size;
  j["num_hidden_layers"] = c.num_hidden_layers;
  j["num_attention_heads"] = c.num_attention_heads;
  j["num_key_value_heads"] = c.num_key_value_heads;
  j["rms_norm_eps"] = c.rms_norm_eps;
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  j["initializer_range"] = c.initializer_range;
  switch (c.family) {
    case ModelFamily::Llama:
      j["attention_bias"] = c.qkv_bias;
      j["mlp_bias"] = c.mlp_bias;
      break;
    case ModelFamily::Mistral:
      j["sliding_window"] = c.sliding_window ? json(*c.sliding_window) : json(nullptr);
      break;
    case ModelFamily::Qwen2:
      j["use_sliding_window"] = false;
      break;
  }
  j["bos_token_id"] = c.bos_token_id ? json(*c.bos_token_id) : json(nullptr);
  if (c.eos_token_ids.size() == 1) {
    j["eos_token_id"] = c.eos_token_ids.front();
  } else if (c.eos_token_ids.empty()) {
    j["eos_token_id"] = nullptr;
  } else {
    j["eos_token_id"] = c.eos_token_ids;
  }
  if (c.pad_token_id) j["pad_token_id"] = *c.pad_token_id;
  // transformers <= 4.x reads torch_dtype, v5 writes dtype; older readers ignore dtype.
  j["torch_dtype"] = to_hf_dtype_name(c.torch_dtype);

  rope::HfRopeConfig rope = c.rope;
  rope.params = c.rope_params();
  rope::write_hf_rope_config(rope, style.value_or(c.rope.style), j);
  // Written always: the rope writer leaves it out when hidden/heads implies it,
  // but transformers reads it whenever it is there and it costs nothing.
  j["head_dim"] = c.head_dim;
  return j;
}

}  // namespace pose::model
