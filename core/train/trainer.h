// The training loop: AdamW, warmup + decay, gradient accumulation with a
// token-weighted loss, clipping, a loss guard, resumable checkpoints, events to
// an observer, cooperative cancel and pause.
//
// Bit-exact resume: batches depend only on (seed, step) and the checkpoint
// holds parameters, AdamW moments and step counts, so a run resumed from step
// k computes the same losses as one that never stopped (same device, same
// thread count).
//
// Data parallelism: with a process group, each rank trains a contiguous share
// of every step's batch_size x grad_accum rows (the same samples one process
// would train), the gradients are summed over the ranks before clipping and
// the optimizer step, and the loss is that of the whole step: N ranks compute
// what one process computes, up to the order of floating-point sums. Rank 0
// alone writes checkpoints; every rank resumes from the same file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <torch/torch.h>

#include "common/error.h"
#include "distributed/process_group.h"
#include "train/training_settings.h"
#include "model/llama_model.h"
#include "train/batch_source.h"
#include "train/train_events.h"

namespace pose::train {

struct TrainerOptions {
  std::string run_name;
  TrainingSettings settings;
  std::filesystem::path checkpoint_file;  // the run's resumable state
  // Continue from checkpoint_file when it exists (else start fresh). A
  // checkpoint of another run or other settings is refused.
  bool resume = false;
  std::string fingerprint;                // identifies the settings; stored in the checkpoint
  TrainObserver* observer = nullptr;
  RunControl* control = nullptr;
  // Called at step boundaries: once before the loop with the step it starts
  // from (0, or the resumed step) and after every optimizer step (after
  // on_step, before that step's checkpoint), with the steps completed. It may
  // run evaluations; the model is put back in training mode afterwards.
  std::function<void(int64_t step)> at_step_boundary;
  // Data-parallel training over this group (null: one process). Every rank
  // calls at_step_boundary; then the others wait until rank 0 is through
  // with it (rank 0 may do work of its own there, e.g. storing).
  distributed::ProcessGroup* group = nullptr;
  // With a group: ZeRO stage 1, each rank keeping AdamW's moments for its own
  // share of the parameters (train/optimizer_sharding.h). Same losses.
  bool shard_optimizer = false;
  // With a group: start summing a bucket of gradients as soon as the
  // backward pass completes it (distributed/gradient_reducer.h); false sums
  // them all after the backward pass. Same losses either way.
  bool overlap_gradient_sync = true;
};

struct TrainResult {
  bool completed = false;     // all steps done
  bool cancelled = false;     // stopped on request (a checkpoint was written)
  int64_t resumed_from = 0;   // step the run continued from (0: fresh)
  int64_t steps = 0;          // steps completed
  int64_t tokens = 0;
  double last_loss = 0.0;
  double elapsed_s = 0.0;     // training wall time, including earlier sessions, pauses excluded
  double tokens_per_s = 0.0;  // over this session's training (evaluations at step boundaries and pauses excluded)
  double paused_s = 0.0;      // this session's time spent paused (RunControl), left out of the two above
  int world_size = 1;         // data-parallel ranks of this session
};

// The loss guard stopped the run; the message says at which step and why, and
// names the last good checkpoint (which is kept).
class TrainingDiverged : public UserError {
 public:
  using UserError::UserError;
};

TrainResult train_model(model::LlamaForCausalLM& model, const BatchSource& source, const TrainerOptions& options);

// AdamW as configured by the settings (betas, eps, weight decay; lr is set per step).
std::unique_ptr<torch::optim::AdamW> make_optimizer(model::LlamaForCausalLM& model,
                                                    const TrainingSettings& settings);
std::unique_ptr<torch::optim::AdamW> make_optimizer(const std::vector<torch::Tensor>& parameters,
                                                    const TrainingSettings& settings);

}  // namespace pose::train
