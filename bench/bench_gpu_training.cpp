// GPU training throughput of the engine, for comparison with HF transformers'
// LlamaForCausalLM on the same GPU (tools/gpu_bench/hf_peer.py; both are run,
// alternately, by tools/gpu_bench/run.sh).
//
//   bench_gpu_training [--mode train|pose-vs-full] [--batch N] [--length N] [--target-length N]
//                      [--warmup N] [--steps N] [--peak-tflops X] [--checkpointing yes|no]
//                      [--breakdown yes|no] [--json FILE] [--device cuda|cpu] [--lora RANK]
//                      [--hidden N --intermediate N --layers N --heads N --kv-heads N --vocab N]
//
// The model is a 1B-class LLaMA in TinyLlama-1.1B's shape (hidden 2048, MLP 5632,
// 22 layers, 32 heads over 4 kv heads, vocabulary 32000, untied head), random
// init, built from an HF config as the product builds every model. A step is the
// trainer's (core/train/trainer.cpp): bf16 autocast over fp32 weights
// (train/precision.h), token-summed NLL divided by the scored tokens, backward,
// global-norm clipping at 1.0, AdamW; the attention kernel is the one the model
// resolves by itself (SDPA on LibTorch 2.x). Token ids are random; the loss
// starts near ln V.
//
// --mode train (default): batch 4 x length 2048. Warm-up steps are not timed;
// each timed step runs between two device synchronisations and the median
// counts. Peak memory is the CUDA caching allocator's peak of allocated bytes
// over the timed steps (the trainer's own memory figure). MFU = model FLOPs per
// token (3 x the forward estimate of experiment/periodic_eval.h, the one the
// design's cost table uses; recomputation is not counted) x tokens/s over
// --peak-tflops (989: H100 SXM dense bf16).
//
// --mode pose-vs-full: batch 1, activation checkpointing on, the same model at
// PoSE Lc = 2048 (positions from the product's sampler, spread over Lt = 16384)
// and at Full-length Lt = 16384: time and peak memory per step, against the
// FLOP ratio of the two steps.
//
// --lora RANK (--mode train): LoRA of that rank on q/k/v/o as the runner sets
// it up (frozen projections in bf16 under bf16 autocast); with it and without,
// the cost estimate's total memory is printed beside the measured peak.
//
// --device cpu runs the same code on the CPU (fp32), with a small shape given by
// the shape options: a check of the bench itself, not a measurement.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <torch/version.h>

#include "bench_common.h"
#include "common/error.h"
#include "common/json_file.h"
#include "common/memory_usage.h"
#include "common/threads.h"
#include "common/version.h"
#include "experiment/cost_estimate.h"
#include "experiment/periodic_eval.h"
#include "model/llama_model.h"
#include "lora/lora.h"
#include "model/model_init.h"
#include "positions/sampler.h"
#include "train/precision.h"
#include "train/trainer.h"

using namespace pose;

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string mode = "train";
  int64_t hidden = 2048, intermediate = 5632, layers = 22, heads = 32, kv_heads = 4, vocab = 32000;
  int64_t length = 2048;          // training length (PoSE's Lc in pose-vs-full)
  int64_t target_length = 16384;  // Lt, pose-vs-full only
  int64_t batch = 0;              // 0: 4 for train, 1 for pose-vs-full
  int warmup = 3, steps = 10;
  double peak_tflops = 989.0;
  int checkpointing = -1;  // -1: off for train, on for pose-vs-full
  bool breakdown = true;
  std::string json;
  std::string device = "cuda";
  int64_t lora = 0;  // --mode train: LoRA of this rank on q/k/v/o (0: every weight trains)
};

const char* kUsage =
    "usage: bench_gpu_training [--mode train|pose-vs-full] [--batch N] [--length N] [--target-length N]\n"
    "                          [--warmup N] [--steps N] [--peak-tflops X] [--checkpointing yes|no]\n"
    "                          [--breakdown yes|no] [--json FILE] [--device cuda|cpu] [--lora RANK]\n"
    "                          [--hidden N] [--intermediate N] [--layers N] [--heads N] [--kv-heads N] [--vocab N]\n";

const char* kSeeHelp = "bench_gpu_training --help lists the options";

bool parse_yes_no(const std::string& key, const std::string& value) {
  if (value == "yes" || value == "1" || value == "on") return true;
  if (value == "no" || value == "0" || value == "off") return false;
  throw UserError(key + ": expected yes or no, got '" + value + "'", "write yes or no");
}

int64_t parse_count(const std::string& key, const std::string& value, int64_t minimum) {
  char* end = nullptr;
  const long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || v < minimum) {
    throw UserError(key + ": expected an integer >= " + std::to_string(minimum) + ", got '" + value + "'",
                    "give a whole number");
  }
  return static_cast<int64_t>(v);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--help" || key == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) throw UserError(key + ": missing value", kSeeHelp);
    const std::string value = argv[i + 1];
    if (key == "--mode") {
      if (value != "train" && value != "pose-vs-full") throw UserError("--mode: unknown mode '" + value + "'", "use train or pose-vs-full");
      o.mode = value;
    } else if (key == "--hidden") o.hidden = parse_count(key, value, 1);
    else if (key == "--intermediate") o.intermediate = parse_count(key, value, 1);
    else if (key == "--layers") o.layers = parse_count(key, value, 1);
    else if (key == "--heads") o.heads = parse_count(key, value, 1);
    else if (key == "--kv-heads") o.kv_heads = parse_count(key, value, 1);
    else if (key == "--vocab") o.vocab = parse_count(key, value, 4);
    else if (key == "--length") o.length = parse_count(key, value, 2);
    else if (key == "--target-length") o.target_length = parse_count(key, value, 2);
    else if (key == "--batch") o.batch = parse_count(key, value, 1);
    else if (key == "--warmup") o.warmup = static_cast<int>(parse_count(key, value, 1));
    else if (key == "--steps") o.steps = static_cast<int>(parse_count(key, value, 1));
    else if (key == "--peak-tflops") {
      o.peak_tflops = std::atof(value.c_str());
      if (!(o.peak_tflops > 0)) throw UserError("--peak-tflops: expected a positive number", "e.g. 989 for H100 SXM");
    } else if (key == "--checkpointing") o.checkpointing = parse_yes_no(key, value) ? 1 : 0;
    else if (key == "--breakdown") o.breakdown = parse_yes_no(key, value);
    else if (key == "--json") o.json = value;
    else if (key == "--lora") o.lora = parse_count(key, value, 1);
    else if (key == "--device") {
      if (value != "cuda" && value != "cpu") throw UserError("--device: unknown device '" + value + "'", "use cuda or cpu");
      o.device = value;
    }
    else throw UserError("unknown option " + key, kSeeHelp);
  }
  if (o.batch == 0) o.batch = o.mode == "train" ? 4 : 1;
  if (o.mode == "pose-vs-full" && o.target_length <= o.length) {
    throw UserError("--target-length must exceed --length in pose-vs-full", "e.g. --length 2048 --target-length 16384");
  }
  return o;
}

model::ModelConfig config_of(const Options& o, int64_t max_positions) {
  // LLaMA-style untied LM head, as HF's LlamaForCausalLM in the peer.
  return bench::config_of({"gpu", o.hidden, o.intermediate, o.layers, o.heads, o.kv_heads, o.vocab}, max_positions,
                          /*tied_embeddings=*/false);
}

// The optimizer settings hf_peer.py uses as well.
train::TrainingSettings training_settings() {
  train::TrainingSettings s;
  s.lr = 1e-4;
  s.beta1 = 0.9;
  s.beta2 = 0.95;
  s.eps = 1e-8;
  s.weight_decay = 0.1;
  s.grad_clip = 1.0;
  return s;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void device_sync(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

const char* kernel_name(model::AttentionKernel k) {
  switch (k) {
    case model::AttentionKernel::Sdpa: return "sdpa";
    case model::AttentionKernel::Eager: return "eager";
    case model::AttentionKernel::Auto: return "auto";
  }
  return "?";
}

// One batch as the trainer's BatchSource hands it over: CPU tensors, labels = ids
// (the model shifts them).
struct HostBatch {
  torch::Tensor ids, positions;
  int64_t scored = 0;
};

// A model, its optimizer and the trainer's step.
class Stepper {
 public:
  Stepper(model::LlamaForCausalLM& m, const torch::Device& device)
      : m_(m), device_(device), settings_(training_settings()) {
    precision_ = train::resolve_precision(train::Precision::Auto, device_);
    optimizer_ = train::make_optimizer(m_, settings_);
  }

  struct Result {
    double loss = 0.0, grad_norm = 0.0;
  };

  // train_model()'s step with one micro-batch: the same calls in the same order.
  Result step(const HostBatch& b) {
    optimizer_->zero_grad();
    Result r;
    {
      train::AutocastScope autocast(device_, precision_);
      auto nll = m_->nll_sum(b.ids.to(device_), b.positions.to(device_), b.ids.to(device_));
      auto scaled = nll.sum / static_cast<double>(std::max<int64_t>(b.scored, 1));
      scaled.backward();
      r.loss = nll.sum.item<double>() / static_cast<double>(std::max<int64_t>(b.scored, 1));
    }
    r.grad_norm = torch::nn::utils::clip_grad_norm_(m_->parameters(), settings_.grad_clip);
    optimizer_->step();
    return r;
  }

  // The same step with a synchronisation after each part: where a step's time goes.
  std::map<std::string, double> breakdown_ms(const HostBatch& b) {
    std::map<std::string, double> ms;
    device_sync(device_);
    auto t = Clock::now();
    auto lap = [&](const char* part) {
      device_sync(device_);
      ms[part] = 1e3 * seconds_since(t);
      t = Clock::now();
    };
    optimizer_->zero_grad();
    {
      train::AutocastScope autocast(device_, precision_);
      auto nll = m_->nll_sum(b.ids.to(device_), b.positions.to(device_), b.ids.to(device_));
      auto scaled = nll.sum / static_cast<double>(std::max<int64_t>(b.scored, 1));
      lap("forward");
      scaled.backward();
      (void)nll.sum.item<double>();
      lap("backward");
    }
    (void)torch::nn::utils::clip_grad_norm_(m_->parameters(), settings_.grad_clip);
    lap("clip");
    optimizer_->step();
    lap("optimizer");
    return ms;
  }

 private:
  model::LlamaForCausalLM& m_;
  torch::Device device_;
  train::TrainingSettings settings_;
  train::Precision precision_ = train::Precision::Fp32;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
};

struct Timing {
  double step_s = 0.0, step_min_s = 0.0, tokens_per_s = 0.0, peak_mib = 0.0;
  double first_loss = 0.0, last_loss = 0.0;
  std::map<std::string, double> breakdown;
};

// Warm-up steps, then timed steps; make_batch(i) is drawn before the clock starts.
template <typename MakeBatch>
Timing time_steps(Stepper& stepper, const Options& o, int64_t tokens_per_step, const torch::Device& device,
                  MakeBatch make_batch, bool breakdown) {
  Timing t;
  int index = 0;
  for (int w = 0; w < o.warmup; ++w) {
    const double loss = stepper.step(make_batch(index++)).loss;
    if (w == 0) t.first_loss = loss;
  }
  device_sync(device);
  (void)take_peak_memory_mb(device);  // resets the peak: only the timed steps count
  std::vector<double> times;
  for (int s = 0; s < o.steps; ++s) {
    const HostBatch b = make_batch(index++);
    device_sync(device);
    const auto t0 = Clock::now();
    t.last_loss = stepper.step(b).loss;
    device_sync(device);
    times.push_back(seconds_since(t0));
  }
  t.peak_mib = take_peak_memory_mb(device);
  t.step_s = median(times);
  t.step_min_s = *std::min_element(times.begin(), times.end());
  t.tokens_per_s = static_cast<double>(tokens_per_step) / t.step_s;
  if (breakdown) t.breakdown = stepper.breakdown_ms(make_batch(index++));
  return t;
}

HostBatch random_batch(int64_t batch, int64_t window, int64_t vocab, torch::Tensor positions) {
  HostBatch b;
  b.ids = torch::randint(3, vocab, {batch, window}, torch::kLong);
  b.positions = std::move(positions);
  b.scored = batch * (window - 1);  // nothing is padded
  return b;
}

std::unique_ptr<model::LlamaForCausalLM> build_model(const model::ModelConfig& config, bool checkpointing,
                                                     const torch::Device& device) {
  model::ModelOptions options;  // the kernel stays Auto: the model resolves it as in the product
  options.activation_checkpointing = checkpointing;
  auto m = std::make_unique<model::LlamaForCausalLM>(config, options);
  model::init_weights(*m, 1);
  (*m)->to(device);
  (*m)->train();
  return m;
}

nlohmann::json common_json(const Options& o, const model::ModelConfig& config, model::LlamaForCausalLM& m,
                           const torch::Device& device) {
  const DeviceInfo dev = device_info();
  return {{"engine", "pose"},
          {"torch_version", TORCH_VERSION},
          {"device", dev.device_name},
          {"attention_kernel", kernel_name(m->options().kernel)},
          {"precision", train::resolve_precision(train::Precision::Auto, device) == train::Precision::Bf16
                            ? "bf16 autocast over fp32 weights"
                            : "fp32"},
          {"optimizer", "torch::optim::AdamW (LibTorch C++), lr 1e-4, betas 0.9/0.95, eps 1e-8, wd 0.1; clip 1.0"},
          {"model",
           {{"hidden", o.hidden},
            {"intermediate", o.intermediate},
            {"layers", o.layers},
            {"heads", o.heads},
            {"kv_heads", o.kv_heads},
            {"vocab", o.vocab},
            {"tie_word_embeddings", false},
            {"parameters", config.parameter_count()}}},
          {"warmup_steps", o.warmup},
          {"timed_steps", o.steps},
          {"peak_tflops", o.peak_tflops}};
}

nlohmann::json run_train(const Options& o, const torch::Device& device) {
  const auto config = config_of(o, o.length);
  const bool checkpointing = o.checkpointing == 1;
  auto m = build_model(config, checkpointing, device);
  // LoRA as the runner sets it up: adapters on q/k/v/o, the frozen projections
  // in bf16 under bf16 autocast; the estimate beside the measured peak.
  std::optional<model::LoraConfig> lora;
  if (o.lora > 0) {
    lora = model::LoraConfig{};
    lora->rank = o.lora;
    lora->alpha = 2.0 * static_cast<double>(o.lora);
    model::attach_lora(*m, *lora, 1);
    if (train::resolve_precision(train::Precision::Auto, device) == train::Precision::Bf16) {
      model::store_frozen_projections_as(*m, torch::kBFloat16);
    }
    const auto counts = model::count_parameters(*m);
    std::printf("LoRA rank %ld on q/k/v/o: %ld of %ld parameters train\n", static_cast<long>(o.lora),
                static_cast<long>(counts.trainable), static_cast<long>(counts.total));
  }
  train::TrainingSettings estimate_settings = training_settings();
  estimate_settings.lora = lora;
  estimate_settings.activation_checkpointing = checkpointing;
  const auto estimate = experiment::estimate_training_cost(
      config, o.length, o.batch, 1,
      experiment::engine_cost_options(config, estimate_settings,
                                      device.is_cuda() ? experiment::CostDevice::Cuda : experiment::CostDevice::Cpu));
  Stepper stepper(*m, device);
  std::printf("model: %.3fB parameters (hidden %ld, MLP %ld, %ld layers, %ld/%ld heads, vocab %ld); attention %s; "
              "activation checkpointing %s\n",
              static_cast<double>(config.parameter_count()) / 1e9, static_cast<long>(o.hidden),
              static_cast<long>(o.intermediate), static_cast<long>(o.layers), static_cast<long>(o.heads),
              static_cast<long>(o.kv_heads), static_cast<long>(o.vocab), kernel_name((*m)->options().kernel),
              checkpointing ? "on" : "off");
  std::printf("batch %ld x length %ld, %d warm-up + %d timed steps (median)\n", static_cast<long>(o.batch),
              static_cast<long>(o.length), o.warmup, o.steps);
  std::fflush(stdout);

  const auto positions = model::contiguous_positions(o.batch, o.length, torch::kCPU);
  torch::manual_seed(7);
  const Timing t = time_steps(
      stepper, o, o.batch * o.length, device,
      [&](int) { return random_batch(o.batch, o.length, o.vocab, positions); }, o.breakdown);

  const double flops_per_token = 3.0 * experiment::forward_flops_per_token(config, static_cast<double>(o.length));
  const double achieved_tflops = flops_per_token * t.tokens_per_s / 1e12;
  const double mfu = achieved_tflops / o.peak_tflops;
  std::printf("engine: %.0f tokens/s, %.1f ms/step (min %.1f), %.0f MiB peak, %.0f TFLOP/s = %.1f%% MFU of %.0f; "
              "loss %.3f -> %.3f (ln V = %.3f)\n",
              t.tokens_per_s, 1e3 * t.step_s, 1e3 * t.step_min_s, t.peak_mib, achieved_tflops, 100.0 * mfu,
              o.peak_tflops, t.first_loss, t.last_loss, std::log(static_cast<double>(o.vocab)));
  if (!t.breakdown.empty()) {
    double total = 0;
    for (const auto& part : t.breakdown) total += part.second;
    std::printf("one step, synchronised after each part:");
    for (const char* part : {"forward", "backward", "clip", "optimizer"}) {
      const double v = t.breakdown.count(part) ? t.breakdown.at(part) : 0.0;
      std::printf(" %s %.1f ms (%.0f%%)", part, v, total > 0 ? 100.0 * v / total : 0.0);
    }
    std::printf("\n");
  }

  nlohmann::json j = common_json(o, config, *m, device);
  j["mode"] = "train";
  j["lora_rank"] = o.lora;
  j["trainable_parameters"] = model::count_parameters(*m).trainable;
  j["estimated_peak_memory_mib"] = estimate.memory.total() / (1024.0 * 1024.0);
  std::printf("estimate (experiment/cost_estimate.h): %.0f MiB; measured peak %.0f MiB (%.2fx)\n",
              estimate.memory.total() / (1024.0 * 1024.0), t.peak_mib,
              t.peak_mib > 0 ? t.peak_mib / (estimate.memory.total() / (1024.0 * 1024.0)) : 0.0);
  j["batch"] = o.batch;
  j["length"] = o.length;
  j["activation_checkpointing"] = checkpointing;
  j["step_s"] = t.step_s;
  j["step_min_s"] = t.step_min_s;
  j["tokens_per_s"] = t.tokens_per_s;
  j["peak_memory_mib"] = t.peak_mib;
  j["train_flops_per_token"] = flops_per_token;
  j["achieved_tflops"] = achieved_tflops;
  j["mfu"] = mfu;
  j["first_loss"] = t.first_loss;
  j["last_loss"] = t.last_loss;
  if (!t.breakdown.empty()) j["breakdown_ms"] = t.breakdown;
  return j;
}

nlohmann::json run_pose_vs_full(const Options& o, const torch::Device& device) {
  const int64_t lc = o.length, lt = o.target_length;
  const auto config = config_of(o, lt);
  const bool checkpointing = o.checkpointing != 0;
  auto m = build_model(config, checkpointing, device);
  std::printf("model: %.3fB parameters; attention %s; activation checkpointing %s; batch %ld; "
              "%d warm-up + %d timed steps (median)\n",
              static_cast<double>(config.parameter_count()) / 1e9, kernel_name((*m)->options().kernel),
              checkpointing ? "on" : "off", static_cast<long>(o.batch), o.warmup, o.steps);
  std::fflush(stdout);

  struct Arm {
    const char* name;
    positions::Design design;
    int64_t window;
    Timing t;
    double flops_per_step = 0;
  };
  std::vector<Arm> arms = {
      {"pose", positions::make_design(positions::Strategy::Pose, lc, lt), lc, {}, 0},
      {"full", positions::make_design(positions::Strategy::Full, lc, lt), lt, {}, 0},
  };
  torch::manual_seed(7);
  for (auto& arm : arms) {
    // A fresh optimizer per arm, as a run of its own would have; the previous
    // arm's state is freed first.
    Stepper stepper(*m, device);
    const auto make_batch = [&](int index) {
      std::vector<int64_t> pos;
      pos.reserve(static_cast<std::size_t>(o.batch * arm.window));
      for (int64_t r = 0; r < o.batch; ++r) {
        const auto sample = positions::draw_sample(arm.design, arm.design.target_len, 7,
                                                   static_cast<uint64_t>(index * o.batch + r));
        pos.insert(pos.end(), sample.position_ids.begin(), sample.position_ids.end());
      }
      return random_batch(o.batch, arm.window, o.vocab, torch::tensor(pos, torch::kLong).view({o.batch, arm.window}));
    };
    arm.t = time_steps(stepper, o, o.batch * arm.window, device, make_batch, false);
    arm.flops_per_step = static_cast<double>(o.batch * arm.window) * 3.0 *
                         experiment::forward_flops_per_token(config, static_cast<double>(arm.window));
    std::printf("%-5s %6ld tokens/step: %8.1f ms/step, %8.0f tokens/s, %7.0f MiB peak\n", arm.name,
                static_cast<long>(o.batch * arm.window), 1e3 * arm.t.step_s, arm.t.tokens_per_s, arm.t.peak_mib);
    std::fflush(stdout);
  }
  const Arm& pose_arm = arms[0];
  const Arm& full_arm = arms[1];
  const double time_ratio = full_arm.t.step_s / pose_arm.t.step_s;
  const double memory_ratio = full_arm.t.peak_mib / pose_arm.t.peak_mib;
  const double ideal = full_arm.flops_per_step / pose_arm.flops_per_step;
  std::printf("full / pose: step time %.2fx (FLOP ratio %.2fx, window ratio %.0fx), peak memory %.2fx\n", time_ratio,
              ideal, static_cast<double>(lt) / static_cast<double>(lc), memory_ratio);

  nlohmann::json j = common_json(o, config, *m, device);
  j["mode"] = "pose-vs-full";
  j["batch"] = o.batch;
  j["activation_checkpointing"] = checkpointing;
  for (const Arm& arm : arms) {
    j[arm.name] = {{"train_len", arm.window},
                   {"strategy", positions::strategy_name(arm.design.strategy)},
                   {"step_s", arm.t.step_s},
                   {"step_min_s", arm.t.step_min_s},
                   {"tokens_per_s", arm.t.tokens_per_s},
                   {"peak_memory_mib", arm.t.peak_mib},
                   {"flops_per_step", arm.flops_per_step},
                   {"mfu", arm.flops_per_step / arm.t.step_s / (o.peak_tflops * 1e12)},
                   {"first_loss", arm.t.first_loss}};
  }
  j["target_len"] = lt;
  j["time_ratio_full_over_pose"] = time_ratio;
  j["memory_ratio_full_over_pose"] = memory_ratio;
  j["ideal_ratio_flops"] = ideal;
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    configure_threads();
    if (o.device == "cuda" && !torch::cuda::is_available()) {
      const DeviceInfo dev = device_info();
      std::printf("no CUDA device: this bench needs one; see tools/gpu_bench/run.sh (LibTorch %s%s)\n", TORCH_VERSION,
                  dev.cuda_built ? "" : ", built without CUDA");
      if (!o.json.empty()) write_json_file(o.json, {{"engine", "pose"}, {"skipped", "no CUDA device"}});
      return 0;
    }
    const torch::Device device = o.device == "cuda" ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    std::printf("%s", version_report().c_str());
    std::fflush(stdout);
    const nlohmann::json result = o.mode == "train" ? run_train(o, device) : run_pose_vs_full(o, device);
    if (!o.json.empty()) write_json_file(o.json, result);
    return 0;
  } catch (const UserError& e) {
    std::fprintf(stderr, "bench_gpu_training: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_gpu_training: %s\n", e.what());
    return 1;
  }
}
