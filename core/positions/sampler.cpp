#include "positions/sampler.h"

#include <algorithm>

#include "common/error.h"
#include "positions/layout.h"
#include "positions/random_stream.h"
#include "positions/text_skips.h"

namespace pose::positions {

std::int64_t min_document_tokens(const Design& design) {
  return uses_chunks(design.strategy) ? std::max<std::int64_t>(2, design.chunks) : 2;
}

Sample draw_sample(const Design& design, std::int64_t doc_len, std::uint64_t seed, std::uint64_t index) {
  validate(design);
  Sample s;
  s.index = index;
  const std::int64_t need = min_document_tokens(design);
  if (doc_len < need) {
    s.status = SampleStatus::TooShort;
    s.reason = "document has " + std::to_string(doc_len) + " tokens; " + strategy_name(design.strategy) +
               (uses_chunks(design.strategy) ? " with " + std::to_string(design.chunks) + " chunks" : std::string()) +
               " needs at least " + std::to_string(need);
    return s;
  }
  const std::int64_t window = window_for(design, doc_len);
  if (window < full_window(design)) {
    s.status = SampleStatus::Shortened;
    s.reason = "document has " + std::to_string(doc_len) + " tokens, fewer than the window " +
               std::to_string(full_window(design)) + "; trained on all of them (window " + std::to_string(window) +
               ", skips up to " + std::to_string(design.target_len - window) + ")";
  }
  s.window = window;

  // Layout first, text second: the coverage Monte-Carlo draws only the layout
  // from the same stream, so its sample k has exactly these positions.
  RandomStream rng = RandomStream::for_sample(seed, index);
  const Layout layout = draw_layout(design, window, rng);
  s.chunk_lengths = layout.lengths;
  s.position_skips = layout.skips;
  s.text_skips = draw_text_skips(design, layout, window, doc_len, rng);

  s.position_ids.reserve(static_cast<std::size_t>(window));
  s.text_ranges.reserve(layout.lengths.size());
  std::int64_t offset = 0;
  for (std::size_t k = 0; k < layout.lengths.size(); ++k) {
    const std::int64_t first = offset + layout.skips[k];
    for (std::int64_t t = 0; t < layout.lengths[k]; ++t) s.position_ids.push_back(first + t);
    const std::int64_t text_begin = offset + s.text_skips[k];
    s.text_ranges.push_back({text_begin, text_begin + layout.lengths[k]});
    offset += layout.lengths[k];
  }
  return s;
}

std::vector<Sample> draw_samples(const Design& design, std::int64_t doc_len, std::uint64_t seed,
                                 std::uint64_t first_index, std::int64_t count) {
  if (count < 0) throw UserError("samples: " + std::to_string(count) + " is negative", "ask for 0 or more samples");
  std::vector<Sample> out;
  out.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    out.push_back(draw_sample(design, doc_len, seed, first_index + static_cast<std::uint64_t>(i)));
  }
  return out;
}

}  // namespace pose::positions
