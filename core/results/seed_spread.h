// The spread of a run's headline numbers over the seeds of an experiment and
// its replicates (results/replicate_record.h): per run name and per headline
// quantity (headline.h), the mean, the lowest, the highest and how many seeds
// measured it. `pose runs`, the report and the Compare workspace show this and
// nothing computed otherwise. No LibTorch and no Qt here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "results/headline.h"
#include "results/run_summary.h"

namespace pose::results {

// One experiment of a replicate group: its seed and the summaries of its
// finished runs by run name.
struct SeedRuns {
  std::string experiment;
  std::optional<uint64_t> seed;  // unknown for an experiment stored before seeds were recorded
  std::map<std::string, RunSummary> runs;
};

struct Spread {
  double mean = 0.0;
  double min = 0.0;
  double max = 0.0;
  int n = 0;  // the seeds that measured it
};

struct RunSpread {
  int seeds = 0;  // the experiments of the group that finished the run
  std::map<Headline, Spread> headlines;  // the quantities at least one seed measured
  const Spread* find(Headline h) const;
};

struct SeedSpread {
  std::vector<std::string> experiments;  // the group's, in the order given
  std::vector<uint64_t> seeds;           // the known ones, in the same order
  std::map<std::string, RunSpread> runs;  // by run name
  const RunSpread* find(const std::string& run) const;
};

SeedSpread seed_spread(const std::vector<SeedRuns>& group);

// "mean (min–max)" with each number written by `number`; the value alone when
// one seed measured it. `before_range` goes between the mean and the range
// (a line break where a table must stay narrow).
std::string mean_and_range(const Spread& spread, const std::function<std::string(double)>& number,
                           const std::string& before_range = " ");

// {"n": 3, "ppl_at_lt": {"mean": .., "min": .., "max": .., "n": 3}, ...}: the
// quantities under their summary names (headline_key).
nlohmann::json to_json(const RunSpread& spread);
// {"experiments": [..], "seeds": [..], "runs": {"<run>": to_json(RunSpread)}}.
nlohmann::json to_json(const SeedSpread& spread);
// The inverse of to_json(RunSpread) (a report's stored spread).
RunSpread run_spread_from_json(const nlohmann::json& j);

}  // namespace pose::results
