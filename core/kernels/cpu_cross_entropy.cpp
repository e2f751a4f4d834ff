// Softmax cross-entropy over rows of logits in one kernel (kernels/cpu_kernels.h).
//
// Per row x with target t: m = max x, s = Σ e^(x−m), lse = m + log s,
// nll = lse − x_t, and where the logit gradient is asked for,
// d = e^(x−lse) − [j = t] (zero for an ignored row). Three reads of the row
// and one write, where log_softmax, exp and the one-hot subtraction write
// three [n, V] tensors. The one-hot is subtracted in fp32 before a bf16 store.
#include "kernels/cpu_kernels.h"

#include <cmath>
#include <limits>
#include <string>

#include "common/error.h"
#include "kernels/cpu_kernel_loops.h"

namespace pose::model {

namespace {

using namespace kernels;

POSE_LOOP float row_max(const float* x, int64_t n) {
  constexpr int kLanes = 16;
  float acc[kLanes];
  for (int k = 0; k < kLanes; ++k) acc[k] = -std::numeric_limits<float>::infinity();
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    for (int k = 0; k < kLanes; ++k) acc[k] = x[j + k] > acc[k] ? x[j + k] : acc[k];
  }
  float m = -std::numeric_limits<float>::infinity();
  for (int k = 0; k < kLanes; ++k) m = acc[k] > m ? acc[k] : m;
  for (; j < n; ++j) m = x[j] > m ? x[j] : m;
  return m;
}

POSE_LOOP float row_sum_exp(const float* x, int64_t n, float shift) {
  constexpr int kLanes = 16;
  float acc[kLanes] = {};
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    for (int k = 0; k < kLanes; ++k) acc[k] += exp_approx(x[j + k] - shift);
  }
  float s = 0.0f;
  for (int k = 0; k < kLanes; ++k) s += acc[k];
  for (; j < n; ++j) s += exp_approx(x[j] - shift);
  return s;
}

template <typename D>
POSE_LOOP void rows(const float* logits, const int64_t* targets, const bool* valid, float* nll, float* lse, D* d,
                    int64_t lo, int64_t hi, int64_t v) {
  for (int64_t i = lo; i < hi; ++i) {
    const float* x = logits + i * v;
    const float m = row_max(x, v);
    const float l = m + std::log(row_sum_exp(x, v, m));
    const int64_t t = targets[i];
    lse[i] = l;
    nll[i] = valid[i] ? l - x[t] : 0.0f;
    if (d) {
      D* di = d + i * v;
      if (!valid[i]) {
        for (int64_t j = 0; j < v; ++j) di[j] = store<D>(0.0f);
        continue;
      }
      for (int64_t j = 0; j < v; ++j) di[j] = store<D>(exp_approx(x[j] - l));
      di[t] = store<D>(exp_approx(x[t] - l) - 1.0f);
    }
  }
}

POSE_CPU_CLONES void rows_range(const float* logits, const int64_t* targets, const bool* valid, float* nll,
                                float* lse, void* d, bool bf16, int64_t lo, int64_t hi, int64_t v) {
  if (bf16) {
    rows(logits, targets, valid, nll, lse, static_cast<c10::BFloat16*>(d), lo, hi, v);
  } else {
    rows(logits, targets, valid, nll, lse, static_cast<float*>(d), lo, hi, v);
  }
}

}  // namespace

bool cross_entropy_cpu_applies(const torch::Tensor& logits) {
  return cpu_kernels_apply(logits) && logits.dim() == 2 && logits.scalar_type() == torch::kFloat &&
         logits.is_contiguous();
}

void cross_entropy_rows_cpu(const torch::Tensor& logits, const torch::Tensor& targets, const torch::Tensor& valid,
                            torch::Tensor& nll, torch::Tensor& lse, torch::Tensor* logit_gradient) {
  TORCH_CHECK(cross_entropy_cpu_applies(logits), "cross_entropy_rows_cpu: logits it does not take");
  const int64_t n = logits.size(0), v = logits.size(1);
  const torch::Tensor t = targets.to(torch::kLong).contiguous(), ok = valid.to(torch::kBool).contiguous();
  TORCH_CHECK(t.numel() == n && ok.numel() == n, "cross_entropy_rows_cpu: one target per row");
  const torch::Tensor scored = t.masked_select(ok);
  if (scored.numel() > 0 && (scored.min().item<int64_t>() < 0 || scored.max().item<int64_t>() >= v)) {
    throw UserError("a target token id is outside the vocabulary of " + std::to_string(v) + " (ids " +
                        std::to_string(scored.min().item<int64_t>()) + " to " +
                        std::to_string(scored.max().item<int64_t>()) + ")",
                    "tokenize the corpus with the model's own tokenizer");
  }
  nll = torch::empty({n}, logits.options());
  lse = torch::empty({n}, logits.options());
  void* d = nullptr;
  bool bf16 = false;
  if (logit_gradient) {
    TORCH_CHECK(logit_gradient->sizes() == logits.sizes() && logit_gradient->is_contiguous() &&
                    (logit_gradient->scalar_type() == torch::kFloat ||
                     logit_gradient->scalar_type() == torch::kBFloat16),
                "cross_entropy_rows_cpu: the gradient must be a contiguous fp32 or bf16 [n, V]");
    d = logit_gradient->data_ptr();
    bf16 = logit_gradient->scalar_type() == torch::kBFloat16;
  }
  const float* x = logits.data_ptr<float>();
  const int64_t* tp = t.data_ptr<int64_t>();
  const bool* vp = ok.data_ptr<bool>();
  float* nll_p = nll.data_ptr<float>();
  float* lse_p = lse.data_ptr<float>();
  for_rows(n, v, [&](int64_t lo, int64_t hi) { rows_range(x, tp, vp, nll_p, lse_p, d, bf16, lo, hi, v); });
}

}  // namespace pose::model
