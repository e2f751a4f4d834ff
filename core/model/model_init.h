// Building a model and giving it its random initialisation.
//
// make_model constructs LlamaForCausalLM with its parameters allocated in
// `dtype` from the start (DefaultDtypeScope), so a bf16 model never exists as
// fp32 first.
//
// init_weights is HF's LlamaPreTrainedModel._init_weights: linear and
// embedding weights ~ N(0, initializer_range), biases 0, RMSNorm weights 1,
// the pad token's embedding row 0. Drawn on the CPU in fp32 from one seeded
// generator, in parameter order, one tensor at a time, and copied into each
// parameter (rounding to its dtype), so a seed gives the same weights on every
// device and in every dtype (up to that rounding).
#pragma once

#include <cstdint>

#include "model/llama_model.h"

namespace pose::model {

LlamaForCausalLM make_model(const ModelConfig& config, torch::ScalarType dtype, const ModelOptions& options = {});

// A model with `config` (the base's architecture, another RoPE: a LoRA run of
// it) whose parameters are `base`'s own tensors, on their device and in their
// dtype: no weight is allocated, copied or initialised on the way
// (model/weight_shell.h), so the base is held once. What the run then trains
// gets its own copy (lora/lora.h); nothing may write into a shared weight.
// std::invalid_argument when the architectures differ.
LlamaForCausalLM make_model_sharing(LlamaForCausalLM& base, const ModelConfig& config, const ModelOptions& options = {});

void init_weights(LlamaForCausalLM& model, uint64_t seed);

}  // namespace pose::model
