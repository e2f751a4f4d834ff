// SwiGLU's gating forward and backward in one pass each (model/cpu_kernels.h).
//
// With s = sigmoid(a) for the gate a and up projection b:
//   y  = a·s·b
//   da = g·b·s·(1 + a·(1 − s))      (silu'(a) = s + a·s·(1 − s))
//   db = g·a·s
// LibTorch's ops run silu, a multiply, and in backward two multiplies and
// silu's backward, each writing a fresh tensor; autograd also keeps silu(a).
// Here forward keeps only a and b, and backward recomputes s.
#include "model/cpu_kernels.h"

#include "model/cpu_kernel_loops.h"

namespace pose::model {

namespace {

using namespace kernels;

// Parts of this many values: one flat range, the tensors are contiguous.
constexpr int64_t kRow = 4096;

template <typename T>
void swiglu_forward(const T* a, const T* b, T* y, int64_t n) {
  for_rows((n + kRow - 1) / kRow, kRow, [&](int64_t lo, int64_t hi) {
    const int64_t end = std::min(n, hi * kRow);
    for (int64_t i = lo * kRow; i < end; ++i) {
      const float av = load(a[i]);
      y[i] = store<T>(av * sigmoid(av) * load(b[i]));
    }
  });
}

template <typename T>
void swiglu_backward(const T* g, const T* a, const T* b, T* da, T* db, int64_t n) {
  for_rows((n + kRow - 1) / kRow, kRow, [&](int64_t lo, int64_t hi) {
    const int64_t end = std::min(n, hi * kRow);
    for (int64_t i = lo * kRow; i < end; ++i) {
      const float av = load(a[i]), gv = load(g[i]);
      const float s = sigmoid(av);
      da[i] = store<T>(gv * load(b[i]) * (s * (1.0f + av * (1.0f - s))));
      db[i] = store<T>(gv * av * s);
    }
  });
}

struct SwigluFunction : public torch::autograd::Function<SwigluFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& gate,
                               const torch::Tensor& up) {
    const torch::Tensor a = gate.contiguous(), b = up.contiguous();
    torch::Tensor y = torch::empty(a.sizes(), a.options());
    if (a.scalar_type() == torch::kBFloat16) {
      swiglu_forward(a.data_ptr<c10::BFloat16>(), b.data_ptr<c10::BFloat16>(), y.data_ptr<c10::BFloat16>(),
                     a.numel());
    } else {
      swiglu_forward(a.data_ptr<float>(), b.data_ptr<float>(), y.data_ptr<float>(), a.numel());
    }
    ctx->save_for_backward({a, b});
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &a = saved[0], &b = saved[1];
    const torch::Tensor g = grad_outputs[0].to(a.scalar_type()).contiguous();
    torch::Tensor da = torch::empty(a.sizes(), a.options()), db = torch::empty(a.sizes(), a.options());
    if (a.scalar_type() == torch::kBFloat16) {
      swiglu_backward(g.data_ptr<c10::BFloat16>(), a.data_ptr<c10::BFloat16>(), b.data_ptr<c10::BFloat16>(),
                      da.data_ptr<c10::BFloat16>(), db.data_ptr<c10::BFloat16>(), a.numel());
    } else {
      swiglu_backward(g.data_ptr<float>(), a.data_ptr<float>(), b.data_ptr<float>(), da.data_ptr<float>(),
                      db.data_ptr<float>(), a.numel());
    }
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
