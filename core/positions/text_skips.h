// Which document tokens feed each chunk. Chunk i reads tokens
// [offset_i + v_i, offset_i + v_i + l_i) with v_0 = 0 and v_i non-decreasing in
// [0, Lx - W], so the ranges are in document order, never overlap and never run
// past the document's end. Only pose/pose-v1 skip text; the other strategies
// read the first W tokens (v_i = 0).
#pragma once

#include <cstdint>
#include <vector>

#include "positions/layout.h"
#include "positions/random_stream.h"
#include "positions/sampler_types.h"

namespace pose::positions {

// uniform: v_i ~ U{v_(i-1) .. Lx - W}, drawn after (independently of) the
//   position skips — for N = 2 exactly the published v1 ~ U{0 .. Lx - Lc}.
// zero:    v_i = 0 — the chunks read one contiguous span of text.
// equal:   v_i = min(u_i - u_0, Lx - W) — the text gap mirrors the position gap
//   (the paper's v = u ablation). A document shorter than W + u_i cannot give
//   that gap; the skip is clamped so the chunk ends at the document's end at the
//   latest (later chunks then read contiguous text after it).
std::vector<std::int64_t> draw_text_skips(const Design& design, const Layout& layout, std::int64_t window,
                                          std::int64_t doc_len, RandomStream& rng);

}  // namespace pose::positions
