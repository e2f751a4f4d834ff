// The evaluation engine's settings for the spec's evaluation plans: one
// translation, used by the final evaluation of a run and by the periodic
// evaluations while it trains, so the two measure the same way.
#pragma once

#include <cstdint>

#include "eval/perplexity.h"
#include "eval/retrieval_grid.h"
#include "experiment/experiment_spec.h"

namespace pose::experiment {

eval::PerplexitySettings perplexity_settings(const PerplexityPlan& plan, int32_t bos_id);
eval::RetrievalSettings retrieval_settings(const PasskeyPlan& plan);

}  // namespace pose::experiment
