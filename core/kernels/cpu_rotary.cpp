// Rotary embeddings forward and backward in one pass each (kernels/cpu_kernels.h).
//
// In the rotate_half layout channel j < R/2 pairs with j + R/2 (the angle is
// the same for both, cos/sin hold it twice). Per pair (x1, x2) with tables
// (c1, s1) at j and (c2, s2) at j + R/2:
//   y1 = x1·c1 − x2·s1          dx1 = g1·c1 + g2·s2
//   y2 = x2·c2 + x1·s2          dx2 = g2·c2 − g1·s1
// Forward reads the projections' [B, T, H, D] memory and writes [B, H, T, D]
// contiguous; backward reads the gradient in whatever layout it comes and
// writes the input's layout, so neither direction needs a copy.
#include "kernels/cpu_kernels.h"


#include "kernels/cpu_kernel_loops.h"

namespace pose::model {

namespace {

using namespace kernels;

// Strides of a [B, H, T, D] operand, in elements; the last is 1.
struct Layout4 {
  int64_t b, h, t;
  explicit Layout4(const torch::Tensor& x) : b(x.stride(0)), h(x.stride(1)), t(x.stride(2)) {}
  int64_t at(int64_t bi, int64_t hi, int64_t ti) const { return bi * b + hi * h + ti * t; }
};

// The tables as the kernel reads them: fp32, contiguous, and for bf16
// activations rounded to bf16 first (HF casts them to the activations'
// dtype). For fp32 on contiguous tables this is the tables themselves.
torch::Tensor tables_for(const torch::Tensor& table, bool bf16) {
  const torch::Tensor t = bf16 ? table.to(torch::kBFloat16) : table;
  return t.to(torch::kFloat).contiguous();
}

// kBackward = false: y = rotate(x); true: y = rotateᵀ(g), the transpose of
// the rotation, which is its gradient. Rows are (batch, position) pairs.
template <typename T, bool kBackward>
POSE_LOOP void rotate_rows(const T* in, Layout4 in_layout, T* out, Layout4 out_layout, const float* cos,
                           const float* sin, int64_t lo, int64_t hi, int64_t tokens, int64_t heads,
                           int64_t head_dim, int64_t rotary_dim) {
  const int64_t half = rotary_dim / 2;
  for (int64_t row = lo; row < hi; ++row) {
    const int64_t bi = row / tokens, ti = row % tokens;
    const float* c = cos + row * rotary_dim;
    const float* s = sin + row * rotary_dim;
    for (int64_t hd = 0; hd < heads; ++hd) {
      const T* x = in + in_layout.at(bi, hd, ti);
      T* y = out + out_layout.at(bi, hd, ti);
      for (int64_t j = 0; j < half; ++j) {
        const float x1 = load(x[j]), x2 = load(x[j + half]);
        if (kBackward) {
          y[j] = store<T>(x1 * c[j] + x2 * s[j + half]);
          y[j + half] = store<T>(x2 * c[j + half] - x1 * s[j]);
        } else {
          y[j] = store<T>(x1 * c[j] - x2 * s[j]);
          y[j + half] = store<T>(x2 * c[j + half] + x1 * s[j + half]);
        }
      }
      for (int64_t j = rotary_dim; j < head_dim; ++j) y[j] = x[j];
    }
  }
}

POSE_CPU_CLONES void rotate_range(const void* in, Layout4 in_layout, void* out, Layout4 out_layout, bool bf16,
                                  bool backward, const float* cos, const float* sin, int64_t lo, int64_t hi,
                                  int64_t tokens, int64_t heads, int64_t head_dim, int64_t rotary_dim) {
  using B = c10::BFloat16;
  if (bf16 && backward) {
    rotate_rows<B, true>(static_cast<const B*>(in), in_layout, static_cast<B*>(out), out_layout, cos, sin, lo, hi,
                         tokens, heads, head_dim, rotary_dim);
  } else if (bf16) {
    rotate_rows<B, false>(static_cast<const B*>(in), in_layout, static_cast<B*>(out), out_layout, cos, sin, lo,
                          hi, tokens, heads, head_dim, rotary_dim);
  } else if (backward) {
    rotate_rows<float, true>(static_cast<const float*>(in), in_layout, static_cast<float*>(out), out_layout, cos,
                             sin, lo, hi, tokens, heads, head_dim, rotary_dim);
  } else {
    rotate_rows<float, false>(static_cast<const float*>(in), in_layout, static_cast<float*>(out), out_layout, cos,
                              sin, lo, hi, tokens, heads, head_dim, rotary_dim);
  }
}

void rotate_any(const torch::Tensor& in, torch::Tensor& out, const torch::Tensor& cos, const torch::Tensor& sin,
                bool backward) {
  const int64_t batch = in.size(0), heads = in.size(1), tokens = in.size(2), head_dim = in.size(3);
  const int64_t rotary_dim = cos.size(-1);
  const bool bf16 = in.scalar_type() == torch::kBFloat16;
  const torch::Tensor c = tables_for(cos, bf16), s = tables_for(sin, bf16);
  const Layout4 in_layout(in), out_layout(out);
  for_rows(batch * tokens, heads * head_dim, [&](int64_t lo, int64_t hi) {
    rotate_range(in.data_ptr(), in_layout, out.data_ptr(), out_layout, bf16, backward, c.data_ptr<float>(), s.data_ptr<float>(), lo, hi,
                 tokens, heads, head_dim, rotary_dim);
  });
}

// A [B, H, T, D] view with a unit last stride (the kernels' only demand).
torch::Tensor unit_last_stride(const torch::Tensor& x) { return x.stride(-1) == 1 ? x : x.contiguous(); }

struct RotaryFunction : public torch::autograd::Function<RotaryFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& cos, const torch::Tensor& sin) {
    const torch::Tensor in = unit_last_stride(x);
    torch::Tensor out = torch::empty(x.sizes(), x.options());
    rotate_any(in, out, cos, sin, /*backward=*/false);
    ctx->save_for_backward({cos, sin});
    // The input's layout, for its gradient (a permuted dense view, as the
    // projections' is, is kept; anything else gets contiguous).
    ctx->saved_data["x_sizes"] = x.sizes().vec();
    ctx->saved_data["x_strides"] = in.strides().vec();
    ctx->saved_data["x_dense"] = in.is_non_overlapping_and_dense();
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor g = unit_last_stride(grad_outputs[0]);
    const auto sizes = ctx->saved_data["x_sizes"].toIntVector();
    const auto strides = ctx->saved_data["x_strides"].toIntVector();
    torch::Tensor dx = ctx->saved_data["x_dense"].toBool() ? torch::empty_strided(sizes, strides, g.options())
                                                           : torch::empty(sizes, g.options());
    rotate_any(g, dx, saved[0], saved[1], /*backward=*/true);
    return {dx, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

bool rotary_cpu_applies(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  if (!cpu_kernels_apply(x) || !cos.is_cpu() || !sin.is_cpu()) return false;
  if (x.scalar_type() != torch::kFloat && x.scalar_type() != torch::kBFloat16) return false;
  if (x.dim() != 4 || cos.dim() != 3 || sin.sizes() != cos.sizes()) return false;
  if (cos.requires_grad() || sin.requires_grad()) return false;  // tables are constants here
  const int64_t rotary_dim = cos.size(-1);
  return rotary_dim % 2 == 0 && rotary_dim <= x.size(3) && cos.size(0) == x.size(0) && cos.size(1) == x.size(2);
}

torch::Tensor rotary_cpu(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  TORCH_CHECK(rotary_cpu_applies(x, cos, sin), "rotary_cpu: operands it does not take");
  return RotaryFunction::apply(x, cos, sin);
}

}  // namespace pose::model
