#include "report/paper_claims.h"

#include <algorithm>
#include <cstdio>

#include "report/paper_results.h"

namespace pose::report {

namespace {

std::string fixed(double v, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

}  // namespace

std::string paper_claim(const nlohmann::json& run_spec) {
  const auto* published = published_result_for(run_spec);
  return published ? published->claim + " [" + published->source + "]" : std::string();
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
