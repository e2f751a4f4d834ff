// Suites "passkey" and "kv": the retrieval grid (eval/retrieval_grid.h) with
// the passkey prompt or the key-value prompt; lengths × depths × trials.
#include "eval/kv_retrieval.h"
#include "eval/passkey_eval.h"
#include "eval/retrieval_grid.h"
#include "experiment/suite_plan_json.h"

namespace pose::experiment {

namespace {

using nlohmann::json;

class RetrievalSuite : public EvalSuite {
 public:
  RetrievalSuite(SuiteInfo info, std::optional<PasskeyPlan> EvaluationPlan::*member,
                 eval::RetrievalFormat (*format)(const text::Tokenizer&))
      : info_(std::move(info)), member_(member), format_(format) {}

  const SuiteInfo& info() const override { return info_; }

  std::optional<json> planned(const EvaluationPlan& plan) const override {
    const auto& p = plan.*member_;
    if (!p) return std::nullopt;
    return json{{"lengths", p->lengths}, {"depths", p->depths}, {"trials", p->trials}, {"seed", p->seed}};
  }

  json request_plan(const json& overrides, const json& own, const SuiteInputs& in) const override {
    return {{"lengths", pick_setting(overrides, own, "lengths", in.default_lengths)},
            {"depths", pick_setting(overrides, own, "depths", std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0})},
            {"trials", pick_setting(overrides, own, "trials", int64_t(4))},
            {"seed", pick_setting(overrides, own, "seed", uint64_t(0))},
            {"generate", pick_setting(overrides, json(), "generate", false)}};
  }

  SuiteResult run(model::LlamaForCausalLM& model, const json& plan, const SuiteInputs& in,
                  results::EvalPhase phase) const override {
    eval::RetrievalSettings s;
    s.lengths = plan.at("lengths").get<std::vector<int64_t>>();
    s.depths = plan.at("depths").get<std::vector<double>>();
    s.trials = plan.value("trials", int64_t(8));
    s.seed = plan.value("seed", uint64_t(0));
    s.generate = plan.value("generate", false);
    const auto format = format_(*in.tokenizer);
    eval::ModelPredictor predictor(model);
    const auto cells = eval::evaluate_retrieval(predictor, *in.tokenizer, format, s, in.progress, in.share);
    SuiteResult out;
    out.settings = eval::to_json(s, format);
    out.results = eval::to_json(cells);
    const auto metric = results::retrieval_metric(format.name);
    for (const auto L : s.lengths) {
      out.headline.emplace_back(results::metric_name(phase, metric, L), eval::mean_accuracy_at(cells, L));
    }
    return out;
  }

 private:
  SuiteInfo info_;
  std::optional<PasskeyPlan> EvaluationPlan::*member_;
  eval::RetrievalFormat (*format_)(const text::Tokenizer&);
};

}  // namespace

const EvalSuite& passkey_suite() {
  static const RetrievalSuite suite({"passkey", "passkey", "passkey retrieval over lengths x depths", false, SpecPlan::Typed, true},
                                    &EvaluationPlan::passkey, &eval::passkey_format);
  return suite;
}

const EvalSuite& kv_suite() {
  static const RetrievalSuite suite({"kv", "kv", "key-value retrieval over lengths x depths", false, SpecPlan::Typed, true},
                                    &EvaluationPlan::kv, &eval::kv_retrieval_format);
  return suite;
}

}  // namespace pose::experiment
