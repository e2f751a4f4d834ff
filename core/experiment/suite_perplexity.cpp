// Suite "ppl": sliding-window perplexity against context length (eval/perplexity.h).
#include "eval/perplexity.h"
#include "experiment/suite_plan_json.h"

namespace pose::experiment {

namespace {

using nlohmann::json;

class PerplexitySuite : public EvalSuite {
 public:
  const SuiteInfo& info() const override {
    static const SuiteInfo i{"ppl", "perplexity", "sliding-window perplexity on held-out text at each length", true,
                             SpecPlan::Typed, true};
    return i;
  }

  std::optional<json> planned(const EvaluationPlan& plan) const override {
    if (!plan.perplexity) return std::nullopt;
    const auto& p = *plan.perplexity;
    return json{{"lengths", p.lengths},
                {"stride", p.stride},
                {"split", p.split},
                {"max_documents", p.max_documents},
                {"max_tokens", p.max_tokens}};
  }

  json request_plan(const json& overrides, const json& own, const SuiteInputs& in) const override {
    return {{"lengths", pick_setting(overrides, own, "lengths", in.default_lengths)},
            {"stride", pick_setting(overrides, own, "stride", int64_t(0))},
            {"split", pick_setting(overrides, json(), "split", std::string("test"))},
            {"max_documents", pick_setting(overrides, own, "max_documents", int64_t(0))},
            // Bounds the time of an evaluation nobody planned.
            {"max_tokens", pick_setting(overrides, own, "max_tokens", own.is_object() ? int64_t(0) : int64_t(16384))},
            {"truncate", pick_setting(overrides, json(), "truncate", false)},
            {"min_document_tokens", pick_setting(overrides, json(), "min_document_tokens", int64_t(0))}};
  }

  SuiteResult run(model::LlamaForCausalLM& model, const json& plan, const SuiteInputs& in,
                  results::EvalPhase phase) const override {
    eval::PerplexitySettings s;
    s.lengths = plan.at("lengths").get<std::vector<int64_t>>();
    s.stride = plan.value("stride", int64_t(0));
    s.max_documents = plan.value("max_documents", int64_t(0));
    s.max_tokens = plan.value("max_tokens", int64_t(0));
    s.truncate = plan.value("truncate", false);
    s.min_document_tokens = plan.value("min_document_tokens", int64_t(0));
    s.bos_id = in.tokenizer->bos_id();
    const std::string split = plan.value("split", std::string("test"));
    const auto points = eval::evaluate_perplexity(model, in.documents(split), s, in.progress, in.share);
    SuiteResult out;
    out.settings = eval::to_json(s);
    out.settings["split"] = split;
    out.settings["documents"] = in.documents_source(split);
    out.results = eval::to_json(points);
    for (const auto& p : points) out.headline.emplace_back(results::ppl_at(p.length, phase), p.perplexity);
    return out;
  }
};

}  // namespace

const EvalSuite& perplexity_suite() {
  static const PerplexitySuite suite;
  return suite;
}

}  // namespace pose::experiment
