// Causal softmax attention over already-rotated q, k, v, and the masks it needs.
//
// Masking is by token order (the index in the sequence, cache included), never
// by position id: PoSE's skipped, non-contiguous position ids change the
// rotation, not who may attend to whom. This matches HF, whose masks come from
// cache_position (token indices), not position_ids.
//
// Two kernels, and Auto choosing between them:
//   Sdpa  (LibTorch >= 2.0): at::scaled_dot_product_attention, with is_causal
//         when the plain lower triangle is the mask (no cache, no window), so
//         flash / memory-efficient kernels apply; an explicit mask otherwise.
//   Eager (every version, the only one on 1.13): matmul, additive mask
//         (0 / -inf, built once per forward and shared by every layer), softmax
//         in fp32 cast back to the input dtype — HF's eager attention; on the
//         CPU the grouped GEMMs or the CPU kernel (attend_grouped below).
//   Auto  Eager on 1.13; on 2.x SDPA on GPUs and, on the CPU, whichever of
//         the two measured faster for the dtype, head width and pass.
#pragma once

#include <cstdint>
#include <optional>

#include <torch/torch.h>
#include <torch/version.h>

namespace pose::model {

#if TORCH_VERSION_MAJOR >= 2
#define POSE_HAVE_SDPA 1
#else
#define POSE_HAVE_SDPA 0
#endif

enum class AttentionKernel { Auto, Eager, Sdpa };

// Auto resolves to Eager on LibTorch 1.x. On 2.x it stays Auto: attend() then
// calls SDPA, and attend_grouped() the Eager path on the CPU where that was
// measured faster than SDPA (eager_attention_beats_sdpa_on_cpu), SDPA
// otherwise. Throws UserError for Sdpa on a LibTorch without it.
AttentionKernel resolve_kernel(AttentionKernel requested);

// Whether a kernel (as resolve_kernel() leaves it) calls SDPA.
constexpr bool uses_sdpa(AttentionKernel kernel) {
  return POSE_HAVE_SDPA && (kernel == AttentionKernel::Sdpa || kernel == AttentionKernel::Auto);
}

// Whether attend_grouped()'s Eager path on the CPU (the CPU kernel where it
// takes the heads, the batched grouped GEMMs otherwise) ran faster than
// LibTorch 2.x's SDPA at this dtype (fp32 or bf16), head width and with or
// without a backward pass to follow (bench_cpu_kernels' "Eager path vs SDPA"
// rows, docs/PERFORMANCE.md). Only Auto asks.
bool eager_attention_beats_sdpa_on_cpu(torch::ScalarType dtype, int64_t head_dim, bool backward);

struct AttentionMask {
  // The plain causal lower triangle (queries and keys aligned, no cache): SDPA
  // builds it itself.
  bool is_causal = false;
  // [T_query, T_key] additive 0 / -inf, or undefined when no mask is needed
  // (is_causal, or one query that may see every key).
  torch::Tensor additive;
  // `additive` is the plain lower triangle (no cache, no window): the eager
  // grouped kernel may then skip the blocks above the diagonal.
  bool plain_causal = false;
  // The mask is make_attention_mask's token order (`past_len` cached tokens,
  // sliding window `window`, 0 for none or one that does not bite), which the
  // CPU attention kernel (kernels/cpu_kernels.h) applies by index instead of
  // reading `additive`. False for a mask built any other way.
  bool token_order = false;
  int64_t past_len = 0;
  int64_t window = 0;
};

// From this many query tokens on, the eager grouped kernel computes plain
// causal attention block by block (kCausalBlock queries at a time against the
// keys up to their block), skipping the scores above the diagonal: at 2048
// tokens 36 of 64 blocks are computed.
inline constexpr int64_t kBlockCausalMinLength = 1024;
inline constexpr int64_t kCausalBlock = 256;

// The mask for `query_len` new tokens following `past_len` cached ones. Query i
// (token index past_len + i) sees key j when j <= past_len + i and, with a
// sliding window w, past_len + i - j < w.
AttentionMask make_attention_mask(int64_t query_len, int64_t past_len, std::optional<int64_t> sliding_window,
                                  AttentionKernel kernel, torch::ScalarType dtype, torch::Device device);

// [B, KV, T, D] -> [B, KV * n_rep, T, D], query head h reading kv head h / n_rep
// (HF's repeat_kv layout).
torch::Tensor repeat_kv(const torch::Tensor& x, int64_t n_rep);

// q [B, H, Tq, D], k/v [B, H, Tk, D] -> [B, H, Tq, D]; scale 1/sqrt(D).
torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const AttentionMask& mask,
                     AttentionKernel kernel);

// Grouped-query attention: q [B, H, Tq, D], k/v [B, KV, Tk, D] with H a
// multiple of KV; query head h reads kv head h / (H / KV) (HF's layout).
// Sdpa repeats K/V and calls attend(). Eager, for fp32 and bf16 (as autocast
// hands q, k, v over; bf16 softmax on the CPU rounds the fp32 result), runs its own autograd
// function: the query heads of one kv head are stacked into one matrix, so
// K/V are never repeated (nor their gradients summed back), the 1/sqrt(D)
// scale and the additive mask are folded into the score GEMM (baddbmm), and
// the backward applies the scale to dQ/dK ([T, D]) rather than to the [T, T]
// scores. The same numbers as attend(repeat_kv(..)) up to GEMM rounding; other
// dtypes take that path. On the CPU, a token-order mask and heads the fused
// kernel takes (causal_attention_cpu: D 16 to 64 in fp32, 16 in bf16) go to that
// kernel instead, which skips the masked scores and stores no T × T matrix.
torch::Tensor attend_grouped(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             const AttentionMask& mask, AttentionKernel kernel);

}  // namespace pose::model
