// One-pass CPU kernels, forward and backward, for the decoder's elementwise
// work that LibTorch's autograd otherwise runs as a chain of ops: RMSNorm
// (square, mean, add, rsqrt, two multiplies forward; about eight passes
// backward), rotary embeddings (multiply, negate, concatenate, multiply,
// add; then a copy when attention reshapes the result) and SwiGLU's gating
// (silu and a multiply; three passes backward). Each chain writes a
// fresh tensor per op, and at training sizes writing new pages costs more than
// the arithmetic; each kernel here reads its inputs once and writes its result
// once, on LibTorch's thread pool (docs/PERFORMANCE.md).
//
// The numbers are the reference ops' up to the order of a sum (RMSNorm's mean
// of squares) and, in bf16, one rounding instead of one per op. Each function
// falls back to the reference ops where the kernels do not apply: not on the
// CPU, dtypes other than those named, or a build without OpenMP on more than
// one thread (the kernels would then run on one core; see core/CMakeLists.txt).
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

}  // namespace pose::model
