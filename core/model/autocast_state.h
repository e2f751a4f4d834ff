// The autocast switches of this thread, for CUDA and the CPU, over LibTorch's
// two APIs (2.4 made the per-backend functions device-typed). Training scopes
// set them for a micro-batch; the activation checkpoint takes the forward's
// state into its recomputation.
#pragma once

#include <c10/core/ScalarType.h>

namespace pose::model {

struct AutocastState {
  bool cuda = false;
  at::ScalarType cuda_dtype = at::kBFloat16;
  bool cpu = false;
  at::ScalarType cpu_dtype = at::kBFloat16;
};

AutocastState current_autocast();
void set_autocast(const AutocastState& state);

// Sets a state for its lifetime and restores the one before.
class AutocastStateScope {
 public:
  explicit AutocastStateScope(const AutocastState& state) : saved_(current_autocast()) { set_autocast(state); }
  ~AutocastStateScope() { set_autocast(saved_); }
  AutocastStateScope(const AutocastStateScope&) = delete;
  AutocastStateScope& operator=(const AutocastStateScope&) = delete;

 private:
  AutocastState saved_;
};

}  // namespace pose::model
