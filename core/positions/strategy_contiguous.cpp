// Full-length fine-tuning and no fine-tuning: one contiguous chunk at 0.
#include "positions/layout.h"

namespace pose::positions {

Layout contiguous_layout(std::int64_t window) { return Layout{{window}, {0}}; }

}  // namespace pose::positions
