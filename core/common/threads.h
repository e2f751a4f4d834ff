// CPU threads for LibTorch's intra-op pool and for OpenBLAS. Debian's LibTorch
// starts with one thread unless OMP_NUM_THREADS is set, so every front end
// calls configure_threads() once, which shares that count between the two
// pools (thread_split_for).
#pragma once

#include <cstdint>

namespace pose {

// requested <= 0: all cores (OMP_NUM_THREADS wins when set). Returns the count in use.
int configure_threads(int requested = 0);

// The count configure_threads() last chose.
int configured_threads();

struct ThreadSplit {
  int torch_threads = 1;  // LibTorch's intra-op (OpenMP) pool
  int blas_threads = 1;   // OpenBLAS's own pool
  bool operator==(const ThreadSplit& o) const {
    return torch_threads == o.torch_threads && blas_threads == o.blas_threads;
  }
};

// How `threads` are shared between LibTorch's pool and OpenBLAS.
// `blas_own_pool`: OpenBLAS runs its own pthread pool beside LibTorch's OpenMP
// one (Debian's libopenblas0-pthread); both spinning on the same cores slows
// everything, so LibTorch gets all the threads and OpenBLAS one, and the
// engine's GEMMs are split over LibTorch's pool into one-thread BLAS calls
// (kernels/pool_gemm.h). With OpenBLAS's OpenMP build the pools are one: both
// get all.
ThreadSplit thread_split_for(int threads, bool blas_own_pool);

// OpenBLAS's thread count now; 0 when the BLAS is not OpenBLAS.
int blas_threads();

}  // namespace pose
