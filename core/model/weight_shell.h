// Building a model whose weights are to be another model's tensors (a LoRA
// run's frozen base: make_model_sharing in model/model_init.h). Inside a
// WeightShellScope the model's modules (embeddings, projections, norms)
// allocate each weight with every dimension 1, so building the model costs
// neither memory nor initialisation time before the shared tensors take the
// weights' place. Buffers (RoPE tables) are built as usual.
//
// The flag is per thread: the engine builds a model on one thread at a time.
#pragma once

#include <cstdint>

namespace pose::model {

class WeightShellScope {
 public:
  WeightShellScope();
  ~WeightShellScope();
  WeightShellScope(const WeightShellScope&) = delete;
  WeightShellScope& operator=(const WeightShellScope&) = delete;

 private:
  bool previous_;
};

// A weight dimension of `size` for a module built now: 1 inside a
// WeightShellScope, else `size`.
int64_t weight_dim(int64_t size);

}  // namespace pose::model
