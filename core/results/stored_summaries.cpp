#include "results/stored_summaries.h"

#include <optional>

#include "results/replicate_record.h"

namespace pose::results {

LastMetrics read_last_metrics(const store::ExperimentStore& store, int64_t run_id) {
  LastMetrics out;
  for (const auto& name : store.metric_names(run_id)) {
    const auto last = store.last_metric(run_id, name);
    if (!last) continue;
    LastValue v{last->step, last->value};
    if (summarized_by_mean(name)) {
      const auto points = store.metric_series(run_id, name);
      double sum = 0.0;
      for (const auto& p : points) sum += p.value;
      if (!points.empty()) v.mean = sum / static_cast<double>(points.size());
    }
    out[name] = v;
  }
  return out;
}

std::map<int64_t, RunSummary> summarize_experiment(const store::ExperimentStore& store,
                                                   const store::ExperimentRecord& experiment) {
  const auto runs = store.runs(experiment.id);
  std::map<int64_t, LastMetrics> metrics;
  std::optional<int64_t> original;
  for (const auto& r : runs) {
    metrics[r.id] = read_last_metrics(store, r.id);
    if (!original && r.kind == "extend" && is_original_model(r.spec)) original = r.id;
  }
  const int64_t lc = experiment_lc(experiment.spec);
  std::map<int64_t, RunSummary> out;
  for (const auto& r : runs) {
    out[r.id] = summarize_run(metrics[r.id], original ? &metrics[*original] : nullptr, lc, run_lt(experiment.spec, r.spec));
  }
  return out;
}

std::vector<SeedRuns> summarize_replicates(const store::ExperimentStore& store, const std::string& group) {
  std::vector<store::ExperimentRecord> members;
  for (const auto& e : store.experiments()) {
    if (replicate_group(e.name, e.spec) != group) continue;
    // The group's own experiment first; the store lists experiments in creation order.
    if (e.name == group) {
      members.insert(members.begin(), e);
    } else {
      members.push_back(e);
    }
  }
  std::vector<SeedRuns> out;
  for (const auto& e : members) {
    SeedRuns seed{e.name, experiment_seed(e.spec), {}};
    const auto summaries = summarize_experiment(store, e);
    for (const auto& r : store.runs(e.id)) {
      if (r.status == store::RunStatus::Done && !r.interrupted) seed.runs[r.name] = summaries.at(r.id);
    }
    out.push_back(std::move(seed));
  }
  return out;
}

}  // namespace pose::results
