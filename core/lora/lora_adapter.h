// One LoRA adapter on one projection: y = W x + b + scaling · B (A dropout(x)).
// The two factors are Linear modules registered on the adapted projection
// itself as "lora_A" and "lora_B", so their parameter names are PEFT's
// (model.layers.0.self_attn.q_proj.lora_A.weight) and they move, train/eval
// and appear in named_parameters() with the projection. An adapter that is not
// attached (a null `a`) leaves the projection as it was.
#pragma once

#include <torch/torch.h>

namespace pose::model {

struct LoraAdapter {
  torch::nn::Linear a{nullptr};  // [rank, in]: random at the start
  torch::nn::Linear b{nullptr};  // [out, rank]: zero at the start, so W' = W
  double scaling = 1.0;          // alpha / rank
  double dropout = 0.0;          // on the adapter's input, in training only

  bool attached() const { return !a.is_empty(); }
};

// layer(x), plus the adapter's update when one is attached. `training`: the
// owning module's mode (dropout only while training).
torch::Tensor adapted_projection(const torch::nn::Linear& layer, const LoraAdapter& adapter, const torch::Tensor& x,
                                 bool training);

}  // namespace pose::model
