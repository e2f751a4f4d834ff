// Suite "ruler": RULER's synthetic tasks (eval/ruler_tasks.h, eval/ruler_eval.h)
// over lengths × depths × trials; its headline is the average score over the
// tasks at each length, from which a run's effective length is read
// (results/run_summary.h). Its plan lives in the spec as evaluation.ruler:
//   {"lengths": [...], "tasks": ["niah_single_1", ...] (default: all),
//    "depths": [...], "trials": N, "seed": S, "split": "test", "max_new_tokens": N}
#include "common/error.h"
#include "eval/ruler_eval.h"
#include "eval/ruler_tasks.h"
#include "experiment/periodic_eval.h"
#include "experiment/spec_fields.h"
#include "experiment/suite_plan_json.h"

namespace pose::experiment {

namespace {

using nlohmann::json;

constexpr int64_t kDefaultTrials = 4;
const std::vector<double>& default_depths() {
  static const std::vector<double> depths = {0.1, 0.5, 0.9};
  return depths;
}

std::vector<std::string> all_tasks() {
  std::vector<std::string> names;
  for (const auto& t : eval::ruler_tasks()) names.push_back(t.name);
  return names;
}

class RulerSuite : public EvalSuite {
 public:
  const SuiteInfo& info() const override {
    static const SuiteInfo i{"ruler", "ruler",
                             "RULER's synthetic tasks (needles, variable tracking, word extraction); effective length",
                             true, SpecPlan::Own, true};
    return i;
  }

  json read_plan(const json& value, const std::string& path, const SuitePlanContext& context) const override {
    require_object(value, path);
    reject_unknown_keys(value, path, {"lengths", "tasks", "depths", "trials", "seed", "split", "max_new_tokens"});
    json plan = {{"tasks", all_tasks()}, {"depths", default_depths()}, {"trials", kDefaultTrials},
                 {"seed", context.seed}, {"split", "test"}};
    const auto lengths_path = child_path(path, "lengths");
    if (!value.contains("lengths")) fail(lengths_path, "missing", "list the context lengths to evaluate, e.g. [256, 512]");
    require_array(value["lengths"], lengths_path);
    if (value["lengths"].empty()) fail(lengths_path, "is empty", "list at least one context length");
    std::vector<int64_t> lengths;
    for (std::size_t i = 0; i < value["lengths"].size(); ++i) {
      const auto p = item_path(lengths_path, i);
      const int64_t L = read_whole(value["lengths"][i], p);
      require_at_least(L, 2, p);
      if (!lengths.empty() && L <= lengths.back()) {
        fail(p, std::to_string(L) + " is not above the previous length " + std::to_string(lengths.back()),
             "list the lengths in increasing order, each once");
      }
      lengths.push_back(L);
    }
    plan["lengths"] = lengths;
    if (value.contains("tasks")) {
      const auto p = child_path(path, "tasks");
      require_array(value["tasks"], p);
      if (value["tasks"].empty()) fail(p, "is empty", "list at least one task, or leave tasks out for all of them");
      std::vector<std::string> tasks;
      for (std::size_t i = 0; i < value["tasks"].size(); ++i) {
        tasks.push_back(read_choice(value["tasks"][i], item_path(p, i), all_tasks(), "RULER task"));
      }
      plan["tasks"] = tasks;
    }
    if (value.contains("depths")) {
      const auto p = child_path(path, "depths");
      require_array(value["depths"], p);
      if (value["depths"].empty()) fail(p, "is empty", "list at least one depth in [0, 1], e.g. [0.5]");
      std::vector<double> depths;
      for (std::size_t i = 0; i < value["depths"].size(); ++i) {
        const double d = read_number(value["depths"][i], item_path(p, i));
        require_within(d, 0.0, 1.0, false, item_path(p, i));
        depths.push_back(d);
      }
      plan["depths"] = depths;
    }
    if (value.contains("trials")) {
      const int64_t trials = read_whole(value["trials"], child_path(path, "trials"));
      require_at_least(trials, 1, child_path(path, "trials"));
      plan["trials"] = trials;
    }
    if (value.contains("seed")) plan["seed"] = read_unsigned(value["seed"], child_path(path, "seed"));
    if (value.contains("split")) {
      const auto p = child_path(path, "split");
      const auto split = read_choice(value["split"], p, {"validation", "test"}, "split");
      if (context.corpus &&
          (split == "test" ? context.corpus->test_documents : context.corpus->validation_documents) == 0) {
        fail(p, "the " + split + " split has no documents",
             "set data.corpus." + split + "_documents to 1 or more, or evaluate on the other split");
      }
      plan["split"] = split;
    }
    if (value.contains("max_new_tokens")) {
      const int64_t n = read_whole(value["max_new_tokens"], child_path(path, "max_new_tokens"));
      require_at_least(n, 1, child_path(path, "max_new_tokens"));
      plan["max_new_tokens"] = n;
    }
    return plan;
  }

  json request_plan(const json& overrides, const json& own, const SuiteInputs& in) const override {
    json plan = {{"lengths", pick_setting(overrides, own, "lengths", in.default_lengths)},
                 {"tasks", pick_setting(overrides, own, "tasks", all_tasks())},
                 {"depths", pick_setting(overrides, own, "depths", default_depths())},
                 {"trials", pick_setting(overrides, own, "trials", kDefaultTrials)},
                 {"seed", pick_setting(overrides, own, "seed", uint64_t(0))},
                 {"split", pick_setting(overrides, json(), "split", std::string("test"))}};
    if (const auto n = pick_setting(overrides, own, "max_new_tokens", int64_t(0)); n > 0) plan["max_new_tokens"] = n;
    return plan;
  }

  // Each sample: its prompt of L tokens, then up to the task's budget of
  // generated tokens, every token attending to at most L + budget others.
  double forward_flops(const json& plan, const model::ModelConfig& config) const override {
    const auto tasks = plan.at("tasks").get<std::vector<std::string>>();
    const double samples_per_task =
        static_cast<double>(plan.at("depths").size()) * static_cast<double>(plan.value("trials", kDefaultTrials));
    double flops = 0.0;
    for (const auto L : plan.at("lengths").get<std::vector<int64_t>>()) {
      for (const auto& name : tasks) {
        const int64_t budget = plan.contains("max_new_tokens") ? plan["max_new_tokens"].get<int64_t>()
                                                               : eval::ruler_task(name).max_new_tokens;
        const double tokens = static_cast<double>(L + budget);
        flops += samples_per_task * tokens * forward_flops_per_token(config, tokens);
      }
    }
    return flops;
  }

  SuiteResult run(model::LlamaForCausalLM& model, const json& plan, const SuiteInputs& in,
                  results::EvalPhase phase) const override {
    eval::RulerSettings s;
    s.tasks = plan.at("tasks").get<std::vector<std::string>>();
    s.lengths = plan.at("lengths").get<std::vector<int64_t>>();
    s.depths = plan.at("depths").get<std::vector<double>>();
    s.trials = plan.value("trials", kDefaultTrials);
    s.seed = plan.value("seed", uint64_t(0));
    if (plan.contains("max_new_tokens")) s.max_new_tokens = plan["max_new_tokens"].get<int64_t>();
    const std::string split = plan.value("split", std::string("test"));
    eval::ModelPredictor predictor(model);
    const auto result = eval::evaluate_ruler(predictor, *in.tokenizer, in.documents(split), s, in.progress, in.share);
    SuiteResult out;
    out.settings = eval::to_json(s);
    out.settings["split"] = split;
    out.settings["documents"] = in.documents_source(split);
    out.results = eval::to_json(result);
    for (const auto L : s.lengths) {
      if (const auto avg = result.average(L)) {
        out.headline.emplace_back(results::metric_name(phase, results::EvalMetric::Ruler, L), *avg);
      }
    }
    return out;
  }
};

}  // namespace

const EvalSuite& ruler_suite() {
  static const RulerSuite suite;
  return suite;
}

}  // namespace pose::experiment
