#include "rope/rope_params.h"

#include "common/error.h"
#include "common/printable.h"

#include <cmath>
#include <sstream>
#include <utility>

namespace pose::rope {

namespace {

const std::vector<std::pair<RopeMethod, const char*>>& method_names() {
  static const std::vector<std::pair<RopeMethod, const char*>> names = {
      {RopeMethod::None, "none"},         {RopeMethod::Linear, "linear"},
      {RopeMethod::Ntk, "ntk"},           {RopeMethod::Dynamic, "dynamic"},
      {RopeMethod::Yarn, "yarn"},         {RopeMethod::YarnPose, "yarn-pose"},
      {RopeMethod::Llama3, "llama3"},     {RopeMethod::LongRope, "longrope"},
  };
  return names;
}

std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

bool uses_factor(RopeMethod m) { return m != RopeMethod::None; }
bool uses_original_window(RopeMethod m) {
  return m == RopeMethod::Yarn || m == RopeMethod::YarnPose || m == RopeMethod::Llama3 ||
         m == RopeMethod::LongRope;
}
bool is_yarn(RopeMethod m) { return m == RopeMethod::Yarn || m == RopeMethod::YarnPose; }

void require_positive_window(const char* name, const std::optional<int>& value, const char* hf_key) {
  if (value && *value < 1) {
    throw UserError(std::string(name) + ": " + std::to_string(*value) + " is below 1",
                    std::string("give a window of 1 or more tokens (HF key ") + hf_key + ")");
  }
}

void require_finite_positive(const char* name, double value, const std::string& fix) {
  if (!std::isfinite(value) || value <= 0.0) {
    throw UserError(std::string(name) + ": " + format_number(value) + " is not a positive number", fix);
  }
}

void check_factor_list(const char* name, const std::vector<double>& factors, int expected) {
  if (static_cast<int>(factors.size()) != expected) {
    throw UserError(std::string(name) + ": " + std::to_string(factors.size()) + " values given, " +
                        std::to_string(expected) + " expected",
                    "give one factor per rotary frequency (rotary_dim / 2 = " + std::to_string(expected) + ")");
  }
  for (std::size_t i = 0; i < factors.size(); ++i) {
    if (!std::isfinite(factors[i]) || factors[i] <= 0.0) {
      throw UserError(std::string(name) + "[" + std::to_string(i) + "]: " + format_number(factors[i]) +
                          " is not a positive number",
                      "every longrope factor divides a frequency, so it must be > 0");
    }
  }
}

}  // namespace

std::string to_string(RopeMethod method) {
  for (const auto& [m, name] : method_names()) {
    if (m == method) return name;
  }
  return "unknown";
}

RopeMethod parse_rope_method(const std::string& name) {
  std::string valid;
  for (const auto& [m, n] : method_names()) {
    if (name == n) return m;
    valid += valid.empty() ? n : std::string(", ") + n;
  }
  throw UserError("method: unknown RoPE method '" + printable(name) + "'", "use one of " + valid);
}

const std::vector<RopeMethod>& all_rope_methods() {
  static const std::vector<RopeMethod> all = [] {
    std::vector<RopeMethod> v;
    for (const auto& [m, n] : method_names()) v.push_back(m);
    return v;
  }();
  return all;
}

std::optional<int> original_window(const RopeParams& params) {
  return params.original_max_position ? params.original_max_position : params.max_position;
}

std::optional<int> dynamic_window(const RopeParams& params) {
  return params.max_position ? params.max_position : params.original_max_position;
}

std::optional<double> implied_factor(const RopeParams& params) {
  if (!params.max_position || !params.original_max_position || *params.original_max_position <= 0) return std::nullopt;
  return static_cast<double>(*params.max_position) / *params.original_max_position;
}

void validate(const RopeParams& p) {
  if (p.head_dim < 2 || p.head_dim % 2 != 0) {
    throw UserError("head_dim: " + std::to_string(p.head_dim) + " is not an even number >= 2",
                    "use the model's per-head dimension, e.g. 64 or 128");
  }
  if (!std::isfinite(p.partial_rotary_factor) || p.partial_rotary_factor <= 0.0 || p.partial_rotary_factor > 1.0) {
    throw UserError("partial_rotary_factor: " + format_number(p.partial_rotary_factor) + " is outside (0, 1]",
                    "use the fraction of head_dim that rotates (1 = all channels)");
  }
  const int d = p.rotary_dim();
  if (d < 2 || d % 2 != 0) {
    throw UserError("partial_rotary_factor: head_dim " + std::to_string(p.head_dim) + " x " +
                        format_number(p.partial_rotary_factor) + " gives " + std::to_string(d) +
                        " rotary channels, which is not an even number >= 2",
                    "choose a partial_rotary_factor that leaves an even number of rotary channels");
  }
  if (!std::isfinite(p.base) || p.base <= 1.0) {
    throw UserError("base (rope_theta): " + format_number(p.base) + " is not above 1",
                    "use the model's rope_theta, e.g. 10000 (LLaMA-2) or 500000 (Llama-3)");
  }
  require_positive_window("original_max_position", p.original_max_position, "original_max_position_embeddings");
  require_positive_window("max_position", p.max_position, "max_position_embeddings");
  if (p.seq_len && *p.seq_len < 0) {
    throw UserError("seq_len: " + std::to_string(*p.seq_len) + " is negative",
                    "give the current sequence length in tokens (0 or more), or leave it unset");
  }
  if (p.method == RopeMethod::None) return;

  if (uses_factor(p.method) && (!std::isfinite(p.factor) || p.factor < 1.0)) {
    throw UserError("factor: " + format_number(p.factor) + (std::isfinite(p.factor) ? " is below 1" : " is not a finite number"),
                    "use a scale factor >= 1 (1 = no scaling; target window / original window)");
  }
  if (uses_original_window(p.method) && !original_window(p)) {
    throw UserError("original_max_position: missing for " + to_string(p.method),
                    "give the model's pre-extension window (original_max_position_embeddings, "
                    "--original-max), e.g. 4096; max_position is used when only it is set");
  }
  if (p.method == RopeMethod::Dynamic && !dynamic_window(p)) {
    throw UserError("max_position: missing for dynamic",
                    "give max_position_embeddings (--max-position) or the original window (--original-max)");
  }
  if (p.attention_factor && (p.method == RopeMethod::LongRope || is_yarn(p.method))) {
    require_finite_positive("attention_factor", *p.attention_factor,
                            "use a positive scale for cos and sin, or leave it unset to derive it");
  }
  if (is_yarn(p.method)) {
    require_finite_positive("beta_fast", p.beta_fast, "use a rotation count > 0 (default 32)");
    require_finite_positive("beta_slow", p.beta_slow, "use a rotation count > 0 (default 1)");
    if (p.beta_fast <= p.beta_slow) {
      throw UserError("beta_fast: " + format_number(p.beta_fast) + " is not above beta_slow " +
                          format_number(p.beta_slow),
                      "beta_fast bounds the fast (extrapolated) dimensions and must exceed beta_slow "
                      "(defaults 32 and 1)");
    }
    if (p.mscale && !std::isfinite(*p.mscale)) {
      throw UserError("mscale: not a finite number", "give a finite mscale (DeepSeek uses 1) or leave it unset");
    }
    if (p.mscale_all_dim && !std::isfinite(*p.mscale_all_dim)) {
      throw UserError("mscale_all_dim: not a finite number",
                      "give a finite mscale_all_dim or leave it unset");
    }
  }
  if (p.method == RopeMethod::Llama3) {
    require_finite_positive("low_freq_factor", p.low_freq_factor, "use a positive number (Llama-3.1: 1)");
    require_finite_positive("high_freq_factor", p.high_freq_factor, "use a positive number (Llama-3.1: 4)");
    if (p.low_freq_factor >= p.high_freq_factor) {
      throw UserError("low_freq_factor: " + format_number(p.low_freq_factor) + " is not below high_freq_factor " +
                          format_number(p.high_freq_factor),
                      "low_freq_factor must be smaller than high_freq_factor (Llama-3.1: 1 and 4)");
    }
  }
  if (p.method == RopeMethod::LongRope) {
    check_factor_list("short_factors", p.short_factors, d / 2);
    check_factor_list("long_factors", p.long_factors, d / 2);
    if (*original_window(p) < 2) {
      throw UserError("original_max_position: " + std::to_string(*original_window(p)) + " is below 2",
                      "longrope divides by ln(original window); give the pre-extension window, e.g. 4096");
    }
  }
}

}  // namespace pose::rope
