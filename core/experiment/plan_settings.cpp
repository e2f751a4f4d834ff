#include "experiment/plan_settings.h"

namespace pose::experiment {

eval::PerplexitySettings perplexity_settings(const PerplexityPlan& p, int32_t bos_id) {
  eval::PerplexitySettings s;
  s.lengths = p.lengths;
  s.stride = p.stride;
  s.max_documents = p.max_documents;
  s.max_tokens = p.max_tokens;
  s.bos_id = bos_id;
  return s;
}

eval::RetrievalSettings retrieval_settings(const PasskeyPlan& p) {
  eval::RetrievalSettings s;
  s.lengths = p.lengths;
  s.depths = p.depths;
  s.trials = p.trials;
  s.seed = p.seed;
  return s;
}

}  // namespace pose::experiment
