// Evaluation throughput: scored tokens per second of the engine's perplexity
// evaluation (eval::evaluate_perplexity: windows of W positions, BOS first,
// batched up to 16384 positions, no gradients) at several window lengths,
// against the Python peer scoring the same number of windows of the same
// length with the same architecture (bench/python/llama_peer.py --eval),
// measured in one run. Random weights and tokens: the figure is speed only.
//
// Then passkey-style retrieval scoring: the engine's teacher-forced predictor
// (eval::ModelPredictor::predict, what evaluate_passkey and the key-value test
// call per batch of a cell's trials: one forward over the prompts, logits and
// argmax only on the answer span) against the peer doing the same
// (llama_peer.py --passkey); prompt tokens/s and trials/s. Building the
// prompts (tokenizing filler) is left out of both.
//
//   bench_eval [--threads N] [--python /usr/bin/python3] [--only default|6m]
//              [--lengths 256,1024,2048] [--rounds N]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench_common.h"
#include "common/threads.h"
#include "eval/perplexity.h"
#include "eval/token_predictor.h"
#include "model/llama_model.h"
#include "model/model_init.h"

using namespace pose;

namespace {

struct Options {
  int threads = 0;
  int rounds = 2;
  std::string python = "/usr/bin/python3";
  std::string only;
  std::vector<int64_t> lengths = {256, 1024, 2048};
  int64_t batch_tokens = 16384;  // eval::PerplexitySettings' default
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--threads") {
      o.threads = std::atoi(value.c_str());
    } else if (key == "--rounds") {
      o.rounds = std::max(1, std::atoi(value.c_str()));
    } else if (key == "--python") {
      o.python = value;
    } else if (key == "--only") {
      o.only = value;
    } else if (key == "--lengths") {
      o.lengths.clear();
      std::stringstream list(value);
      std::string item;
      while (std::getline(list, item, ',')) o.lengths.push_back(std::atol(item.c_str()));
    } else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      std::exit(2);
    }
  }
  return o;
}

// Scored tokens per second of one perplexity evaluation at window W over
// documents holding `windows` full windows (plus one warm-up window).
double engine_tokens_per_s(model::LlamaForCausalLM& m, int64_t vocab, int64_t W, int64_t windows) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int32_t> token(3, static_cast<int32_t>(vocab - 1));
  const auto make_docs = [&](int64_t n_windows) {
    std::vector<std::vector<int32_t>> docs(static_cast<std::size_t>(n_windows));
    for (auto& d : docs) {
      d.resize(static_cast<std::size_t>(W - 1));
      for (auto& t : d) t = token(rng);
    }
    return docs;
  };
  eval::PerplexitySettings s;
  s.lengths = {W};
  eval::evaluate_perplexity(m, make_docs(std::max<int64_t>(1, 16384 / W)), s);  // warm-up
  const auto docs = make_docs(windows);
  const auto t0 = bench::Clock::now();
  const auto points = eval::evaluate_perplexity(m, docs, s);
  const double seconds = bench::seconds_since(t0);
  return static_cast<double>(points.at(0).tokens) / seconds;
}

// A random model of the shape, evaluated with the threads configure_threads()
// shares (LibTorch all, OpenBLAS one: common/threads.h).
struct EvalSetup {
  model::LlamaForCausalLM model;
  EvalSetup(const bench::Shape& shape, int64_t max_len) : model(bench::config_of(shape, max_len)) {
    model::init_weights(model, 1);
  }
};

// The peer's best of its two sensible splits of the threads: LibTorch on all
// and OpenBLAS on one (the engine's), or LibTorch on one and OpenBLAS on all
// (Python's GEMMs, `bmm` included, then use every core).
double best_peer(const Options& o, const bench::Shape& shape, int threads, const std::string& args) {
  double best = 0;
  const std::pair<int, int> splits[] = {{threads, 1}, {1, threads}};
  for (const auto& [torch_threads, blas] : splits) {
    const auto peer =
        bench::run_python_peer(o.python, shape, torch_threads, "OPENBLAS_NUM_THREADS=" + std::to_string(blas), args);
    best = std::max(best, peer.value("tokens_per_s", 0.0));
  }
  return best;
}

constexpr int64_t kAnswerSpan = 6;  // a five-digit key and its leading space, about

// Prompt tokens per second of teacher-forced retrieval scoring at length W:
// `batches` batches of `per_batch` random prompts, the median batch's time.
double engine_retrieval_tokens_per_s(model::LlamaForCausalLM& m, int64_t vocab, int64_t W, int64_t per_batch,
                                     int64_t batches) {
  eval::ModelPredictor predictor(m);
  const std::vector<eval::Span> spans(static_cast<std::size_t>(per_batch), eval::Span{W - 1 - kAnswerSpan, W - 1});
  torch::manual_seed(5);
  predictor.predict(torch::randint(3, vocab, {per_batch, W}, torch::kLong), spans);  // warm-up
  std::vector<double> times;
  for (int64_t b = 0; b < batches; ++b) {
    const torch::Tensor ids = torch::randint(3, vocab, {per_batch, W}, torch::kLong);
    const auto t0 = bench::Clock::now();
    predictor.predict(ids, spans);
    times.push_back(bench::seconds_since(t0));
  }
  return static_cast<double>(per_batch * W) / bench::median(times);  // as the peer: median batch
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const int threads = configure_threads(o.threads);
  std::printf("perplexity evaluation, scored tokens/s (no gradients, windows batched up to %ld positions), %d "
              "threads, best of %d alternating rounds; peer: %s bench/python/llama_peer.py --eval\n\n",
              static_cast<long>(o.batch_tokens), threads, o.rounds, o.python.c_str());
  std::printf("%-8s %6s %8s | %12s %12s | %6s\n", "model", "W", "windows", "engine t/s", "python t/s", "ratio");
  for (const auto& shape : bench::standard_shapes()) {
    if (!o.only.empty() && o.only != shape.name) continue;
    EvalSetup setup(shape, *std::max_element(o.lengths.begin(), o.lengths.end()));
    auto& m = setup.model;
    for (const int64_t W : o.lengths) {
      // Two batches of windows: enough to time, short enough at 2048.
      const int64_t per_batch = std::max<int64_t>(1, o.batch_tokens / W);
      const int64_t windows = 2 * per_batch;
      double ours = 0, py = 0;
      for (int r = 0; r < o.rounds; ++r) {
        ours = std::max(ours, engine_tokens_per_s(m, shape.vocab, W, windows));
        py = std::max(py, best_peer(o, shape, threads,
                                    "--eval --batch " + std::to_string(per_batch) + " --length " +
                                        std::to_string(W) + " --steps 2"));
      }
      std::printf("%-8s %6ld %8ld | %12.0f %12.0f | %5.2fx   (LibTorch %d, OpenBLAS %d threads)\n", shape.name.c_str(),
                  static_cast<long>(W), static_cast<long>(windows), ours, py, py > 0 ? ours / py : 0.0,
                  torch::get_num_threads(), blas_threads());
    }
  }
  std::printf("\npython: the best of LibTorch on all threads with OpenBLAS on one, and LibTorch on one with OpenBLAS\n"
              "on all; python t/s counts W-1 scored tokens per window, as the engine does.\n\n");

  std::printf("passkey-style retrieval, teacher-forced (one forward over each batch of prompts, argmax on a %ld-token\n"
              "answer span), prompts batched up to %ld positions; prompt tokens/s, trials/s in brackets\n\n",
              static_cast<long>(kAnswerSpan), static_cast<long>(o.batch_tokens));
  std::printf("%-8s %6s %7s | %20s %20s | %6s\n", "model", "L", "batch", "engine t/s (trials)", "python t/s (trials)",
              "ratio");
  for (const auto& shape : bench::standard_shapes()) {
    if (!o.only.empty() && o.only != shape.name) continue;
    EvalSetup setup(shape, *std::max_element(o.lengths.begin(), o.lengths.end()));
    auto& m = setup.model;
    for (const int64_t L : o.lengths) {
      const int64_t per_batch = std::max<int64_t>(1, o.batch_tokens / L);
      double ours = 0, py = 0;
      for (int r = 0; r < o.rounds; ++r) {
        ours = std::max(ours, engine_retrieval_tokens_per_s(m, shape.vocab, L, per_batch, 3));
        py = std::max(py, best_peer(o, shape, threads,
                                    "--passkey --span " + std::to_string(kAnswerSpan) + " --batch " +
                                        std::to_string(per_batch) + " --length " + std::to_string(L) + " --steps 3"));
      }
      const double l = static_cast<double>(L);
      std::printf("%-8s %6ld %7ld | %11.0f (%6.1f) %11.0f (%6.1f) | %5.2fx\n", shape.name.c_str(),
                  static_cast<long>(L), static_cast<long>(per_batch), ours, ours / l, py, py / l,
                  py > 0 ? ours / py : 0.0);
    }
  }
  return 0;
}
