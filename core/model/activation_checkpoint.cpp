#include "model/activation_checkpoint.h"

#include "model/autocast_state.h"

#include <ATen/Context.h>

#include <cstdint>

namespace pose::model {

namespace {

// Arguments that are not tensors (the layer, the mask, the kernel) are passed
// as pointers/values, which the autograd machinery treats as non-differentiable
// slots; the parameters come in as a TensorList so gradients flow to them.
struct CheckpointFunction : public torch::autograd::Function<CheckpointFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, DecoderLayerImpl* layer, const AttentionMask* mask,
                               AttentionKernel kernel, const torch::Tensor& x, const torch::Tensor& cos,
                               const torch::Tensor& sin, at::TensorList params) {
    // The autograd machinery already disabled grad mode around forward.
    ctx->saved_data["layer"] = static_cast<int64_t>(reinterpret_cast<std::intptr_t>(layer));
    ctx->saved_data["kernel"] = static_cast<int64_t>(kernel);
    ctx->saved_data["is_causal"] = mask->is_causal;
    ctx->saved_data["plain_causal"] = mask->plain_causal;
    ctx->saved_data["token_order"] = mask->token_order;
    ctx->saved_data["past_len"] = mask->past_len;
    ctx->saved_data["window"] = mask->window;
    ctx->saved_data["has_mask"] = mask->additive.defined();
    if (mask->additive.defined()) ctx->saved_data["mask"] = mask->additive;
    ctx->saved_data["x_requires_grad"] = x.requires_grad();
    ctx->saved_data["num_params"] = static_cast<int64_t>(params.size());
    // The recomputation in backward runs under the forward's autocast state.
    const AutocastState autocast = current_autocast();
    ctx->saved_data["autocast_cuda"] = autocast.cuda;
    ctx->saved_data["autocast_cuda_dtype"] = static_cast<int64_t>(autocast.cuda_dtype);
    ctx->saved_data["autocast_cpu"] = autocast.cpu;
    ctx->saved_data["autocast_cpu_dtype"] = static_cast<int64_t>(autocast.cpu_dtype);
    // LoRA dropout draws from the device's generator: its state before the
    // forward is kept so the recomputation draws the same masks.
    const bool random = layer->draws_random_numbers();
    ctx->saved_data["random"] = random;
    if (random) ctx->saved_data["rng_state"] = at::globalContext().defaultGenerator(x.device()).get_state();
    ctx->save_for_backward({x, cos, sin});
    return layer->forward(x, cos, sin, *mask, kernel, nullptr);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    auto* layer = reinterpret_cast<DecoderLayerImpl*>(static_cast<std::intptr_t>(ctx->saved_data["layer"].toInt()));
    const auto kernel = static_cast<AttentionKernel>(ctx->saved_data["kernel"].toInt());
    AttentionMask mask;
    mask.is_causal = ctx->saved_data["is_causal"].toBool();
    mask.plain_causal = ctx->saved_data["plain_causal"].toBool();
    mask.token_order = ctx->saved_data["token_order"].toBool();
    mask.past_len = ctx->saved_data["past_len"].toInt();
    mask.window = ctx->saved_data["window"].toInt();
    if (ctx->saved_data["has_mask"].toBool()) mask.additive = ctx->saved_data["mask"].toTensor();
    const bool x_requires_grad = ctx->saved_data["x_requires_grad"].toBool();
    const auto saved = ctx->get_saved_variables();

    torch::Tensor x = saved[0].detach().requires_grad_(x_requires_grad);
    std::vector<torch::Tensor> params = layer->parameters();
    std::vector<torch::Tensor> wrt;
    if (x_requires_grad) wrt.push_back(x);
    for (const auto& p : params) {
      if (p.requires_grad()) wrt.push_back(p);
    }

    torch::Tensor out;
    {
      torch::AutoGradMode grad_on(true);
      AutocastState forward_state;
      forward_state.cuda = ctx->saved_data["autocast_cuda"].toBool();
      forward_state.cuda_dtype = static_cast<at::ScalarType>(ctx->saved_data["autocast_cuda_dtype"].toInt());
      forward_state.cpu = ctx->saved_data["autocast_cpu"].toBool();
      forward_state.cpu_dtype = static_cast<at::ScalarType>(ctx->saved_data["autocast_cpu_dtype"].toInt());
      const AutocastStateScope autocast(forward_state);
      if (ctx->saved_data["random"].toBool()) {
        // Replay the forward's draws, then give the generator back its present state.
        at::Generator generator = at::globalContext().defaultGenerator(x.device());
        const torch::Tensor present = generator.get_state();
        generator.set_state(ctx->saved_data["rng_state"].toTensor());
        out = layer->forward(x, saved[1], saved[2], mask, kernel, nullptr);
        generator.set_state(present);
      } else {
        out = layer->forward(x, saved[1], saved[2], mask, kernel, nullptr);
      }
    }
    torch::autograd::variable_list grads;
    if (!wrt.empty()) {
      grads = torch::autograd::grad({out}, wrt, {grad_outputs[0]}, /*retain_graph=*/false, /*create_graph=*/false,
                                    /*allow_unused=*/true);
    }

    // One entry per forward argument slot: layer, mask, kernel, x, cos, sin, params...
    torch::autograd::variable_list result(6 + params.size());
    std::size_t next = 0;
    if (x_requires_grad) result[3] = grads[next++];
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (params[i].requires_grad()) result[6 + i] = grads[next++];
    }
    return result;
  }
};

}  // namespace

torch::Tensor checkpointed_layer_forward(DecoderLayerImpl& layer, const torch::Tensor& x, const torch::Tensor& cos,
                                         const torch::Tensor& sin, const AttentionMask& mask, AttentionKernel kernel) {
  const std::vector<torch::Tensor> params = layer.parameters();
  return CheckpointFunction::apply(&layer, &mask, kernel, x, cos, sin, at::TensorList(params));
}

}  // namespace pose::model
