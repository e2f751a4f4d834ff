// AdamW's step on the CPU in one pass per parameter.
//
// LibTorch's torch::optim::AdamW runs about eight tensor ops per parameter
// (decay, two moment updates, sqrt, two divisions, addcdiv), each a pass over
// the parameter and most of them writing a fresh tensor. This step reads the
// parameter, its gradient and both moments once and writes them back once,
// on LibTorch's thread pool, with the same update in fp32, and
// keeps its state in the optimizer's own map (the same keys and
// AdamWParamState entries), so checkpoints, resumption and LibTorch's own
// step() see no difference.
#pragma once

#include <torch/torch.h>

namespace pose::train {

// Whether cpu_adamw_step() takes this optimizer now: every parameter with a
// gradient an fp32 CPU tensor, contiguous, as its gradient, no amsgrad, and
// the CPU kernels on (model::cpu_kernels_apply).
bool cpu_adamw_applies(const torch::optim::AdamW& optimizer);

// One optimizer step, as optimizer.step() would take it.
void cpu_adamw_step(torch::optim::AdamW& optimizer);

// cpu_adamw_step() where it applies, optimizer.step() otherwise.
void adamw_step(torch::optim::AdamW& optimizer);

}  // namespace pose::train
