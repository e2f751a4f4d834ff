// Activation checkpointing for one decoder layer. LibTorch's C++ API has no
// torch.utils.checkpoint, so this is a custom autograd function: its forward
// runs the layer without recording a graph (only the layer's input is kept),
// its backward runs the layer again with grad enabled and differentiates that
// recomputation. Memory per layer drops from every intermediate activation to
// the input hidden state, at the cost of one extra layer forward in backward.
//
// Recomputation reproduces the forward exactly: the autocast state of the
// forward is restored in backward (backward may run on another thread, where
// autocast is off by default), and when the layer draws random numbers (LoRA
// dropout) the device generator's state from before the forward is replayed.
#pragma once

#include <torch/torch.h>

#include "kernels/attention_kernel.h"
#include "model/decoder_layer.h"

namespace pose::model {

// Same value as layer->forward(x, cos, sin, mask, kernel), with gradients for x
// and the layer's parameters that equal the non-checkpointed ones. The layer
// must outlive the backward pass. No KV cache (that is inference).
torch::Tensor checkpointed_layer_forward(DecoderLayerImpl& layer, const torch::Tensor& x, const torch::Tensor& cos,
                                         const torch::Tensor& sin, const AttentionMask& mask, AttentionKernel kernel);

}  // namespace pose::model
