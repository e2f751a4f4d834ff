#include "results/run_summary.h"

#include <algorithm>

#include "results/effective_length.h"
#include "results/headline.h"
#include "results/metric_names.h"

namespace pose::results {

namespace {

std::optional<double> value_of(const LastMetrics& m, const std::string& name) {
  const auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  return it->second.value;
}

// The mean a reader filled in for a series summarized by its mean; never its
// last point, which is one step's value.
std::optional<double> mean_of(const LastMetrics& m, const std::string& name) {
  const auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  return it->second.mean;
}

template <typename T>
void read_optional(const nlohmann::json& j, const char* key, std::optional<T>& out) {
  if (j.is_object() && j.contains(key) && j[key].is_number()) out = j[key].get<T>();
}

template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

}  // namespace

bool summarized_by_mean(const std::string& series) { return series == kTrainSlowestRankTokensPerS; }

bool run_trains(const nlohmann::json& spec) {
  if (!spec.is_object()) return false;
  return spec.value("strategy", std::string()) != "none" && spec.value("steps", int64_t(0)) > 0;
}

bool is_original_model(const nlohmann::json& spec) {
  if (!spec.is_object() || run_trains(spec)) return false;
  return spec.value("/rope/method"_json_pointer, std::string()) == "none";
}

int64_t experiment_lc(const nlohmann::json& experiment_spec) {
  if (!experiment_spec.is_object()) return 0;
  return experiment_spec.value("/base_model/train_len"_json_pointer, int64_t(0));
}

int64_t run_lt(const nlohmann::json& experiment_spec, const nlohmann::json& run_spec) {
  if (run_spec.is_object() && run_spec.contains("target_len")) return run_spec["target_len"].get<int64_t>();
  if (experiment_spec.is_object()) return experiment_spec.value("target_len", int64_t(0));
  return 0;
}

RunSummary summarize_run(const LastMetrics& run, const LastMetrics* original, int64_t lc, int64_t lt) {
  RunSummary s;
  s.lc = lc;
  s.lt = lt;
  if (const auto it = run.find(kTrainLoss); it != run.end()) {
    s.steps = it->second.step;
    s.final_loss = it->second.value;
  }
  s.wall_s = value_of(run, kRunWallS);
  s.tokens_per_s = value_of(run, kRunTokensPerS);
  if (const auto world = value_of(run, kRunWorldSize); world && *world >= 1) s.world_size = static_cast<int64_t>(*world);
  s.slowest_rank_tokens_per_s = mean_of(run, kTrainSlowestRankTokensPerS);
  if (lc > 0) {
    s.ppl_at_lc = value_of(run, ppl_at(lc));
    s.passkey_at_lc = value_of(run, passkey_at(lc));
  }
  if (lt > 0) {
    s.ppl_at_lt = value_of(run, ppl_at(lt));
    s.passkey_at_lt = value_of(run, passkey_at(lt));
    s.kv_at_lt = value_of(run, metric_name(EvalPhase::Final, EvalMetric::Kv, lt));
    s.ruler_at_lt = value_of(run, metric_name(EvalPhase::Final, EvalMetric::Ruler, lt));
  }
  s.attention_beyond_lc = value_of(run, metric_name(EvalPhase::Final, EvalMetric::AttentionBeyondLc));
  std::map<int64_t, double> ruler;
  for (const auto& [name, last] : run) {
    const auto parsed = parse_metric_name(name);
    if (!parsed || parsed->phase != EvalPhase::Final) continue;
    if (parsed->metric == EvalMetric::Ruler) ruler[*parsed->length] = last.value;
    if (parsed->metric == EvalMetric::Perplexity) {
      s.min_ppl = s.min_ppl ? std::min(*s.min_ppl, last.value) : last.value;
    } else if (parsed->metric == EvalMetric::Passkey && lt > 0 && *parsed->length <= lt) {
      s.worst_passkey = s.worst_passkey ? std::min(*s.worst_passkey, last.value) : last.value;
    }
  }
  if (original && lc > 0) s.original_ppl_at_lc = value_of(*original, ppl_at(lc));
  if (!ruler.empty()) {
    const auto original_ruler =
        original && lc > 0 ? value_of(*original, metric_name(EvalPhase::Final, EvalMetric::Ruler, lc)) : std::nullopt;
    // An original model that scores nothing at Lc sets no bar: RULER's own threshold then.
    const bool from_original = original_ruler && *original_ruler > 0;
    s.ruler_threshold = from_original ? *original_ruler : kRulerThreshold;
    s.ruler_threshold_source = from_original ? "original model at Lc" : "RULER (Llama-2-7B at 4K)";
    s.ruler_effective_length = effective_length(ruler, *s.ruler_threshold);
  }
  if (s.ppl_at_lt && s.original_ppl_at_lc && *s.original_ppl_at_lc > 0) {
    s.ppl_ratio = *s.ppl_at_lt / *s.original_ppl_at_lc;
  }
  return s;
}

nlohmann::json to_json(const RunSummary& s) {
  nlohmann::json j = {{"lc", s.lc},
                      {"lt", s.lt},
                      {"steps", or_null(s.steps)},
                      {"world_size", s.world_size},
                      {"slowest_rank_tokens_per_s", or_null(s.slowest_rank_tokens_per_s)},
                      {"ruler_threshold", or_null(s.ruler_threshold)},
                      {"ruler_threshold_source", s.ruler_threshold_source.empty()
                                                     ? nlohmann::json()
                                                     : nlohmann::json(s.ruler_threshold_source)}};
  // final_loss, wall_s, tokens_per_s, ppl_at_lc, ... (results/headline.h).
  write_headlines(s, j);
  return j;
}

RunSummary run_summary_from_json(const nlohmann::json& j) {
  RunSummary s;
  if (!j.is_object()) return s;
  s.lc = j.value("lc", int64_t(0));
  s.lt = j.value("lt", int64_t(0));
  read_optional(j, "steps", s.steps);
  std::optional<int64_t> world;
  read_optional(j, "world_size", world);
  if (world && *world >= 1) s.world_size = *world;
  read_optional(j, "slowest_rank_tokens_per_s", s.slowest_rank_tokens_per_s);
  read_optional(j, "ruler_threshold", s.ruler_threshold);
  if (j.contains("ruler_threshold_source") && j["ruler_threshold_source"].is_string()) {
    s.ruler_threshold_source = j["ruler_threshold_source"].get<std::string>();
  }
  read_headlines(j, s);
  return s;
}

}  // namespace pose::results
