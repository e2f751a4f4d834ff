// The split of CPU threads between LibTorch's pool and OpenBLAS's: narrow
// models keep LibTorch's, wide ones give the cores to OpenBLAS, an OpenMP
// OpenBLAS shares them all; a model's scope applies its split and restores
// the configured one.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <dlfcn.h>

#include <cstdlib>

#include "common/threads.h"

using pose::ThreadSplit;

namespace {

int openblas_threads() {
  using Get = int (*)();
  auto get = reinterpret_cast<Get>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return get ? get() : -1;
}

bool openblas_has_own_pool() {
  using Get = int (*)();
  auto parallel = reinterpret_cast<Get>(::dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
  return parallel != nullptr && parallel() == 1;
}

}  // namespace

class TestThreads : public QObject {
  Q_OBJECT
 private slots:
  void splitFollowsTheWorkTheWidthAndTheLength() {
    using pose::Work;
    // OpenBLAS with its own pool (the pthread build): training a wide model
    // gives OpenBLAS the cores whatever the length; inference only on
    // sequences up to 4x the width.
    QCOMPARE(pose::thread_split_for(Work::Training, 64, 256, 2, true), (ThreadSplit{2, 1}));
    QCOMPARE(pose::thread_split_for(Work::Training, pose::kBlasBoundHiddenSize - 1, 256, 2, true), (ThreadSplit{2, 1}));
    QCOMPARE(pose::thread_split_for(Work::Training, pose::kBlasBoundHiddenSize, 256, 2, true), (ThreadSplit{1, 2}));
    QCOMPARE(pose::thread_split_for(Work::Training, 256, 2048, 2, true), (ThreadSplit{1, 2}));
    QCOMPARE(pose::thread_split_for(Work::Inference, 256, 4 * 256, 2, true), (ThreadSplit{1, 2}));
    QCOMPARE(pose::thread_split_for(Work::Inference, 256, 4 * 256 + 1, 2, true), (ThreadSplit{2, 1}));
    QCOMPARE(pose::thread_split_for(Work::Inference, 64, 128, 2, true), (ThreadSplit{2, 1}));
    QCOMPARE(pose::thread_split_for(Work::Training, 4096, 4096, 16, true), (ThreadSplit{1, 16}));
    // bf16 GEMMs run in oneDNN on LibTorch's pool, whatever the width.
    QCOMPARE(pose::thread_split_for(Work::TrainingBf16, 4096, 4096, 16, true), (ThreadSplit{16, 1}));
    QCOMPARE(pose::thread_split_for(Work::TrainingBf16, 64, 256, 2, true), (ThreadSplit{2, 1}));
    // One pool shared (the OpenMP build): all threads for both, whatever the work.
    QCOMPARE(pose::thread_split_for(Work::Training, 64, 256, 8, false), (ThreadSplit{8, 8}));
    QCOMPARE(pose::thread_split_for(Work::Inference, 4096, 65536, 8, false), (ThreadSplit{8, 8}));
    // Never below one thread.
    QCOMPARE(pose::thread_split_for(Work::Training, 4096, 256, 0, true), (ThreadSplit{1, 1}));
  }

  void aModelsScopeAppliesItsSplitAndRestores() {
    if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr) QSKIP("OPENBLAS_NUM_THREADS is set: the split leaves it alone");
    if (openblas_threads() < 0 || !openblas_has_own_pool()) QSKIP("the BLAS here is not OpenBLAS's pthread build");
    QCOMPARE(pose::configure_threads(2), 2);
    QCOMPARE(pose::configured_threads(), 2);
    QCOMPARE(torch::get_num_threads(), 2);
    QCOMPARE(openblas_threads(), 1);
    {
      const pose::ModelThreadScope wide(pose::Work::Training, 512, 512);
      QCOMPARE(wide.split(), (ThreadSplit{1, 2}));
      QCOMPARE(torch::get_num_threads(), 1);
      QCOMPARE(openblas_threads(), 2);
      {
        const pose::ModelThreadScope narrow(pose::Work::Training, 64, 256);  // nested: its own split, then back to the wide one
        QCOMPARE(torch::get_num_threads(), 2);
        QCOMPARE(openblas_threads(), 1);
      }
      {
        // The same model evaluated at long windows, as a periodic evaluation does.
        const pose::ModelThreadScope longWindows(pose::Work::Inference, 512, 8192);
        QCOMPARE(longWindows.split(), (ThreadSplit{2, 1}));
        QCOMPARE(torch::get_num_threads(), 2);
      }
      QCOMPARE(torch::get_num_threads(), 1);
      QCOMPARE(openblas_threads(), 2);
    }
    QCOMPARE(torch::get_num_threads(), 2);
    QCOMPARE(openblas_threads(), 1);
    {
      const pose::ModelThreadScope onGpu(pose::Work::Training, 512, 512, /*on_cpu=*/false);  // CPU threads untouched
      QCOMPARE(torch::get_num_threads(), 2);
      QCOMPARE(openblas_threads(), 1);
    }
  }
};

QTEST_APPLESS_MAIN(TestThreads)
#include "test_threads.moc"
