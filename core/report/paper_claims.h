// What the PoSE paper claims for a run of a given design, and the run's
// measured outcome in the same terms, so that the Compare workspace and the
// report can put the two side by side (docs/FIDELITY.md says how the default
// experiment compares and why).
//
// The claims are the paper's LLaMA-7B results for the design's strategy, RoPE
// method and factor (paper_results.h), in words with their figures; a design at
// another scale is compared in shape: perplexity at Lt against the original
// model's at Lc, and the worst passkey accuracy at any evaluated length up to Lt.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "results/run_summary.h"
#include "results/seed_spread.h"

namespace pose::report {

// The paper's claim for a stored extension run's design (to_json(ExtendRunSpec):
// its strategy, RoPE method and factor), with where in the paper it stands;
// empty when the paper reports nothing for the design.
std::string paper_claim(const nlohmann::json& run_spec);

// The run's measured outcome in the claims' terms, from its summary:
// "ppl@Lt 1.06x original@Lc; passkey >= 0.00 up to Lt", or "" when neither
// number is known.
std::string measured_outcome_text(const results::RunSummary& summary);

// The same over the seeds of an experiment and its replicates, judged on the
// mean with the range and the number of seeds beside it:
// "ppl@Lt 1.06x original@Lc (1.02–1.10); passkey >= 0.33 (0.00–1.00) up to Lt;
// mean of 3 seeds", or "" when neither number is known.
std::string measured_outcome_text(const results::RunSpread& spread);

}  // namespace pose::report
