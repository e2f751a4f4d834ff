#include "common/threads.h"

#include <dlfcn.h>

#include <cstdlib>
#include <thread>

#include <torch/torch.h>

namespace pose {

namespace {

// Debian's LibTorch calls the system BLAS, which with libopenblas0-pthread runs
// its own thread pool beside LibTorch's OpenMP threads. Both pools spin on the
// same cores, and the small matrices of a training step pay for it: on 2 cores,
// a 0.15M-parameter model trained about 3x faster at Lc = 256 with OpenBLAS on
// one thread (LibTorch's threads still parallelise everything else), a 0.86M
// model 2x faster; Full-length steps at 2048 tokens, whose large attention
// matmuls did use both BLAS threads, lost 15-20 % (bench/bench_train_step). The
// short-window steps dominate every run, so OpenBLAS gets one thread unless the
// user set OPENBLAS_NUM_THREADS. Found at run time: other BLAS builds lack it.
void limit_openblas_threads() {
  if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr) return;
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(1);
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
  limit_openblas_threads();
  return torch::get_num_threads();
}

}  // namespace pose
