#include "store/run_owner.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace pose::store {

namespace {

std::string first_line(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

// Field 22 of /proc/PID/stat: the process's start time in clock ticks since
// boot. The command name (field 2) may hold spaces and parentheses, so fields
// are counted after its closing parenthesis. Empty when there is no such
// process, or when it has ended and only waits to be reaped (state Z or X:
// a killed process stays listed until its parent collects it).
std::string process_start(long long pid) {
  const std::string stat = first_line("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) return {};
    if (i == 3 && (field == "Z" || field == "X")) return {};
  }
  return field;
}

}  // namespace

std::string current_process_owner() {
  const long long pid = static_cast<long long>(::getpid());
  return nlohmann::json{{"host", host_name()},
                        {"boot", first_line("/proc/sys/kernel/random/boot_id")},
                        {"pid", pid},
                        {"start", process_start(pid)}}
      .dump();
}

long long owner_pid(const std::string& owner_json) {
  const auto owner = nlohmann::json::parse(owner_json, nullptr, false);
  if (!owner.is_object() || !owner.contains("pid") || !owner["pid"].is_number_integer()) return 0;
  return owner["pid"].get<long long>();
}

OwnerState owner_state(const std::string& owner_json) {
  const auto owner = nlohmann::json::parse(owner_json, nullptr, false);
  if (!owner.is_object()) return OwnerState::Unknown;
  const long long pid = owner_pid(owner_json);
  const std::string host = owner.value("host", std::string());
  if (pid <= 0 || host.empty() || host != host_name()) return OwnerState::Unknown;
  const std::string boot = owner.value("boot", std::string());
  const std::string this_boot = first_line("/proc/sys/kernel/random/boot_id");
  if (!boot.empty() && !this_boot.empty() && boot != this_boot) return OwnerState::Gone;  // restarted since
  if (pid == static_cast<long long>(::getpid())) return OwnerState::Alive;
  const std::string start = process_start(pid);
  if (start.empty()) return OwnerState::Gone;
  return start == owner.value("start", std::string()) ? OwnerState::Alive : OwnerState::Gone;  // pid reused
}

}  // namespace pose::store
