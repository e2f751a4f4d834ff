// What the PoSE paper claims for a run of a given design, and the run's
// measured outcome in the same terms, so that the Compare workspace and the
// report can put the two side by side (docs/FIDELITY.md says how the default
// experiment compares and why).
//
// The claims are the paper's LLaMA-7B results (v2, Proof-pile, 2k -> 16k), in
// words with their figures; a design at another scale is compared in shape:
// perplexity at Lt against the original model's at Lc, and the worst passkey
// accuracy at any evaluated length up to Lt.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace pose::report {

// The paper's claim for a run with this strategy ("pose", "full", "randpos",
// "none", ...) and RoPE method ("none", "linear", "yarn", ...); empty when the
// paper reports nothing for the design.
std::string paper_claim(const std::string& strategy, const std::string& rope_method);

// The run that evaluates the original model: no fine-tuning, RoPE unscaled.
bool is_original_model(const std::string& strategy, const std::string& rope_method);

// A run's last metric values by name ("eval/ppl@2048", "eval/passkey@512", ...).
using MetricValues = std::map<std::string, double>;

struct MeasuredOutcome {
  std::optional<double> ppl_ratio;      // ppl at Lt / the original model's ppl at Lc
  std::optional<double> worst_passkey;  // lowest passkey accuracy at a length <= Lt
  std::string text;                     // "ppl@Lt 1.06x original@Lc; passkey >= 0.00 up to Lt", or ""
};

// `original`: the metrics of the run that evaluates the original model
// (no fine-tuning, no RoPE scaling), if the experiment has one.
MeasuredOutcome measured_outcome(const MetricValues& run, const MetricValues* original, std::int64_t lc,
                                 std::int64_t lt);

}  // namespace pose::report
