#include "report/paper_claims.h"

#include <algorithm>
#include <cstdio>

namespace pose::report {

namespace {

std::string fixed(double v, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

}  // namespace

std::string paper_claim(const nlohmann::json& run_spec) {
  const std::string strategy = run_spec.is_object() ? run_spec.value("strategy", std::string()) : std::string();
  if (strategy == "none") {
    if (results::is_original_model(run_spec)) return "fails beyond Lc: ppl > 1000 at 4k (2.83 at Lc = 2k)";
    return "";  // interpolation without fine-tuning: the paper reports no figure
  }
  if (strategy == "full") return "ppl at Lt below the original's at Lc (2.53 at 16k vs 2.83 at 2k); 8.3x PoSE's time";
  if (strategy == "randpos") return "clearly worse than PoSE: ppl 7.73 at 16k (6.8-7.3 shorter)";
  if (strategy == "pose" || strategy == "pose-v1") {
    return "as Full-length: ppl 2.60 at 16k (vs 2.53); passkey ~100% up to Lt; 1/8 of its time";
  }
  return "";
}

std::string measured_outcome_text(const results::RunSummary& summary) {
  std::string text;
  if (summary.ppl_ratio) text = "ppl@Lt " + fixed(*summary.ppl_ratio, 2) + "x original@Lc";
  if (summary.worst_passkey) {
    if (!text.empty()) text += "; ";
    text += "passkey >= " + fixed(*summary.worst_passkey, 2) + " up to Lt";
  }
  return text;
}

std::string measured_outcome_text(const results::RunSpread& spread) {
  const auto two_decimals = [](double v) { return fixed(v, 2); };
  std::string text;
  if (const auto* ratio = spread.find(results::Headline::PplRatio)) {
    text = "ppl@Lt " + fixed(ratio->mean, 2) + "x original@Lc";
    if (ratio->n > 1) text += " (" + fixed(ratio->min, 2) + "\u2013" + fixed(ratio->max, 2) + ")";
  }
  if (const auto* passkey = spread.find(results::Headline::WorstPasskey)) {
    if (!text.empty()) text += "; ";
    text += "passkey >= " + results::mean_and_range(*passkey, two_decimals) + " up to Lt";
  }
  if (!text.empty() && spread.seeds > 1) text += "; mean of " + std::to_string(spread.seeds) + " seeds";
  return text;
}

}  // namespace pose::report
