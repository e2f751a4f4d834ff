// Run summaries (run_summary.h) read from an experiment store: every reader
// that shows a run's headline numbers (`pose runs`, the report, the
// workbench) gets them here, with the original model found the same way.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "results/run_summary.h"
#include "results/seed_spread.h"
#include "store/experiment_store.h"

namespace pose::results {

// The last point of every series of the run, and the mean of those the summary
// reads as their mean (summarized_by_mean).
LastMetrics read_last_metrics(const store::ExperimentStore& store, int64_t run_id);

// Every run of the experiment by run id; the original model is its first
// extension run that neither fine-tunes nor rescales RoPE.
std::map<int64_t, RunSummary> summarize_experiment(const store::ExperimentStore& store,
                                                   const store::ExperimentRecord& experiment);

// The experiments of a replicate group (results/replicate_record.h) in the
// store: `group` itself when stored, then every experiment recorded as its
// replicate, in the order they were created; each with the summaries of its
// runs that are done (a failed, cancelled or unfinished run measured nothing
// to average). Empty when the store has none of them.
std::vector<SeedRuns> summarize_replicates(const store::ExperimentStore& store, const std::string& group);

}  // namespace pose::results
