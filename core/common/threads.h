// CPU thread count for LibTorch's intra-op pool. Debian's LibTorch starts with
// one thread unless OMP_NUM_THREADS is set, so every front end calls this once.
#pragma once

namespace pose {

// requested <= 0: all cores (OMP_NUM_THREADS wins when set). Returns the count in use.
int configure_threads(int requested = 0);

}  // namespace pose
