#include "positions/layout.h"

#include <algorithm>

namespace pose::positions {

std::int64_t full_window(const Design& design) {
  return design.strategy == Strategy::Full ? design.target_len : design.train_len;
}

std::int64_t window_for(const Design& design, std::int64_t doc_len) {
  return std::min(full_window(design), doc_len);
}

Layout draw_layout(const Design& design, std::int64_t window, RandomStream& rng) {
  switch (design.strategy) {
    case Strategy::Pose: return pose_layout(window, design.target_len, design.chunks, false, rng);
    case Strategy::PoseV1: return pose_layout(window, design.target_len, design.chunks, true, rng);
    case Strategy::RandPos: return randpos_layout(window, design.target_len, rng);
    case Strategy::Full:
    case Strategy::None: return contiguous_layout(window);
  }
  return contiguous_layout(window);
}

}  // namespace pose::positions
