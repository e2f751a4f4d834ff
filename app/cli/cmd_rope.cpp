// `pose rope`: the inverse frequencies, wavelengths and attention factor of one
// RoPE scaling method, as a table or as JSON for scripts and plots.
#include "commands.h"

#include "common/error.h"
#include "rope/rope_params.h"
#include "rope/rope_scaling.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <limits>
#include <ostream>
#include <string>

namespace pose::cli {

namespace {

const char* const kUsage =
    "Usage: pose rope --method M --head-dim D [--base B] [--factor S] [--original-max L0]\n"
    "                 [--max-position P] [--seq-len N] [--partial-rotary-factor X]\n"
    "                 [--beta-fast X] [--beta-slow X] [--no-truncate] [--mscale X]\n"
    "                 [--mscale-all-dim X] [--attention-factor X]\n"
    "                 [--low-freq-factor X] [--high-freq-factor X]\n"
    "                 [--short-factors F,F,..] [--long-factors F,F,..] [--json]\n\n"
    "Prints the per-dimension inverse frequencies of a RoPE scaling method next to\n"
    "plain RoPE, their wavelengths (2*pi/inv_freq, in positions) and the attention\n"
    "factor that multiplies cos and sin. Values follow HF transformers.\n\n"
    "Methods:\n"
    "  none       plain RoPE\n"
    "  linear     Position Interpolation: inv_freq / S\n"
    "  ntk        static NTK-aware: base * S^(d/(d-2))\n"
    "  dynamic    dynamic NTK (HF); needs --max-position or --original-max, uses --seq-len\n"
    "  yarn       YaRN as in HF (frequency blend); needs --original-max\n"
    "  yarn-pose  YaRN with PoSE's wavelength blend; needs --original-max\n"
    "  llama3     Llama-3.1 rules; needs --original-max (8192 for Llama-3.1)\n"
    "  longrope   per-dimension factors; needs --short-factors, --long-factors\n\n"
    "Options:\n"
    "  --method M                 one of the methods above (required)\n"
    "  --head-dim D               per-head dimension, e.g. 128 (required)\n"
    "  --base B                   rope_theta (default 10000)\n"
    "  --factor S                 scale factor >= 1 (default 1; yarn and longrope derive\n"
    "                             it as P / L0 when omitted and both windows are given)\n"
    "  --original-max L0          pre-extension window (original_max_position_embeddings)\n"
    "  --max-position P           max_position_embeddings (falls back for L0 when L0 is absent)\n"
    "  --seq-len N                current sequence length (dynamic, longrope)\n"
    "  --partial-rotary-factor X  fraction of head_dim that rotates (default 1)\n"
    "  --beta-fast X, --beta-slow X   YaRN ramp bounds in rotations (default 32, 1)\n"
    "  --no-truncate              YaRN: keep the ramp bounds fractional (HF truncate=false)\n"
    "  --mscale X, --mscale-all-dim X YaRN: attention factor g(S,X)/g(S,Y) when both given\n"
    "  --attention-factor X       explicit attention factor (yarn, yarn-pose, longrope)\n"
    "  --low-freq-factor X, --high-freq-factor X   llama3 (default 1, 4)\n"
    "  --short-factors, --long-factors  longrope: d/2 comma-separated factors each\n"
    "  --json                     one JSON object instead of the table\n\n"
    "Example:\n"
    "  pose rope --method yarn --head-dim 128 --base 10000 --factor 16 --original-max 4096\n";

std::optional<int> get_window(Args& args, const std::string& name) {
  auto v = args.get_int(name);
  if (!v) return std::nullopt;
  if (*v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()) {
    throw UserError("--" + name + ": " + std::to_string(*v) + " is out of range", "give a token count below 2^31");
  }
  return static_cast<int>(*v);
}

rope::RopeParams read_params(Args& args) {
  rope::RopeParams p;
  p.method = rope::parse_rope_method(args.require("method"));
  (void)args.require("head-dim");  // a clear "missing --head-dim" before parsing it
  const long long head_dim = *args.get_int("head-dim");
  if (head_dim < 0 || head_dim > std::numeric_limits<int>::max()) {
    throw UserError("--head-dim: " + std::to_string(head_dim) + " is out of range", "use the per-head dimension, e.g. 128");
  }
  p.head_dim = static_cast<int>(head_dim);
  if (auto v = args.get_double("base")) p.base = *v;
  const std::optional<double> factor = args.get_double("factor");
  p.original_max_position = get_window(args, "original-max");
  p.max_position = get_window(args, "max-position");
  p.seq_len = get_window(args, "seq-len");
  if (auto v = args.get_double("partial-rotary-factor")) p.partial_rotary_factor = *v;
  if (auto v = args.get_double("beta-fast")) p.beta_fast = *v;
  if (auto v = args.get_double("beta-slow")) p.beta_slow = *v;
  p.truncate = !args.flag("no-truncate");
  p.mscale = args.get_double("mscale");
  p.mscale_all_dim = args.get_double("mscale-all-dim");
  p.attention_factor = args.get_double("attention-factor");
  if (auto v = args.get_double("low-freq-factor")) p.low_freq_factor = *v;
  if (auto v = args.get_double("high-freq-factor")) p.high_freq_factor = *v;
  if (auto v = args.get_double_list("short-factors")) p.short_factors = *v;
  if (auto v = args.get_double_list("long-factors")) p.long_factors = *v;

  if (factor) {
    p.factor = *factor;
  } else if (p.method == rope::RopeMethod::Yarn || p.method == rope::RopeMethod::YarnPose ||
             p.method == rope::RopeMethod::LongRope) {
    // HF v5 derives the factor from the two windows when a config has none.
    if (auto implied = rope::implied_factor(p)) p.factor = *implied;
  }
  return p;
}

template <typename Json>
Json optional_value(const std::optional<int>& v) {
  return v ? Json(*v) : Json(nullptr);
}
template <typename Json>
Json optional_value(const std::optional<double>& v) {
  return v ? Json(*v) : Json(nullptr);
}

void print_json(const rope::RopeParams& p, const rope::RopeFrequencies& f, std::ostream& out) {
  using Json = nlohmann::ordered_json;
  // Results first (so `| head` shows them), then the inputs, then the arrays.
  Json params;
  params["head_dim"] = p.head_dim;
  params["rotary_dim"] = p.rotary_dim();
  params["partial_rotary_factor"] = p.partial_rotary_factor;
  params["base"] = p.base;
  params["factor"] = p.factor;
  params["original_max_position"] = optional_value<Json>(p.original_max_position);
  params["max_position"] = optional_value<Json>(p.max_position);
  params["seq_len"] = optional_value<Json>(p.seq_len);
  params["beta_fast"] = p.beta_fast;
  params["beta_slow"] = p.beta_slow;
  params["truncate"] = p.truncate;
  params["mscale"] = optional_value<Json>(p.mscale);
  params["mscale_all_dim"] = optional_value<Json>(p.mscale_all_dim);
  params["attention_factor"] = optional_value<Json>(p.attention_factor);  // explicit input, if any
  params["low_freq_factor"] = p.low_freq_factor;
  params["high_freq_factor"] = p.high_freq_factor;
  params["short_factors"] = p.short_factors;
  params["long_factors"] = p.long_factors;

  Json j;
  j["method"] = rope::to_string(p.method);
  j["attention_factor"] = f.attention_factor;
  if (f.ramp_low) j["ramp_low"] = *f.ramp_low;
  if (f.ramp_high) j["ramp_high"] = *f.ramp_high;
  j["params"] = params;
  j["inv_freq"] = f.inv_freq;
  j["wavelength"] = rope::wavelengths(f.inv_freq);
  out << j.dump(2) << "\n";
}

std::string format(const char* spec, double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, spec, v);
  return buffer;
}

void print_table(const rope::RopeParams& p, const rope::RopeFrequencies& f, std::ostream& out) {
  const std::vector<double> plain = rope::base_inv_freq(p.rotary_dim(), p.base);
  const std::vector<double> plain_wavelength = rope::wavelengths(plain);
  const std::vector<double> wavelength = rope::wavelengths(f.inv_freq);

  out << "RoPE " << rope::to_string(p.method) << ": head_dim " << p.head_dim << " (rotary " << p.rotary_dim()
      << "), base " << format("%g", p.base) << ", factor " << format("%g", p.factor);
  if (auto w = rope::original_window(p)) out << ", original window " << *w;
  if (p.max_position) out << ", max_position " << *p.max_position;
  if (p.seq_len) out << ", seq_len " << *p.seq_len;
  out << "\nattention factor " << format("%.7f", f.attention_factor) << " (logits scale by "
      << format("%.7f", f.attention_factor * f.attention_factor) << ")";
  if (f.ramp_low && f.ramp_high) {
    out << "; YaRN ramp over dims " << format("%g", *f.ramp_low) << " .. " << format("%g", *f.ramp_high)
        << " (below: unchanged, above: divided by the factor)";
  }
  out << "\n\n";
  out << "    i   inv_freq none   inv_freq scaled  wavelength none  wavelength scaled   ratio\n";
  for (std::size_t i = 0; i < f.inv_freq.size(); ++i) {
    out << format("%5.0f", static_cast<double>(i)) << "  " << format("%14.6e", plain[i]) << "  "
        << format("%16.6e", f.inv_freq[i]) << "  " << format("%15.1f", plain_wavelength[i]) << "  "
        << format("%17.1f", wavelength[i]) << "  " << format("%6.3f", plain[i] / f.inv_freq[i]) << "\n";
  }
  out << "\nratio = wavelength scaled / wavelength none (1 = unchanged, factor = fully interpolated)\n";
}

}  // namespace

Command rope_command() {
  Command c;
  c.name = "rope";
  c.summary = "inverse frequencies, wavelengths and attention factor of a RoPE scaling method";
  c.usage = kUsage;
  c.run = [](Args& args, std::ostream& out, std::ostream&) {
    const rope::RopeParams params = read_params(args);
    const bool json = args.flag("json");
    args.reject_unknown();
    const rope::RopeFrequencies frequencies = rope::compute_rope(params);
    if (json) {
      print_json(params, frequencies, out);
    } else {
      print_table(params, frequencies, out);
    }
    return 0;
  };
  return c;
}

}  // namespace pose::cli
