// The memory estimate (experiment/cost_estimate.h) against what training
// measures on the CPU: a few optimizer steps of the real trainer per case, the
// peak of live tensor storage counted at LibTorch's CPU allocator
// (common/cpu_tensor_memory.h) over the steps after the first (the first also
// allocates gradients and AdamW's moments), next to the estimate for the same
// model, sequence length, batch and settings. Also printed: the resident
// set's high-water mark over the same steps less the resident set before
// training, which includes what the allocator caches, thread stacks and
// libraries' own buffers.
//
//   bench_memory_estimate [--steps N] [--case NAME]...
//
// Each case is a model shape × length × batch × precision × activation
// checkpointing, with every weight trained or LoRA adapters (attached and
// stored as the runner does).
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "bench_common.h"
#include "common/cpu_tensor_memory.h"
#include "common/memory_usage.h"
#include "common/threads.h"
#include "experiment/cost_estimate.h"
#include "kernels/cpu_kernels.h"
#include "model/llama_model.h"
#include "lora/lora.h"
#include "model/model_init.h"
#include "train/batch_source.h"
#include "train/trainer.h"

using namespace pose;

namespace {

struct Case {
  std::string name;
  bench::Shape shape;
  int64_t length = 0, batch = 0;
  bool bf16 = false;
  bool checkpointing = false;
  std::optional<model::LoraConfig> lora;
};

model::LoraConfig lora_of(int64_t rank, double dropout, bool embeddings_and_norms) {
  model::LoraConfig l;
  l.rank = rank;
  l.alpha = 2.0 * double(rank);
  l.dropout = dropout;
  l.train_embeddings = l.train_norms = embeddings_and_norms;
  return l;
}

std::vector<Case> cases() {
  // hidden, intermediate, layers, heads, kv heads, vocab. Head widths 32 and 64
  // take the CPU attention kernel in fp32 (16 in bf16 too); 128 runs eager
  // attention (kept probabilities, block by block from 1024 tokens, the full
  // square below); a 32000 vocabulary at 2048 tokens forms the logits again
  // in backward instead of keeping them.
  const bench::Shape s{"s", 128, 352, 4, 4, 2, 2048};     // head 32
  const bench::Shape m{"m", 256, 688, 6, 4, 4, 4096};     // head 64
  const bench::Shape w{"w", 256, 688, 4, 2, 2, 32000};    // head 128, LLaMA's vocabulary
  const bench::Shape n{"n", 128, 352, 4, 8, 4, 2048};     // head 16: the kernel in bf16 too
  std::vector<Case> all;
  for (const bool ckpt : {false, true}) {
    const std::string suffix = ckpt ? "-ckpt" : "";
    all.push_back({"s-512x4-fp32" + suffix, s, 512, 4, false, ckpt, std::nullopt});
    all.push_back({"m-1024x2-fp32" + suffix, m, 1024, 2, false, ckpt, std::nullopt});
    all.push_back({"w-1024x2-fp32" + suffix, w, 1024, 2, false, ckpt, std::nullopt});
    all.push_back({"w-512x4-fp32" + suffix, w, 512, 4, false, ckpt, std::nullopt});
    all.push_back({"m-1024x2-bf16" + suffix, m, 1024, 2, true, ckpt, std::nullopt});
    all.push_back({"n-512x4-bf16" + suffix, n, 512, 4, true, ckpt, std::nullopt});
  }
  // LoRA on q, k, v and o (LongLoRA's setting also trains embeddings and
  // norms), as the runner attaches it: frozen projections in bf16 under bf16.
  all.push_back({"m-1024x2-fp32-r8", m, 1024, 2, false, false, lora_of(8, 0, false)});
  all.push_back({"m-1024x2-bf16-r8", m, 1024, 2, true, false, lora_of(8, 0, false)});
  all.push_back({"m-1024x2-bf16-r8-ckpt", m, 1024, 2, true, true, lora_of(8, 0, false)});
  all.push_back({"m-1024x2-bf16-longlora", m, 1024, 2, true, false, lora_of(8, 0, true)});
  all.push_back({"m-1024x2-fp32-r16-drop", m, 1024, 2, false, false, lora_of(16, 0.05, false)});
  all.push_back({"m-1024x2-bf16-r16-drop", m, 1024, 2, true, false, lora_of(16, 0.05, false)});
  all.push_back({"w-1024x2-bf16-r8", w, 1024, 2, true, false, lora_of(8, 0, false)});
  all.push_back({"w-1024x2-fp32-r8-ckpt", w, 1024, 2, false, true, lora_of(8, 0, false)});
  return all;
}

// VmHWM from /proc/self/status, bytes; reset by writing 5 to clear_refs.
double resident_high_water() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) * 1024.0;
  }
  return 0;
}

bool reset_resident_high_water() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  return static_cast<bool>(clear);
}

struct PeakObserver : train::TrainObserver {
  std::vector<int64_t> peaks;  // tensor bytes, per step
  std::vector<double> rss_peaks;
  void on_step(const train::StepEvent&) override {
    peaks.push_back(CpuTensorMemory::peak_bytes());
    rss_peaks.push_back(resident_high_water());
    CpuTensorMemory::reset_peak();
    reset_resident_high_water();
  }
};

std::shared_ptr<const std::vector<std::vector<int32_t>>> random_documents(int64_t vocab, int64_t length) {
  auto docs = std::make_shared<std::vector<std::vector<int32_t>>>();
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> token(3, static_cast<int32_t>(vocab - 1));
  for (int d = 0; d < 8; ++d) {
    std::vector<int32_t> doc(static_cast<std::size_t>(2 * length));
    for (auto& t : doc) t = token(rng);
    docs->push_back(std::move(doc));
  }
  return docs;
}

double mib(double bytes) { return bytes / (1024.0 * 1024.0); }

}  // namespace

int main(int argc, char** argv) {
  CpuTensorMemory::install();  // before any tensor: every later allocation is counted
  configure_threads();
  int steps = 3;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--steps" && i + 1 < argc) {
      steps = std::max(2, std::atoi(argv[++i]));
    } else if (a == "--case" && i + 1 < argc) {
      only.push_back(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: bench_memory_estimate [--steps N] [--case NAME]...\n");
      return 2;
    }
  }
  if (!CpuTensorMemory::installed()) {
    std::fprintf(stderr, "error: could not count LibTorch's CPU allocations (the allocator has no raw deleter)\n");
    return 1;
  }
  std::printf("LibTorch %s, %d threads, CPU kernels %s; peak over steps 2..%d of the trainer\n\n", TORCH_VERSION,
              torch::get_num_threads(), model::cpu_kernels_enabled() ? "on" : "off", steps);
  std::printf("%-24s %8s %6s | %10s %10s %7s | %10s %10s %7s | %10s\n", "case", "params", "attn", "peak MiB",
              "est MiB", "est/pk", "train MiB", "est MiB", "est/tr", "RSS +MiB");
  const auto dir = std::filesystem::temp_directory_path() / "pose-bench-memory";
  std::filesystem::create_directories(dir);

  for (const Case& k : cases()) {
    if (!only.empty() && std::find(only.begin(), only.end(), k.name) == only.end()) continue;
    const auto config = bench::config_of(k.shape, k.length);
    train::TrainingSettings settings;
    settings.steps = steps;
    settings.batch_size = k.batch;
    settings.grad_accum = 1;
    settings.lr = 1e-4;
    settings.warmup_steps = 0;
    settings.checkpoint_every = 0;
    settings.precision = k.bf16 ? train::Precision::Bf16 : train::Precision::Fp32;
    settings.activation_checkpointing = k.checkpointing;
    settings.lora = k.lora;

    const auto options = experiment::engine_cost_options(config, settings, experiment::CostDevice::Cpu);
    const auto estimate = experiment::estimate_training_cost(config, k.length, k.batch, 1, options);
    double measured_peak = 0, rss_peak = 0, before = 0, rss_before = 0;
    {
      malloc_trim(0);
      model::ModelOptions mo;
      mo.activation_checkpointing = k.checkpointing;
      model::LlamaForCausalLM m(config, mo);
      model::init_weights(m, 1);
      if (k.lora) {
        model::attach_lora(m, *k.lora, 1);
        if (k.bf16) model::store_frozen_projections_as(m, torch::kBFloat16);
      }
      train::BatchSourceOptions so;
      so.design = positions::make_design(positions::Strategy::Full, k.length, k.length);
      so.segment_len = k.length;
      so.batch_size = k.batch;
      so.grad_accum = 1;
      so.seed = 3;
      train::BatchSource source(random_documents(config.vocab_size, k.length), so);
      PeakObserver observer;
      train::TrainerOptions to;
      to.run_name = k.name;
      to.settings = settings;
      to.checkpoint_file = dir / (k.name + ".ckpt");
      to.observer = &observer;
      malloc_trim(0);
      before = static_cast<double>(CpuTensorMemory::live_bytes());
      rss_before = resident_memory_mb() * 1024.0 * 1024.0;
      CpuTensorMemory::reset_peak();
      reset_resident_high_water();
      train::train_model(m, source, to);
      for (std::size_t i = 1; i < observer.peaks.size(); ++i) {
        measured_peak = std::max(measured_peak, static_cast<double>(observer.peaks[i]));
        rss_peak = std::max(rss_peak, observer.rss_peaks[i]);
      }
    }
    std::filesystem::remove(dir / (k.name + ".ckpt"));
    const double est = estimate.memory.total();
    const double est_training = est - estimate.memory.weights;
    const double measured_training = measured_peak - before;
    std::printf("%-24s %7.2fM %6s | %10.1f %10.1f %7.3f | %10.1f %10.1f %7.3f | %10.1f\n", k.name.c_str(),
                static_cast<double>(estimate.parameters) / 1e6, options.materialized_attention ? "eager" : "kernel",
                mib(measured_peak), mib(est), est / measured_peak, mib(measured_training), mib(est_training),
                est_training / measured_training, mib(rss_peak - rss_before));
    const auto& p = estimate.memory.activation_parts;
    std::printf("%-24s estimate: weights %.1f, copies %.1f, grads %.1f, adamw %.1f, activations %.1f (layers %.1f, "
                "inputs %.1f, loss %.1f, recompute %.1f, backward %.1f); allocated before training %.1f MiB\n",
                "", mib(estimate.memory.weights), mib(estimate.memory.weight_copies), mib(estimate.memory.gradients),
                mib(estimate.memory.optimizer), mib(estimate.memory.activations), mib(p.layers), mib(p.inputs),
                mib(p.loss), mib(p.recompute), mib(p.backward_peak), mib(before));
    std::fflush(stdout);
  }
  return 0;
}
