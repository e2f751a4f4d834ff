// Each method below follows HF transformers' modeling_rope_utils (v5), written
// in double precision. Names: d = rotary dim, b = base, s = factor,
// L0 = original window (see rope_params.h for its fallbacks).
//
//   none      θ_i = b^(-2i/d), a = 1
//   linear    θ_i / s (same as dividing the position ids by s), a = 1
//   ntk       static NTK-aware: b' = b·s^(d/(d-2)), a = 1 (not an HF rope_type)
//   dynamic   W = max_position (else L0), L = max(seq_len, W) (seq_len unset: W),
//             b' = b·(s·L/W − (s−1))^(d/(d−2)), a = 1; equals none while L <= W
//   yarn      HF frequency blend with the ramp of find_correction_range
//   yarn-pose the PoSE-revised wavelength blend, same ramp and a
//   llama3    HF llama3 rules (a = 1)
//   longrope  short factors while seq_len <= L0 (or unset), long factors above;
//             a = explicit attention_factor, else sqrt(1 + ln s / ln L0) for
//             s > 1 and 1 otherwise, with s = params.factor. HF v5 uses the
//             explicit `factor` and falls back to max_position/L0 only when the
//             config has none; hf_rope_config applies that fallback on reading.
#include "rope/rope_scaling.h"

#include <algorithm>
#include <cmath>

namespace pose::rope {

namespace {

constexpr double kPi = 3.14159265358979323846;

// YaRN's mscale: how much to sharpen attention for a scale s.
double yarn_get_mscale(double scale, double mscale) {
  if (scale <= 1.0) return 1.0;
  return 0.1 * mscale * std::log(scale) + 1.0;
}

double yarn_attention_factor(const RopeParams& p) {
  if (p.attention_factor) return *p.attention_factor;
  // HF: `if mscale and mscale_all_dim` — both present and non-zero.
  if (p.mscale && p.mscale_all_dim && *p.mscale != 0.0 && *p.mscale_all_dim != 0.0) {
    return yarn_get_mscale(p.factor, *p.mscale) / yarn_get_mscale(p.factor, *p.mscale_all_dim);
  }
  return yarn_get_mscale(p.factor, 1.0);
}

RopeFrequencies compute_yarn(const RopeParams& p, bool pose_wavelength_blend) {
  const int d = p.rotary_dim();
  const double window = static_cast<double>(*original_window(p));
  double low = yarn_correction_dim(p.beta_fast, d, p.base, window);
  double high = yarn_correction_dim(p.beta_slow, d, p.base, window);
  if (p.truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  // HF clamps low from below and high from above only (find_correction_range).
  low = std::max(low, 0.0);
  high = std::min(high, static_cast<double>(d - 1));

  RopeFrequencies out;
  out.ramp_low = low;
  out.ramp_high = high;
  out.attention_factor = yarn_attention_factor(p);

  const double ramp_high = (low == high) ? high + 0.001 : high;  // HF: prevent a zero division
  const std::vector<double> theta = base_inv_freq(d, p.base);
  out.inv_freq.resize(theta.size());
  for (std::size_t i = 0; i < theta.size(); ++i) {
    const double ramp = std::clamp((static_cast<double>(i) - low) / (ramp_high - low), 0.0, 1.0);
    const double gamma = 1.0 - ramp;  // 1: keep θ_i (extrapolate), 0: θ_i / s (interpolate)
    if (pose_wavelength_blend) {
      // Blend the wavelengths linearly (YaRN issue #24): λ' = λ·((1−γ)·s + γ).
      out.inv_freq[i] = theta[i] / ((1.0 - gamma) * p.factor + gamma);
    } else {
      out.inv_freq[i] = (theta[i] / p.factor) * (1.0 - gamma) + theta[i] * gamma;
    }
  }
  return out;
}

RopeFrequencies compute_llama3(const RopeParams& p) {
  const double window = static_cast<double>(*original_window(p));
  const double low_freq_wavelen = window / p.low_freq_factor;
  const double high_freq_wavelen = window / p.high_freq_factor;
  RopeFrequencies out;
  out.inv_freq = base_inv_freq(p.rotary_dim(), p.base);
  for (double& inv : out.inv_freq) {
    const double wavelen = 2.0 * kPi / inv;
    if (wavelen < high_freq_wavelen) continue;  // high frequency: unchanged
    if (wavelen > low_freq_wavelen) {           // low frequency: interpolated
      inv /= p.factor;
      continue;
    }
    const double smooth = (window / wavelen - p.low_freq_factor) / (p.high_freq_factor - p.low_freq_factor);
    inv = (1.0 - smooth) * inv / p.factor + smooth * inv;
  }
  return out;
}

RopeFrequencies compute_longrope(const RopeParams& p) {
  const int d = p.rotary_dim();
  const int window = *original_window(p);
  const bool long_context = p.seq_len && *p.seq_len > window;
  const std::vector<double>& factors = long_context ? p.long_factors : p.short_factors;
  RopeFrequencies out;
  out.inv_freq.resize(static_cast<std::size_t>(d / 2));
  for (int i = 0; i < d / 2; ++i) {
    out.inv_freq[static_cast<std::size_t>(i)] =
        1.0 / (factors[static_cast<std::size_t>(i)] * std::pow(p.base, 2.0 * i / d));
  }
  if (p.attention_factor) {
    out.attention_factor = *p.attention_factor;
  } else if (p.factor <= 1.0) {
    out.attention_factor = 1.0;
  } else {
    out.attention_factor = std::sqrt(1.0 + std::log(p.factor) / std::log(static_cast<double>(window)));
  }
  return out;
}

}  // namespace

std::vector<double> base_inv_freq(int rotary_dim, double base) {
  std::vector<double> theta(static_cast<std::size_t>(rotary_dim / 2));
  for (int i = 0; i < rotary_dim / 2; ++i) {
    theta[static_cast<std::size_t>(i)] = 1.0 / std::pow(base, 2.0 * i / rotary_dim);
  }
  return theta;
}

double yarn_correction_dim(double rotations, int rotary_dim, double base, double window) {
  return rotary_dim * std::log(window / (rotations * 2.0 * kPi)) / (2.0 * std::log(base));
}

RopeFrequencies compute_rope(const RopeParams& p) {
  validate(p);
  const int d = p.rotary_dim();
  const double exponent = static_cast<double>(d) / (d - 2);
  RopeFrequencies out;
  switch (p.method) {
    case RopeMethod::None:
      out.inv_freq = base_inv_freq(d, p.base);
      return out;
    case RopeMethod::Linear:
      out.inv_freq = base_inv_freq(d, p.base);
      for (double& inv : out.inv_freq) inv /= p.factor;
      return out;
    case RopeMethod::Ntk:
      out.inv_freq = base_inv_freq(d, p.base * std::pow(p.factor, exponent));
      return out;
    case RopeMethod::Dynamic: {
      const double window = static_cast<double>(*dynamic_window(p));
      const double length = p.seq_len ? std::max(static_cast<double>(*p.seq_len), window) : window;
      const double new_base = p.base * std::pow(p.factor * length / window - (p.factor - 1.0), exponent);
      out.inv_freq = base_inv_freq(d, new_base);
      return out;
    }
    case RopeMethod::Yarn:
      return compute_yarn(p, false);
    case RopeMethod::YarnPose:
      return compute_yarn(p, true);
    case RopeMethod::Llama3:
      return compute_llama3(p);
    case RopeMethod::LongRope:
      return compute_longrope(p);
  }
  return out;
}

std::vector<double> wavelengths(const std::vector<double>& inv_freq) {
  std::vector<double> out(inv_freq.size());
  std::transform(inv_freq.begin(), inv_freq.end(), out.begin(), [](double inv) { return 2.0 * kPi / inv; });
  return out;
}

std::vector<double> rotary_response(const std::vector<double>& inv_freq, const std::vector<double>& distances) {
  std::vector<double> out(distances.size(), 0.0);
  if (inv_freq.empty()) return out;
  for (std::size_t k = 0; k < distances.size(); ++k) {
    double sum = 0.0;
    for (double inv : inv_freq) sum += std::cos(distances[k] * inv);
    out[k] = sum / static_cast<double>(inv_freq.size());
  }
  return out;
}

}  // namespace pose::rope
