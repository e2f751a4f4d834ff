#include "eval/rope_override.h"

#include <cmath>
#include <sstream>

#include "common/error.h"

namespace pose::eval {

namespace {

std::string show(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

}  // namespace

std::string RopeOverride::text() const {
  return method == rope::RopeMethod::None ? "none" : rope::to_string(method) + ":" + show(factor);
}

std::vector<RopeOverride> parse_rope_overrides(const std::string& list) {
  std::vector<RopeOverride> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    const auto colon = item.find(':');
    RopeOverride r;
    r.method = rope::parse_rope_method(item.substr(0, colon));
    if (r.method == rope::RopeMethod::LongRope) {
      throw UserError("--rope " + item + ": longrope needs per-dimension factors",
                      "evaluate a longrope checkpoint with its own config, or pick linear, ntk, dynamic, yarn, "
                      "yarn-pose or llama3");
    }
    if (r.method == rope::RopeMethod::None) {
      if (colon != std::string::npos) {
        throw UserError("--rope " + item + ": none takes no factor", "write none");
      }
    } else {
      if (colon == std::string::npos) {
        throw UserError("--rope " + item + ": the factor is missing", "write METHOD:FACTOR, e.g. linear:2");
      }
      const std::string f = item.substr(colon + 1);
      std::size_t used = 0;
      try {
        r.factor = std::stod(f, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != f.size() || !(r.factor >= 1.0) || !std::isfinite(r.factor)) {
        throw UserError("--rope " + item + ": the factor '" + f + "' is not a number >= 1",
                        "write METHOD:FACTOR with a factor of at least 1, e.g. dynamic:2");
      }
    }
    out.push_back(r);
  }
  if (out.empty()) throw UserError("--rope is empty", "give e.g. none,linear:2,dynamic:2");
  return out;
}

int64_t original_window_of(const model::ModelConfig& config) {
  if (config.rope.params.original_max_position) return *config.rope.params.original_max_position;
  return config.max_position_embeddings;
}

model::ModelConfig config_with_rope(const model::ModelConfig& config, const RopeOverride& r) {
  model::ModelConfig c = config;
  const rope::RopeParams old = config.rope_params();
  const int64_t l0 = original_window_of(config);
  rope::RopeParams p;
  p.method = r.method;
  p.head_dim = old.head_dim;
  p.partial_rotary_factor = old.partial_rotary_factor;
  p.base = old.base;
  p.factor = r.method == rope::RopeMethod::None ? 1.0 : r.factor;
  const bool grows = r.method != rope::RopeMethod::None && r.method != rope::RopeMethod::Dynamic;
  c.max_position_embeddings = grows ? static_cast<int64_t>(std::llround(static_cast<double>(l0) * p.factor)) : l0;
  if (r.method != rope::RopeMethod::None) p.original_max_position = static_cast<int>(l0);
  p.max_position = static_cast<int>(c.max_position_embeddings);
  c.rope.params = p;
  c.rope.extra_keys = nlohmann::json::object();
  c.validate();
  return c;
}

model::LlamaForCausalLM model_with_rope(model::LlamaForCausalLM& model, const RopeOverride& r) {
  model::LlamaForCausalLM out(config_with_rope(model->config(), r), model->options());
  torch::NoGradGuard no_grad;
  auto source = model->named_parameters();
  for (auto& p : out->named_parameters()) p.value().set_data(source[p.key()]);
  out->eval();
  return out;
}

nlohmann::json to_json(const RopeOverride& r, const model::ModelConfig& config) {
  const auto c = config_with_rope(config, r);
  return {{"override", r.text()},
          {"method", rope::to_string(r.method)},
          {"factor", r.factor},
          {"original_window", original_window_of(config)},
          {"max_position_embeddings", c.max_position_embeddings},
          {"rope_theta", c.rope.params.base}};
}

}  // namespace pose::eval
