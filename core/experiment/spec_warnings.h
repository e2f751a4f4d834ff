// Choices in an experiment spec that parse but deserve a second look, measured
// against the defaults the parser gives (default_rope_factor in
// experiment_spec.h). The Design form shows spec_warnings() as warnings at the
// fields their paths name: not errors, the run is legal and runs as written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiment/experiment_spec.h"

namespace pose::experiment {

struct SpecWarning {
  std::string path;     // e.g. "extend[4].rope.factor"
  std::string message;  // "path: what is unusual — why it matters"
};

// Two rules: a scale factor below Lt / Lc, which leaves the positions near Lt
// outside the scaled window, so the run extrapolates there; and a run that
// extends the context with LoRA while its embeddings or norms stay frozen,
// which LongLoRA found falls short of full fine-tuning.
std::vector<SpecWarning> spec_warnings(const ExperimentSpec& spec);

}  // namespace pose::experiment
