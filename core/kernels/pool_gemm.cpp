#include "kernels/pool_gemm.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

#include "common/threads.h"
#include "model/autocast_state.h"

namespace pose::model {

namespace {

// Below this many multiply-adds per part, waking the pool costs more than the
// part saves.
constexpr double kMinMacsPerPart = 1 << 17;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Runs body(begin, end) over [0, n) in one contiguous range per pool thread.
// The parts run BLAS on detached tensors with autograd off: they fill an
// output the caller owns (out= ops refuse tensors that require grad).
template <typename Body>
void for_each_part(int64_t n, const Body& body) {
  const int64_t parts = std::min<int64_t>(n, at::get_num_threads());
  at::parallel_for(0, n, ceil_div(n, parts), [&](int64_t begin, int64_t end) {
    at::NoGradGuard no_grad;
    body(begin, end);
  });
}

}  // namespace

bool pool_gemm_applies(const torch::Tensor& a, const torch::Tensor& b, int64_t m, int64_t n, int64_t k) {
#ifndef _OPENMP
  return false;  // parallel_for would run the parts one after the other (see core/CMakeLists.txt)
#endif
  if (!a.is_cpu() || !b.is_cpu() || a.scalar_type() != torch::kFloat || b.scalar_type() != torch::kFloat) return false;
  const int threads = at::get_num_threads();
  if (threads < 2 || at::in_parallel_region()) return false;
  if (static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) < kMinMacsPerPart * threads) {
    return false;
  }
  if (current_autocast().cpu) return false;
  return blas_threads() == 1;
}

int pool_gemm_threads() {
  if (blas_threads() != 1 || at::in_parallel_region()) return 1;
  const int64_t n = at::get_num_threads();
  std::vector<char> seen(static_cast<std::size_t>(n), 0);
  for_each_part(n, [&](int64_t, int64_t) { seen[static_cast<std::size_t>(at::get_thread_num())] = 1; });
  return static_cast<int>(std::count(seen.begin(), seen.end(), 1));
}

torch::Tensor pool_mm(const torch::Tensor& a, const torch::Tensor& b) {
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  if (!pool_gemm_applies(a, b, m, n, k)) return torch::mm(a, b);
  torch::Tensor out = torch::empty({m, n}, a.options().requires_grad(false));
  const torch::Tensor ad = a.detach(), bd = b.detach();
  if (m >= n) {
    for_each_part(m, [&](int64_t lo, int64_t hi) {
      torch::Tensor part = out.narrow(0, lo, hi - lo);
      at::mm_out(part, ad.narrow(0, lo, hi - lo), bd);
    });
  } else {
    for_each_part(n, [&](int64_t lo, int64_t hi) {
      torch::Tensor part = out.narrow(1, lo, hi - lo);
      at::mm_out(part, ad, bd.narrow(1, lo, hi - lo));
    });
  }
  return out;
}

namespace {

// out [B, M, N] = beta * bias + alpha * a @ b (bias undefined: a @ b), split
// over the batch, or over M when the batch is smaller than the pool.
void batched_into(torch::Tensor& out, const torch::Tensor& bias, const torch::Tensor& a, const torch::Tensor& b,
                  double beta, double alpha) {
  const int64_t batch = a.size(0), m = a.size(1);
  const bool by_batch = batch >= at::get_num_threads();
  const int dim = by_batch ? 0 : 1;
  const torch::Tensor ad = a.detach(), bd = b.detach();
  const torch::Tensor bias_full = bias.defined() ? bias.detach().expand(out.sizes()) : torch::Tensor();
  for_each_part(by_batch ? batch : m, [&](int64_t lo, int64_t hi) {
    torch::Tensor part = out.narrow(dim, lo, hi - lo);
    const torch::Tensor ap = ad.narrow(dim, lo, hi - lo);
    const torch::Tensor bp = by_batch ? bd.narrow(0, lo, hi - lo) : bd;
    if (bias_full.defined()) {
      at::baddbmm_out(part, bias_full.narrow(dim, lo, hi - lo), ap, bp, beta, alpha);
    } else {
      at::bmm_out(part, ap, bp);
    }
  });
}

}  // namespace

torch::Tensor pool_bmm(const torch::Tensor& a, const torch::Tensor& b) {
  const int64_t batch = a.size(0), m = a.size(1), k = a.size(2), n = b.size(2);
  if (!pool_gemm_applies(a, b, batch * m, n, k)) return at::bmm(a, b);
  torch::Tensor out = torch::empty({batch, m, n}, a.options().requires_grad(false));
  batched_into(out, torch::Tensor(), a, b, 0.0, 1.0);
  return out;
}

torch::Tensor pool_baddbmm(const torch::Tensor& bias, const torch::Tensor& a, const torch::Tensor& b, double beta,
                           double alpha) {
  const int64_t batch = a.size(0), m = a.size(1), k = a.size(2), n = b.size(2);
  if (bias.scalar_type() != torch::kFloat || !pool_gemm_applies(a, b, batch * m, n, k)) {
    return at::baddbmm(bias, a, b, beta, alpha);
  }
  torch::Tensor out = torch::empty({batch, m, n}, a.options().requires_grad(false));
  batched_into(out, bias, a, b, beta, alpha);
  return out;
}

namespace {

// y = x @ W^T with both GEMMs of the backward split as well.
struct PoolLinear : public torch::autograd::Function<PoolLinear> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight) {
    const torch::Tensor x2 = x.reshape({-1, weight.size(1)});
    ctx->save_for_backward({x2, weight});
    std::vector<int64_t> sizes = x.sizes().vec();
    sizes.back() = weight.size(0);
    ctx->saved_data["x_sizes"] = x.sizes().vec();
    return pool_mm(x2, weight.t()).view(sizes);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x2 = saved[0], &weight = saved[1];
    const torch::Tensor dy = grad_outputs[0].reshape({-1, weight.size(0)});
    torch::Tensor dx, dw;
    if (ctx->needs_input_grad(0)) dx = pool_mm(dy, weight).view(ctx->saved_data["x_sizes"].toIntVector());
    if (ctx->needs_input_grad(1)) dw = pool_mm(dy.t(), x2);
    return {dx, dw};
  }
};

}  // namespace

torch::Tensor pool_linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
  const int64_t rows = x.numel() / std::max<int64_t>(x.size(-1), 1);
  if (x.dim() < 2 || !pool_gemm_applies(x, weight, rows, weight.size(0), weight.size(1))) {
    return torch::nn::functional::linear(x, weight, bias);
  }
  const torch::Tensor y = PoolLinear::apply(x, weight);
  return bias.defined() ? y + bias : y;
}

}  // namespace pose::model
