// Building a model directly in the dtype it will hold. LibTorch's modules
// (Linear, Embedding) and RMSNorm allocate their parameters in LibTorch's
// default dtype, so constructing them inside DefaultDtypeScope(kBFloat16)
// allocates bf16 storage once — instead of fp32 storage (twice the bytes) that
// a later `.to(kBFloat16)` copies and frees.
//
// The default dtype is process-global: c10 keeps one value, not one per thread.
// That is acceptable here because models are constructed by one thread at a time
// (the engine thread of a run or an evaluation, or the command line's only
// thread), and because the scope writes the global only when the dtype differs
// from the current default: the engine's fp32 path leaves it untouched, so a
// concurrent thread can only be affected while a bf16/fp16 model is being
// built, which the engine does not do beside other tensor work.
#pragma once

#include <optional>

#include <c10/core/DefaultDtype.h>
#include <c10/util/typeid.h>
#include <torch/torch.h>

namespace pose::model {

class DefaultDtypeScope {
 public:
  // Makes `dtype` (a floating-point type) LibTorch's default until destruction;
  // throws UserError for any other type.
  explicit DefaultDtypeScope(torch::ScalarType dtype);
  ~DefaultDtypeScope();
  DefaultDtypeScope(const DefaultDtypeScope&) = delete;
  DefaultDtypeScope& operator=(const DefaultDtypeScope&) = delete;

 private:
  std::optional<caffe2::TypeMeta> previous_;  // set only when the default was changed
};

}  // namespace pose::model
