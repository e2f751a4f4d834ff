// Inverse frequencies and attention factor of every RoPE scaling method, in
// double precision, computed the way HF transformers' modeling_rope_utils does
// (see docs in rope_scaling.cpp for each method). The rotary application casts
// these to fp32 (rotary.h), as HF keeps inv_freq in fp32.
#pragma once

#include <optional>
#include <vector>

#include "rope/rope_params.h"

namespace pose::rope {

struct RopeFrequencies {
  std::vector<double> inv_freq;   // rotary_dim/2 values, i = 0 (fastest) .. d/2-1 (slowest)
  double attention_factor = 1.0;  // multiplies cos and sin, so logits scale by its square
  // yarn and yarn-pose: the ramp bounds in frequency-index units, after
  // floor/ceil (unless truncate is off) and HF's clamps (low >= 0, high <= d-1;
  // HF clamps only these two sides). Dimensions i <= ramp_low keep θ_i,
  // dimensions i >= ramp_high get θ_i / s. The +0.001 HF adds when the two are
  // equal is not included here.
  std::optional<double> ramp_low;
  std::optional<double> ramp_high;
};

// Validates params (UserError) and computes the frequencies.
RopeFrequencies compute_rope(const RopeParams& params);

// θ_i = base^(-2i/d) for i in [0, d/2): unscaled RoPE.
std::vector<double> base_inv_freq(int rotary_dim, double base);

// YaRN's inverse dimension formula: the (fractional) frequency index whose
// wavelength fits `rotations` times into `window`: d·ln(window/(2π·rotations)) / (2·ln base).
double yarn_correction_dim(double rotations, int rotary_dim, double base, double window);

// λ_i = 2π / inv_i: how many positions one full turn of dimension i takes.
std::vector<double> wavelengths(const std::vector<double>& inv_freq);

// Mean of cos(distance·inv_i) over the d/2 frequencies for each distance: the
// attention logit between identical unit query/key pairs (one per frequency) as a
// function of relative distance. 1 at distance 0.
std::vector<double> rotary_response(const std::vector<double>& inv_freq, const std::vector<double>& distances);

}  // namespace pose::rope
