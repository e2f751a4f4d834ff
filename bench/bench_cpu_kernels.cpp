// The engine's one-pass CPU kernels (kernels/cpu_kernels.h, train/cpu_adamw.h)
// against the LibTorch op chains they replace, measured alternately in one
// run at the training shapes of bench_cpu_training (batch 8 x length 256):
// RMSNorm, RoPE on q and SwiGLU's gating, each forward + backward, fp32 and
// bf16; causal attention at head widths 16 to 128 (also at batch 1 × length
// 2048, with and without backward: evaluation's shape); the loss (its GEMMs included, which both sides share); AdamW's step
// over the whole model's parameters.
//
//   bench_cpu_kernels [--threads N] [--repeats N]
//
// Each figure is the median of `repeats` timed calls after a warm-up call;
// ratio = op chain time / kernel time (above 1: the kernel is faster). On
// LibTorch 2.x each attention row is followed by the Eager path against
// at::scaled_dot_product_attention ("Eager path vs SDPA"; ratio = SDPA time /
// Eager time), the measurement behind eager_attention_beats_sdpa_on_cpu().
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <tuple>

#include "bench_common.h"
#include "common/threads.h"
#include "kernels/attention_kernel.h"
#include "model/chunked_cross_entropy.h"
#include "kernels/cpu_kernels.h"
#include "model/llama_model.h"
#include "model/model_init.h"
#include "model/rms_norm.h"
#include "rope/rotary.h"
#include "train/cpu_adamw.h"

using namespace pose;
using bench::Clock;
using bench::median;
using bench::seconds_since;

namespace {

// Median seconds of fn() over `repeats` calls, after one warm-up call.
double time_of(const std::function<void()>& fn, int repeats) {
  fn();
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    fn();
    t.push_back(seconds_since(t0));
  }
  return median(t);
}

// Alternates the kernel and the op chain (set_cpu_kernels_enabled) and
// prints both with their ratio.
void compare(const std::string& what, const std::function<void()>& fn, int repeats) {
  double on = 1e30, off = 1e30;
  for (int round = 0; round < 3; ++round) {
    model::set_cpu_kernels_enabled(true);
    on = std::min(on, time_of(fn, repeats));
    model::set_cpu_kernels_enabled(false);
    off = std::min(off, time_of(fn, repeats));
  }
  model::set_cpu_kernels_enabled(true);
  std::printf("%-52s | %9.3f ms %9.3f ms | %5.2fx\n", what.c_str(), on * 1e3, off * 1e3, off / on);
}

// Forward and backward of f through autograd, the input a leaf.
void forward_backward(const std::function<torch::Tensor(const torch::Tensor&)>& f, const torch::Tensor& x,
                      const torch::Tensor& grad) {
  const torch::Tensor leaf = x.detach().requires_grad_(true);
  const torch::Tensor y = f(leaf);
  y.backward(grad.to(y.scalar_type()));
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0, repeats = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--threads") threads = std::atoi(argv[i + 1]);
    else if (key == "--repeats") repeats = std::max(1, std::atoi(argv[i + 1]));
  }
  const int used = configure_threads(threads);
  std::printf("LibTorch %d threads; median of %d calls, best of 3 alternating rounds\n\n", used, repeats);
  std::printf("%-52s | %12s %12s | %6s\n", "op (forward + backward)", "kernel", "op chain", "ratio");
  const int64_t b = 8, t = 256;
  for (const auto& shape : bench::standard_shapes()) {
    const auto config = bench::config_of(shape, t);
    const int64_t h = config.hidden_size, heads = config.num_attention_heads, d = config.head_dim;
    model::RMSNorm norm(h, 1e-5);
    const torch::Tensor x = torch::randn({b, t, h}), gx = torch::randn({b, t, h});
    torch::Tensor ids = torch::arange(t, torch::kLong).unsqueeze(0).repeat({b, 1});
    rope::RopeFrequencies freq;
    for (int64_t j = 0; j < d / 2; ++j) freq.inv_freq.push_back(std::pow(10000.0, -2.0 * j / d));
    const auto tables = rope::rotary_tables(freq, ids);
    const torch::Tensor proj = torch::randn({b, t, heads * d}), gq = torch::randn({b, heads, t, d});
    const int64_t inter = config.intermediate_size;
    const torch::Tensor gate = torch::randn({b, t, inter}), up = torch::randn({b, t, inter}), gg = torch::randn({b, t, inter});
    for (const auto dtype : {torch::kFloat, torch::kBFloat16}) {
      const std::string tag = shape.name + (dtype == torch::kFloat ? " fp32 " : " bf16 ");
      const std::string dims = "[" + std::to_string(b) + ", " + std::to_string(t) + ", ";
      if (dtype == torch::kFloat) {
        compare(tag + "RMSNorm " + dims + std::to_string(h) + "]",
                [&] { forward_backward([&](const torch::Tensor& in) { return norm(in); }, x, gx); }, repeats);
      }
      const torch::Tensor p = proj.to(dtype), ga = gate.to(dtype);
      compare(tag + "RoPE q " + dims + std::to_string(heads) + " x " + std::to_string(d) + "]",
              [&] {
                forward_backward(
                    [&](const torch::Tensor& in) {
                      const torch::Tensor q = in.view({b, t, heads, d}).transpose(1, 2);
                      return model::rotary_cpu_applies(q, tables.cos, tables.sin)
                                 ? model::rotary_cpu(q, tables.cos, tables.sin)
                                 : rope::apply_rotary(q, tables.cos, tables.sin).reshape({b, heads, t, d});
                    },
                    p, gq);
              },
              repeats);
      compare(tag + "SwiGLU " + dims + std::to_string(inter) + "]",
              [&] {
                const torch::Tensor a = ga.detach().requires_grad_(true), u = up.to(dtype).requires_grad_(true);
                const torch::Tensor y = model::swiglu_cpu_applies(a, u) ? model::swiglu_cpu(a, u) : torch::silu(a) * u;
                y.backward(gg.to(dtype));
              },
              repeats);
    }
    {
      const torch::Tensor hidden = torch::randn({b * t, h}), head = torch::randn({config.vocab_size, h}) * 0.05;
      const torch::Tensor targets = torch::randint(0, config.vocab_size, {b * t}, torch::kLong);
      compare(shape.name + " fp32 loss (LM head + softmax CE) [" + std::to_string(b * t) + ", " +
                  std::to_string(config.vocab_size) + "]",
              [&] {
                const torch::Tensor hd = hidden.detach().requires_grad_(true), w = head.detach().requires_grad_(true);
                model::linear_cross_entropy_sum(hd, w, targets, 1024).backward();
              },
              repeats);
    }
    model::LlamaForCausalLM m(config);
    model::init_weights(m, 1);
    for (auto& prm : m->parameters()) prm.mutable_grad() = torch::randn(prm.sizes()) * 1e-3;
    torch::optim::AdamW opt(m->parameters(), torch::optim::AdamWOptions(1e-4).weight_decay(0.1));
    compare(shape.name + " AdamW step, " + std::to_string(config.parameter_count()) + " parameters",
            [&] { train::adamw_step(opt); }, repeats);
  }
  // Attention as the decoder calls it: q from RoPE ([B, H, T, D] contiguous), v the projection's
  // view, the token-order mask, the result reshaped for o_proj; 8 query heads over 4 kv heads
  // at each head width, at the training shape and at evaluation's (batch 1, length 2048).
  for (const int64_t d : {16, 32, 64, 128}) {
    const int64_t heads = 8, kv = 4;
    for (const auto dtype : {torch::kFloat, torch::kBFloat16}) {
      for (const auto& [batch, len, backward] :
           {std::tuple<int64_t, int64_t, bool>{b, t, true}, {1, 2048, true}, {1, 2048, false}}) {
        const torch::Tensor q = torch::randn({batch, heads, len, d}).to(dtype);
        const torch::Tensor k = torch::randn({batch, kv, len, d}).to(dtype);
        const torch::Tensor v = torch::randn({batch, len, kv, d}).to(dtype);
        const torch::Tensor go = torch::randn({batch, len, heads * d}).to(dtype);
        const model::AttentionMask mask =
            model::make_attention_mask(len, 0, std::nullopt, model::AttentionKernel::Eager, dtype, torch::kCPU);
        const bool fused = model::causal_attention_cpu_applies(q, k, v.transpose(1, 2));
        compare(std::string(dtype == torch::kFloat ? "fp32" : "bf16") + " attention " +
                    (backward ? "" : "forward only ") + "[" + std::to_string(batch) + ", " +
                    std::to_string(heads) + "/" + std::to_string(kv) + ", " + std::to_string(len) + ", " +
                    std::to_string(d) + "]" + (fused ? "" : " (batched both)"),
                [&] {
                  const torch::Tensor qq = q.detach().requires_grad_(backward);
                  const torch::Tensor kk = k.detach().requires_grad_(backward);
                  const torch::Tensor vv = v.detach().requires_grad_(backward);
                  const torch::Tensor out =
                      model::attend_grouped(qq, kk, vv.transpose(1, 2), mask, model::AttentionKernel::Eager)
                          .transpose(1, 2)
                          .reshape({batch, len, heads * d});
                  if (backward) out.backward(go);
                },
                backward ? repeats : std::max(1, repeats / 4));
#if POSE_HAVE_SDPA
        // LibTorch 2.x: the Eager path (the CPU kernel where it applies, the
        // batched GEMMs otherwise) against SDPA with K/V repeated, as attend()
        // calls it with is_causal: what eager_attention_beats_sdpa_on_cpu() records.
        {
          const model::AttentionMask sdpa_mask =
              model::make_attention_mask(len, 0, std::nullopt, model::AttentionKernel::Sdpa, dtype, torch::kCPU);
          const auto run = [&](model::AttentionKernel kernel, const model::AttentionMask& m) {
            return [&, kernel] {
              const torch::Tensor qq = q.detach().requires_grad_(backward);
              const torch::Tensor kk = k.detach().requires_grad_(backward);
              const torch::Tensor vv = v.detach().requires_grad_(backward);
              const torch::Tensor out = model::attend_grouped(qq, kk, vv.transpose(1, 2), m, kernel)
                                            .transpose(1, 2)
                                            .reshape({batch, len, heads * d});
              if (backward) out.backward(go);
            };
          };
          const int n = backward ? repeats : std::max(1, repeats / 4);
          double own = 1e30, sdpa = 1e30;
          for (int round = 0; round < 3; ++round) {
            own = std::min(own, time_of(run(model::AttentionKernel::Eager, mask), n));
            sdpa = std::min(sdpa, time_of(run(model::AttentionKernel::Sdpa, sdpa_mask), n));
          }
          std::printf("%-52s | %9.3f ms %9.3f ms | %5.2fx\n", "  ... Eager path vs SDPA", own * 1e3, sdpa * 1e3,
                      sdpa / own);
        }
#endif
      }
    }
  }
  std::printf("\nRoPE's op chain includes the copy attention's reshape makes of its output; the kernel writes\n"
              "that layout directly.\n");
  return 0;
}
