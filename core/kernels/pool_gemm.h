// fp32 GEMMs on the CPU split over LibTorch's thread pool, each part a
// one-thread BLAS call.
//
// Debian's LibTorch hands GEMMs to OpenBLAS, whose pthread build runs a pool of
// its own beside LibTorch's OpenMP pool; both spinning on the same cores slows
// everything, so one of them has to stay on one thread. With OpenBLAS on one
// thread every GEMM runs on one core (and `bmm` loops over its batch on one
// core); with LibTorch on one thread, everything that is not a GEMM (softmax,
// norms, elementwise work, the optimizer) does. Splitting the GEMMs here lets
// LibTorch's pool have every core and OpenBLAS none of its own: one pool, no
// contention, every op parallel (docs/PERFORMANCE.md).
//
// Each function falls back to LibTorch's own op when the split does not apply:
// not fp32 on the CPU, CPU autocast on (its GEMMs run in oneDNN on LibTorch's
// pool already), LibTorch on one thread or already inside a parallel region,
// OpenBLAS not on one thread, or a product too small to share.
#pragma once

#include <torch/torch.h>

namespace pose::model {

// Whether a GEMM of these operands is split (see above); m, n, k its sizes.
bool pool_gemm_applies(const torch::Tensor& a, const torch::Tensor& b, int64_t m, int64_t n, int64_t k);

// How many threads a split GEMM runs on now: LibTorch's pool as this build
// reaches it (1 when the split cannot apply: one thread, OpenBLAS on more
// than one, or a build without OpenMP).
int pool_gemm_threads();

// a [M, K] @ b [K, N]; any strides BLAS takes (a transposed view is free).
torch::Tensor pool_mm(const torch::Tensor& a, const torch::Tensor& b);

// a [B, M, K] @ b [B, K, N], split over the batch (or over M when the batch is
// smaller than the pool).
torch::Tensor pool_bmm(const torch::Tensor& a, const torch::Tensor& b);

// beta * bias + alpha * (a @ b), bias broadcastable to [B, M, N].
torch::Tensor pool_baddbmm(const torch::Tensor& bias, const torch::Tensor& a, const torch::Tensor& b, double beta,
                           double alpha);

// x [..., in] @ weight[out, in]^T + bias, differentiable; its backward splits
// its two GEMMs the same way. Falls back to torch::nn::functional::linear.
torch::Tensor pool_linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

// A Linear module's forward through pool_linear.
inline torch::Tensor project(const torch::nn::Linear& layer, const torch::Tensor& x) {
  return pool_linear(x, layer->weight, layer->bias);
}

}  // namespace pose::model
