// What an extension run will cost, before it runs: parameters (trainable and
// in all), compute per optimizer step, memory for weights, gradients, AdamW
// state and activations at the run's training length, the share of periodic
// evaluation, and — given a throughput — the time per step; beside it the same
// for Full-length fine-tuning at Lt with the same settings, the baseline PoSE
// is measured against; and whether either fits a device's memory, with the
// changes that would make it fit, each computed by the same estimate.
//
// Compute: 3x the forward FLOPs (backward ≈ 2x forward) of every trained
// token, forward FLOPs per token from experiment::forward_flops_per_token
// (weights and causal attention).
//
// Memory is the peak of one optimizer step, in bytes, as the engine holds it:
//   weights      every weight at its dtype: fp32, or 2 bytes for the frozen
//                projection weights of a LoRA run whose precision resolves
//                to bf16 (lora/lora.h: frozen embeddings, LM head and norms
//                stay fp32);
//   weight_copies under bf16 autocast, the bf16 copies of fp32 weights that
//                matrix products keep for their backward (or autocast's cast
//                cache keeps; CostOptions::autocast_weight_cache);
//   gradients    fp32, trainable parameters only (the trainer zeroes them in
//                place between steps, so they stay allocated);
//   optimizer    AdamW's two fp32 moments, trainable parameters only;
//   activations  what one micro-batch keeps for its backward, part by part
//                (ActivationMemory), plus the largest working set the backward
//                adds on top. Each part is a named tensor of the engine's
//                decoder: which ones exist depends on the device's kernels
//                (the one-pass CPU kernels save fewer than the reference ops)
//                and on whether attention keeps its T × T probabilities.
// Not counted: the framework itself, the allocator's cached and fragmented
// blocks, the CUDA context, libraries' own workspaces (oneDNN, cuBLAS) and the
// data loader. docs/PERFORMANCE.md compares the estimate with the peak tensor
// memory measured on the CPU.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "experiment/experiment_spec.h"
#include "lora/lora_config.h"
#include "model/model_config.h"

namespace pose::experiment {

// One micro-batch's activation memory (bytes) at the step's peak, by what
// holds it. The peak is either where the backward starts (everything saved,
// the loss's working set on top) or inside a layer's backward (the loss's
// tensors freed, with activation checkpointing the recomputed layer alive),
// whichever holds more; the parts are those alive then, so `loss` and
// `recompute` are never both counted.
struct ActivationMemory {
  // Saved for backward by the decoder layers: every layer's tensors, or with
  // activation checkpointing each layer's input only.
  double layers = 0;
  // LoRA: each adapter's dropped-out input (dropout > 0) and its rank-sized
  // intermediate, every targeted projection of every layer (with
  // checkpointing they are part of `recompute`).
  double adapters = 0;
  // Alive all step: the RoPE tables, token ids, positions and labels, and
  // the attention mask where one is built.
  double inputs = 0;
  // The final norm, the loss's input and its kept logit gradient (or one
  // statistic per row when the logits are formed again in backward).
  double loss = 0;
  // Activation checkpointing: one layer's saved tensors (its output, its
  // adapters' and its bf16 weight copies included) while it is recomputed.
  double recompute = 0;
  // The working set on top of what is saved: the loss's (a chunk of logits,
  // the hidden and LM-head gradients) or a layer's backward (the gradients
  // in flight, attention's and SwiGLU's, one fresh weight gradient).
  double backward_peak = 0;
  double total() const { return layers + adapters + inputs + loss + recompute + backward_peak; }
};

struct MemoryEstimate {
  double weights = 0, weight_copies = 0, gradients = 0, optimizer = 0;  // bytes
  double activations = 0;  // = activation_parts.total()
  ActivationMemory activation_parts;
  double total() const { return weights + weight_copies + gradients + optimizer + activations; }
};

struct TrainingCost {
  int64_t parameters = 0;            // every weight of the model, LoRA's adapters included
  int64_t trainable_parameters = 0;  // those that get gradients and AdamW state
  int64_t train_len = 0;
  int64_t batch_size = 0;
  int64_t grad_accum = 0;
  int64_t tokens_per_step = 0;  // batch x grad_accum x train_len
  double flops_per_step = 0;    // with activation checkpointing: one more forward per step
  MemoryEstimate memory;        // one micro-batch's activations
  std::optional<double> seconds_per_step;  // with a throughput
};

struct CostOptions {
  bool bf16 = false;                    // autocast: activations in 2 bytes (weights, gradients, AdamW stay fp32)
  bool materialized_attention = true;   // scores and probabilities kept (no flash / memory-efficient kernel)
  double flops_per_second = 0;          // achieved training throughput; 0: no time estimate
  // The engine's one-pass CPU kernels (kernels/cpu_kernels.h): RMSNorm keeps
  // its input only, SwiGLU its two inputs, and attention (heads the kernel
  // takes) its output and one log-sum-exp per row. Off: the reference ops,
  // as on a GPU.
  bool cpu_kernels = false;
  // Autocast keeps one bf16 copy per fp32 weight from its first use to the
  // end of the step (CUDA; the CPU on LibTorch 2.x). Without the cache (the
  // CPU on 1.13) a copy lives only as long as the product that saved it.
  bool autocast_weight_cache = false;
  bool activation_checkpointing = false;
  std::optional<model::LoraConfig> lora;  // nullopt: full fine-tuning
};

// Where a run would train, for engine_cost_options().
enum class CostDevice { Cpu, Cuda };
std::string to_string(CostDevice device);  // "cpu", "cuda"

// How attention keeps its state when the engine trains on `device`.
enum class AttentionMemory {
  Auto,          // what this build's engine does there
  Materialized,  // the T × T probabilities (eager attention)
  RowStatistics  // output and one log-sum-exp per row (the CPU kernel, SDPA's flash / memory-efficient kernels)
};

// The options under which the engine trains `settings` on `device`: bf16
// where the precision resolves to it (auto: on CUDA), the CPU kernels on the
// CPU, attention as the engine picks it (the CPU kernel for the head widths
// it takes, eager attention otherwise; on CUDA eager attention on LibTorch
// 1.x and SDPA on 2.x) unless `attention` says otherwise, and the settings'
// LoRA and activation checkpointing.
CostOptions engine_cost_options(const model::ModelConfig& config, const TrainingSettings& settings, CostDevice device,
                                AttentionMemory attention = AttentionMemory::Auto);

// Parameters a run trains: every weight, or with LoRA the adapters (rank x
// (in + out) per targeted projection and layer), plus embed_tokens and an
// untied lm_head when train_embeddings, plus every RMSNorm weight when
// train_norms. Biases of adapted models stay frozen.
int64_t trainable_parameter_count(const model::ModelConfig& config, const std::optional<model::LoraConfig>& lora);

// The training cost of `config` at `train_len` with the given batch.
TrainingCost estimate_training_cost(const model::ModelConfig& config, int64_t train_len, int64_t batch_size,
                                    int64_t grad_accum, const CostOptions& options = {});

struct DesignCost {
  TrainingCost design;       // the run as designed (PoSE / RandPos: at its train_len)
  TrainingCost full_length;  // Full-length at the run's target_len, same settings
  int64_t steps = 0;
  double periodic_share = 0;  // periodic evaluation / training compute (0 without a schedule)
  double step_ratio() const { return design.flops_per_step > 0 ? full_length.flops_per_step / design.flops_per_step : 0; }
  double memory_ratio() const {
    return design.memory.total() > 0 ? full_length.memory.total() / design.memory.total() : 0;
  }
};

// `base`: the base model's config (its RoPE is irrelevant to cost). The run's
// own LoRA and activation checkpointing settings replace those in `options`.
// `held_out_tokens`: tokens of the periodic evaluation's split (bounds its perplexity part).
DesignCost estimate_design_cost(const ExperimentSpec& spec, const ExtendRunSpec& run, const model::ModelConfig& base,
                                const CostOptions& options = {}, int64_t held_out_tokens = 1 << 20);

// The training throughput a finished run achieved (FLOP/s), from its tokens/s.
double achieved_flops_per_second(const model::ModelConfig& config, int64_t train_len, double tokens_per_second);

// ---- Does it fit --------------------------------------------------------------

// A share of the device kept free for what the estimate leaves out (the CUDA
// context, the allocator's fragmentation, libraries' workspaces): a run fits
// when its estimate is at most (1 − kMemoryHeadroom) of the device's memory.
inline constexpr double kMemoryHeadroom = 0.10;

// One change to a run's settings.
struct SettingChange {
  enum class Kind {
    ActivationCheckpointing,  // turn it on
    BatchSize,                // batch_size = value, grad_accum = accum (the same sequences per step)
    Lora,                     // LoRA of rank `value` on q, k, v and o projections
    Bf16,                     // precision bf16 (autocast)
  };
  Kind kind = Kind::ActivationCheckpointing;
  int64_t value = 0;
  int64_t accum = 0;
};

// A set of changes and what the run would need with them.
struct MemorySuggestion {
  std::vector<SettingChange> changes;
  double bytes = 0;  // the estimate's total with the changes
  bool fits = false;
};

struct FitVerdict {
  double needed = 0;     // bytes, the estimate's total
  double available = 0;  // bytes usable: the device's memory less the headroom
  bool fits = false;
  // When it does not fit: every single change that helps, in order of
  // preference (what changes least about the run first: checkpointing and a
  // smaller micro-batch keep the training identical, bf16 changes its
  // arithmetic, LoRA what is trained), then combinations of them when no
  // single change is enough. Empty when it fits.
  std::vector<MemorySuggestion> suggestions;
  // The first suggestion that fits, in that order; nullopt when none does.
  std::optional<MemorySuggestion> top() const;
};

struct DesignFit {
  FitVerdict design, full_length;
  double device_bytes = 0;
};

// The verdicts for `run` (as designed, and as Full-length at its target
// length with the same settings) on a device with `device_bytes` of memory.
// `device` and `attention` decide the engine's options as in
// engine_cost_options(); the suggestions are estimated the same way.
DesignFit fit_design(const ExperimentSpec& spec, const ExtendRunSpec& run, const model::ModelConfig& base,
                     double device_bytes, CostDevice device, AttentionMemory attention = AttentionMemory::Auto);

// "turn on activation_checkpointing", "lower batch_size to 1 (grad_accum 8)",
// "train LoRA rank 16 on q_proj,k_proj,v_proj,o_proj", "precision bf16";
// several joined by " + ".
std::string describe(const std::vector<SettingChange>& changes);

// "38.2 GiB" (binary units, one decimal; MiB and KiB below a GiB).
std::string format_bytes(double bytes);

// "80GB" (10^9), "80GiB" / "80G" / "80" (2^30), "512MiB", "512MB" -> bytes.
// Throws UserError naming `what` for anything else.
double parse_memory_size(const std::string& text, const std::string& what);

// The base model's shape: an hf model's config.json (in `config_dir` when
// given, else in base_model.path), or a trained model's config with the
// tokenizer's vocabulary and train_len as its window. Throws UserError when
// the config.json cannot be read, naming the directory and how to give one.
model::ModelConfig base_model_config(const ExperimentSpec& spec, const std::filesystem::path& config_dir = {});

}  // namespace pose::experiment
