// The positional half of a sample: how the trained window is cut into chunks
// and how far each chunk is pushed along the position axis. Strategies produce
// a Layout; the sampler adds the text side, and the coverage Monte-Carlo uses
// the Layout alone (coverage does not depend on which tokens are read).
#pragma once

#include <cstdint>
#include <vector>

#include "positions/random_stream.h"
#include "positions/sampler_types.h"

namespace pose::positions {

// Chunk k covers positions [offset_k + skips[k], offset_k + skips[k] + lengths[k])
// where offset_k = lengths[0] + ... + lengths[k-1]. Skips never decrease, so
// chunks stay in order and never overlap (equal skips make two chunks adjacent).
struct Layout {
  std::vector<std::int64_t> lengths;
  std::vector<std::int64_t> skips;
};

// Tokens one sample trains on for a document of doc_len tokens: the design's
// window (Lt for full, Lc otherwise), or the whole document when it is shorter.
std::int64_t window_for(const Design& design, std::int64_t doc_len);

// The window the design trains when documents are long enough.
std::int64_t full_window(const Design& design);

// Draws the layout of one sample with `window` tokens (1 <= window, and
// window >= chunks for the pose strategies). The skip range is Lt - window.
Layout draw_layout(const Design& design, std::int64_t window, RandomStream& rng);

// --- strategies (one file each) ---------------------------------------------

// Chunk lengths for pose/pose-v1: N = 1 → {W}; N = 2 → the published rule
// l0 ~ U{1 .. ceil(W/2)}, l1 = W - l0; N >= 3 → a uniform composition of W
// into N positive parts (N-1 distinct cut points drawn uniformly from 1..W-1).
std::vector<std::int64_t> pose_chunk_lengths(std::int64_t window, int chunks, RandomStream& rng);

// pose: u_0 = 0, u_i ~ U{u_(i-1) .. Lt - W}.
// pose-v1 (shift_first_chunk): u_0 ~ U{0 .. Lt - W} as well, then as above.
Layout pose_layout(std::int64_t window, std::int64_t target_len, int chunks, bool shift_first_chunk,
                   RandomStream& rng);

// randpos: `window` distinct ids uniform from [0, Lt), sorted; runs of
// consecutive ids form the chunks.
Layout randpos_layout(std::int64_t window, std::int64_t target_len, RandomStream& rng);

// full / none: one chunk at positions 0 .. window-1.
Layout contiguous_layout(std::int64_t window);

}  // namespace pose::positions
