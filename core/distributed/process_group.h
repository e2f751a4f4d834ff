// One data-parallel job's communication, over LibTorch's own distributed
// library (c10d): a TCPStore rendezvous served by rank 0, then
// ProcessGroupNCCL for CUDA tensors where the build has NCCL, ProcessGroupGloo
// otherwise (CPU tensors, and CUDA tensors through the host). The c10d and
// gloo headers stay inside process_group.cpp.
//
// Every collective is called by every rank in the same order. A rank that
// dies (connection closed) or stops answering (no reply within the timeout)
// makes the collective throw CollectiveFailed on the others, so a job never
// hangs on a lost rank.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "common/error.h"
#include "distributed/launch_env.h"

namespace pose::distributed {

// A collective or a wait on rank 0 failed: another rank died, was killed, ran
// out of memory or did not answer within the timeout. The message names this
// rank, the operation and what c10d reported.
class CollectiveFailed : public UserError {
 public:
  using UserError::UserError;
};

// Whether this build can join a job (LibTorch's c10d with gloo's headers).
bool distributed_available();

class ProcessGroup {
 public:
  struct Options {
    LaunchEnv env;
    torch::Device device = torch::kCPU;  // the device the job's tensors live on
    // Bound on each collective, and on connecting to the rendezvous.
    std::chrono::milliseconds timeout = std::chrono::minutes(30);
  };

  // Joins the job: connects to (rank 0: serves) the rendezvous and builds the
  // process group. UserError when the build cannot, or the rendezvous fails.
  static std::unique_ptr<ProcessGroup> connect(const Options& options);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const;
  int world_size() const;
  bool is_leader() const { return rank() == 0; }
  const LaunchEnv& env() const;
  std::string backend_name() const;  // "gloo" or "nccl"
  std::chrono::milliseconds timeout() const;

  // Sums each tensor over the ranks, in place (one asynchronous all-reduce per
  // tensor, all in flight together). `what` names the operation in errors.
  void all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& what);
  // Rank `root`'s values into every rank's tensors, in place.
  void broadcast(std::vector<torch::Tensor>& tensors, int root, const std::string& what);
  // Every rank's `values` (the same count on each), indexed by rank.
  std::vector<std::vector<double>> all_gather(const std::vector<double>& values, const std::string& what);
  // Each value summed over the ranks, in place.
  void sum_over_ranks(std::vector<double>& values, const std::string& what);
  void barrier(const std::string& what);

  // One all-reduce (sum) left in flight while the caller goes on, e.g. with
  // the rest of a backward pass. wait() blocks until the sum is in the tensor
  // and throws CollectiveFailed as the blocking calls do; completed() asks
  // without blocking. The tensor must stay untouched until wait() returns.
  class Pending {
   public:
    Pending();
    ~Pending();
    Pending(Pending&&) noexcept;
    Pending& operator=(Pending&&) noexcept;
    bool completed() const;
    void wait();

   private:
    friend class ProcessGroup;
    struct Work;
    std::unique_ptr<Work> work_;
  };
  Pending start_all_reduce_sum(const torch::Tensor& tensor, const std::string& what);
  // Whether collectives go faster one after another than in flight together
  // (Gloo on the CPU; NCCL overlaps them on the GPU).
  bool prefers_collectives_in_turn() const;

  // Work only rank 0 does (writing the store, exports, evaluating) while the
  // others wait: rank 0 calls publish() when done, with a value (a decision:
  // skip, stop, resume) the others receive from await_leader(). Waiting has no
  // timeout (an evaluation may take hours) but fails at once when rank 0's
  // process, which serves the rendezvous, is gone. Every rank calls these in
  // the same order.
  void publish(int64_t value = 0);
  int64_t await_leader(const std::string& what);
  // Rank 0's value on every rank (rank 0 gets its own back).
  int64_t share_from_leader(int64_t value, const std::string& what);

 private:
  struct Impl;
  explicit ProcessGroup(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pose::distributed
