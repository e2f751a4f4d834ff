#include "experiment/cost_estimate.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include <torch/version.h>

#include "common/error.h"
#include "common/json_file.h"
#include "experiment/periodic_eval.h"
#include "kernels/attention_kernel.h"
#include "model/chunked_cross_entropy.h"

namespace pose::experiment {

namespace {

constexpr double kFp32 = 4.0;
constexpr double kInt64 = 8.0;
// Rows of logits the loss forms at once (ModelOptions::loss_chunk_tokens).
constexpr double kLossChunkTokens = 1024.0;
// The CPU attention kernel's widest heads (kernels/cpu_kernels.h).
constexpr int64_t kCpuAttentionMaxHeadDimFp32 = 64;
constexpr int64_t kCpuAttentionMaxHeadDimBf16 = 16;
constexpr int64_t kCpuAttentionLanes = 16;

// The shapes of one decoder layer, in elements.
struct Shape {
  double h, qd, kd, inter, heads, kv_heads, head_dim, layers, vocab;
  explicit Shape(const model::ModelConfig& c)
      : h(double(c.hidden_size)),
        qd(double(c.num_attention_heads * c.head_dim)),
        kd(double(c.num_key_value_heads * c.head_dim)),
        inter(double(c.intermediate_size)),
        heads(double(c.num_attention_heads)),
        kv_heads(double(c.num_key_value_heads)),
        head_dim(double(c.head_dim)),
        layers(double(c.num_hidden_layers)),
        vocab(double(c.vocab_size)) {}
};

// [in, out] of a projection.
std::pair<int64_t, int64_t> projection_shape(const model::ModelConfig& c, model::LoraTarget t) {
  const int64_t h = c.hidden_size, q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim;
  switch (t) {
    case model::LoraTarget::Q: return {h, q};
    case model::LoraTarget::K:
    case model::LoraTarget::V: return {h, kv};
    case model::LoraTarget::O: return {q, h};
    case model::LoraTarget::Gate:
    case model::LoraTarget::Up: return {h, c.intermediate_size};
    case model::LoraTarget::Down: return {c.intermediate_size, h};
  }
  return {0, 0};
}

// Elements of the attention probabilities one sequence of T tokens keeps in
// eager attention, per head: the full T × T square, or from
// kBlockCausalMinLength tokens of plain causal attention the blocks of
// kCausalBlock queries against the keys up to their block.
double probability_elements_per_head(int64_t t, bool plain_causal) {
  if (!plain_causal || t < model::kBlockCausalMinLength) return double(t) * double(t);
  double sum = 0;
  for (int64_t s = 0; s < t; s += model::kCausalBlock) {
    const int64_t e = std::min(t, s + model::kCausalBlock);
    sum += double(e - s) * double(e);
  }
  return sum;
}

bool cpu_attention_kernel_takes(int64_t head_dim, bool bf16) {
  const int64_t widest = bf16 ? kCpuAttentionMaxHeadDimBf16 : kCpuAttentionMaxHeadDimFp32;
  return head_dim % kCpuAttentionLanes == 0 && head_dim <= widest;
}

struct LayerBytes {
  double saved = 0;         // per token: what one layer keeps for backward
  double backward = 0;      // per token: the working set of its backward on top
  double attention_per_sequence = 0;  // probabilities (materialised attention), per sequence
  double attention_backward_per_sequence = 0;
};

// Whether a projection's product keeps its input for the backward. The
// engine's fp32 CPU product (kernels/pool_gemm.h, PoolLinear) always keeps it;
// LibTorch's own (under autocast, on a GPU) only when the weight trains. A
// LoRA adapter without dropout keeps the same input for its factor A's
// gradient (with dropout it keeps its dropped-out copy, counted with the
// adapters).
bool keeps_input(const CostOptions& o, model::LoraTarget t) {
  if (!o.lora) return true;  // every weight trains
  if (o.cpu_kernels && !o.bf16) return true;
  return o.lora->dropout == 0 && o.lora->targets_contain(t);
}

LayerBytes layer_bytes(const model::ModelConfig& c, const CostOptions& o, int64_t t) {
  using model::LoraTarget;
  const Shape s(c);
  const double a = o.bf16 ? 2.0 : 4.0;  // what autocast hands on; fp32 otherwise
  const double f = kFp32;
  const bool norms_train = !o.lora || o.lora->train_norms;
  LayerBytes l;
  // Residual stream in fp32: the layer input and the sum after attention
  // (each kept by the RMSNorm that reads it).
  l.saved += 2 * f * s.h;
  // Each RMSNorm: one fp32 statistic per row; the reference ops also keep
  // the fp32 normalised value for the weight's gradient. Its output is kept
  // when a projection reading it keeps its input.
  const double norm = f + (!o.cpu_kernels && norms_train ? f * s.h : 0.0);
  l.saved += 2 * norm;
  if (keeps_input(o, LoraTarget::Q) || keeps_input(o, LoraTarget::K) || keeps_input(o, LoraTarget::V)) {
    l.saved += a * s.h;
  }
  if (keeps_input(o, LoraTarget::Gate) || keeps_input(o, LoraTarget::Up)) l.saved += a * s.h;
  // q and k after RoPE (the rotation keeps only the shared cos/sin tables), v.
  l.saved += a * (s.qd + 2 * s.kd);
  const bool grouped = c.num_attention_heads != c.num_key_value_heads;
  const double o_input = keeps_input(o, LoraTarget::O) ? a * s.qd : 0.0;
  if (o.materialized_attention) {
    // Eager attention: the probabilities per head; o_proj reads a copy of the
    // output in token-major layout.
    const bool plain_causal = !c.sliding_window || *c.sliding_window >= t;
    l.attention_per_sequence = a * s.heads * probability_elements_per_head(t, plain_causal);
    l.saved += o_input;
    // Backward: the gradient of the probabilities (one block at a time in
    // the block-causal kernel), of q, k, v and of the output.
    const double rows = plain_causal && t >= model::kBlockCausalMinLength ? double(model::kCausalBlock) : double(t);
    l.attention_backward_per_sequence = a * s.heads * rows * double(t);
    l.backward = a * (2 * s.qd + 2 * s.kd);
  } else if (o.cpu_kernels) {
    // The CPU kernel: its output (which o_proj reads in place) and one
    // log-sum-exp per row and head. Backward: dq, dk, dv, the output's
    // gradient, and fp32 per-head parts of dk and dv.
    l.saved += a * s.qd + f * s.heads;
    l.backward = a * (2 * s.qd + 2 * s.kd) + 2 * f * s.qd;
  } else {
    // SDPA's flash / memory-efficient kernels: k and v repeated to every
    // query head, the output and the row statistics; o_proj reads a
    // token-major copy.
    if (grouped) l.saved += 2 * a * (s.qd - s.kd);
    l.saved += a * s.qd + f * s.heads + o_input;
    l.backward = a * (4 * s.qd) + f * s.qd;
  }
  // SwiGLU: gate and up (and for the reference ops silu(gate)); the product
  // when down_proj keeps its input. Backward: three I-wide gradients at once.
  l.saved += (o.cpu_kernels ? 2.0 : 3.0) * a * s.inter;
  if (keeps_input(o, LoraTarget::Down)) l.saved += a * s.inter;
  l.backward = std::max(l.backward, 3.0 * a * s.inter);
  // The residual gradient flowing through the layer, and the branch's.
  l.backward += 2 * f * s.h;
  return l;
}

// Per token and layer: the LoRA adapters' own tensors — A's rank-sized
// output, which B keeps, and with dropout the dropped-out input A keeps and
// the mask that produced it (the CPU's dropout keeps its scaled noise in the
// input's dtype, CUDA's fused one a byte per element).
double adapter_bytes_per_token(const model::ModelConfig& c, const CostOptions& o) {
  if (!o.lora) return 0;
  const double a = o.bf16 ? 2.0 : 4.0;
  const double mask = o.cpu_kernels ? a : 1.0;
  double bytes = 0;
  for (const auto t : o.lora->targets) {
    const auto [in, out] = projection_shape(c, t);
    (void)out;
    bytes += a * double(o.lora->rank);
    if (o.lora->dropout > 0) bytes += (a + mask) * double(in);
  }
  return bytes;
}

// One decoder layer's projection weights (q, k, v, o, gate, up, down).
int64_t projection_parameter_count(const model::ModelConfig& c) {
  int64_t n = 0;
  for (const auto t : model::all_lora_targets()) {
    const auto [in, out] = projection_shape(c, t);
    n += in * out;
  }
  return n;
}

int64_t adapter_parameter_count(const model::ModelConfig& c, const model::LoraConfig& lora) {
  int64_t n = 0;
  for (const auto t : lora.targets) {
    const auto [in, out] = projection_shape(c, t);
    n += lora.rank * (in + out);
  }
  return n * c.num_hidden_layers;
}

std::string fixed(double v, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

}  // namespace

std::string to_string(CostDevice device) { return device == CostDevice::Cuda ? "cuda" : "cpu"; }

int64_t trainable_parameter_count(const model::ModelConfig& c, const std::optional<model::LoraConfig>& lora) {
  if (!lora) return c.parameter_count();
  int64_t n = adapter_parameter_count(c, *lora);
  const int64_t embeddings = c.vocab_size * c.hidden_size;
  if (lora->train_embeddings) n += c.tie_word_embeddings ? embeddings : 2 * embeddings;
  if (lora->train_norms) n += (2 * c.num_hidden_layers + 1) * c.hidden_size;
  return n;
}

CostOptions engine_cost_options(const model::ModelConfig& c, const TrainingSettings& t, CostDevice device,
                                AttentionMemory attention) {
  CostOptions o;
  o.bf16 = t.precision == Precision::Bf16 || (t.precision == Precision::Auto && device == CostDevice::Cuda);
  o.cpu_kernels = device == CostDevice::Cpu;
  if (attention == AttentionMemory::Auto) {
    // The CPU: the engine's kernel for the heads it takes, eager attention
    // otherwise (on LibTorch 2.x too: it measured faster than SDPA with a
    // backward). CUDA: eager attention on 1.x, SDPA on 2.x.
    o.materialized_attention = device == CostDevice::Cpu ? !cpu_attention_kernel_takes(c.head_dim, o.bf16)
                                                         : !POSE_HAVE_SDPA;
  } else {
    o.materialized_attention = attention == AttentionMemory::Materialized;
  }
  o.autocast_weight_cache = device == CostDevice::Cuda || POSE_HAVE_SDPA;
  o.activation_checkpointing = t.activation_checkpointing;
  o.lora = t.lora;
  return o;
}

TrainingCost estimate_training_cost(const model::ModelConfig& c, int64_t train_len, int64_t batch_size,
                                    int64_t grad_accum, const CostOptions& o) {
  TrainingCost t;
  // The adapted model's: the base's weights and the adapters.
  t.parameters = c.parameter_count() + (o.lora ? adapter_parameter_count(c, *o.lora) : 0);
  t.trainable_parameters = trainable_parameter_count(c, o.lora);
  t.train_len = train_len;
  t.batch_size = batch_size;
  t.grad_accum = grad_accum;
  t.tokens_per_step = batch_size * grad_accum * train_len;
  const double L = static_cast<double>(train_len);
  // Backward ≈ 2 forwards; checkpointing runs every layer's forward once more.
  const double passes = o.activation_checkpointing ? 4.0 : 3.0;
  t.flops_per_step = passes * static_cast<double>(t.tokens_per_step) * forward_flops_per_token(c, L);

  // Parameters.
  const double p = static_cast<double>(t.parameters);
  const double trainable = static_cast<double>(t.trainable_parameters);
  // A LoRA run under bf16 stores its frozen projection weights in bf16
  // (their products read them so anyway); frozen embeddings, LM head, norms
  // and biases stay fp32 (lora/lora.h).
  const double frozen_projections =
      o.lora ? double(c.num_hidden_layers) * double(projection_parameter_count(c)) : 0.0;
  const double frozen_other = p - trainable - frozen_projections;
  t.memory.weights = kFp32 * (trainable + frozen_other) + (o.bf16 ? 2.0 : kFp32) * frozen_projections;
  t.memory.gradients = kFp32 * trainable;
  t.memory.optimizer = 2 * kFp32 * trainable;  // AdamW: first and second moments
  // Autocast's bf16 copies of fp32 weights that matrix products read. With
  // a cast cache (CUDA; the CPU on LibTorch 2.x) each weight's copy lives
  // from its first use to the end of the backward: every projection and the
  // LM head. Without one (the CPU on LibTorch 1.13, measured) a copy lives as
  // long as the product that saved it for its input gradient: every
  // projection's through the backward, the LM head's (inside the loss's own
  // function) only for a moment, and with activation checkpointing one
  // layer's at a time, while it is recomputed. With LoRA the frozen weights
  // are bf16 already: only the adapters (and a trained LM head) are copied.
  double layer_copies = 0, head_copies = 0;
  if (o.bf16) {
    if (o.lora) {
      layer_copies = 2.0 * double(adapter_parameter_count(c, *o.lora)) / double(c.num_hidden_layers);
      if (o.lora->train_embeddings) head_copies = 2.0 * double(c.vocab_size * c.hidden_size);
    } else {
      layer_copies = 2.0 * double(projection_parameter_count(c));
      head_copies = 2.0 * double(c.vocab_size * c.hidden_size);
    }
    if (o.autocast_weight_cache) {
      t.memory.weight_copies = double(c.num_hidden_layers) * layer_copies + head_copies;
    } else if (!o.activation_checkpointing) {
      t.memory.weight_copies = double(c.num_hidden_layers) * layer_copies;
    }
  }

  // Activations of one micro-batch of `batch_size` sequences.
  const Shape s(c);
  const double a = o.bf16 ? 2.0 : 4.0;
  const double n = static_cast<double>(batch_size) * L;              // tokens
  const double n_scored = static_cast<double>(batch_size) * (L - 1);  // tokens with a next token
  const LayerBytes layer = layer_bytes(c, o, train_len);
  const double layer_saved = layer.saved * n + layer.attention_per_sequence * double(batch_size);
  const double layer_backward = layer.backward * n + layer.attention_backward_per_sequence * double(batch_size);
  const double adapters_per_layer = adapter_bytes_per_token(c, o) * n;
  auto& parts = t.memory.activation_parts;
  double recompute = 0;
  if (o.activation_checkpointing) {
    // Each layer keeps its input; in backward one layer at a time is run
    // again, keeping its full set until its gradient is done. It reads its
    // saved input in place and makes its output anew: as much as one layer's
    // saved set, with its adapters and (without a cast cache) its bf16 copies.
    parts.layers = s.layers * kFp32 * s.h * n;
    recompute = layer_saved + adapters_per_layer + (o.autocast_weight_cache ? 0.0 : layer_copies);
  } else {
    parts.layers = s.layers * layer_saved;
    parts.adapters = s.layers * adapters_per_layer;
  }

  // Alive through the step: cos and sin tables (fp32, one row per token),
  // token ids, positions, labels and targets (int64), and the additive T × T
  // mask of eager attention (LibTorch 1.x builds it for the CPU kernel too;
  // SDPA, on 2.x, needs none).
  double inputs = (2 * kFp32 * s.head_dim + 4 * kInt64) * n;
  const bool mask = o.materialized_attention || (o.cpu_kernels && !POSE_HAVE_SDPA);
  if (mask) inputs += kFp32 * L * L;
  parts.inputs = inputs;

  // The loss: the final norm keeps its input (the last layer's output, fp32)
  // and hands on its output, which the loss keeps; the logit gradient is kept
  // from forward up to kKeepLogitGradientElements entries (in the autocast
  // dtype), beyond that one fp32 log-sum-exp per row, and the logits are
  // formed again in backward, a chunk at a time.
  const double final_norm = (o.cpu_kernels ? a * s.h : kFp32 * s.h + a * s.h) + kFp32;
  const bool keep = n_scored * s.vocab <= double(model::kKeepLogitGradientElements);
  const double loss_saved = (kFp32 * s.h + final_norm) * n + (keep ? a * n_scored * s.vocab : kFp32 * n_scored);
  // Its working set: forming a chunk of logits (under autocast a bf16
  // product, then its fp32 copy) in forward; in backward the hidden
  // gradient, the LM head's fp32 weight gradient and, when nothing was kept,
  // the chunk's logits, softmax and scaled gradient.
  const double chunk = std::min(kLossChunkTokens, n_scored) * s.vocab;
  const double chunk_forward = (o.bf16 ? a + kFp32 : kFp32) * chunk;
  // (The loss forms the LM head's weight gradient whether or not the head trains.)
  double loss_backward = kFp32 * s.h * n_scored + kFp32 * s.vocab * s.h;
  if (!keep) loss_backward += 3 * kFp32 * chunk;
  const double loss_working = std::max(chunk_forward, loss_backward);

  // The peak is where the backward starts (everything saved, plus the
  // loss's working set) or inside a layer's backward (the loss's tensors
  // are freed by then; with checkpointing the recomputed layer is alive),
  // whichever holds more. The parts are those alive at that moment.
  const double layer_weight_gradient = o.lora ? 0.0 : kFp32 * s.inter * s.h;  // one projection's fresh gradient
  const double at_loss = loss_saved + loss_working;
  const double in_layer = recompute + layer_backward + layer_weight_gradient;
  if (at_loss >= in_layer) {
    parts.loss = loss_saved;
    parts.backward_peak = loss_working;
  } else {
    parts.recompute = recompute;
    parts.backward_peak = layer_backward + layer_weight_gradient;
  }

  t.memory.activations = parts.total();
  if (o.flops_per_second > 0) t.seconds_per_step = t.flops_per_step / o.flops_per_second;
  return t;
}

DesignCost estimate_design_cost(const ExperimentSpec& spec, const ExtendRunSpec& run, const model::ModelConfig& base,
                                const CostOptions& options, int64_t held_out_tokens) {
  DesignCost d;
  const auto& t = run.training;
  CostOptions o = options;
  o.lora = t.lora;
  o.activation_checkpointing = t.activation_checkpointing;
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

// ---- Does it fit --------------------------------------------------------------

std::optional<MemorySuggestion> FitVerdict::top() const {
  for (const auto& s : suggestions) {
    if (s.fits) return s;
  }
  return std::nullopt;
}

namespace {

// The LoRA a suggestion proposes: LoRA's usual attention targets (as
// LongLoRA), rank 16.
constexpr int64_t kSuggestedLoraRank = 16;

TrainingSettings with_changes(TrainingSettings t, const std::vector<SettingChange>& changes) {
  for (const auto& c : changes) {
    switch (c.kind) {
      case SettingChange::Kind::ActivationCheckpointing: t.activation_checkpointing = true; break;
      case SettingChange::Kind::BatchSize:
        t.batch_size = c.value;
        t.grad_accum = c.accum;
        break;
      case SettingChange::Kind::Lora: {
        model::LoraConfig lora;
        lora.rank = c.value;
        lora.alpha = 2.0 * double(c.value);
        t.lora = lora;
        break;
      }
      case SettingChange::Kind::Bf16: t.precision = Precision::Bf16; break;
    }
  }
  return t;
}

FitVerdict verdict_for(const model::ModelConfig& c, const TrainingSettings& t, int64_t train_len, double available,
                       CostDevice device, AttentionMemory attention) {
  const auto bytes = [&](const TrainingSettings& settings) {
    const auto o = engine_cost_options(c, settings, device, attention);
    return estimate_training_cost(c, train_len, settings.batch_size, settings.grad_accum, o).memory.total();
  };
  FitVerdict v;
  v.available = available;
  v.needed = bytes(t);
  v.fits = v.needed <= available;
  if (v.fits) return v;

  // The single changes that help, in order of preference.
  std::vector<std::vector<SettingChange>> singles;
  if (!t.activation_checkpointing) singles.push_back({{SettingChange::Kind::ActivationCheckpointing, 0, 0}});
  if (t.batch_size > 1) {
    // The largest micro-batch that fits, grad_accum raised so the sequences
    // per step stay (rounded up when the batch does not divide); 1 when none does.
    const int64_t sequences = t.batch_size * t.grad_accum;
    int64_t best = 1;
    for (int64_t b = t.batch_size - 1; b >= 1; --b) {
      TrainingSettings trial = t;
      trial.batch_size = b;
      if (bytes(trial) <= available) {
        best = b;
        break;
      }
    }
    singles.push_back({{SettingChange::Kind::BatchSize, best, (sequences + best - 1) / best}});
  }
  const bool bf16_now = engine_cost_options(c, t, device, attention).bf16;
  if (!bf16_now) singles.push_back({{SettingChange::Kind::Bf16, 0, 0}});
  if (!t.lora) singles.push_back({{SettingChange::Kind::Lora, kSuggestedLoraRank, 0}});

  for (const auto& changes : singles) {
    MemorySuggestion s;
    s.changes = changes;
    s.bytes = bytes(with_changes(t, changes));
    s.fits = s.bytes <= available;
    if (s.bytes < v.needed) v.suggestions.push_back(s);
  }
  if (v.top()) return v;
  // No single change is enough: add them up in the same order until one fits.
  std::vector<SettingChange> all;
  for (const auto& changes : singles) {
    all.insert(all.end(), changes.begin(), changes.end());
    if (all.size() < 2) continue;
    MemorySuggestion s;
    s.changes = all;
    s.bytes = bytes(with_changes(t, all));
    s.fits = s.bytes <= available;
    v.suggestions.push_back(s);
    if (s.fits) break;
  }
  return v;
}

}  // namespace

DesignFit fit_design(const ExperimentSpec& spec, const ExtendRunSpec& run, const model::ModelConfig& base,
                     double device_bytes, CostDevice device, AttentionMemory attention) {
  (void)spec;
  DesignFit f;
  f.device_bytes = device_bytes;
  const double available = device_bytes * (1.0 - kMemoryHeadroom);
  f.design = verdict_for(base, run.training, run.train_len, available, device, attention);
  f.full_length = verdict_for(base, run.training, run.target_len, available, device, attention);
  return f;
}

std::string describe(const std::vector<SettingChange>& changes) {
  std::string text;
  for (const auto& c : changes) {
    if (!text.empty()) text += " + ";
    switch (c.kind) {
      case SettingChange::Kind::ActivationCheckpointing: text += "turn on activation_checkpointing"; break;
      case SettingChange::Kind::BatchSize:
        text += "lower batch_size to " + std::to_string(c.value) + " (grad_accum " + std::to_string(c.accum) + ")";
        break;
      case SettingChange::Kind::Lora:
        text += "train LoRA rank " + std::to_string(c.value) + " on q_proj,k_proj,v_proj,o_proj";
        break;
      case SettingChange::Kind::Bf16: text += "set precision to bf16"; break;
    }
  }
  return text;
}

std::string format_bytes(double bytes) {
  constexpr double KiB = 1024.0, MiB = KiB * 1024.0, GiB = MiB * 1024.0, TiB = GiB * 1024.0;
  if (bytes >= TiB) return fixed(bytes / TiB, 2) + " TiB";
  if (bytes >= GiB) return fixed(bytes / GiB, 1) + " GiB";
  if (bytes >= MiB) return fixed(bytes / MiB, 1) + " MiB";
  if (bytes >= KiB) return fixed(bytes / KiB, 1) + " KiB";
  return fixed(bytes, 0) + " B";
}

double parse_memory_size(const std::string& text, const std::string& what) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string unit = text.substr(used);
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  double scale = 0;
  if (unit.empty() || unit == "g" || unit == "gib") scale = 1024.0 * 1024.0 * 1024.0;
  else if (unit == "gb") scale = 1e9;
  else if (unit == "t" || unit == "tib") scale = 1024.0 * 1024.0 * 1024.0 * 1024.0;
  else if (unit == "tb") scale = 1e12;
  else if (unit == "m" || unit == "mib") scale = 1024.0 * 1024.0;
  else if (unit == "mb") scale = 1e6;
  if (used == 0 || scale == 0 || !std::isfinite(value) || value <= 0) {
    throw UserError(what + ": '" + text + "' is not a memory size",
                    "write a positive number with a unit, e.g. 80GiB, 80GB or 24G (a bare number is GiB)");
  }
  return value * scale;
}

model::ModelConfig base_model_config(const ExperimentSpec& spec, const std::filesystem::path& config_dir) {
  const auto& b = spec.base_model;
  if (b.kind == "hf" || !config_dir.empty()) {
    std::filesystem::path dir = config_dir;
    if (dir.empty()) dir = std::filesystem::path(b.path).is_absolute() ? std::filesystem::path(b.path) : spec.base_dir / b.path;
    const auto file = dir / "config.json";
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      throw UserError(file.string() + " does not exist, so the base model's shape is unknown",
                      "point base_model.path at the HF model directory, or give a directory holding only its "
                      "config.json (pose estimate --config DIR; experiments/llama-7b-config has LLaMA-7B's)");
    }
    return model::config_from_hf_json(read_json_file(file), file.string());
  }
  nlohmann::json cfg = b.config;
  cfg["model_type"] = cfg.value("model_type", "llama");
  cfg["vocab_size"] = spec.data.tokenizer.vocab_size;
  cfg["max_position_embeddings"] = b.train_len;
  return model::config_from_hf_json(cfg, "base_model.config");
}

}  // namespace pose::experiment
