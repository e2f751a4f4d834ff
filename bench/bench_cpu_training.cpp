// CPU training throughput of the engine against the same LLaMA written in
// Python PyTorch (bench/python/llama_peer.py, Debian's python3-torch: the same
// LibTorch underneath), same shapes and thread count, measured in one run.
// Also measures the machine's fp32 GEMM throughput, so that the model FLOP/s
// of a training step can be read as a share of what the CPU's BLAS delivers.
//
//   bench_cpu_training [--threads N] [--steps N] [--python /usr/bin/python3]
//                      [--rounds N] [--only default|6m] [--profile yes]
//                      [--precision fp32|bf16|both] [--kernels on|off|both]
//
// --kernels both: the engine also runs with its one-pass CPU kernels off
// (RMSNorm and RoPE as LibTorch's op chains, kernels/cpu_kernels.h) in the same
// rounds, and the gain is printed.
//
// Shapes: the default experiment's model (experiments/micro-pose.json: hidden
// 64, 2 layers, vocab 1024) and a ~6M-parameter variant (hidden 256, 6 layers,
// vocab 4096); batch 8, length 256 for both. A step is what the trainer does:
// forward, token-summed loss, backward, gradient clipping, AdamW.
//
// bf16: the engine's forward and backward under CPU bf16 autocast (precision
// "bf16", train/precision.h) against the peer under torch.autocast("cpu",
// bfloat16); the share of the GEMM rate is still read against fp32 GEMMs,
// and the bf16 GEMM rate is printed beside it.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/csrc/autograd/profiler_legacy.h>

#include "bench_common.h"
#include "common/threads.h"
#include "experiment/periodic_eval.h"
#include "model/llama_model.h"
#include "kernels/cpu_kernels.h"
#include "model/model_init.h"
#include "train/cpu_adamw.h"
#include "train/precision.h"
#include "train/trainer.h"

using namespace pose;
using bench::Clock;
using bench::median;
using bench::seconds_since;
using bench::Shape;

namespace {

struct Options {
  int threads = 0;
  int steps = 10;
  int rounds = 3;  // engine and peers measured alternately; the best round of each counts
  std::string python = "/usr/bin/python3";
  std::string only;
  bool profile = false;  // print where an engine step's time goes, op by op
  // "both": the engine also runs with its one-pass CPU kernels off
  // (kernels/cpu_kernels.h), alternating with the other contestants.
  std::string kernels = "on";
  std::vector<train::Precision> precisions{train::Precision::Fp32, train::Precision::Bf16};
  int64_t batch = 8, length = 256;
};

// OpenBLAS's own thread count (the engine keeps it at 1; see common/threads.cpp).
void set_blas_threads(int n) {
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(n);
}

// GEMM rate at one square size, best of 5, GFLOP/s.
double gemm_gflops(int64_t n, torch::ScalarType dtype = torch::kFloat) {
  auto a = torch::randn({n, n}).to(dtype), b = torch::randn({n, n}).to(dtype);
  auto c = torch::mm(a, b);
  double best = 1e30;
  for (int r = 0; r < 5; ++r) {
    const auto t0 = Clock::now();
    c = torch::mm(a, b);
    best = std::min(best, seconds_since(t0));
  }
  return 2.0 * static_cast<double>(n * n * n) / best / 1e9;
}

struct Measured {
  double step_s = 0, tokens_per_s = 0, first_loss = 0;
};

// A model and its optimizer, stepping as the trainer does (with the threads
// configure_threads() shares between LibTorch and OpenBLAS).
struct EngineStepper {
  train::Precision precision;
  model::LlamaForCausalLM m;
  std::unique_ptr<torch::optim::AdamW> opt;
  torch::Tensor positions;
  int64_t vocab;

  EngineStepper(const model::ModelConfig& config, const Options& o, train::Precision p)
      : precision(p),
        m(config),
        vocab(config.vocab_size) {
    model::init_weights(m, 1);
    m->train();
    train::TrainingSettings s;
    s.lr = 1e-4;
    s.beta1 = 0.9;
    s.beta2 = 0.95;
    s.weight_decay = 0.1;
    opt = train::make_optimizer(m, s);
    positions = model::contiguous_positions(o.batch, o.length, torch::kCPU);
  }

  // Returns the loss; ids are drawn before the clock starts.
  double step(const torch::Tensor& ids) {
    opt->zero_grad();
    model::LlamaForCausalLMImpl::NllSum nll;
    {
      const train::AutocastScope autocast(torch::kCPU, precision);
      nll = m->nll_sum(ids, positions, ids);
      (nll.sum / static_cast<double>(nll.tokens)).backward();
    }
    torch::nn::utils::clip_grad_norm_(m->parameters(), 1.0);
    train::adamw_step(*opt);  // as the trainer steps
    return nll.sum.item<double>() / static_cast<double>(nll.tokens);
  }
  torch::Tensor random_ids(const Options& o) const {
    return torch::randint(3, vocab, {o.batch, o.length}, torch::kLong);
  }
};

Measured time_engine(const model::ModelConfig& config, const Options& o, train::Precision p) {
  EngineStepper e(config, o, p);
  std::vector<double> times;
  Measured out;
  for (int step = 0; step <= o.steps; ++step) {  // step 0 warms up allocators and is not counted
    const auto ids = e.random_ids(o);
    const auto t0 = Clock::now();
    const double loss = e.step(ids);
    if (step > 0) times.push_back(seconds_since(t0));
    if (step == 0) out.first_loss = loss;
  }
  out.step_s = median(times);
  out.tokens_per_s = static_cast<double>(o.batch * o.length) / out.step_s;
  return out;
}

// Self time per op over a few steps, from LibTorch's profiler (chrome-trace
// events: an event's self time is its duration less its children's).
void print_profile(const model::ModelConfig& config, const Options& o, train::Precision p) {
  EngineStepper e(config, o, p);
  e.step(e.random_ids(o));
  std::stringstream trace;
  const int steps = 3;
  const auto t0 = Clock::now();
  {
    torch::autograd::profiler::RecordProfile guard(trace);
    for (int i = 0; i < steps; ++i) e.step(e.random_ids(o));
  }
  const double wall_ms = seconds_since(t0) * 1e3;
  std::string text = trace.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == ',')) text.pop_back();
  if (!text.empty() && text.back() != ']') text += "]";
  const auto events = nlohmann::json::parse(text, nullptr, false);
  if (!events.is_array()) {
    std::printf("         (profile trace unreadable)\n");
    return;
  }
  struct Ev { double ts, dur; std::string name, tid; };
  std::vector<Ev> evs;
  for (const auto& ev : events) {
    if (ev.value("ph", "") != "X") continue;
    evs.push_back({ev.value("ts", 0.0), ev.value("dur", 0.0), ev.value("name", ""), ev.contains("tid") ? ev["tid"].dump() : ""});
  }
  std::sort(evs.begin(), evs.end(), [](const Ev& a, const Ev& b) {
    return a.tid != b.tid ? a.tid < b.tid : a.ts != b.ts ? a.ts < b.ts : a.dur > b.dur;
  });
  std::map<std::string, double> self;
  std::map<std::string, int> calls;
  std::vector<std::pair<double, std::size_t>> open;  // (end, index)
  std::vector<double> own(evs.size());
  for (std::size_t i = 0; i < evs.size(); ++i) {
    if (i > 0 && evs[i].tid != evs[i - 1].tid) open.clear();
    while (!open.empty() && open.back().first <= evs[i].ts) open.pop_back();
    own[i] = evs[i].dur;
    if (!open.empty()) own[open.back().second] -= evs[i].dur;
    open.push_back({evs[i].ts + evs[i].dur, i});
  }
  double total = 0;
  for (std::size_t i = 0; i < evs.size(); ++i) {
    self[evs[i].name] += own[i];
    ++calls[evs[i].name];
    total += own[i];
  }
  std::vector<std::pair<double, std::string>> ranked;
  for (const auto& [name, us] : self) ranked.push_back({us, name});
  std::sort(ranked.rbegin(), ranked.rend());
  std::printf("         profile of %d engine steps (%.0f ms wall, %.0f ms in ops), self time:\n", steps, wall_ms,
              total / 1e3);
  for (std::size_t i = 0; i < std::min<std::size_t>(ranked.size(), 14); ++i) {
    std::printf("           %-40s %8.1f ms %5.1f%% %6d calls\n", ranked[i].second.c_str(), ranked[i].first / 1e3,
                100.0 * ranked[i].first / total, calls[ranked[i].second]);
  }
}

// The Python peer's training measurement with the given extra environment.
nlohmann::json run_peer(const Shape& s, const Options& o, train::Precision p, int threads,
                        const std::string& env) {
  return bench::run_python_peer(o.python, s, threads, env,
                                "--batch " + std::to_string(o.batch) + " --length " + std::to_string(o.length) +
                                    " --steps " + std::to_string(o.steps) +
                                    (p == train::Precision::Bf16 ? " --bf16" : ""));
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--threads") o.threads = std::atoi(value.c_str());
    else if (key == "--steps") o.steps = std::max(1, std::atoi(value.c_str()));
    else if (key == "--rounds") o.rounds = std::max(1, std::atoi(value.c_str()));
    else if (key == "--python") o.python = value;
    else if (key == "--only") o.only = value;
    else if (key == "--profile") o.profile = value == "1" || value == "yes";
    else if (key == "--kernels" && (value == "on" || value == "off" || value == "both")) o.kernels = value;
    else if (key == "--precision" && (value == "fp32" || value == "bf16" || value == "both")) {
      o.precisions.clear();
      if (value != "bf16") o.precisions.push_back(train::Precision::Fp32);
      if (value != "fp32") o.precisions.push_back(train::Precision::Bf16);
    }
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      std::exit(2);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const int threads = configure_threads(o.threads);

  // The machine's GEMM rate, with OpenBLAS allowed every thread (its best case).
  set_blas_threads(threads);
  double peak = 0;
  for (int64_t n : {512, 1024, 2048}) peak = std::max(peak, gemm_gflops(n));
  set_blas_threads(1);
  const double peak_one_thread = gemm_gflops(1024);
  configure_threads(threads);  // back to the engine's own setting
  double peak_bf16 = 0;
  for (int64_t n : {512, 1024, 2048}) peak_bf16 = std::max(peak_bf16, gemm_gflops(n, torch::kBFloat16));
  std::printf("fp32 GEMM (torch::mm, best of 512/1024/2048): %.1f GFLOP/s on %d threads, %.1f on one; "
              "bf16 GEMM (oneDNN): %.1f\n",
              peak, threads, peak_one_thread, peak_bf16);
  if (!train::cpu_has_native_bf16()) std::printf("this CPU has no AVX-512 BF16: bf16 is emulated\n");
  std::printf("batch %ld x length %ld, median of %d steps, best of %d alternating rounds; peer: %s "
              "bench/python/llama_peer.py\n\n",
              static_cast<long>(o.batch), static_cast<long>(o.length), o.steps, o.rounds, o.python.c_str());

  const std::vector<Shape> shapes = bench::standard_shapes();
  std::printf("%-8s %7s %4s | %10s %9s %7s | %11s %11s %11s | %6s\n", "model", "params", "prec", "engine t/s",
              "GFLOP/s", "%GEMM", "py t/s", "py(blas=1)", "py(torch=1)", "ratio");
  for (const auto& s : shapes) {
   for (const auto precision : o.precisions) {
    if (!o.only.empty() && o.only != s.name) continue;
    const auto config = bench::config_of(s, o.length);
    // This machine's timings wander by 10-20 % between runs of the same
    // program: alternate the contestants and keep each one's best round.
    Measured ours, reference_ops;
    nlohmann::json py = nlohmann::json::object(), py1 = py, pyt = py;
    double py_tps = 0, py1_tps = 0, pyt_tps = 0;
    for (int r = 0; r < o.rounds; ++r) {
      model::set_cpu_kernels_enabled(o.kernels != "off");
      const auto m = time_engine(config, o, precision);
      if (m.tokens_per_s > ours.tokens_per_s) ours = m;
      if (o.kernels == "both") {
        model::set_cpu_kernels_enabled(false);
        const auto ref = time_engine(config, o, precision);
        if (ref.tokens_per_s > reference_ops.tokens_per_s) reference_ops = ref;
        model::set_cpu_kernels_enabled(true);
      }
      const auto p = run_peer(s, o, precision, threads, "");
      if (p.value("tokens_per_s", 0.0) > py_tps) py = p, py_tps = p.value("tokens_per_s", 0.0);
      const auto p1 = run_peer(s, o, precision, threads, "OPENBLAS_NUM_THREADS=1");
      if (p1.value("tokens_per_s", 0.0) > py1_tps) py1 = p1, py1_tps = p1.value("tokens_per_s", 0.0);
      // LibTorch on one thread, OpenBLAS on all: Python's best for wide models.
      const auto pt = run_peer(s, o, precision, 1, "OPENBLAS_NUM_THREADS=" + std::to_string(threads));
      if (pt.value("tokens_per_s", 0.0) > pyt_tps) pyt = pt, pyt_tps = pt.value("tokens_per_s", 0.0);
    }
    const double flops_per_token = 3.0 * experiment::forward_flops_per_token(config, static_cast<double>(o.length));
    const double gflops = flops_per_token * ours.tokens_per_s / 1e9;
    const double best_py = std::max({py_tps, py1_tps, pyt_tps});
    std::printf("%-8s %6.2fM %4s | %10.0f %9.1f %6.0f%% | %11.0f %11.0f %11.0f | %5.2fx   (engine: LibTorch %d, "
                "OpenBLAS %d threads)\n",
                s.name.c_str(), static_cast<double>(config.parameter_count()) / 1e6,
                experiment::to_string(precision).c_str(), ours.tokens_per_s, gflops,
                100.0 * gflops / peak, py_tps, py1_tps, pyt_tps, best_py > 0 ? ours.tokens_per_s / best_py : 0.0,
                torch::get_num_threads(), blas_threads());
    std::printf("         first-step loss: engine %.3f, python %.3f (ln V = %.3f)\n", ours.first_loss,
                py.value("first_loss", 0.0), std::log(static_cast<double>(s.vocab)));
    if (o.kernels == "both") {
      std::printf("         engine without its one-pass CPU kernels: %.0f tokens/s (kernels: %.2fx)\n",
                  reference_ops.tokens_per_s, ours.tokens_per_s / reference_ops.tokens_per_s);
    }
    if (best_py <= 0) std::printf("         the Python peer did not run: is python3-torch installed?\n");
    if (o.profile) print_profile(config, o, precision);
   }
  }
  std::printf("\nratio: engine tokens/s over the fastest Python configuration (its default threads; OpenBLAS on one\n"
              "thread, as the engine; LibTorch on one thread and OpenBLAS on all); %%GEMM: model FLOP/s of a\n"
              "training step (3x forward) over the fp32 GEMM rate; bf16 rows: engine and peer under bf16 autocast.\n");
  return 0;
}
