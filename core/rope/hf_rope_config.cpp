#include "rope/hf_rope_config.h"

#include "common/error.h"
#include "common/printable.h"

#include <cmath>
#include <set>
#include <string>

namespace pose::rope {

namespace {

using nlohmann::json;

// Keys of the rope dict that map onto RopeParams; everything else is an extra.
const std::set<std::string>& modelled_keys() {
  static const std::set<std::string> keys = {
      "type",          "rope_type",       "rope_theta",      "partial_rotary_factor",
      "factor",        "original_max_position_embeddings", "attention_factor",
      "beta_fast",     "beta_slow",       "truncate",        "mscale",
      "mscale_all_dim", "low_freq_factor", "high_freq_factor", "short_factor",
      "long_factor"};
  return keys;
}

// HF rope_type -> our method. "default" is plain RoPE; "su" is Phi-3's early
// name for longrope. Our own names are accepted so that written files read back.
RopeMethod method_from_hf(const std::string& type, const std::string& key_path) {
  if (type == "default" || type == "none") return RopeMethod::None;
  if (type == "su") return RopeMethod::LongRope;
  try {
    return parse_rope_method(type);
  } catch (const UserError&) {
    throw UserError(key_path + ": unknown rope_type '" + printable(type) + "'",
                    "use default, linear, dynamic, yarn, llama3 or longrope (or PoSE Studio's ntk, yarn-pose)");
  }
}

std::string hf_name(RopeMethod method) { return method == RopeMethod::None ? "default" : to_string(method); }

std::optional<double> read_number(const json& object, const std::string& key, const std::string& path) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) {
    throw UserError(path + ": " + it->dump() + " is not a number", "write " + key + " as a JSON number, without quotes");
  }
  const double v = it->get<double>();
  if (!std::isfinite(v)) throw UserError(path + ": not a finite number", "write a finite number");
  return v;
}

std::optional<int> read_window(const json& object, const std::string& key, const std::string& path) {
  auto v = read_number(object, key, path);
  if (!v) return std::nullopt;
  if (*v != std::floor(*v) || *v < 1.0 || *v > 2147483647.0) {
    throw UserError(path + ": " + object.at(key).dump() + " is not a whole number of tokens >= 1",
                    "write " + key + " as a positive integer, e.g. 4096");
  }
  return static_cast<int>(*v);
}

std::vector<double> read_number_list(const json& object, const std::string& key, const std::string& path) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  if (!it->is_array()) throw UserError(path + ": not a list", "write " + key + " as a JSON array of numbers");
  std::vector<double> out;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    if (!v.is_number()) {
      throw UserError(path + "[" + std::to_string(i) + "]: " + v.dump() + " is not a number",
                      "write every entry of " + key + " as a JSON number");
    }
    out.push_back(v.get<double>());
  }
  return out;
}

template <typename T>
void set_if(std::optional<T>& target, const std::optional<T>& value) {
  if (value) target = value;
}

bool head_dim_implied_by(const json& config, int head_dim) {
  auto hidden = config.find("hidden_size");
  auto heads = config.find("num_attention_heads");
  if (hidden == config.end() || heads == config.end() || !hidden->is_number_integer() ||
      !heads->is_number_integer() || heads->get<long long>() <= 0) {
    return false;
  }
  return hidden->get<long long>() / heads->get<long long>() == head_dim;
}

}  // namespace

HfRopeConfig read_hf_rope_config(const json& config) {
  if (!config.is_object()) throw UserError("config.json: not a JSON object", "give the model's config.json");
  HfRopeConfig out;
  RopeParams& p = out.params;

  // HF v5 (convert_rope_params_to_dict): a non-empty rope_scaling wins over rope_parameters.
  std::string dict_name = "rope_scaling";
  json dict = json::object();
  auto scaling = config.find("rope_scaling");
  auto parameters = config.find("rope_parameters");
  const bool has_scaling = scaling != config.end() && !scaling->is_null() && !scaling->empty();
  if (has_scaling) {
    dict = *scaling;
  } else if (parameters != config.end() && !parameters->is_null()) {
    dict = *parameters;
    dict_name = "rope_parameters";
    out.style = HfRopeStyle::RopeParameters;
  }
  if (!dict.is_object()) throw UserError(dict_name + ": not a JSON object", "write " + dict_name + " as {...} or null");
  const auto key = [&](const std::string& k) { return dict_name + "." + k; };

  // Method.
  std::string type = "default";
  for (const char* type_key : {"rope_type", "type"}) {
    auto it = dict.find(type_key);
    if (it == dict.end() || it->is_null()) continue;
    if (!it->is_string()) throw UserError(key(type_key) + ": " + it->dump() + " is not a string", "write the rope type as a string, e.g. \"yarn\"");
    type = it->get<std::string>();
    out.legacy_type_key = std::string(type_key) == "type";
    break;
  }
  p.method = method_from_hf(type, key(out.legacy_type_key ? "type" : "rope_type"));

  // Model geometry.
  if (auto v = read_number(dict, "rope_theta", key("rope_theta"))) {
    p.base = *v;
  } else if (auto top = read_number(config, "rope_theta", "rope_theta")) {
    p.base = *top;
  }  // else HF's default_theta, 10000, already in RopeParams.
  if (auto v = read_number(config, "partial_rotary_factor", "partial_rotary_factor")) {
    p.partial_rotary_factor = *v;
  } else if (auto in_dict = read_number(dict, "partial_rotary_factor", key("partial_rotary_factor"))) {
    p.partial_rotary_factor = *in_dict;
  }
  if (auto v = read_number(config, "head_dim", "head_dim")) {
    if (*v != std::floor(*v) || *v < 1.0 || *v > 2147483647.0) {
      throw UserError("head_dim: " + config.at("head_dim").dump() + " is not a positive integer below 2^31",
                      "write head_dim as an integer, e.g. 128");
    }
    p.head_dim = static_cast<int>(*v);
  } else {
    auto hidden = read_window(config, "hidden_size", "hidden_size");
    auto heads = read_window(config, "num_attention_heads", "num_attention_heads");
    if (!hidden || !heads) {
      throw UserError("head_dim: missing, and hidden_size / num_attention_heads are not both given",
                      "add head_dim (e.g. 128) to the config");
    }
    p.head_dim = *hidden / *heads;  // HF: hidden_size // num_attention_heads
  }
  p.max_position = read_window(config, "max_position_embeddings", "max_position_embeddings");
  if (auto top = read_window(config, "original_max_position_embeddings", "original_max_position_embeddings")) {
    p.original_max_position = top;  // Phi-3: wins over the rope dict, as in HF v5
    out.original_window_at_top_level = true;
  } else {
    p.original_max_position =
        read_window(dict, "original_max_position_embeddings", key("original_max_position_embeddings"));
  }

  // Method parameters. HF reads beta_fast/beta_slow with `or`, so null means the default.
  if (auto v = read_number(dict, "factor", key("factor"))) {
    p.factor = *v;
  } else if (p.method == RopeMethod::Yarn || p.method == RopeMethod::YarnPose || p.method == RopeMethod::LongRope) {
    // HF v5: factor = max_position_embeddings / original_max_position_embeddings.
    auto implied = implied_factor(p);
    if (!implied) {
      throw UserError(key("factor") + ": missing", "add factor, or both max_position_embeddings and "
                                                   "original_max_position_embeddings so it can be derived");
    }
    p.factor = *implied;
  } else if (p.method != RopeMethod::None) {
    throw UserError(key("factor") + ": missing for rope_type '" + printable(type) + "'", "add factor (target / original window), e.g. 4.0");
  }
  set_if(p.attention_factor, read_number(dict, "attention_factor", key("attention_factor")));
  set_if(p.mscale, read_number(dict, "mscale", key("mscale")));
  set_if(p.mscale_all_dim, read_number(dict, "mscale_all_dim", key("mscale_all_dim")));
  if (auto v = read_number(dict, "beta_fast", key("beta_fast"))) p.beta_fast = *v;
  if (auto v = read_number(dict, "beta_slow", key("beta_slow"))) p.beta_slow = *v;
  if (auto it = dict.find("truncate"); it != dict.end() && !it->is_null()) {
    if (!it->is_boolean()) throw UserError(key("truncate") + ": " + it->dump() + " is not true or false", "write truncate as a JSON boolean");
    p.truncate = it->get<bool>();
  }
  if (auto v = read_number(dict, "low_freq_factor", key("low_freq_factor"))) p.low_freq_factor = *v;
  if (auto v = read_number(dict, "high_freq_factor", key("high_freq_factor"))) p.high_freq_factor = *v;
  p.short_factors = read_number_list(dict, "short_factor", key("short_factor"));
  p.long_factors = read_number_list(dict, "long_factor", key("long_factor"));

  for (const auto& [k, v] : dict.items()) {
    if (!modelled_keys().count(k)) out.extra_keys[k] = v;
  }

  try {
    validate(p);
  } catch (const UserError& e) {
    throw UserError("config.json (" + dict_name + "): " + e.problem(), e.fix());
  }
  return out;
}

void write_hf_rope_config(const HfRopeConfig& rope, HfRopeStyle style, json& config) {
  const RopeParams& p = rope.params;
  const RopeParams defaults;
  const bool yarn = p.method == RopeMethod::Yarn || p.method == RopeMethod::YarnPose;

  // Start from the unmodelled keys so they survive, then add ours. A field is
  // written when the method uses it or when it differs from its default, so
  // that reading the result back gives the same RopeParams (seq_len excepted:
  // it is a runtime value, not a config key).
  json dict = rope.extra_keys.is_object() ? rope.extra_keys : json::object();
  // v5's rope_parameters always says rope_type; rope_scaling keeps the source's key.
  const bool legacy_type = rope.legacy_type_key && style == HfRopeStyle::RopeScaling;
  dict[legacy_type ? "type" : "rope_type"] = hf_name(p.method);
  if (p.method != RopeMethod::None || p.factor != defaults.factor) dict["factor"] = p.factor;
  if (p.original_max_position && !rope.original_window_at_top_level) {
    dict["original_max_position_embeddings"] = *p.original_max_position;
  }
  if (p.attention_factor) dict["attention_factor"] = *p.attention_factor;
  if (p.mscale) dict["mscale"] = *p.mscale;
  if (p.mscale_all_dim) dict["mscale_all_dim"] = *p.mscale_all_dim;
  if (yarn || p.beta_fast != defaults.beta_fast) dict["beta_fast"] = p.beta_fast;
  if (yarn || p.beta_slow != defaults.beta_slow) dict["beta_slow"] = p.beta_slow;
  if (!p.truncate) dict["truncate"] = false;
  const bool llama3 = p.method == RopeMethod::Llama3;
  if (llama3 || p.low_freq_factor != defaults.low_freq_factor) dict["low_freq_factor"] = p.low_freq_factor;
  if (llama3 || p.high_freq_factor != defaults.high_freq_factor) dict["high_freq_factor"] = p.high_freq_factor;
  if (p.method == RopeMethod::LongRope || !p.short_factors.empty()) dict["short_factor"] = p.short_factors;
  if (p.method == RopeMethod::LongRope || !p.long_factors.empty()) dict["long_factor"] = p.long_factors;

  const bool write_partial = p.partial_rotary_factor != 1.0 || config.contains("partial_rotary_factor");
  if (style == HfRopeStyle::RopeScaling) {
    config.erase("rope_parameters");
    config["rope_theta"] = p.base;
    // Plain RoPE is "rope_scaling": null unless there is something to keep.
    const bool only_type = dict.size() == 1;
    config["rope_scaling"] = (p.method == RopeMethod::None && only_type) ? json(nullptr) : dict;
    if (write_partial) config["partial_rotary_factor"] = p.partial_rotary_factor;
  } else {
    config.erase("rope_scaling");
    config.erase("rope_theta");
    dict["rope_theta"] = p.base;
    if (p.partial_rotary_factor != 1.0) dict["partial_rotary_factor"] = p.partial_rotary_factor;
    // Keep a top-level copy in step, never contradicting the dict.
    if (config.contains("partial_rotary_factor")) config["partial_rotary_factor"] = p.partial_rotary_factor;
    config["rope_parameters"] = dict;
  }

  if (p.original_max_position && rope.original_window_at_top_level) {
    config["original_max_position_embeddings"] = *p.original_max_position;
  } else {
    config.erase("original_max_position_embeddings");
  }
  if (p.max_position) {
    config["max_position_embeddings"] = *p.max_position;
  } else {
    config.erase("max_position_embeddings");
  }
  if (config.contains("head_dim") || !head_dim_implied_by(config, p.head_dim)) config["head_dim"] = p.head_dim;
}

}  // namespace pose::rope
