// Exact coverage curves, computed from the sampler's distributions rather than
// by sampling.
//
// Two-chunk PoSE (pose and pose-v1, every text-skip variant: coverage depends
// on positions only). Chunk 0 holds l0 positions, chunk 1 holds Lc - l0, and g
// is the gap between them (pose: g = u1 ~ U{0..Lt-Lc}; pose-v1: g = rt - lt,
// with P(g) = (H(M+1) - H(g)) / (M+1), M = Lt - Lc, which decreases in g).
//   - cross-chunk pairs cover exactly the distances [g + 1, g + Lc - 1],
//     whatever l0 is;
//   - within-chunk pairs cover [0, max(l0, Lc - l0) - 1], whatever g is;
//   - l0 and g are drawn independently, so
//     P(d) = 1 - (1 - P(max chunk > d)) * (1 - P(d - Lc + 1 <= g <= d - 1)).
// Hence for pose every d in [Lc - 1, Lt - Lc + 1] has P = (Lc - 1)/(Lt - Lc + 1).
// Expected pair counts: within-chunk max(0, l - d) per chunk; cross pairs form a
// trapezoid in d (box * box) shifted by g + 1, averaged over l0 (O(Lc^2)) and
// then over g (prefix sums: O(Lt) for pose; a direct O(Lt * Lc) convolution for
// pose-v1).
//
// One chunk, full and none: one contiguous block of W tokens, P = 1 for d < W.
//
// Not exact (use Monte-Carlo): pose/pose-v1 with 3 or more chunks — the four
// or more cross-chunk intervals share chunk lengths and skips, so the union's
// probability does not factor — and randpos.
#pragma once

#include "positions/coverage_types.h"
#include "positions/sampler_types.h"

namespace pose::positions {

bool has_exact_coverage(const Design& design);

// Validates the design; throws UserError (naming "method") when no exact
// computation exists for it.
CoverageCurve coverage_exact(const Design& design);

}  // namespace pose::positions
