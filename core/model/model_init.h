// Random initialisation as HF's LlamaPreTrainedModel._init_weights: linear and
// embedding weights ~ N(0, initializer_range), biases 0, RMSNorm weights 1,
// the pad token's embedding row 0. Drawn on the CPU in fp32 from one seeded
// generator, in parameter order, so a seed gives the same weights on every
// device and in every dtype (up to the final cast).
#pragma once

#include <cstdint>

#include "model/llama_model.h"

namespace pose::model {

void init_weights(LlamaForCausalLM& model, uint64_t seed);

}  // namespace pose::model
