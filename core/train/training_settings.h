// Optimisation settings of one training run (the base model's or an extension
// run's): what the trainer needs and nothing about where they came from. The
// experiment spec parses and writes them (experiment/experiment_spec.h), so the
// trainer depends on this file only, not on the spec.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lora/lora_config.h"

namespace pose::train {

enum class Schedule { Constant, Linear, Cosine };
std::string to_string(Schedule s);  // "constant", "linear", "cosine"

enum class Precision { Auto, Fp32, Bf16 };  // auto: bf16 autocast on CUDA, fp32 on CPU
std::string to_string(Precision p);

struct TrainingSettings {
  int64_t steps = 100;          // optimizer steps
  int64_t batch_size = 8;       // sequences per micro-batch
  int64_t grad_accum = 1;       // micro-batches per optimizer step
  double lr = 2e-5;             // peak learning rate
  double min_lr_ratio = 0.0;    // lr at the end of decay, as a fraction of lr
  int64_t warmup_steps = 10;    // linear warmup from 0 over this many steps
  Schedule schedule = Schedule::Linear;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.0;
  double grad_clip = 1.0;       // max global L2 norm; 0 disables clipping
  Precision precision = Precision::Auto;
  uint64_t seed = 0;            // defaults to the experiment seed
  int64_t checkpoint_every = 50;  // steps between resumable checkpoints (0: only at the end)
  // Loss guard: stop when the loss is not finite, or exceeds spike_factor x its
  // running mean after `spike_warmup` steps (0 disables the spike check).
  double spike_factor = 0.0;
  int64_t spike_warmup = 20;
  // Recompute each decoder layer in backward instead of keeping its
  // activations: less memory for about a third more compute.
  bool activation_checkpointing = false;
  // Train LoRA adapters (and optionally embeddings and norms) on a frozen base
  // instead of every weight; nullopt: full fine-tuning. Extension runs only.
  std::optional<model::LoraConfig> lora;

  // Sequences one optimizer step trains, over every data-parallel rank.
  int64_t global_batch() const { return batch_size * grad_accum; }
};

}  // namespace pose::train
