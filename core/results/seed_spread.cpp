#include "results/seed_spread.h"

#include <algorithm>

namespace pose::results {

const Spread* RunSpread::find(Headline h) const {
  const auto it = headlines.find(h);
  return it == headlines.end() ? nullptr : &it->second;
}

const RunSpread* SeedSpread::find(const std::string& run) const {
  const auto it = runs.find(run);
  return it == runs.end() ? nullptr : &it->second;
}

SeedSpread seed_spread(const std::vector<SeedRuns>& group) {
  SeedSpread out;
  // Sums per run and quantity, then divided once.
  std::map<std::string, std::map<Headline, double>> sums;
  for (const auto& e : group) {
    out.experiments.push_back(e.experiment);
    if (e.seed) out.seeds.push_back(*e.seed);
    for (const auto& [name, summary] : e.runs) {
      RunSpread& run = out.runs[name];
      ++run.seeds;
      for (const Headline h : headlines()) {
        const auto v = headline_value(summary, h);
        if (!v) continue;
        Spread& s = run.headlines[h];
        s.min = s.n == 0 ? *v : std::min(s.min, *v);
        s.max = s.n == 0 ? *v : std::max(s.max, *v);
        ++s.n;
        sums[name][h] += *v;
      }
    }
  }
  for (auto& [name, run] : out.runs) {
    for (auto& [h, s] : run.headlines) s.mean = sums[name][h] / static_cast<double>(s.n);
  }
  return out;
}

std::string mean_and_range(const Spread& spread, const std::function<std::string(double)>& number,
                           const std::string& before_range) {
  if (spread.n <= 1) return number(spread.mean);
  return number(spread.mean) + before_range + "(" + number(spread.min) + "\u2013" + number(spread.max) + ")";
}

nlohmann::json to_json(const RunSpread& spread) {
  nlohmann::json j = {{"n", spread.seeds}};
  for (const auto& [h, s] : spread.headlines) {
    j[std::string(headline_key(h))] = {{"mean", s.mean}, {"min", s.min}, {"max", s.max}, {"n", s.n}};
  }
  return j;
}

nlohmann::json to_json(const SeedSpread& spread) {
  nlohmann::json runs = nlohmann::json::object();
  for (const auto& [name, run] : spread.runs) runs[name] = to_json(run);
  return {{"experiments", spread.experiments}, {"seeds", spread.seeds}, {"runs", runs}};
}

RunSpread run_spread_from_json(const nlohmann::json& j) {
  RunSpread out;
  if (!j.is_object()) return out;
  out.seeds = j.value("n", 0);
  for (const Headline h : headlines()) {
    const auto it = j.find(std::string(headline_key(h)));
    if (it == j.end() || !it->is_object()) continue;
    Spread s;
    s.mean = it->value("mean", 0.0);
    s.min = it->value("min", 0.0);
    s.max = it->value("max", 0.0);
    s.n = it->value("n", 0);
    if (s.n > 0) out.headlines[h] = s;
  }
  return out;
}

}  // namespace pose::results
