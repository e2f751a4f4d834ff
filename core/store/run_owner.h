// Which process runs a run, and whether it still does.
//
// A run marked "running" in the store is true only while its process lives: a
// SIGKILL, a crash or a power cut leave the row saying "running" for ever. The
// store therefore records the owning process (host, boot, pid and the pid's
// start time, so that a reused pid or a restarted machine is not mistaken for
// it) and readers ask whether that process is still there.
#pragma once

#include <string>

namespace pose::store {

// This process, as JSON text: {"host": ..., "boot": ..., "pid": ..., "start": ...}.
std::string current_process_owner();

enum class OwnerState {
  Alive,    // the recorded process is running (or it is this process)
  Gone,     // same host, and the process is not there (or the machine restarted)
  Unknown,  // no owner recorded, unreadable, or another host: cannot tell
};

OwnerState owner_state(const std::string& owner_json);

// The pid in an owner record; 0 when there is none.
long long owner_pid(const std::string& owner_json);

}  // namespace pose::store
