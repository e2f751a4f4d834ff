// The split of CPU threads between LibTorch's pool and OpenBLAS's: LibTorch
// gets them all and OpenBLAS's own pool one (the engine splits its GEMMs over
// LibTorch's pool), an OpenMP OpenBLAS shares them all.
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
  void libTorchGetsTheThreadsAndOpenBlasOne() {
    // OpenBLAS with its own pool (the pthread build).
    QCOMPARE(pose::thread_split_for(2, true), (ThreadSplit{2, 1}));
    QCOMPARE(pose::thread_split_for(16, true), (ThreadSplit{16, 1}));
    // One pool shared (the OpenMP build): all threads for both.
    QCOMPARE(pose::thread_split_for(8, false), (ThreadSplit{8, 8}));
    // Never below one thread.
    QCOMPARE(pose::thread_split_for(0, true), (ThreadSplit{1, 1}));
  }

  void configuringAppliesTheSplit() {
    if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr) QSKIP("OPENBLAS_NUM_THREADS is set: the split leaves it alone");
    if (openblas_threads() < 0 || !openblas_has_own_pool()) QSKIP("the BLAS here is not OpenBLAS's pthread build");
    QCOMPARE(pose::configure_threads(2), 2);
    QCOMPARE(pose::configured_threads(), 2);
    QCOMPARE(torch::get_num_threads(), 2);
    QCOMPARE(openblas_threads(), 1);
    QCOMPARE(pose::blas_threads(), 1);
    QCOMPARE(pose::configure_threads(1), 1);
    QCOMPARE(torch::get_num_threads(), 1);
    QCOMPARE(openblas_threads(), 1);
  }
};

QTEST_APPLESS_MAIN(TestThreads)
#include "test_threads.moc"
