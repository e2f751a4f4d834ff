#include "experiment/eval_suite.h"

#include <algorithm>

#include "common/error.h"
#include "common/suggest.h"
#include "experiment/suite_plan_json.h"

namespace pose::experiment {

std::optional<nlohmann::json> EvalSuite::planned(const EvaluationPlan& plan) const {
  const auto it = plan.suites.find(info().name);
  if (it == plan.suites.end()) return std::nullopt;
  return it->second;
}

nlohmann::json EvalSuite::read_plan(const nlohmann::json&, const std::string& path, const SuitePlanContext&) const {
  throw UserError(path + ": the " + info().name + " suite has no plan of its own in a spec",
                  "remove it from the evaluation plan");
}

double EvalSuite::forward_flops(const nlohmann::json&, const model::ModelConfig&) const { return 0.0; }

const std::vector<const EvalSuite*>& eval_suites() {
  // The registry: the order is the order in which a run's evaluations run.
  static const std::vector<const EvalSuite*> suites = {&perplexity_suite(), &passkey_suite(), &kv_suite(),
                                                       &probe_suite(),      &attention_suite(), &ruler_suite()};
  return suites;
}

const EvalSuite* find_eval_suite(const std::string& name) {
  for (const auto* s : eval_suites()) {
    if (s->info().name == name) return s;
  }
  return nullptr;
}

const EvalSuite& eval_suite(const std::string& name) {
  if (const auto* s = find_eval_suite(name)) return *s;
  std::vector<std::string> names;
  std::string list;
  for (const auto* s : eval_suites()) {
    names.push_back(s->info().name);
    list += (list.empty() ? "" : ", ") + s->info().name;
  }
  const auto near = closest_match(name, names);
  throw UserError("unknown evaluation suite '" + name + "'",
                  (near.empty() ? std::string() : "did you mean " + near + "? ") + "suites: " + list);
}

std::vector<int64_t> default_eval_lengths(int64_t original_window, int64_t longest) {
  const int64_t top = std::max(2 * original_window, longest);
  std::vector<int64_t> out;
  for (int64_t L = std::max<int64_t>(2, original_window / 2); L <= top; L *= 2) out.push_back(L);
  return out;
}

}  // namespace pose::experiment
