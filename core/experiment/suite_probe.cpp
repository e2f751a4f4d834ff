// Suite "probe": the user's own long document, a question and the expected
// answer at each length (eval/probe.h). `pose eval` only: its document is given
// on the command line, not in a spec.
#include "common/error.h"
#include "eval/probe.h"
#include "experiment/suite_plan_json.h"

namespace pose::experiment {

namespace {

using nlohmann::json;

class ProbeSuite : public EvalSuite {
 public:
  const SuiteInfo& info() const override {
    static const SuiteInfo i{"probe", "probe",
                             "your document + question + expected answer at each length (greedy answer)", false,
                             SpecPlan::None};
    return i;
  }

  json request_plan(const json& overrides, const json&, const SuiteInputs& in) const override {
    if (!overrides.is_object() || !overrides.contains("probe")) {
      throw UserError("suite probe needs a document, a question and the expected answer",
                      "give --probe-document FILE --probe-question TEXT --probe-answer TEXT");
    }
    json plan = overrides["probe"];
    plan["lengths"] = pick_setting(overrides, json(), "lengths", in.default_lengths);
    return plan;
  }

  SuiteResult run(model::LlamaForCausalLM& model, const json& plan, const SuiteInputs& in,
                  results::EvalPhase) const override {
    eval::ProbeSettings s;
    s.document = plan.at("document").get<std::string>();
    s.question = plan.at("question").get<std::string>();
    s.answer = plan.at("answer").get<std::string>();
    s.lengths = plan.at("lengths").get<std::vector<int64_t>>();
    s.max_new_tokens = plan.value("max_new_tokens", s.max_new_tokens);
    s.source = plan.value("source", std::string());
    eval::ModelPredictor predictor(model);
    SuiteResult out;
    out.results = eval::to_json(eval::evaluate_probe(predictor, *in.tokenizer, s, in.progress));
    out.settings = eval::to_json(s);
    return out;  // no headline: a probe is read as its table
  }
};

}  // namespace

const EvalSuite& probe_suite() {
  static const ProbeSuite suite;
  return suite;
}

}  // namespace pose::experiment
