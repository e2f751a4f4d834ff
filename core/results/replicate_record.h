// How an experiment repeated over seeds is recorded: the spec lists the extra
// seeds (`replicate_seeds`), and each replicate is stored as an experiment of
// its own, named "<experiment>.seed-<seed>", whose spec says which experiment
// it repeats (`replicate_of`) and with which `seed`. The writer (the spec
// parser and experiment/replicates.h) and every reader (`pose runs`, the
// report, the Compare workspace) use these names. No LibTorch and no Qt here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace pose::results {

// Keys of an experiment spec's top level.
inline constexpr const char* kReplicateSeedsKey = "replicate_seeds";  // the extra seeds, in the experiment itself
inline constexpr const char* kReplicateOfKey = "replicate_of";        // in a replicate: the experiment it repeats
inline constexpr const char* kSeedKey = "seed";

// "micro-pose" + 1 -> "micro-pose.seed-1".
std::string replicate_experiment_name(const std::string& experiment, uint64_t seed);

// From a stored experiment's spec: the experiment it repeats with another seed
// (nullopt for an experiment that is no replicate), and its top-level seed.
std::optional<std::string> replicate_of(const nlohmann::json& experiment_spec);
std::optional<uint64_t> experiment_seed(const nlohmann::json& experiment_spec);

// The experiment whose seeds a stored experiment belongs to: the one it
// replicates, else itself.
std::string replicate_group(const std::string& experiment_name, const nlohmann::json& experiment_spec);

}  // namespace pose::results
