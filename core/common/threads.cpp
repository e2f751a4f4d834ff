#include "common/threads.h"

#include <dlfcn.h>

#include <atomic>
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
// both spin on the same cores and steal each other's time (on 2 cores a
// 0.15M-parameter model trained about 3x slower with both pools on two
// threads). OpenBLAS is kept on one thread and the engine splits its GEMMs
// over LibTorch's pool itself (kernels/pool_gemm.h), so one pool does all the
// work: GEMMs, softmax, norms, elementwise ops and the optimizer.
//
// The OpenMP build shares LibTorch's pool: no contention, and its GEMMs use
// every thread. It gets the same thread count as LibTorch.
// Other BLAS libraries lack these symbols and are left alone.
struct OpenBlas {
  using SetThreads = void (*)(int);
  using GetThreads = int (*)();
  using GetParallel = int (*)();
  SetThreads set = nullptr;
  GetThreads get = nullptr;
  bool own_pool = false;
};

const OpenBlas& openblas() {
  static const OpenBlas blas = [] {
    OpenBlas b;
    b.set = reinterpret_cast<OpenBlas::SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    b.get = reinterpret_cast<OpenBlas::GetThreads>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    auto parallel = reinterpret_cast<OpenBlas::GetParallel>(::dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
    b.own_pool = !(parallel != nullptr && parallel() == 2);
    return b;
  }();
  return blas;
}

bool user_set_blas_threads() { return std::getenv("OPENBLAS_NUM_THREADS") != nullptr; }

std::atomic<int> g_configured{0};

void apply(const ThreadSplit& split) {
  torch::set_num_threads(split.torch_threads);
  if (openblas().set != nullptr && !user_set_blas_threads()) openblas().set(split.blas_threads);
}

}  // namespace

ThreadSplit thread_split_for(int threads, bool blas_own_pool) {
  threads = std::max(threads, 1);
  return {threads, blas_own_pool ? 1 : threads};
}

int configure_threads(int requested) {
  int threads = requested;
  if (threads <= 0) {
    const char* omp = std::getenv("OMP_NUM_THREADS");
    threads = (omp && std::atoi(omp) > 0) ? std::atoi(omp)
                                          : static_cast<int>(std::thread::hardware_concurrency());
  }
  if (threads <= 0) threads = 1;
  torch::set_num_threads(threads);
  threads = torch::get_num_threads();
  g_configured = threads;
  apply(thread_split_for(threads, openblas().own_pool));
  return threads;
}

int configured_threads() {
  const int n = g_configured.load();
  return n > 0 ? n : torch::get_num_threads();
}

int blas_threads() { return openblas().get != nullptr ? openblas().get() : 0; }

}  // namespace pose
