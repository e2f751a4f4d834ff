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

#include <sstream>
#include <string>
#include <type_traits>

namespace pose::train {

// The key LibTorch's optimizers file a parameter's state under: the address
// of its TensorImpl, printed as a string up to LibTorch 2.0 and the address
// itself from 2.1 on. Taken from the map's own key type, so one definition
// serves both.
using OptimizerStateKey = std::decay_t<decltype(std::declval<torch::optim::Optimizer&>().state())>::key_type;

// (A template so that only the branch of this LibTorch is compiled.)
template <typename Key = OptimizerStateKey>
Key optimizer_state_key(const torch::Tensor& parameter) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream address;  // as c10::guts::to_string wrote it in 1.x
    address << parameter.unsafeGetTensorImpl();
    return address.str();
  } else {
    return static_cast<Key>(parameter.unsafeGetTensorImpl());
  }
}

// Whether cpu_adamw_step() takes this optimizer now: every parameter with a
// gradient an fp32 CPU tensor, contiguous, as its gradient, no amsgrad, and
// the CPU kernels on (model::cpu_kernels_apply).
bool cpu_adamw_applies(const torch::optim::AdamW& optimizer);

// One optimizer step, as optimizer.step() would take it.
void cpu_adamw_step(torch::optim::AdamW& optimizer);

// cpu_adamw_step() where it applies, optimizer.step() otherwise.
void adamw_step(torch::optim::AdamW& optimizer);

}  // namespace pose::train
