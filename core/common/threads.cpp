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
// both spin on the same cores, and the small matrices of a training step pay for
// it: on 2 cores a 0.15M-parameter model trained about 3x faster at Lc = 256
// with that OpenBLAS on one thread (LibTorch's threads still parallelise the
// rest), a 0.86M model 2x faster. Wide models are the other way round in
// training (and in inference on short sequences): their GEMMs are big enough
// for OpenBLAS to use every core, and LibTorch's pool is better kept at one
// (thread_split_for).
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

ThreadSplit current_split() {
  ThreadSplit s;
  s.torch_threads = torch::get_num_threads();
  s.blas_threads = openblas().get != nullptr ? openblas().get() : 1;
  return s;
}

}  // namespace

ThreadSplit thread_split_for(Work work, int64_t hidden_size, int64_t sequence_length, int threads,
                             bool blas_own_pool) {
  threads = std::max(threads, 1);
  if (!blas_own_pool) return {threads, threads};
  if (work == Work::TrainingBf16) return {threads, 1};  // OpenBLAS only sees the fp32 remainder
  const bool wide = hidden_size >= kBlasBoundHiddenSize;
  const bool gemm_bound =
      wide && (work == Work::Training || sequence_length <= kBlasBoundLengthPerWidth * hidden_size);
  if (gemm_bound) return {1, threads};
  return {threads, 1};
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
  // Until a model says otherwise, the narrow-model split (also what evaluation
  // of no particular model, and the tokenizer, want).
  apply(thread_split_for(Work::Inference, 0, 0, threads, openblas().own_pool));
  return threads;
}

int configured_threads() {
  const int n = g_configured.load();
  return n > 0 ? n : torch::get_num_threads();
}

ModelThreadScope::ModelThreadScope(Work work, int64_t hidden_size, int64_t sequence_length, bool on_cpu) {
  split_ = thread_split_for(work, hidden_size, sequence_length, configured_threads(), openblas().own_pool);
  if (!on_cpu || openblas().set == nullptr || user_set_blas_threads()) {
    split_ = current_split();
    return;
  }
  before_ = current_split();
  if (split_ == before_) return;
  apply(split_);
  active_ = true;
}

ModelThreadScope::~ModelThreadScope() {
  if (active_) apply(before_);
}

}  // namespace pose
