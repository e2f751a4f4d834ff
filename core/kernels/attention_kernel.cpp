#include "kernels/attention_kernel.h"

#include "common/error.h"
#include "kernels/cpu_kernels.h"
#include "kernels/pool_gemm.h"

#include <cmath>
#include <limits>

namespace pose::model {

AttentionKernel resolve_kernel(AttentionKernel requested) {
  // On 1.13 Auto is Eager. On 2.x it stays Auto and attend_grouped() picks per
  // call: the Eager path where it measured faster than SDPA, SDPA elsewhere.
  if (requested == AttentionKernel::Auto) return POSE_HAVE_SDPA ? AttentionKernel::Auto : AttentionKernel::Eager;
  if (requested == AttentionKernel::Sdpa && !POSE_HAVE_SDPA) {
    throw UserError("attention kernel sdpa needs LibTorch 2.0 or newer (this build uses " TORCH_VERSION ")",
                    "use the eager kernel, or build against LibTorch 2.x");
  }
  return requested;
}

bool eager_attention_beats_sdpa_on_cpu(torch::ScalarType dtype, int64_t head_dim, bool backward) {
  // Measured with Debian 13's LibTorch 2.6 on a 2-core AVX-512 EPYC
  // (bench_cpu_kernels, docs/PERFORMANCE.md): SDPA in bf16 ran 15-30x slower
  // than the Eager path at every width; in fp32 the Eager path won at 16-64
  // wide (0.99-2.5x) and, at 128 wide, with backward (1.10-1.13x), while SDPA
  // won forward only at 128 wide (0.74x at length 2048).
  if (dtype == torch::kFloat && head_dim > 64 && !backward) return false;
  return true;
}

AttentionMask make_attention_mask(int64_t query_len, int64_t past_len, std::optional<int64_t> sliding_window,
                                  AttentionKernel kernel, torch::ScalarType dtype, torch::Device device) {
  AttentionMask mask;
  const int64_t key_len = past_len + query_len;
  const bool window_bites = sliding_window && key_len > *sliding_window;
  mask.token_order = true;
  mask.past_len = past_len;
  mask.window = window_bites ? *sliding_window : 0;
  if (query_len == 1 && !window_bites) return mask;  // one query, every key visible
  // SDPA builds the plain triangle itself, and so does every other path from
  // is_causal; the CPU kernel reads the token order above. No T x T mask then.
  if (uses_sdpa(kernel) && past_len == 0 && !window_bites) {
    mask.is_causal = true;
    return mask;
  }
  // Built on the host side of the device once per forward; T_q x T_k entries.
  const auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(device);
  const torch::Tensor query_index = torch::arange(past_len, key_len, long_opts).unsqueeze(1);  // [Tq, 1]
  const torch::Tensor key_index = torch::arange(0, key_len, long_opts).unsqueeze(0);           // [1, Tk]
  torch::Tensor blocked = key_index > query_index;
  if (window_bites) blocked = blocked.logical_or(query_index - key_index >= *sliding_window);
  mask.additive = torch::zeros({query_len, key_len}, torch::TensorOptions().dtype(dtype).device(device))
                      .masked_fill(blocked, -std::numeric_limits<double>::infinity());
  mask.plain_causal = past_len == 0 && !window_bites;
  return mask;
}

torch::Tensor repeat_kv(const torch::Tensor& x, int64_t n_rep) {
  if (n_rep == 1) return x;
  const int64_t b = x.size(0), kv = x.size(1), t = x.size(2), d = x.size(3);
  return x.unsqueeze(2).expand({b, kv, n_rep, t, d}).reshape({b, kv * n_rep, t, d});
}

torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const AttentionMask& mask,
                     AttentionKernel kernel) {
#if POSE_HAVE_SDPA
  if (uses_sdpa(kernel)) {
    c10::optional<torch::Tensor> attn_mask;
    if (mask.additive.defined()) attn_mask = mask.additive.to(q.scalar_type());
    return at::scaled_dot_product_attention(q, k, v, attn_mask, /*dropout_p=*/0.0, mask.is_causal);
  }
#else
  (void)kernel;
#endif
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) * scale;
  if (mask.additive.defined()) {
    scores = scores + mask.additive.to(scores.scalar_type());
  } else if (mask.is_causal) {
    // Only Sdpa asks for is_causal; an eager caller given one builds the triangle.
    const int64_t tq = q.size(-2), tk = k.size(-2);
    scores = scores + make_attention_mask(tq, tk - tq, std::nullopt, AttentionKernel::Eager, scores.scalar_type(),
                                          scores.device()).additive;
  }
  const torch::Tensor probs = torch::softmax(scores, -1, torch::kFloat).to(q.scalar_type());
  return torch::matmul(probs, v);
}

namespace {

// The additive mask rides along as a non-tensor argument: autograd records
// every tensor argument as an input, and an undefined one cannot be.
struct MaskArgument {
  torch::Tensor additive;  // [Tq, Tk] or undefined
};

// Eager attention for grouped query heads (fp32 or bf16); see attend_grouped().
struct GroupedEagerAttention : public torch::autograd::Function<GroupedEagerAttention> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v, const MaskArgument& mask) {
    const torch::Tensor& additive = mask.additive;
    const int64_t b = q.size(0), h = q.size(1), tq = q.size(2), d = q.size(3);
    const int64_t kv = k.size(1), tk = k.size(2), rep = h / kv;
    const double scale = 1.0 / std::sqrt(static_cast<double>(d));
    // [B, H, Tq, D] = [B, KV, rep, Tq, D] -> [B*KV, rep*Tq, D]: the queries of one kv head.
    const torch::Tensor qg = q.reshape({b * kv, rep * tq, d});
    const torch::Tensor k3 = k.reshape({b * kv, tk, d});
    const torch::Tensor v3 = v.reshape({b * kv, tk, d});
    torch::Tensor scores;
    if (additive.defined()) {
      // One [rep*Tq, Tk] mask broadcast over the batch; scale applied inside the GEMM.
      const torch::Tensor m = (rep == 1 ? additive : additive.repeat({rep, 1})).to(q.scalar_type()).unsqueeze(0);
      scores = pool_baddbmm(m, qg, k3.transpose(1, 2), /*beta=*/1.0, /*alpha=*/scale);
    } else {
      scores = pool_bmm(qg, k3.transpose(1, 2)).mul_(scale);
    }
    // In place: the scores are not needed again, and one T x T buffer fewer is written.
    const torch::Tensor& probs = at::_softmax_out(scores, scores, -1, /*half_to_float=*/false);
    const torch::Tensor out = pool_bmm(probs, v3);
    ctx->save_for_backward({qg, k3, v3, probs});  // released with ctx when no backward follows
    ctx->saved_data["shape"] = std::vector<int64_t>{b, h, tq, d, kv, tk};
    return out.view({b, h, tq, d});
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &qg = saved[0], &k3 = saved[1], &v3 = saved[2], &probs = saved[3];
    const auto shape = ctx->saved_data["shape"].toIntVector();
    const int64_t b = shape[0], h = shape[1], tq = shape[2], d = shape[3], kv = shape[4], tk = shape[5];
    const double scale = 1.0 / std::sqrt(static_cast<double>(d));
    const torch::Tensor go = grad_outputs[0].reshape({b * kv, h / kv * tq, d});
    const torch::Tensor dv = pool_bmm(probs.transpose(1, 2), go);
    torch::Tensor dprobs = pool_bmm(go, v3.transpose(1, 2));
    // d softmax: P * (dP - rowsum(dP * P)), in place of dP; the mask's -inf entries have P = 0.
    const torch::Tensor& dscores = at::_softmax_backward_data_out(dprobs, dprobs, probs, -1, probs.scalar_type());
    const torch::Tensor dq = pool_bmm(dscores, k3).mul_(scale);
    const torch::Tensor dk = pool_bmm(dscores.transpose(1, 2), qg).mul_(scale);
    return {dq.view({b, h, tq, d}), dk.view({b, kv, tk, d}), dv.view({b, kv, tk, d}), torch::Tensor()};
  }
};

// Plain causal attention for grouped query heads, computed in blocks of
// kCausalBlock queries: block i's queries [s, e) attend to keys [0, e) only,
// so the score GEMMs, softmax and their backward skip everything above the
// diagonal blocks. Only the diagonal block needs the triangle of the mask.
// The same numbers as GroupedEagerAttention up to GEMM rounding.
struct BlockCausalGroupedAttention : public torch::autograd::Function<BlockCausalGroupedAttention> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v, const MaskArgument& mask) {
    const int64_t b = q.size(0), h = q.size(1), t = q.size(2), d = q.size(3);
    const int64_t kv = k.size(1), rep = h / kv;
    const double scale = 1.0 / std::sqrt(static_cast<double>(d));
    const torch::Tensor q4 = q.reshape({b * kv, rep, t, d});
    const torch::Tensor k3 = k.reshape({b * kv, t, d});
    const torch::Tensor v3 = v.reshape({b * kv, t, d});
    torch::Tensor out = torch::empty({b * kv, rep, t, d}, q.options());
    std::vector<torch::Tensor> saved{k3, v3};
    for (int64_t s = 0; s < t; s += kCausalBlock) {
      const int64_t e = std::min(t, s + kCausalBlock), len = e - s;
      const torch::Tensor qi = q4.narrow(2, s, len).reshape({b * kv, rep * len, d});
      // The mask rows of this block: zeros left of the diagonal block, its triangle on it.
      const torch::Tensor m_rows = mask.additive.narrow(0, s, len).narrow(1, 0, e);
      const torch::Tensor m = (rep == 1 ? m_rows : m_rows.repeat({rep, 1})).to(q.scalar_type()).unsqueeze(0);
      torch::Tensor scores =
          pool_baddbmm(m, qi, k3.narrow(1, 0, e).transpose(1, 2), /*beta=*/1.0, /*alpha=*/scale);
      const torch::Tensor& probs = at::_softmax_out(scores, scores, -1, /*half_to_float=*/false);
      out.narrow(2, s, len).copy_(pool_bmm(probs, v3.narrow(1, 0, e)).view({b * kv, rep, len, d}));
      saved.push_back(qi);
      saved.push_back(probs);
    }
    ctx->save_for_backward(saved);
    ctx->saved_data["shape"] = std::vector<int64_t>{b, h, t, d, kv};
    return out.view({b, h, t, d});
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &k3 = saved[0], &v3 = saved[1];
    const auto shape = ctx->saved_data["shape"].toIntVector();
    const int64_t b = shape[0], h = shape[1], t = shape[2], d = shape[3], kv = shape[4], rep = h / kv;
    const double scale = 1.0 / std::sqrt(static_cast<double>(d));
    const torch::Tensor go4 = grad_outputs[0].reshape({b * kv, rep, t, d});
    torch::Tensor dq = torch::empty({b * kv, rep, t, d}, k3.options());
    // dK and dV gather contributions from every block: summed in fp32.
    torch::Tensor dk = torch::zeros({b * kv, t, d}, k3.options().dtype(torch::kFloat));
    torch::Tensor dv = torch::zeros({b * kv, t, d}, k3.options().dtype(torch::kFloat));
    std::size_t next = 2;
    for (int64_t s = 0; s < t; s += kCausalBlock) {
      const int64_t e = std::min(t, s + kCausalBlock), len = e - s;
      const torch::Tensor& qi = saved[next++];
      const torch::Tensor& probs = saved[next++];
      const torch::Tensor goi = go4.narrow(2, s, len).reshape({b * kv, rep * len, d});
      dv.narrow(1, 0, e).add_(pool_bmm(probs.transpose(1, 2), goi));
      torch::Tensor dprobs = pool_bmm(goi, v3.narrow(1, 0, e).transpose(1, 2));
      const torch::Tensor& dscores =
          at::_softmax_backward_data_out(dprobs, dprobs, probs, -1, probs.scalar_type());
      dq.narrow(2, s, len).copy_(pool_bmm(dscores, k3.narrow(1, 0, e)).mul_(scale).view({b * kv, rep, len, d}));
      dk.narrow(1, 0, e).add_(pool_bmm(dscores.transpose(1, 2), qi).mul_(scale));
    }
    const auto dtype = k3.scalar_type();
    return {dq.view({b, h, t, d}), dk.to(dtype).view({b, kv, t, d}), dv.to(dtype).view({b, kv, t, d}),
            torch::Tensor()};
  }
};

}  // namespace

torch::Tensor attend_grouped(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             const AttentionMask& mask, AttentionKernel kernel) {
  const int64_t n_rep = q.size(1) / k.size(1);
  // fp32, or bf16 as autocast hands it over (q, k and v all bf16).
  const auto dtype = q.scalar_type();
  const bool grouped_dtype = (dtype == torch::kFloat || dtype == torch::kBFloat16) && k.scalar_type() == dtype &&
                             v.scalar_type() == dtype;
  if (kernel == AttentionKernel::Auto) {
    // LibTorch 2.x (on 1.x Auto never gets here): the engine's own CPU path
    // where it measured faster than SDPA, SDPA everywhere else.
    const bool backward = torch::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad());
    kernel = q.is_cpu() && grouped_dtype && eager_attention_beats_sdpa_on_cpu(dtype, q.size(3), backward)
                 ? AttentionKernel::Eager
                 : AttentionKernel::Sdpa;
  }
  if (kernel == AttentionKernel::Sdpa || !grouped_dtype) {
    return attend(q, repeat_kv(k, n_rep), repeat_kv(v, n_rep), mask, kernel);
  }
  if (mask.token_order && mask.past_len == k.size(2) - q.size(2) && causal_attention_cpu_applies(q, k, v)) {
    return causal_attention_cpu(q, k, v, mask.window);
  }
  torch::Tensor additive = mask.additive;
  if (!additive.defined() && mask.is_causal) {
    additive = make_attention_mask(q.size(2), k.size(2) - q.size(2), std::nullopt, AttentionKernel::Eager, dtype,
                                   q.device()).additive;
  }
  const bool plain_causal = mask.plain_causal || (mask.is_causal && !mask.additive.defined());
  if (plain_causal && additive.defined() && q.size(2) == k.size(2) && q.size(2) >= kBlockCausalMinLength) {
    return BlockCausalGroupedAttention::apply(q, k, v, MaskArgument{additive});
  }
  return GroupedEagerAttention::apply(q, k, v, MaskArgument{additive});
}

}  // namespace pose::model
