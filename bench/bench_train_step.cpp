// The cost PoSE saves: time and memory of one optimizer step when training at
// Lc (PoSE, RandPos: positions spread over Lt, but only Lc tokens) against
// Full-length training at Lt, for the same model and the same number of
// sequences. Prints tokens/s for each and the Full-length/PoSE step-time ratio
// (the paper reports 8.3x for 2k -> 16k on LLaMA-7B).
//
//   bench_train_step [hidden layers heads kv_heads vocab Lc Lt batch steps [fp32|bf16]]
//
// bf16: each step's forward and backward under bf16 autocast, as a run with
// precision "bf16" trains (on the CPU too).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/memory_usage.h"
#include "common/threads.h"
#include "model/llama_model.h"
#include "model/model_init.h"
#include "positions/sampler.h"
#include "train/cpu_adamw.h"
#include "train/precision.h"

using namespace pose;

namespace {

struct Timing {
  double step_s = 0.0;
  double tokens_per_s = 0.0;
};

Timing time_steps(model::LlamaForCausalLM& m, const positions::Design& design, int64_t vocab, int64_t batch,
                  int steps, train::Precision precision) {
  torch::optim::AdamW opt(m->parameters(), torch::optim::AdamWOptions(1e-4));
  const auto window = design.strategy == positions::Strategy::Full ? design.target_len : design.train_len;
  double best = 1e30;
  for (int s = 0; s < steps + 1; ++s) {  // the first step warms up allocators and is not counted
    std::vector<int64_t> pos;
    for (int64_t b = 0; b < batch; ++b) {
      auto sample = positions::draw_sample(design, design.target_len, 7, static_cast<uint64_t>(s * batch + b));
      pos.insert(pos.end(), sample.position_ids.begin(), sample.position_ids.end());
    }
    auto positions_t = torch::tensor(pos, torch::kInt64).view({batch, window});
    auto ids = torch::randint(3, vocab, {batch, window}, torch::kInt64);
    const auto t0 = std::chrono::steady_clock::now();
    opt.zero_grad();
    {
      const train::AutocastScope autocast(torch::kCPU, precision);
      auto loss = m->loss(ids, positions_t, ids);
      loss.backward();
    }
    train::adamw_step(opt);  // as the trainer steps
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s > 0) best = std::min(best, dt);
  }
  return {best, static_cast<double>(batch * window) / best};
}

}  // namespace

int main(int argc, char** argv) {
  configure_threads();
  auto arg = [&](int i, long fallback) { return argc > i ? std::atol(argv[i]) : fallback; };
  const long hidden = arg(1, 256), layers = arg(2, 4), heads = arg(3, 8), kv = arg(4, 4), vocab = arg(5, 2048);
  const long lc = arg(6, 256), lt = arg(7, 2048), batch = arg(8, 4), steps = arg(9, 3);
  const bool bf16 = argc > 10 && std::string(argv[10]) == "bf16";
  const auto precision = bf16 ? train::Precision::Bf16 : train::Precision::Fp32;
  nlohmann::json cfg = {{"model_type", "llama"},        {"vocab_size", vocab},
                        {"hidden_size", hidden},        {"intermediate_size", hidden * 8 / 3 / 8 * 8},
                        {"num_hidden_layers", layers},  {"num_attention_heads", heads},
                        {"num_key_value_heads", kv},    {"max_position_embeddings", lt},
                        {"tie_word_embeddings", true}};
  auto config = model::config_from_hf_json(cfg);
  model::LlamaForCausalLM m(config);
  model::init_weights(m, 1);
  std::printf("model: hidden %ld, %ld layers, %ld heads (%ld kv), vocab %ld: %.2fM parameters; %d threads\n", hidden,
              layers, heads, kv, vocab, static_cast<double>(config.parameter_count()) / 1e6, torch::get_num_threads());
  std::printf("batch %ld sequences, best of %ld steps, %s\n\n", batch, steps, bf16 ? "bf16 autocast" : "fp32");
  const auto pose_t = time_steps(m, positions::make_design(positions::Strategy::Pose, lc, lt), vocab, batch,
                                 static_cast<int>(steps), precision);
  const double pose_mem = resident_memory_mb();
  const auto full_t = time_steps(m, positions::make_design(positions::Strategy::Full, lc, lt), vocab, batch,
                                 static_cast<int>(steps), precision);
  const double full_mem = resident_memory_mb();
  std::printf("%-22s %10s %12s %10s\n", "strategy", "step s", "tokens/s", "RSS MiB");
  std::printf("%-22s %10.3f %12.0f %10.0f\n", ("pose Lc=" + std::to_string(lc)).c_str(), pose_t.step_s,
              pose_t.tokens_per_s, pose_mem);
  std::printf("%-22s %10.3f %12.0f %10.0f\n", ("full Lt=" + std::to_string(lt)).c_str(), full_t.step_s,
              full_t.tokens_per_s, full_mem);
  std::printf("\nfull / pose step time: %.2fx (window ratio %.1fx)\n", full_t.step_s / pose_t.step_s,
              static_cast<double>(lt) / static_cast<double>(lc));
  return 0;
}
