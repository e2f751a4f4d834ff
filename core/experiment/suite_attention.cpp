// Suite "attention": attention mass by distance on held-out sequences
// (eval/attention_distance.h), and its headline, the mass beyond Lc.
#include <algorithm>

#include "eval/attention_distance.h"
#include "experiment/suite_plan_json.h"

namespace pose::experiment {

namespace {

using nlohmann::json;

class AttentionSuite : public EvalSuite {
 public:
  const SuiteInfo& info() const override {
    static const SuiteInfo i{"attention", "attention", "attention mass against distance (mean over layers and heads)",
                             true, SpecPlan::Typed};
    return i;
  }

  std::optional<json> planned(const EvaluationPlan& plan) const override {
    if (!plan.attention) return std::nullopt;
    const auto& p = *plan.attention;
    return json{{"length", p.length}, {"sequences", p.sequences}, {"split", p.split}};
  }

  json request_plan(const json& overrides, const json& own, const SuiteInputs& in) const override {
    // The longest length asked for, else the run's own, else Lt (run()).
    int64_t length = pick_setting(overrides, json(), "length", int64_t(0));
    if (length == 0 && overrides.is_object() && overrides.contains("lengths")) {
      const auto lengths = overrides["lengths"].get<std::vector<int64_t>>();
      if (!lengths.empty()) length = *std::max_element(lengths.begin(), lengths.end());
    }
    if (length == 0) length = pick_setting(json(), own, "length", int64_t(0));
    if (length == 0 && !in.default_lengths.empty()) {
      length = *std::max_element(in.default_lengths.begin(), in.default_lengths.end());
    }
    return {{"length", length},
            {"sequences", pick_setting(overrides, json(), "sequences", int64_t(4))},
            {"split", pick_setting(overrides, json(), "split", std::string("test"))}};
  }

  SuiteResult run(model::LlamaForCausalLM& model, const json& plan, const SuiteInputs& in,
                  results::EvalPhase phase) const override {
    eval::AttentionDistanceSettings s;
    const int64_t length = plan.value("length", int64_t(0));
    s.length = length > 0 ? length : in.target_len;
    s.sequences = plan.value("sequences", int64_t(4));
    s.original_window = in.original_window;
    s.bos_id = in.tokenizer->bos_id();
    const std::string split = plan.value("split", std::string("test"));
    const auto result = eval::evaluate_attention_distance(model, in.documents(split), s, in.progress);
    SuiteResult out;
    out.settings = eval::to_json(s);
    out.settings["split"] = split;
    out.settings["documents"] = in.documents_source(split);
    out.results = eval::to_json(result);
    out.headline.emplace_back(results::metric_name(phase, results::EvalMetric::AttentionBeyondLc),
                              result.mean_beyond_window);
    return out;
  }
};

}  // namespace

const EvalSuite& attention_suite() {
  static const AttentionSuite suite;
  return suite;
}

}  // namespace pose::experiment
