// Draws the samples a training run feeds the model: sample(seed, index) is a
// pure function, so a resumed run or another data-parallel rank draws exactly
// the same positions and text for the same index.
//
// Short documents, as the PoSE reference does it (len_chunk = min(len(ids), Lc)):
// a document with Lx < W tokens (W = Lc, or Lt for full) is trained whole, with
// the design scaled down to a window of Lx — chunk lengths split Lx, position
// skips range over {0 .. Lt - Lx}. Such samples have status Shortened and say so
// in `reason`. A document with fewer than min_document_tokens() tokens cannot be
// sampled: the sample comes back empty with status TooShort and a reason, so a
// caller can count and report what it skipped instead of losing it silently.
#pragma once

#include <cstdint>
#include <vector>

#include "positions/sampler_types.h"

namespace pose::positions {

// max(2, chunks) for pose/pose-v1, 2 otherwise: one token to read and one to
// predict, and every chunk at least one token long.
std::int64_t min_document_tokens(const Design& design);

// Validates the design (UserError) and draws sample `index` for a document of
// doc_len tokens.
Sample draw_sample(const Design& design, std::int64_t doc_len, std::uint64_t seed, std::uint64_t index);

// Samples first_index .. first_index + count - 1.
std::vector<Sample> draw_samples(const Design& design, std::int64_t doc_len, std::uint64_t seed,
                                 std::uint64_t first_index, std::int64_t count);

}  // namespace pose::positions
