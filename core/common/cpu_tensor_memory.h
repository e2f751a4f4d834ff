// Bytes of CPU tensor storage alive now and at their peak, counted at
// LibTorch's CPU allocator.
//
// The resident set (memory_usage.h) answers "how much memory does the process
// hold", which on the CPU is not the question a memory estimate answers:
// glibc keeps freed blocks for reuse, OpenMP threads have stacks, oneDNN and
// OpenBLAS keep buffers of their own, and the resident set never shrinks
// within a step. Counting every allocation and free that goes through
// LibTorch's CPU allocator gives the tensor bytes the engine asked for —
// weights, gradients, optimizer state, saved activations and temporaries —
// which is what experiment/cost_estimate.h estimates.
//
// install() wraps the current CPU allocator once per process (LibTorch keeps
// the allocator of the highest priority; ours is above the default's).
// Storage allocated before install() is not counted, not even when freed.
// Buffers that libraries allocate themselves (oneDNN's scratchpads, BLAS
// workspaces) are not tensors and are not counted either.
#pragma once

#include <cstdint>

namespace pose {

class CpuTensorMemory {
 public:
  // Idempotent; thread-safe.
  static void install();
  static bool installed();

  // Bytes of counted storage alive now.
  static int64_t live_bytes();
  // The largest live_bytes() since the last reset_peak() (or install()).
  static int64_t peak_bytes();
  // Sets the peak to the bytes alive now.
  static void reset_peak();
};

}  // namespace pose
