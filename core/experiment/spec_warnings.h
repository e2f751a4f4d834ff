// Choices in an experiment spec that parse but deserve a second look, and the
// default they are measured against (the ratio read_run() in experiment_spec.cpp
// gives a run without a factor). The Design form shows spec_warnings() as
// warnings at the fields their paths name: not errors, the run is legal and
// runs as written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiment/experiment_spec.h"

namespace pose::experiment {

// The scale factor a run's RoPE takes when the spec names none: its target
// window over the base model's window (Lt / Lc), at least 1.
double default_rope_factor(int64_t target_len, int64_t original_window);

struct SpecWarning {
  std::string path;     // e.g. "extend[4].rope.factor"
  std::string message;  // "path: what is unusual — why it matters"
};

// Today one rule: a scale factor below Lt / Lc, which leaves the positions near
// Lt outside the scaled window, so the run extrapolates there.
std::vector<SpecWarning> spec_warnings(const ExperimentSpec& spec);

}  // namespace pose::experiment
