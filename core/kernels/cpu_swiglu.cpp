// SwiGLU's gating forward and backward in one pass each (kernels/cpu_kernels.h).
//
// With s = sigmoid(a) for the gate a and up projection b:
//   y  = a·s·b
//   da = g·b·s·(1 + a·(1 − s))      (silu'(a) = s + a·s·(1 − s))
//   db = g·a·s
// LibTorch's ops run silu, a multiply, and in backward two multiplies and
// silu's backward, each writing a fresh tensor; autograd also keeps silu(a).
// Here forward keeps only a and b, and backward recomputes s.
#include "kernels/cpu_kernels.h"

#include "kernels/cpu_kernel_loops.h"

namespace pose::model {

namespace {

using namespace kernels;

// Parts of this many values: one flat range, the tensors are contiguous.
constexpr int64_t kRow = 4096;

template <typename T>
POSE_LOOP void swiglu_forward_values(const T* a, const T* b, T* y, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; ++i) {
    const float av = load(a[i]);
    y[i] = store<T>(av * sigmoid(av) * load(b[i]));
  }
}

template <typename T>
POSE_LOOP void swiglu_backward_values(const T* g, const T* a, const T* b, T* da, T* db, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; ++i) {
    const float av = load(a[i]), gv = load(g[i]);
    const float s = sigmoid(av);
    da[i] = store<T>(gv * load(b[i]) * (s * (1.0f + av * (1.0f - s))));
    db[i] = store<T>(gv * av * s);
  }
}

POSE_CPU_CLONES void swiglu_forward_range(const void* a, const void* b, void* y, bool bf16, int64_t lo,
                                          int64_t hi) {
  using B = c10::BFloat16;
  if (bf16) {
    swiglu_forward_values(static_cast<const B*>(a), static_cast<const B*>(b), static_cast<B*>(y), lo, hi);
  } else {
    swiglu_forward_values(static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(y), lo,
                          hi);
  }
}

POSE_CPU_CLONES void swiglu_backward_range(const void* g, const void* a, const void* b, void* da, void* db,
                                           bool bf16, int64_t lo, int64_t hi) {
  using B = c10::BFloat16;
  if (bf16) {
    swiglu_backward_values(static_cast<const B*>(g), static_cast<const B*>(a), static_cast<const B*>(b),
                           static_cast<B*>(da), static_cast<B*>(db), lo, hi);
  } else {
    swiglu_backward_values(static_cast<const float*>(g), static_cast<const float*>(a), static_cast<const float*>(b),
                           static_cast<float*>(da), static_cast<float*>(db), lo, hi);
  }
}

// Runs body(lo, hi) over [0, n) in parts of whole kRow blocks.
template <typename Body>
void for_values(int64_t n, const Body& body) {
  for_rows((n + kRow - 1) / kRow, kRow,
           [&](int64_t lo, int64_t hi) { body(lo * kRow, std::min(n, hi * kRow)); });
}

struct SwigluFunction : public torch::autograd::Function<SwigluFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& gate,
                               const torch::Tensor& up) {
    const torch::Tensor a = gate.contiguous(), b = up.contiguous();
    torch::Tensor y = torch::empty(a.sizes(), a.options());
    const bool bf16 = a.scalar_type() == torch::kBFloat16;
    for_values(a.numel(), [&](int64_t lo, int64_t hi) {
      swiglu_forward_range(a.data_ptr(), b.data_ptr(), y.data_ptr(), bf16, lo, hi);
    });
    ctx->save_for_backward({a, b});
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &a = saved[0], &b = saved[1];
    const torch::Tensor g = grad_outputs[0].to(a.scalar_type()).contiguous();
    torch::Tensor da = torch::empty(a.sizes(), a.options()), db = torch::empty(a.sizes(), a.options());
    const bool bf16 = a.scalar_type() == torch::kBFloat16;
    for_values(a.numel(), [&](int64_t lo, int64_t hi) {
      swiglu_backward_range(g.data_ptr(), a.data_ptr(), b.data_ptr(), da.data_ptr(), db.data_ptr(), bf16, lo, hi);
    });
    return {da, db};
  }
};

}  // namespace

bool swiglu_cpu_applies(const torch::Tensor& gate, const torch::Tensor& up) {
  return cpu_kernels_apply(gate) && up.is_cpu() && gate.sizes() == up.sizes() &&
         gate.scalar_type() == up.scalar_type() &&
         (gate.scalar_type() == torch::kFloat || gate.scalar_type() == torch::kBFloat16);
}

torch::Tensor swiglu_cpu(const torch::Tensor& gate, const torch::Tensor& up) {
  TORCH_CHECK(swiglu_cpu_applies(gate, up), "swiglu_cpu: operands it does not take");
  return SwigluFunction::apply(gate, up);
}

}  // namespace pose::model
