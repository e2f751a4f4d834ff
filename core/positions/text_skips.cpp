#include "positions/text_skips.h"

#include <algorithm>

namespace pose::positions {

std::vector<std::int64_t> draw_text_skips(const Design& design, const Layout& layout, std::int64_t window,
                                          std::int64_t doc_len, RandomStream& rng) {
  std::vector<std::int64_t> v(layout.lengths.size(), 0);
  if (!uses_chunks(design.strategy)) return v;
  const std::int64_t max_skip = doc_len - window;
  switch (design.text_skip) {
    case TextSkip::Zero:
      break;
    case TextSkip::Uniform:
      for (std::size_t i = 1; i < v.size(); ++i) v[i] = rng.between(v[i - 1], max_skip);
      break;
    case TextSkip::Equal:
      // Relative to chunk 0's skip: pose-v1 shifts chunk 0's positions too, but
      // its text always starts at the document's first token.
      for (std::size_t i = 1; i < v.size(); ++i) {
        v[i] = std::min(layout.skips[i] - layout.skips[0], max_skip);
      }
      break;
  }
  return v;
}

}  // namespace pose::positions
