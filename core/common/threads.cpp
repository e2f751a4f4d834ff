#include "common/threads.h"

#include <cstdlib>
#include <thread>

#include <torch/torch.h>

namespace pose {

int configure_threads(int requested) {
  int threads = requested;
  if (threads <= 0) {
    const char* omp = std::getenv("OMP_NUM_THREADS");
    threads = (omp && std::atoi(omp) > 0) ? std::atoi(omp)
                                          : static_cast<int>(std::thread::hardware_concurrency());
  }
  if (threads <= 0) threads = 1;
  torch::set_num_threads(threads);
  return torch::get_num_threads();
}

}  // namespace pose
