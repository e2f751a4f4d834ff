#include "positions/positions_json.h"

#include "common/error.h"

namespace pose::positions {

nlohmann::json to_json(const Design& d) {
  return {{"strategy", strategy_name(d.strategy)},
          {"train_len", d.train_len},
          {"target_len", d.target_len},
          {"chunks", d.chunks},
          {"text_skip", text_skip_name(d.text_skip)}};
}

Design design_from_json(const nlohmann::json& j) {
  Design d;
  try {
    d.strategy = parse_strategy(j.at("strategy").get<std::string>());
    d.train_len = j.at("train_len").get<std::int64_t>();
    d.target_len = j.at("target_len").get<std::int64_t>();
    if (j.contains("chunks")) d.chunks = j.at("chunks").get<int>();
    if (j.contains("text_skip")) d.text_skip = parse_text_skip(j.at("text_skip").get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw UserError(std::string("position design: ") + e.what(),
                    "give strategy, train_len and target_len (chunks and text_skip are optional)");
  }
  validate(d);
  return d;
}

nlohmann::json to_json(const Sample& s) {
  nlohmann::json ranges = nlohmann::json::array();
  for (const auto& r : s.text_ranges) ranges.push_back({r.begin, r.end});
  nlohmann::json j = {{"index", s.index},
                      {"status", status_name(s.status)},
                      {"window", s.window},
                      {"position_ids", s.position_ids},
                      {"chunk_lengths", s.chunk_lengths},
                      {"position_skips", s.position_skips},
                      {"text_skips", s.text_skips},
                      {"text_ranges", ranges}};
  if (!s.reason.empty()) j["reason"] = s.reason;
  return j;
}

nlohmann::json to_json(const CoverageCurve& c) {
  nlohmann::json j = {{"design", to_json(c.design)},
                      {"method", method_name(c.method)},
                      {"coverage", c.coverage},
                      {"expected_pairs", c.expected_pairs}};
  if (c.method == CoverageMethod::MonteCarlo) {
    j["samples"] = c.samples;
    j["seed"] = c.seed;
    j["std_error"] = c.std_error;
    j["wilson95_lower"] = c.lower;
    j["wilson95_upper"] = c.upper;
    if (!c.expected_pairs_std_error.empty()) j["expected_pairs_std_error"] = c.expected_pairs_std_error;
  }
  return j;
}

}  // namespace pose::positions
