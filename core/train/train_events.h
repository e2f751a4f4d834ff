// What the trainer tells its front end (CLI progress, GUI curves, the store),
// and how a front end stops or pauses it. Core never knows who listens: the GUI
// adapts these calls into queued Qt signals on its side.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace pose::train {

struct StepEvent {
  std::string run;           // run name within the experiment ("base", "pose-linear", ...)
  int64_t step = 0;          // optimizer steps completed (1 after the first)
  int64_t total_steps = 0;
  double loss = 0.0;         // mean token loss of this step (all micro-batches)
  double lr = 0.0;           // learning rate used by this step
  double grad_norm = 0.0;    // global L2 norm before clipping
  double tokens_per_s = 0.0; // trained tokens per second over this step
  int64_t tokens = 0;        // tokens trained so far in this run
  double memory_mb = 0.0;    // CUDA: peak allocated this step; CPU: resident set
  double elapsed_s = 0.0;    // wall time of this run so far, pauses excluded (resumes continue it)
  double eta_s = 0.0;        // remaining, from the mean step time of this session (pauses excluded)
  // Data parallelism: every rank's tokens/s over its share of this step (its
  // forward and backward, before the gradients are summed); one entry, equal
  // to tokens_per_s' share, for a single process.
  int world_size = 1;
  std::vector<double> rank_tokens_per_s;
  int slowest_rank = 0;      // the rank with the lowest entry above
};

class TrainObserver {
 public:
  virtual ~TrainObserver() = default;
  virtual void on_step(const StepEvent&) {}
  // A checkpoint of `step` is about to be written: whatever an observer keeps
  // about the steps up to it must be durable first, since a process killed
  // right after the checkpoint resumes from it and never replays those steps.
  virtual void before_checkpoint(const std::string& /*run*/, int64_t /*step*/) {}
  // A resumable checkpoint was written (step = optimizer steps completed).
  virtual void on_checkpoint(const std::string& /*run*/, int64_t /*step*/, const std::string& /*path*/) {}
  virtual void on_log(const std::string& /*line*/) {}
};

// Cooperative control: the trainer polls it between optimizer steps, so a
// cancel or pause never leaves a half-applied update behind.
class RunControl {
 public:
  void request_cancel() {
    cancel_.store(true);
    cv_.notify_all();
  }
  bool cancel_requested() const { return cancel_.load(); }
  void set_paused(bool paused) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      paused_ = paused;
    }
    cv_.notify_all();
  }
  bool paused() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return paused_;
  }
  // Blocks while paused (returns early on cancel). Returns false when cancelled.
  bool wait_while_paused() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return !paused_ || cancel_.load(); });
    return !cancel_.load();
  }

 private:
  std::atomic<bool> cancel_{false};
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool paused_ = false;
};

}  // namespace pose::train
