#include "results/metric_names.h"

#include <array>
#include <charconv>
#include <stdexcept>

namespace pose::results {

namespace {

struct MetricEntry {
  EvalMetric metric;
  std::string_view word;
  bool per_length;
};

// The one table of evaluation metric words.
constexpr std::array<MetricEntry, 7> kMetrics = {{
    {EvalMetric::Perplexity, "ppl", true},
    {EvalMetric::Passkey, "passkey", true},
    {EvalMetric::Kv, "kv", true},
    {EvalMetric::Ruler, "ruler", true},
    {EvalMetric::PasskeyMean, "passkey", false},
    {EvalMetric::AttentionBeyondLc, "attention_beyond_lc", false},
    {EvalMetric::WallS, "wall_s", false},
}};

const MetricEntry& entry(EvalMetric metric) {
  for (const auto& e : kMetrics) {
    if (e.metric == metric) return e;
  }
  throw std::invalid_argument("results: unknown evaluation metric");
}

}  // namespace

bool per_length(EvalMetric metric) { return entry(metric).per_length; }

std::string_view metric_word(EvalMetric metric) { return entry(metric).word; }

std::string_view phase_prefix(EvalPhase phase) { return phase == EvalPhase::Final ? "eval/" : "periodic/"; }

std::string metric_name(EvalPhase phase, EvalMetric metric, std::optional<int64_t> length) {
  const auto& e = entry(metric);
  if (e.per_length != length.has_value()) {
    throw std::invalid_argument("results: metric " + std::string(e.word) +
                                (e.per_length ? " needs a context length" : " takes no context length"));
  }
  std::string name(phase_prefix(phase));
  name += e.word;
  if (length) name += "@" + std::to_string(*length);
  return name;
}

std::string metric_name(const MetricName& name) { return metric_name(name.phase, name.metric, name.length); }

std::optional<MetricName> parse_metric_name(std::string_view name) {
  MetricName out;
  bool matched_phase = false;
  for (const auto phase : {EvalPhase::Final, EvalPhase::Periodic}) {
    const auto prefix = phase_prefix(phase);
    if (name.substr(0, prefix.size()) == prefix) {
      out.phase = phase;
      name.remove_prefix(prefix.size());
      matched_phase = true;
      break;
    }
  }
  if (!matched_phase) return std::nullopt;
  const auto at = name.find('@');
  const std::string_view word = name.substr(0, at);
  if (at != std::string_view::npos) {
    const std::string_view digits = name.substr(at + 1);
    int64_t length = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || length <= 0) return std::nullopt;
    out.length = length;
  }
  for (const auto& e : kMetrics) {
    if (e.word == word && e.per_length == out.length.has_value()) {
      out.metric = e.metric;
      return out;
    }
  }
  return std::nullopt;
}

std::string ppl_at(int64_t length, EvalPhase phase) { return metric_name(phase, EvalMetric::Perplexity, length); }

std::string passkey_at(int64_t length, EvalPhase phase) { return metric_name(phase, EvalMetric::Passkey, length); }

EvalMetric retrieval_metric(std::string_view format_name) {
  if (format_name == "passkey") return EvalMetric::Passkey;
  if (format_name == "kv") return EvalMetric::Kv;
  throw std::invalid_argument("results: no metric for the retrieval format '" + std::string(format_name) + "'");
}

}  // namespace pose::results
