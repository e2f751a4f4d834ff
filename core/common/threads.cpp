#include "common/threads.h"

#include <dlfcn.h>

#include <cstdlib>
#include <thread>

#include <torch/torch.h>

namespace pose {

namespace {

// Debian's LibTorch calls the system BLAS. OpenBLAS comes in two threading
// builds (Debian: libopenblas0-openmp, libopenblas0-pthread), told apart at run
// time by openblas_get_parallel() (1: pthreads, 2: OpenMP).
//
// The pthread build runs its own thread pool beside LibTorch's OpenMP threads;
// both spin on the same cores, and the small matrices of a training step pay for
// it: on 2 cores a 0.15M-parameter model trained about 3x faster at Lc = 256
// with that OpenBLAS on one thread (LibTorch's threads still parallelise the
// rest), a 0.86M model 2x faster. So it gets one thread unless the user set
// OPENBLAS_NUM_THREADS.
//
// The OpenMP build shares LibTorch's pool: no contention, and its GEMMs use
// every thread. It gets the same thread count as LibTorch, and training runs
// 10-45 % faster than with the pthread build on one thread (docs/PERFORMANCE.md).
// Other BLAS libraries lack these symbols and are left alone.
void match_openblas_threads(int threads) {
  if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr) return;
  using SetThreads = void (*)(int);
  using GetParallel = int (*)();
  auto set = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  auto parallel = reinterpret_cast<GetParallel>(::dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
  if (set == nullptr) return;
  const bool openmp_build = parallel != nullptr && parallel() == 2;
  set(openmp_build ? threads : 1);
}

}  // namespace

int configure_threads(int requested) {
  int threads = requested;
  if (threads <= 0) {
    const char* omp = std::getenv("OMP_NUM_THREADS");
    threads = (omp && std::atoi(omp) > 0) ? std::atoi(omp)
                                          : static_cast<int>(std::thread::hardware_concurrency());
  }
  if (threads <= 0) threads = 1;
  torch::set_num_threads(threads);
  match_openblas_threads(torch::get_num_threads());
  return torch::get_num_threads();
}

}  // namespace pose
