// Where this process sits in a data-parallel job: its rank, the world size and
// the rendezvous address, as launchers give them. torchrun sets RANK,
// WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT; under Slurm's srun the
// documented batch script exports MASTER_ADDR and MASTER_PORT and srun sets
// SLURM_PROCID, SLURM_NTASKS and SLURM_LOCALID, which stand in for the first
// three. `pose run --nproc N` sets the torchrun variables for its children.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pose::distributed {

struct LaunchEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;              // the process's index on its machine: its GPU (cuda:local_rank)
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::string source;              // "torchrun variables", "Slurm", "--nproc": named in messages

  bool is_leader() const { return rank == 0; }
  std::string describe() const;    // "rank 1 of 2 (local 1), rendezvous 127.0.0.1:29500"
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

// The job this process belongs to; nullopt for a single process (nothing set,
// or WORLD_SIZE=1). UserError when the variables contradict each other or a
// value is not a number, naming the variable and the fix.
std::optional<LaunchEnv> launch_env_from(const EnvLookup& env);
inline std::optional<LaunchEnv> launch_env_from_environment() { return launch_env_from(process_environment()); }

// The torchrun variables that put a child process at `env`'s place.
std::vector<std::pair<std::string, std::string>> launch_variables(const LaunchEnv& env);

}  // namespace pose::distributed
