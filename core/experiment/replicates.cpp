#include "experiment/replicates.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "common/error.h"
#include "common/printable.h"
#include "experiment/runner.h"
#include "results/replicate_record.h"

namespace pose::experiment {

namespace {

// The spec read again from its document with the changes `edit` makes: every
// field that defaults to the seed follows it, and the result is validated as
// any spec is.
template <typename Edit>
ExperimentSpec reparsed(const ExperimentSpec& spec, Edit edit) {
  nlohmann::json doc = spec.source;
  edit(doc);
  ExperimentSpec out = parse_experiment_spec(doc, spec.base_dir);
  out.preset = spec.preset;  // already applied to the document
  return out;
}

}  // namespace

ExperimentSpec replicate_spec(const ExperimentSpec& spec, uint64_t seed) {
  if (!spec.replicate_of.empty()) {
    throw UserError("experiment " + spec.name + " is itself a replicate (of " + spec.replicate_of + ")",
                    "repeat " + spec.replicate_of + " with other seeds instead");
  }
  return reparsed(spec, [&](nlohmann::json& doc) {
    doc.erase(results::kReplicateSeedsKey);
    doc[results::kSeedKey] = seed;
    if (seed == spec.seed) return;
    doc["name"] = results::replicate_experiment_name(spec.name, seed);
    doc[results::kReplicateOfKey] = spec.name;
  });
}

std::vector<ExperimentSpec> replicate_experiments(const ExperimentSpec& spec) {
  std::vector<ExperimentSpec> out{spec};
  for (const uint64_t seed : spec.replicate_seeds) out.push_back(replicate_spec(spec, seed));
  return out;
}

std::vector<ExperimentSpec> replicate_experiments(const ExperimentSpec& spec, const std::vector<uint64_t>& seeds) {
  if (!spec.replicate_of.empty()) {
    throw UserError("--seeds: experiment " + spec.name + " is itself a replicate (of " + spec.replicate_of + ")",
                    "run " + spec.replicate_of + "'s spec with --seeds instead");
  }
  // The experiment under its own name records the seeds that run beside it.
  const ExperimentSpec own = reparsed(spec, [&](nlohmann::json& doc) {
    std::vector<uint64_t> others;
    for (const uint64_t seed : seeds) {
      if (seed != spec.seed) others.push_back(seed);
    }
    if (others.empty()) {
      doc.erase(results::kReplicateSeedsKey);
    } else {
      doc[results::kReplicateSeedsKey] = others;
    }
  });
  std::vector<ExperimentSpec> out;
  for (const uint64_t seed : seeds) out.push_back(seed == own.seed ? own : replicate_spec(own, seed));
  return out;
}

std::vector<uint64_t> parse_seed_list(const std::string& text, const std::string& flag) {
  const std::string example = "e.g. " + flag + " 1234,1,2";
  std::vector<uint64_t> seeds;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    const bool digits = !item.empty() && std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; });
    errno = 0;
    const unsigned long long value = digits ? std::strtoull(item.c_str(), nullptr, 10) : 0;
    if (!digits || errno == ERANGE) {
      throw UserError(flag + ": \"" + printable(item) + "\" is not a seed (a whole number from 0 to 2^64 - 1)",
                      "list the seeds as whole numbers separated by commas, " + example);
    }
    if (std::find(seeds.begin(), seeds.end(), value) != seeds.end()) {
      throw UserError(flag + ": " + std::to_string(value) + " is listed twice", "list each seed once, " + example);
    }
    seeds.push_back(value);
    start = comma + 1;
  }
  return seeds;
}

std::filesystem::path replicate_work_dir(const ExperimentSpec& experiment,
                                         const std::optional<std::filesystem::path>& work_dir) {
  if (!work_dir) return default_work_dir(experiment);
  if (experiment.replicate_of.empty()) return *work_dir;
  std::filesystem::path dir = work_dir->lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();  // "DIR/"
  return dir.parent_path() / results::replicate_experiment_name(dir.filename().string(), experiment.seed);
}

}  // namespace pose::experiment
