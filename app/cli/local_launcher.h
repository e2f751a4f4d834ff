// `pose run --nproc N`: a data-parallel job on this machine. The launcher
// starts N copies of this executable with the torchrun variables (RANK,
// WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1 and a free MASTER_PORT), waits
// for them, and makes sure none outlives a failed job: when one rank fails,
// the others fail at their next collective, and any still running after
// `grace` are terminated.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

namespace pose::cli {

struct LocalLaunch {
  int nproc = 2;
  std::vector<std::string> arguments;  // every argument of a child after the executable
  std::chrono::seconds grace{60};      // how long the others may take to notice a failed rank
};

// The exit status of the job: 0 when every rank succeeded, else the first
// failing rank's status (128 + signal for one killed by a signal).
int launch_local_job(const LocalLaunch& launch, std::ostream& err);

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_local_port();

// The path of the running executable (POSE_EXECUTABLE overrides it: tests
// that run commands in their own process name the real `pose`).
std::string current_executable();

}  // namespace pose::cli
