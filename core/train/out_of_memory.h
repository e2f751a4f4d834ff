// Running out of memory, in words a researcher can act on. A step that needs
// more memory than the device has fails inside LibTorch with an allocator
// message (CUDA's OutOfMemoryError, the CPU allocator's "can't allocate
// memory", std::bad_alloc); the run is then marked failed with this text,
// which names the settings that decide the memory of a step and what to change.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>

namespace pose::train {

struct MemoryContext {
  std::string run;
  std::string device;      // "cpu", "cuda:0 (...)"
  int64_t tokens = 0;      // tokens per sequence (the training length)
  int64_t batch_size = 0;  // sequences per micro-batch
  int64_t grad_accum = 1;
};

// The message for an allocation failure; nullopt for any other exception.
std::optional<std::string> out_of_memory_message(const std::exception& e, const MemoryContext& context);

}  // namespace pose::train
