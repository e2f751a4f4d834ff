#include "report/paper_claims.h"

#include <algorithm>
#include <cstdio>

namespace pose::report {

namespace {

std::optional<double> value_of(const MetricValues& m, const std::string& name) {
  const auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

std::string fixed(double v, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

}  // namespace

bool is_original_model(const std::string& strategy, const std::string& rope_method) {
  return strategy == "none" && rope_method == "none";
}

std::string paper_claim(const std::string& strategy, const std::string& rope_method) {
  if (strategy == "none") {
    if (is_original_model(strategy, rope_method)) return "fails beyond Lc: ppl > 1000 at 4k (2.83 at Lc = 2k)";
    return "";  // interpolation without fine-tuning: the paper reports no figure
  }
  if (strategy == "full") return "ppl at Lt below the original's at Lc (2.53 at 16k vs 2.83 at 2k); 8.3x PoSE's time";
  if (strategy == "randpos") return "clearly worse than PoSE: ppl 7.73 at 16k (6.8-7.3 shorter)";
  if (strategy == "pose" || strategy == "pose-v1") {
    return "as Full-length: ppl 2.60 at 16k (vs 2.53); passkey ~100% up to Lt; 1/8 of its time";
  }
  return "";
}

MeasuredOutcome measured_outcome(const MetricValues& run, const MetricValues* original, std::int64_t lc,
                                 std::int64_t lt) {
  MeasuredOutcome out;
  const auto ppl_lt = value_of(run, "eval/ppl@" + std::to_string(lt));
  const auto base_lc = original ? value_of(*original, "eval/ppl@" + std::to_string(lc)) : std::nullopt;
  if (ppl_lt && base_lc && *base_lc > 0) out.ppl_ratio = *ppl_lt / *base_lc;
  const std::string prefix = "eval/passkey@";
  for (const auto& [name, value] : run) {
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string length = name.substr(prefix.size());
    if (length.empty() || length.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::stoll(length) > lt) continue;
    out.worst_passkey = out.worst_passkey ? std::min(*out.worst_passkey, value) : value;
  }
  std::string text;
  if (out.ppl_ratio) text = "ppl@Lt " + fixed(*out.ppl_ratio, 2) + "x original@Lc";
  if (out.worst_passkey) {
    if (!text.empty()) text += "; ";
    text += "passkey >= " + fixed(*out.worst_passkey, 2) + " up to Lt";
  }
  out.text = text;
  return out;
}

}  // namespace pose::report
