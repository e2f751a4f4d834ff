// One-pass CPU kernels, forward and backward, for the decoder's elementwise
// work that LibTorch's autograd otherwise runs as a chain of ops: RMSNorm
// (square, mean, add, rsqrt, two multiplies forward; about eight passes
// backward), rotary embeddings (multiply, negate, concatenate, multiply, add;
// then a copy when attention reshapes the result), SwiGLU's gating (silu and
// a multiply; three passes backward) and the loss's softmax cross-entropy
// over the LM head's logits (log_softmax, exp, one-hot), and causal attention
// for small heads (score GEMM, softmax, value GEMM over full T × T squares,
// and the same again backward). Each chain writes a
// fresh tensor per op, and at training sizes writing new pages costs more
// than the arithmetic; each kernel here reads its inputs once or a few times
// and writes its result once, on LibTorch's thread pool, compiled for the
// CPU's vector width (kernels/cpu_kernel_loops.h, docs/PERFORMANCE.md).
//
// The numbers are the reference ops' up to the order of a sum (RMSNorm's
// mean of squares, the loss's sum of exponentials), fused multiply-adds, an
// exp accurate to ~2e-7, and in bf16 one rounding instead of one per op. The
// callers (the modules, the loss) take the reference ops where a kernel does
// not apply: not on the CPU, dtypes other than those named, the kernels
// switched off, or a build without OpenMP on more than one thread (the
// kernels would then run on one core; see core/CMakeLists.txt).
#pragma once

#include <torch/torch.h>

namespace pose::model {

// Whether the kernels run for a tensor on its device (the CPU) in this build
// with the kernels enabled.
bool cpu_kernels_apply(const torch::Tensor& x);

// On by default; off runs the reference ops everywhere (benchmarks compare
// the two in one process). Process-wide.
void set_cpu_kernels_enabled(bool enabled);
bool cpu_kernels_enabled();

// Whether rms_norm_cpu takes these operands.
bool rms_norm_cpu_applies(const torch::Tensor& x, const torch::Tensor& weight, torch::ScalarType out_dtype);

// Whether swiglu_cpu takes these operands.
bool swiglu_cpu_applies(const torch::Tensor& gate, const torch::Tensor& up);

// Whether rotary_cpu takes these operands.
bool rotary_cpu_applies(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

// HF's LlamaRMSNorm on x [..., H] fp32 with an fp32 weight [H]: statistics in
// fp32, y = weight * (x * rsqrt(mean(x²) + eps)), written in `out_dtype`
// (fp32, or bf16 when autocast hands the result on in bf16). Differentiable
// in x and weight. Requires rms_norm_cpu_applies().
torch::Tensor rms_norm_cpu(const torch::Tensor& x, const torch::Tensor& weight, double eps,
                           torch::ScalarType out_dtype);

// Rotary embeddings in HF's rotate_half layout (rope/rotary.h): x [B, H, T, D]
// (fp32 or bf16, any strides with a unit last stride: the projections' view),
// cos/sin [B, T, R] with R ≤ D even, cast to x's dtype as HF does; channels
// from R on pass through. The result is contiguous [B, H, T, D], which
// attention's batched GEMMs take without a copy. Differentiable in x (the
// tables are constants). Requires rotary_cpu_applies().
torch::Tensor rotary_cpu(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

// SwiGLU's gating, silu(gate) · up, on two [..., I] tensors of one dtype
// (fp32 or bf16, the gate and up projections' outputs); the result in that
// dtype. Differentiable in both. Requires swiglu_cpu_applies().
torch::Tensor swiglu_cpu(const torch::Tensor& gate, const torch::Tensor& up);

// Whether cross_entropy_rows_cpu takes these logits: contiguous fp32 [n, V].
bool cross_entropy_cpu_applies(const torch::Tensor& logits);

// Softmax cross-entropy per row of logits [n, V] with targets [n] (in range;
// rows where valid [n] is false count 0): nll = lse − logit_t and the row's
// log-sum-exp, both fp32 [n], written to `nll` and `lse`; with
// `logit_gradient` (contiguous [n, V], fp32 or bf16) also softmax − one-hot
// there, zero rows where not valid. Not differentiable itself: the loss's
// autograd function (chunked_cross_entropy.h) folds the gradient in.
void cross_entropy_rows_cpu(const torch::Tensor& logits, const torch::Tensor& targets, const torch::Tensor& valid,
                            torch::Tensor& nll, torch::Tensor& lse, torch::Tensor* logit_gradient);

// Whether causal_attention_cpu takes these operands: q [B, H, Tq, D], k and v
// [B, KV, Tk, D] (H a multiple of KV, Tq ≤ Tk), one dtype, D a multiple of 16
// up to 64 in fp32 and 16 in bf16 (wider heads run faster as the batched
// GEMMs of kernels/attention_kernel.h; docs/PERFORMANCE.md).
bool causal_attention_cpu_applies(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

// Softmax attention by token order, scale 1/sqrt(D): query i is token
// Tk − Tq + i (the first Tk − Tq keys are a cache) and sees key j when
// j ≤ Tk − Tq + i and, with a sliding window w > 0, Tk − Tq + i − j < w; query
// head h reads kv head h / (H / KV). The scores above the diagonal and outside
// the window are never computed, no T × T matrix is stored (backward computes
// the scores again from each row's log-sum-exp), and the result [B, H, Tq, D]
// lies in memory as [B, Tq, H, D], ready for the output projection.
// Differentiable in q, k and v (gradients in the same token-major layout).
// Requires causal_attention_cpu_applies().
torch::Tensor causal_attention_cpu(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                   int64_t sliding_window);

}  // namespace pose::model
