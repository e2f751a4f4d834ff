// An experiment repeated over seeds: each replicate is the whole experiment
// (data, base model, every extension run, evaluation) with the top-level seed
// replaced, and everything that defaults to it with it (the tokenizer's and
// the split's draws, initialisation, sampling, the evaluation's prompts);
// seeds a spec sets on a stage of its own stay as written. A replicate is
// stored as its own experiment, "<name>.seed-<seed>", whose spec records
// `replicate_of` and its `seed` (results/replicate_record.h), so readers group
// the seeds and show their spread (results/seed_spread.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "experiment/experiment_spec.h"

namespace pose::experiment {

// The replicate of `spec` with `seed`: its own name, `replicate_of` set and no
// replicate_seeds. With the spec's own seed: the spec itself, without
// replicate_seeds.
ExperimentSpec replicate_spec(const ExperimentSpec& spec, uint64_t seed);

// The experiments a spec runs: the spec itself, then one replicate per seed
// of its replicate_seeds, in that order.
std::vector<ExperimentSpec> replicate_experiments(const ExperimentSpec& spec);

// `pose run --seeds A,B,...`: the experiments for exactly these seeds in this
// order (the spec's own seed, when listed, runs under the spec's name); the
// spec's replicate_seeds are not used.
std::vector<ExperimentSpec> replicate_experiments(const ExperimentSpec& spec, const std::vector<uint64_t>& seeds);

// Where an experiment's files go: `work_dir` as given for the spec's own
// seed and a replicate's beside it (DIR.seed-<S>); without one, the data
// directory's place for the experiment's name (default_work_dir).
std::filesystem::path replicate_work_dir(const ExperimentSpec& experiment,
                                         const std::optional<std::filesystem::path>& work_dir);

// "1234,1,2" -> {1234, 1, 2}. `flag` names the option in errors ("--seeds"):
// UserError for an empty list, a value that is not a whole number >= 0, or a
// seed listed twice.
std::vector<uint64_t> parse_seed_list(const std::string& text, const std::string& flag);

}  // namespace pose::experiment
