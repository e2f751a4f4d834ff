// Resumable training state in one file: the parameters that train (all of
// them, or a LoRA run's adapters and what else it trains) and buffers, AdamW
// state, the step, the loss guard's running statistics, LibTorch's RNG state
// and a versioned header. Batches are a pure function of (seed, sample index),
// so the step is the data position. Written atomically (temporary file,
// fsync, rename): a SIGKILL while saving leaves the previous checkpoint intact.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "model/llama_model.h"

namespace pose::train {

inline constexpr int kCheckpointFormatVersion = 1;

struct TrainState {
  int64_t step = 0;            // optimizer steps completed
  int64_t tokens = 0;          // tokens trained
  double elapsed_s = 0.0;      // wall time spent training so far
  double loss_mean = 0.0;      // loss guard: running mean of accepted losses
  int64_t loss_count = 0;
  std::string run;             // run name, checked on resume
  std::string fingerprint;     // hash of the run's settings, checked on resume
};

nlohmann::json to_json(const TrainState& s);
TrainState train_state_from_json(const nlohmann::json& j);

void save_checkpoint(const std::filesystem::path& file, model::LlamaForCausalLM& model,
                     torch::optim::Optimizer& optimizer, const TrainState& state);

// Loads into an already constructed model and optimizer of the same shapes.
// Throws UserError naming the file when it is missing, corrupt, of another
// format version, or of another model shape.
TrainState load_checkpoint(const std::filesystem::path& file, model::LlamaForCausalLM& model,
                           torch::optim::Optimizer& optimizer);

// Only the header (for `pose runs` and the GUI): throws like load_checkpoint.
TrainState read_checkpoint_state(const std::filesystem::path& file);

}  // namespace pose::train
