// RMSNorm forward and backward in one pass each (kernels/cpu_kernels.h).
//
// Forward, per row x of width H: r = 1/sqrt(Σx²/H + eps), y = w·(x·r); r is
// kept for backward. Backward, with g the gradient of y:
//   dx = r·(g·w) − x · r³ · Σ(g·w·x) / H
//   dw = Σ_rows g·x·r
// dw is summed per thread into its own row of a [threads, H] buffer, then the
// rows are added: no two threads write one value.
#include "kernels/cpu_kernels.h"

#include <cmath>

#include "kernels/cpu_kernel_loops.h"

namespace pose::model {

namespace {

using namespace kernels;

template <typename Out>
POSE_LOOP void rms_forward_rows(const float* x, const float* w, Out* y, float* rstd, int64_t lo, int64_t hi,
                                int64_t h, float eps) {
  for (int64_t i = lo; i < hi; ++i) {
    const float* xi = x + i * h;
    const float r = 1.0f / std::sqrt(dot(xi, xi, h) / static_cast<float>(h) + eps);
    rstd[i] = r;
    Out* yi = y + i * h;
    for (int64_t j = 0; j < h; ++j) yi[j] = store<Out>(w[j] * (xi[j] * r));
  }
}

POSE_CPU_CLONES void rms_forward_range(const float* x, const float* w, void* y, bool bf16, float* rstd,
                                       int64_t lo, int64_t hi, int64_t h, float eps) {
  if (bf16) {
    rms_forward_rows(x, w, static_cast<c10::BFloat16*>(y), rstd, lo, hi, h, eps);
  } else {
    rms_forward_rows(x, w, static_cast<float*>(y), rstd, lo, hi, h, eps);
  }
}

template <typename G>
POSE_LOOP void rms_backward_rows(const G* g, const float* x, const float* w, const float* rstd, float* dx,
                                 float* dw, int64_t lo, int64_t hi, int64_t h) {
  for (int64_t i = lo; i < hi; ++i) {
    const G* gi = g + i * h;
    const float* xi = x + i * h;
    const float r = rstd[i];
    if (dx) {
      constexpr int kLanes = 16;
      float acc[kLanes] = {};
      int64_t j = 0;
      for (; j + kLanes <= h; j += kLanes) {
        for (int k = 0; k < kLanes; ++k) acc[k] += load(gi[j + k]) * w[j + k] * xi[j + k];
      }
      float gwx = 0.0f;
      for (int k = 0; k < kLanes; ++k) gwx += acc[k];
      for (; j < h; ++j) gwx += load(gi[j]) * w[j] * xi[j];
      const float c = r * r * r * gwx / static_cast<float>(h);
      float* dxi = dx + i * h;
      for (j = 0; j < h; ++j) dxi[j] = r * (load(gi[j]) * w[j]) - xi[j] * c;
    }
    if (dw) {
      for (int64_t j = 0; j < h; ++j) dw[j] += load(gi[j]) * xi[j] * r;
    }
  }
}

POSE_CPU_CLONES void rms_backward_range(const void* g, bool bf16, const float* x, const float* w,
                                        const float* rstd, float* dx, float* dw, int64_t lo, int64_t hi,
                                        int64_t h) {
  if (bf16) {
    rms_backward_rows(static_cast<const c10::BFloat16*>(g), x, w, rstd, dx, dw, lo, hi, h);
  } else {
    rms_backward_rows(static_cast<const float*>(g), x, w, rstd, dx, dw, lo, hi, h);
  }
}

void rms_forward(const float* x, const float* w, void* y, bool bf16, float* rstd, int64_t rows, int64_t h,
                 float eps) {
  for_rows(rows, h, [&](int64_t lo, int64_t hi) { rms_forward_range(x, w, y, bf16, rstd, lo, hi, h, eps); });
}

void rms_backward(const void* g, bool bf16, const float* x, const float* w, const float* rstd, float* dx,
                  float* dw_parts, int64_t rows, int64_t h) {
  for_rows(rows, h, [&](int64_t lo, int64_t hi) {
    float* dw = dw_parts ? dw_parts + at::get_thread_num() * h : nullptr;
    rms_backward_range(g, bf16, x, w, rstd, dx, dw, lo, hi, h);
  });
}

struct RmsNormFunction : public torch::autograd::Function<RmsNormFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, double eps, int64_t out_dtype) {
    const torch::Tensor xc = x.contiguous();
    const torch::Tensor wc = weight.contiguous();
    const int64_t h = x.size(-1);
    const int64_t rows = h == 0 ? 0 : x.numel() / h;
    const auto dtype = static_cast<torch::ScalarType>(out_dtype);
    torch::Tensor y = torch::empty(x.sizes(), x.options().dtype(dtype));
    torch::Tensor rstd = torch::empty({rows}, x.options());
    rms_forward(xc.data_ptr<float>(), wc.data_ptr<float>(), y.data_ptr(), dtype == torch::kBFloat16,
                rstd.data_ptr<float>(), rows, h, static_cast<float>(eps));
    ctx->save_for_backward({xc, wc, rstd});
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &w = saved[1], &rstd = saved[2];
    const torch::Tensor g = grad_outputs[0].contiguous();
    const int64_t h = x.size(-1);
    const int64_t rows = rstd.numel();
    torch::Tensor dx, dw, dw_parts;
    if (ctx->needs_input_grad(0)) dx = torch::empty(x.sizes(), x.options());
    if (ctx->needs_input_grad(1)) dw_parts = torch::zeros({at::get_num_threads(), h}, x.options());
    float* dx_ptr = dx.defined() ? dx.data_ptr<float>() : nullptr;
    float* dw_ptr = dw_parts.defined() ? dw_parts.data_ptr<float>() : nullptr;
    const bool bf16 = g.scalar_type() == torch::kBFloat16;
    const torch::Tensor gin = bf16 ? g : g.to(torch::kFloat);
    rms_backward(gin.data_ptr(), bf16, x.data_ptr<float>(), w.data_ptr<float>(), rstd.data_ptr<float>(), dx_ptr,
                 dw_ptr, rows, h);
    if (dw_parts.defined()) dw = dw_parts.sum(0);
    return {dx, dw, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

bool rms_norm_cpu_applies(const torch::Tensor& x, const torch::Tensor& weight, torch::ScalarType out_dtype) {
  return cpu_kernels_apply(x) && weight.is_cpu() && x.scalar_type() == torch::kFloat &&
         weight.scalar_type() == torch::kFloat && x.dim() >= 1 && weight.dim() == 1 &&
         weight.size(0) == x.size(-1) && (out_dtype == torch::kFloat || out_dtype == torch::kBFloat16);
}

torch::Tensor rms_norm_cpu(const torch::Tensor& x, const torch::Tensor& weight, double eps,
                           torch::ScalarType out_dtype) {
  TORCH_CHECK(rms_norm_cpu_applies(x, weight, out_dtype), "rms_norm_cpu: operands it does not take");
  return RmsNormFunction::apply(x, weight, eps, static_cast<int64_t>(out_dtype));
}

}  // namespace pose::model
