// Summing data-parallel gradients over the ranks while the backward pass
// still runs: the trained parameters are grouped into buckets, and a bucket's
// all-reduce starts as soon as every gradient in it is complete, so that
// communication hides behind the rest of the backward pass (on the GPU, NCCL
// runs beside the backward kernels). A bucket learns that a gradient is
// complete from a hook on the parameter's gradient accumulator, which LibTorch
// 1.13 and 2.x both run after a backward pass has added to `.grad`.
//
// Every rank starts the same buckets in the same order, exactly once a step,
// whatever its backward pass reached: a bucket waits for those before it, and
// finish() starts whatever the backward pass did not (a parameter no row of
// this rank reached, or a rank with no rows this step). Each bucket carries one
// flag per parameter saying whether this rank had a gradient for it, so a
// parameter with a gradient on no rank keeps none, as in one process.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "distributed/process_group.h"

namespace pose::distributed {

class GradientReducer {
 public:
  struct Options {
    int64_t bucket_bytes = int64_t{25} << 20;
    // The first bucket (the last layers, whose gradients come first) is
    // small, so that communication starts early in the backward pass.
    int64_t first_bucket_bytes = int64_t{1} << 20;
    // false: every bucket starts in finish(), after the backward pass (the
    // same sums, for comparison in bench/).
    bool overlap = true;
  };

  GradientReducer(ProcessGroup& group, std::vector<torch::Tensor> parameters, Options options);
  GradientReducer(ProcessGroup& group, std::vector<torch::Tensor> parameters)
      : GradientReducer(group, std::move(parameters), Options{}) {}
  ~GradientReducer();
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // The next backward pass completes this step's gradients (the step's last
  // micro-batch): buckets complete during it start their all-reduce then.
  // `what` names the step in errors.
  void arm(const std::string& what);
  // After this rank's backward passes (or none): starts the buckets not yet
  // started, waits for every one, and leaves the sums in `.grad`.
  void finish(const std::string& what);

  int64_t bucket_count() const;
  // Buckets whose all-reduce started during the last armed backward pass.
  int64_t started_during_backward() const;

  struct State;  // shared with the accumulators' hooks, which hold it weakly

 private:
  std::shared_ptr<State> state_;
};

}  // namespace pose::distributed
