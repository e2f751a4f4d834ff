#include "train/out_of_memory.h"

#include <new>

#include <c10/util/Exception.h>

namespace pose::train {

namespace {

// LibTorch's messages run over many lines (and a C++ stack trace): the first is the point.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

bool is_allocation_failure(const std::exception& e) {
  if (dynamic_cast<const c10::OutOfMemoryError*>(&e) != nullptr) return true;
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr) return true;
  if (dynamic_cast<const c10::Error*>(&e) == nullptr) return false;
  const std::string what = e.what();
  return what.find("out of memory") != std::string::npos || what.find("can't allocate memory") != std::string::npos;
}

}  // namespace

std::optional<std::string> out_of_memory_message(const std::exception& e, const MemoryContext& c) {
  if (!is_allocation_failure(e)) return std::nullopt;
  const bool cuda = c.device.rfind("cuda", 0) == 0;
  std::string m = c.run + ": out of memory on " + (c.device.empty() ? std::string("the device") : c.device);
  if (c.tokens > 0 && c.batch_size > 0) {
    m += " with micro-batches of " + std::to_string(c.batch_size) + " x " + std::to_string(c.tokens) + " tokens";
  }
  m += " (" + first_line(e.what()) + "). Fix: lower batch_size (now " + std::to_string(c.batch_size) +
       ") and raise grad_accum (now " + std::to_string(c.grad_accum) +
       ") by the same factor, which keeps the tokens per optimizer step; or train at a shorter training length "
       "(PoSE needs only Lc tokens per sequence for any target length)";
  if (cuda) m += "; or set precision to bf16";
  m += ". What was stored before is kept; `pose run --resume` continues from the last checkpoint.";
  return m;
}

}  // namespace pose::train
