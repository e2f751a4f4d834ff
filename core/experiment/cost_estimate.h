// What an extension run will cost, before it runs: parameters, compute per
// optimizer step, memory for weights, gradients, AdamW state and activations
// at the run's training length, the share of periodic evaluation, and — given
// a throughput — the time per step; beside it the same for Full-length
// fine-tuning at Lt with the same batch, the baseline PoSE is measured against.
//
// Compute: 3x the forward FLOPs (backward ≈ 2x forward) of every trained token,
// forward FLOPs per token from experiment::forward_flops_per_token (weights
// and causal attention). Activations: the tensors a decoder layer keeps for
// backward per token — two RMSNorm inputs and outputs, q/k/v before and after
// RoPE, attention output, output projection, residuals (≈ 10·hidden +
// 3·kv_heads·head_dim), the SwiGLU's gate, up, activation and product
// (4·intermediate) — plus the attention scores and probabilities
// (2·heads·context) when the attention kernel materialises them (LibTorch
// 1.13, CPU), and the logits (vocab) once. Element size: 4 bytes in fp32, 2
// under bf16 autocast. An estimate: allocator overhead, workspace buffers and
// the framework itself are not in it.
#pragma once

#include <cstdint>
#include <optional>

#include "experiment/experiment_spec.h"
#include "model/model_config.h"

namespace pose::experiment {

struct MemoryEstimate {
  double weights = 0, gradients = 0, optimizer = 0, activations = 0;  // bytes
  double total() const { return weights + gradients + optimizer + activations; }
};

struct TrainingCost {
  int64_t parameters = 0;
  int64_t train_len = 0;
  int64_t tokens_per_step = 0;  // batch x grad_accum x train_len
  double flops_per_step = 0;
  MemoryEstimate memory;        // one micro-batch's activations
  std::optional<double> seconds_per_step;  // with a throughput
};

struct CostOptions {
  bool bf16 = false;                    // autocast: activations in 2 bytes (weights, gradients, AdamW stay fp32)
  bool materialized_attention = true;   // scores and probabilities kept (no flash / memory-efficient kernel)
  double flops_per_second = 0;          // achieved training throughput; 0: no time estimate
};

// The training cost of `config` at `train_len` with the given batch.
TrainingCost estimate_training_cost(const model::ModelConfig& config, int64_t train_len, int64_t batch_size,
                                    int64_t grad_accum, const CostOptions& options = {});

struct DesignCost {
  TrainingCost design;       // the run as designed (PoSE / RandPos: at its train_len)
  TrainingCost full_length;  // Full-length at the run's target_len, same batch
  int64_t steps = 0;
  double periodic_share = 0;  // periodic evaluation / training compute (0 without a schedule)
  double step_ratio() const { return design.flops_per_step > 0 ? full_length.flops_per_step / design.flops_per_step : 0; }
  double memory_ratio() const {
    return design.memory.total() > 0 ? full_length.memory.total() / design.memory.total() : 0;
  }
};

// `base`: the base model's config (its RoPE is irrelevant to cost).
// `held_out_tokens`: tokens of the periodic evaluation's split (bounds its perplexity part).
DesignCost estimate_design_cost(const ExperimentSpec& spec, const ExtendRunSpec& run, const model::ModelConfig& base,
                                const CostOptions& options = {}, int64_t held_out_tokens = 1 << 20);

// The training throughput a finished run achieved (FLOP/s), from its tokens/s.
double achieved_flops_per_second(const model::ModelConfig& config, int64_t train_len, double tokens_per_second);

}  // namespace pose::experiment
