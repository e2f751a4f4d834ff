// Runs a `pose` command in process the way the end-to-end tests do: quiet
// logging, two threads, stdout returned, stderr shown when the command fails.
#pragma once

#include <QtGlobal>

#include <sstream>
#include <string>
#include <vector>

#include "commands.h"

inline int run_pose(const std::vector<std::string>& args, std::string* out_text = nullptr) {
  std::vector<std::string> argv = {"pose", "--log-level", "warn", "--threads", "2"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::ostringstream out, err;
  const int rc = pose::cli::run_cli(argv, out, err);
  if (out_text) *out_text = out.str();
  if (rc != 0) qWarning("pose %s: %s", args.empty() ? "" : args[0].c_str(), err.str().c_str());
  return rc;
}
