// The PoSE paper's published results (Zhu et al., "PoSE: Efficient Context
// Window Extension of LLMs via Positional Skip-wise Training", ICLR 2024,
// arXiv 2309.10400 v3), one record per design the paper reports a figure for:
// LLaMA-7B (L0 = 2k) extended to 16k (x8), 32k (x16), 96k (x48) and 128k (x64).
// This is the one definition of those figures; the report's and the Compare
// workspace's "paper claims" (paper_claims.h) read them from here.
//
// A design is matched by its strategy, RoPE family and factor Lt / L0, so a
// design at another scale with the same factor (the default experiment's
// 256 -> 2048 is x8, as 2k -> 16k) is compared with the paper in shape.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "positions/sampler_types.h"
#include "rope/rope_params.h"

namespace pose::report {

struct PublishedResult {
  positions::Strategy strategy;                // pose-v1 reads as pose
  std::optional<rope::RopeMethod> rope_family;  // None, Linear, Ntk or Yarn; empty: any method
  double factor = 0;                           // Lt / L0 of the paper's run; 0: any factor
  std::string claim;        // the paper's outcome in words with its figures
  std::string source;       // where in the paper: "Table 1", "Table 2", "Figure 2b", ...
};

// Every record, most specific first (a record with a RoPE family before one for
// any method at the same strategy and factor).
const std::vector<PublishedResult>& published_results();

// The RoPE family a method belongs to for the paper's tables: yarn-pose (PoSE's
// wavelength blend) is YaRN; dynamic NTK is its own, the paper has none.
rope::RopeMethod rope_family(rope::RopeMethod method);

// The record for a stored extension run's design (to_json(ExtendRunSpec)), or
// nullptr when the paper reports nothing for it.
const PublishedResult* published_result_for(const nlohmann::json& run_spec);

}  // namespace pose::report
