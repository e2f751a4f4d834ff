#include "distributed/launch_env.h"

#include <cstdlib>
#include <vector>

#include "common/error.h"

namespace pose::distributed {

namespace {

int parse_int(const std::string& name, const std::string& value, int min, int max) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size() || v < min || v > max) {
    throw UserError(name + "=" + value + " is not a whole number from " + std::to_string(min) + " to " +
                        std::to_string(max),
                    "set " + name + " as the launcher documents it (torchrun and `pose run --nproc N` set it for "
                    "you), or unset it to run one process");
  }
  return static_cast<int>(v);
}

}  // namespace

std::string LaunchEnv::describe() const {
  return "rank " + std::to_string(rank) + " of " + std::to_string(world_size) + " (local " +
         std::to_string(local_rank) + "), rendezvous " + master_addr + ":" + std::to_string(master_port);
}

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

std::optional<LaunchEnv> launch_env_from(const EnvLookup& env) {
  LaunchEnv e;
  std::string rank_var = "RANK", world_var = "WORLD_SIZE", local_var = "LOCAL_RANK";
  auto world = env(world_var);
  auto rank = env(rank_var);
  auto local = env(local_var);
  e.source = "torchrun variables";
  if (!world && !rank) {
    // srun without the torchrun variables: its own name the same things.
    world = env("SLURM_NTASKS");
    rank = env("SLURM_PROCID");
    local = env("SLURM_LOCALID");
    rank_var = "SLURM_PROCID", world_var = "SLURM_NTASKS", local_var = "SLURM_LOCALID";
    e.source = "Slurm";
    // A Slurm job that did not ask for data parallelism (no MASTER_ADDR) is one process.
    if (!env("MASTER_ADDR")) return std::nullopt;
  }
  if (!world && !rank) return std::nullopt;
  if (!world || !rank) {
    throw UserError(std::string(world ? rank_var : world_var) + " is not set but " + (world ? world_var : rank_var) +
                        " is",
                    "a data-parallel launch sets both (torchrun does, and `pose run --nproc N`); unset " +
                        (world ? world_var : rank_var) + " to run one process");
  }
  e.world_size = parse_int(world_var, *world, 1, 65536);
  e.rank = parse_int(rank_var, *rank, 0, 65535);
  if (e.rank >= e.world_size) {
    throw UserError(rank_var + "=" + *rank + " is not below " + world_var + "=" + *world,
                    "ranks count from 0 to " + world_var + " - 1; check the launcher's settings");
  }
  if (e.world_size == 1) return std::nullopt;
  e.local_rank = local ? parse_int(local_var, *local, 0, 65535) : e.rank;
  const auto addr = env("MASTER_ADDR");
  if (!addr) {
    throw UserError("MASTER_ADDR is not set for a job of " + std::to_string(e.world_size) + " processes",
                    "set MASTER_ADDR to the host name of rank 0's machine (and MASTER_PORT to a free port there); "
                    "torchrun and `pose run --nproc N` set both");
  }
  e.master_addr = *addr;
  if (const auto port = env("MASTER_PORT")) e.master_port = parse_int("MASTER_PORT", *port, 1, 65535);
  return e;
}

std::vector<std::pair<std::string, std::string>> launch_variables(const LaunchEnv& env) {
  return {{"RANK", std::to_string(env.rank)},
          {"WORLD_SIZE", std::to_string(env.world_size)},
          {"LOCAL_RANK", std::to_string(env.local_rank)},
          {"MASTER_ADDR", env.master_addr},
          {"MASTER_PORT", std::to_string(env.master_port)}};
}

}  // namespace pose::distributed
