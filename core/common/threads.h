// CPU threads for LibTorch's intra-op pool and for OpenBLAS. Debian's LibTorch
// starts with one thread unless OMP_NUM_THREADS is set, so every front end
// calls configure_threads() once; what trains or evaluates a model then splits
// that count between the two pools for the model's shape (ModelThreadScope).
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

// What the threads are for: a training step (forward and backward, whose
// backward doubles the GEMMs), a training step under bf16 autocast (its GEMMs
// run in oneDNN on LibTorch's pool, not in OpenBLAS), or inference (a forward
// pass, evaluation).
enum class Work { Training, TrainingBf16, Inference };

// Models at least this wide spend most of a training step in GEMMs large
// enough for OpenBLAS to use every core; in inference that holds on sequences
// up to kBlasBoundLengthPerWidth times the width, beyond which attention,
// parallelised by LibTorch's pool, takes over (docs/PERFORMANCE.md, 256-wide
// model on 2 cores: training +53 % at 256 tokens and +10 % at 2048 with the
// wide split; evaluation +8 % at 256, -5 % at 1024, -18 % at 2048).
inline constexpr int64_t kBlasBoundHiddenSize = 256;
inline constexpr int64_t kBlasBoundLengthPerWidth = 4;

// How `threads` are shared for this work on a model of this width and
// sequences of this length. `blas_own_pool`: OpenBLAS runs its own pthread
// pool beside LibTorch's OpenMP one (Debian's libopenblas0-pthread); both
// spinning on the same cores slows everything, so one of them gets all the
// threads and the other one: GEMM-bound work gives the cores to OpenBLAS,
// everything else keeps LibTorch's pool. With OpenBLAS's OpenMP build the
// pools are one: both get all.
ThreadSplit thread_split_for(Work work, int64_t hidden_size, int64_t sequence_length, int threads,
                             bool blas_own_pool);

// For the lifetime of the scope, LibTorch and OpenBLAS share the configured
// threads as thread_split_for() says for this work; afterwards they are back
// to configure_threads()'s split. Nothing changes when OPENBLAS_NUM_THREADS is
// set (the user chose) or the BLAS is not OpenBLAS.
class ModelThreadScope {
 public:
  // `on_cpu` false (the model runs on a GPU): nothing changes.
  ModelThreadScope(Work work, int64_t hidden_size, int64_t sequence_length, bool on_cpu = true);
  ~ModelThreadScope();
  ModelThreadScope(const ModelThreadScope&) = delete;
  ModelThreadScope& operator=(const ModelThreadScope&) = delete;

  const ThreadSplit& split() const { return split_; }

 private:
  ThreadSplit split_, before_;
  bool active_ = false;
};

}  // namespace pose
