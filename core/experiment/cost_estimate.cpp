#include "experiment/cost_estimate.h"

#include "experiment/periodic_eval.h"

namespace pose::experiment {

TrainingCost estimate_training_cost(const model::ModelConfig& c, int64_t train_len, int64_t batch_size,
                                    int64_t grad_accum, const CostOptions& o) {
  TrainingCost t;
  t.parameters = c.parameter_count();
  t.train_len = train_len;
  t.tokens_per_step = batch_size * grad_accum * train_len;
  const double L = static_cast<double>(train_len);
  t.flops_per_step = 3.0 * static_cast<double>(t.tokens_per_step) * forward_flops_per_token(c, L);

  const double p = static_cast<double>(t.parameters);
  t.memory.weights = 4.0 * p;
  t.memory.gradients = 4.0 * p;
  t.memory.optimizer = 8.0 * p;  // AdamW: first and second moments
  const double h = static_cast<double>(c.hidden_size);
  const double kv = static_cast<double>(c.num_key_value_heads * c.head_dim);
  const double inter = static_cast<double>(c.intermediate_size);
  double per_token_layer = 10.0 * h + 3.0 * kv + 4.0 * inter;
  if (o.materialized_attention) per_token_layer += 2.0 * static_cast<double>(c.num_attention_heads) * L;
  const double per_token = per_token_layer * static_cast<double>(c.num_hidden_layers) + static_cast<double>(c.vocab_size);
  const double element = o.bf16 ? 2.0 : 4.0;
  t.memory.activations = element * per_token * static_cast<double>(batch_size * train_len);
  if (o.flops_per_second > 0) t.seconds_per_step = t.flops_per_step / o.flops_per_second;
  return t;
}

DesignCost estimate_design_cost(const ExperimentSpec& spec, const ExtendRunSpec& run, const model::ModelConfig& base,
                                const CostOptions& o, int64_t held_out_tokens) {
  DesignCost d;
  const auto& t = run.training;
  d.steps = run.fine_tunes() ? t.steps : 0;
  d.design = estimate_training_cost(base, run.train_len, t.batch_size, t.grad_accum, o);
  d.full_length = estimate_training_cost(base, run.target_len, t.batch_size, t.grad_accum, o);
  if (spec.evaluation.periodic && run.fine_tunes()) {
    const auto plan = resolve_periodic_plan(*spec.evaluation.periodic, spec.base_model.train_len, run.target_len);
    d.periodic_share = estimate_periodic_cost(plan, base, run, held_out_tokens).share();
  }
  return d;
}

double achieved_flops_per_second(const model::ModelConfig& config, int64_t train_len, double tokens_per_second) {
  return 3.0 * tokens_per_second * forward_flops_per_token(config, static_cast<double>(train_len));
}

}  // namespace pose::experiment
