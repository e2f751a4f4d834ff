#include "local_launcher.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <ostream>
#include <thread>

#include "common/error.h"
#include "distributed/launch_env.h"

namespace pose::cli {

namespace {

using Clock = std::chrono::steady_clock;

// The launcher outlives its ranks: Ctrl-C reaches them (they share the
// terminal's process group) and they stop at a step boundary; the launcher
// itself keeps waiting for them.
volatile sig_atomic_t g_interrupted = 0;
extern "C" void note_interrupt(int) { g_interrupted = 1; }

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return "was killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return "stopped";
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

int free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw UserError(std::string("--nproc: no socket for the rendezvous: ") + std::strerror(errno), "");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  if (port == 0) throw UserError("--nproc: no free local port for the rendezvous", "set MASTER_PORT to a free port");
  return port;
}

std::string current_executable() {
  if (const char* e = std::getenv("POSE_EXECUTABLE"); e && *e) return e;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw UserError("--nproc: cannot find this executable (/proc/self/exe)", "set POSE_EXECUTABLE to the `pose` binary");
  return self.string();
}

int launch_local_job(const LocalLaunch& launch, std::ostream& err) {
  distributed::LaunchEnv env;
  env.world_size = launch.nproc;
  env.master_addr = "127.0.0.1";
  if (const char* port = std::getenv("MASTER_PORT"); port && *port) {
    env.master_port = std::atoi(port);
  } else {
    env.master_port = free_local_port();
  }
  const std::string exe = current_executable();

  struct sigaction on_int {}, previous {};
  on_int.sa_handler = note_interrupt;
  sigemptyset(&on_int.sa_mask);
  ::sigaction(SIGINT, &on_int, &previous);

  std::vector<pid_t> pids;
  for (int r = 0; r < launch.nproc; ++r) {
    env.rank = r;
    env.local_rank = r;
    const auto vars = distributed::launch_variables(env);
    const pid_t pid = ::fork();
    if (pid < 0) {
      err << "error: --nproc: could not start rank " << r << ": " << std::strerror(errno) << "\n";
      for (const pid_t p : pids) ::kill(p, SIGTERM);
      break;
    }
    if (pid == 0) {
      ::sigaction(SIGINT, &previous, nullptr);
      for (const auto& [name, value] : vars) ::setenv(name.c_str(), value.c_str(), 1);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(exe.c_str()));
      for (const auto& a : launch.arguments) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(exe.c_str(), argv.data());
      std::fprintf(stderr, "error: --nproc: could not run %s: %s\n", exe.c_str(), std::strerror(errno));
      std::_Exit(127);
    }
    pids.push_back(pid);
  }

  int result = pids.size() == static_cast<std::size_t>(launch.nproc) ? 0 : 1;
  std::size_t running = pids.size();
  std::vector<bool> done(pids.size(), false);
  std::optional<Clock::time_point> deadline;  // set when a rank fails
  bool terminated = false;
  while (running > 0) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (std::size_t r = 0; r < pids.size(); ++r) {
        if (pids[r] != pid || done[r]) continue;
        done[r] = true;
        --running;
        const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        // After Ctrl-C the ranks stop together at a step and say so themselves.
        const bool cancelled = g_interrupted && WIFEXITED(status) && WEXITSTATUS(status) == 1;
        if (cancelled && result == 0) result = 1;
        if (!ok && !cancelled) {
          if (result == 0) result = exit_code(status);
          err << "pose run --nproc " << launch.nproc << ": rank " << r << " " << describe_status(status)
              << (running > 0 ? "; the other ranks stop at their next collective" : "") << "\n";
          if (!deadline) deadline = Clock::now() + launch.grace;
        }
      }
      continue;
    }
    if (pid < 0 && errno != EINTR) break;
    if (deadline && Clock::now() > *deadline) {
      // SIGTERM first; SIGKILL for any that still runs 10 s later.
      for (std::size_t r = 0; r < pids.size(); ++r) {
        if (done[r]) continue;
        if (!terminated) {
          err << "pose run --nproc " << launch.nproc << ": rank " << r << " still runs " << launch.grace.count()
              << " s after another failed; terminating it\n";
        }
        ::kill(pids[r], terminated ? SIGKILL : SIGTERM);
      }
      terminated = true;
      deadline = Clock::now() + std::chrono::seconds(10);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::sigaction(SIGINT, &previous, nullptr);
  return result;
}

}  // namespace pose::cli
