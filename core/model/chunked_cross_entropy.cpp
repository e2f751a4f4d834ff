#include "model/chunked_cross_entropy.h"

#include "common/error.h"

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
  c.logits = torch::matmul(hidden.narrow(0, start, length), weight.t()).to(torch::kFloat);
  const torch::Tensor t = targets.narrow(0, start, length);
  c.valid = t != kIgnoreIndex;
  c.safe = torch::where(c.valid, t, torch::zeros_like(t));
  return c;
}

// d(lse − logit_t)/d logits = softmax − one_hot(t), zero for ignored tokens.
torch::Tensor logit_gradient(const ChunkLogits& c, const torch::Tensor& lse) {
  torch::Tensor dlogits = torch::exp(c.logits - lse.unsqueeze(1));
  dlogits.scatter_add_(1, c.safe.unsqueeze(1), -torch::ones({c.logits.size(0), 1}, dlogits.options()));
  return dlogits.mul_(c.valid.unsqueeze(1).to(torch::kFloat));
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
    if (keep) dlogits_all = torch::empty({n, weight.size(0)}, hidden.options().dtype(torch::kFloat));
    for (int64_t start = 0; start < n; start += chunk) {
      const int64_t len = std::min(chunk, n - start);
      const ChunkLogits c = chunk_logits(hidden, weight, targets, start, len);
      const torch::Tensor lse = torch::logsumexp(c.logits, -1);
      const torch::Tensor target_logit = c.logits.gather(1, c.safe.unsqueeze(1)).squeeze(1);
      total = total + torch::where(c.valid, lse - target_logit, torch::zeros_like(lse)).sum();
      if (keep) {
        dlogits_all.narrow(0, start, len).copy_(logit_gradient(c, lse));
      } else {
        lse_parts.push_back(lse);
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
      const torch::Tensor grad_hidden = (torch::matmul(dlogits.to(weight.scalar_type()), weight) * g).to(hidden.scalar_type());
      const torch::Tensor grad_weight = torch::matmul(dlogits.t(), hidden.to(torch::kFloat)).mul_(g);
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
      grad_hidden.narrow(0, start, len).copy_(torch::matmul(dlogits.to(weight.scalar_type()), weight));
      grad_weight.add_(torch::matmul(dlogits.t(), h.to(torch::kFloat)));
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
