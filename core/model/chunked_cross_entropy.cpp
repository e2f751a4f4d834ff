#include "model/chunked_cross_entropy.h"

#include "common/error.h"
#include "model/autocast_state.h"
#include "kernels/cpu_kernels.h"
#include "kernels/pool_gemm.h"

#include <algorithm>

namespace pose::model {

namespace {

struct ChunkLogits {
  torch::Tensor logits;   // [n, V] fp32
  torch::Tensor valid;    // [n] bool
  torch::Tensor safe;     // [n] int64 targets with ignored ones replaced by 0
};

ChunkLogits chunk_logits(const torch::Tensor& hidden, const torch::Tensor& weight, const torch::Tensor& targets,
                         int64_t start, int64_t length) {
  ChunkLogits c;
  // Matmul in the weights' dtype (as HF's lm_head), then fp32 (as HF's loss).
  c.logits = pool_mm(hidden.narrow(0, start, length), weight.t()).to(torch::kFloat);
  const torch::Tensor t = targets.narrow(0, start, length);
  c.valid = t != kIgnoreIndex;
  c.safe = torch::where(c.valid, t, torch::zeros_like(t));
  return c;
}

// softmax − one_hot(t) in place of `probs` (the softmax), with the rows of
// ignored tokens zeroed: d(lse − logit_t)/d logits.
void softmax_to_logit_gradient(torch::Tensor& probs, const ChunkLogits& c) {
  probs.scatter_add_(1, c.safe.unsqueeze(1), -torch::ones({probs.size(0), 1}, probs.options()));
  // Ignored tokens are few (none in most batches): zero their rows, not a pass over all.
  const torch::Tensor ignored = c.valid.logical_not().nonzero().squeeze(1);
  if (ignored.numel() > 0) probs.index_fill_(0, ignored, 0.0);
}

// The logit gradient from the logits and their log-sum-exp (backward when
// nothing was kept).
torch::Tensor logit_gradient(const ChunkLogits& c, const torch::Tensor& lse) {
  torch::Tensor dlogits = torch::exp(c.logits - lse.unsqueeze(1));
  softmax_to_logit_gradient(dlogits, c);
  return dlogits;
}

// The dtype the kept logit gradient is stored in: under autocast the backward
// GEMMs take it in the autocast dtype anyway, so it is stored so (the same
// numbers, half the memory, no cast in backward); fp32 otherwise.
torch::ScalarType kept_gradient_dtype(const torch::Tensor& hidden) {
  const AutocastState autocast = current_autocast();
  if (hidden.is_cpu() && autocast.cpu) return autocast.cpu_dtype;
  if (hidden.is_cuda() && autocast.cuda) return autocast.cuda_dtype;
  return torch::kFloat;
}

struct LinearCrossEntropy : public torch::autograd::Function<LinearCrossEntropy> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& hidden,
                               const torch::Tensor& weight, const torch::Tensor& targets, int64_t chunk,
                               int64_t keep_limit) {
    const int64_t n = hidden.size(0);
    // (Grad mode is off inside forward; whether a backward can come is in the inputs.)
    const bool keep = (hidden.requires_grad() || weight.requires_grad()) && n * weight.size(0) <= keep_limit;
    torch::Tensor total = torch::zeros({}, hidden.options().dtype(torch::kFloat));
    std::vector<torch::Tensor> lse_parts;
    torch::Tensor dlogits_all;
    if (keep) dlogits_all = torch::empty({n, weight.size(0)}, hidden.options().dtype(kept_gradient_dtype(hidden)));
    for (int64_t start = 0; start < n; start += chunk) {
      const int64_t len = std::min(chunk, n - start);
      const ChunkLogits c = chunk_logits(hidden, weight, targets, start, len);
      if (cross_entropy_cpu_applies(c.logits)) {
        // One kernel on the CPU: loss, log-sum-exp and the kept gradient (kernels/cpu_kernels.h).
        torch::Tensor nll, lse;
        torch::Tensor dlogits = keep ? dlogits_all.narrow(0, start, len) : torch::Tensor();
        cross_entropy_rows_cpu(c.logits, c.safe, c.valid, nll, lse, keep ? &dlogits : nullptr);
        total = total + nll.sum();
        if (!keep) lse_parts.push_back(lse);
        continue;
      }
      // One fused pass gives log p for every entry; the loss, the
      // log-sum-exp and (exp) the softmax all follow from it.
      torch::Tensor log_probs = at::_log_softmax(c.logits, 1, /*half_to_float=*/false);
      const torch::Tensor target_log_prob = log_probs.gather(1, c.safe.unsqueeze(1)).squeeze(1);
      total = total - torch::where(c.valid, target_log_prob, torch::zeros_like(target_log_prob)).sum();
      if (keep) {
        // The one-hot is subtracted in fp32 (p − 1 for a confident token
        // would lose its digits in bf16), then stored.
        torch::Tensor dlogits = dlogits_all.scalar_type() == torch::kFloat ? dlogits_all.narrow(0, start, len)
                                                                           : log_probs;
        torch::exp_out(dlogits, log_probs);
        softmax_to_logit_gradient(dlogits, c);
        if (dlogits_all.scalar_type() != torch::kFloat) dlogits_all.narrow(0, start, len).copy_(dlogits);
      } else {
        // lse = logit_t − log p_t, without another pass over the row.
        lse_parts.push_back(c.logits.gather(1, c.safe.unsqueeze(1)).squeeze(1) - target_log_prob);
      }
    }
    if (keep) {
      ctx->save_for_backward({hidden, weight, dlogits_all});
    } else {
      ctx->save_for_backward(
          {hidden, weight, targets, lse_parts.empty() ? torch::zeros({0}) : torch::cat(lse_parts)});
    }
    ctx->saved_data["chunk"] = chunk;
    ctx->saved_data["kept"] = keep;
    return total;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& hidden = saved[0];
    const torch::Tensor& weight = saved[1];
    if (ctx->saved_data["kept"].toBool()) {
      // The scalar upstream gradient scales the [N, C] and [V, C] results, not [N, V].
      const torch::Tensor& dlogits = saved[2];
      const torch::Tensor g = grad_outputs[0].to(torch::kFloat);
      // Kept in fp32 (the GEMMs then run in the weights' dtype, as HF's
      // lm_head), or in the autocast dtype, which the GEMMs keep.
      const auto gemm_dtype = dlogits.scalar_type() == torch::kFloat ? weight.scalar_type() : dlogits.scalar_type();
      const torch::Tensor grad_hidden =
          (pool_mm(dlogits.to(gemm_dtype), weight.to(gemm_dtype)) * g).to(hidden.scalar_type());
      const torch::Tensor grad_weight = pool_mm(dlogits.t(), hidden.to(dlogits.scalar_type())).mul_(g);
      return {grad_hidden, grad_weight.to(weight.scalar_type()), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
    const torch::Tensor& targets = saved[2];
    const torch::Tensor& lse = saved[3];
    const int64_t chunk = ctx->saved_data["chunk"].toInt();
    const torch::Tensor g = grad_outputs[0].to(torch::kFloat);
    const int64_t n = hidden.size(0);

    torch::Tensor grad_hidden = torch::empty_like(hidden);
    torch::Tensor grad_weight = torch::zeros(weight.sizes(), weight.options().dtype(torch::kFloat));
    for (int64_t start = 0; start < n; start += chunk) {
      const int64_t len = std::min(chunk, n - start);
      const ChunkLogits c = chunk_logits(hidden, weight, targets, start, len);
      const torch::Tensor dlogits = logit_gradient(c, lse.narrow(0, start, len)) * g;
      const torch::Tensor h = hidden.narrow(0, start, len);
      grad_hidden.narrow(0, start, len).copy_(pool_mm(dlogits.to(weight.scalar_type()), weight));
      grad_weight.add_(pool_mm(dlogits.t(), h.to(torch::kFloat)));
    }
    return {grad_hidden, grad_weight.to(weight.scalar_type()), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor linear_cross_entropy_sum(const torch::Tensor& hidden, const torch::Tensor& weight,
                                       const torch::Tensor& targets, int64_t chunk_tokens,
                                       int64_t keep_gradient_elements) {
  if (hidden.dim() != 2 || weight.dim() != 2 || hidden.size(1) != weight.size(1) || targets.dim() != 1 ||
      targets.size(0) != hidden.size(0) || targets.scalar_type() != torch::kLong) {
    throw UserError("linear_cross_entropy_sum: expected hidden [N, C], weight [V, C] and int64 targets [N]",
                    "flatten batch and time before calling it");
  }
  if (chunk_tokens < 1) throw UserError("loss_chunk_tokens: below 1", "use e.g. 1024");
  return LinearCrossEntropy::apply(hidden, weight, targets, chunk_tokens, keep_gradient_elements);
}

}  // namespace pose::model
