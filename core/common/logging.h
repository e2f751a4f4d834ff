// Logging for every front end: console (stderr) plus a rotating file under the
// user's data directory. Front ends add their own sinks (the GUI's log panel).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/common.h>
#include <spdlog/spdlog.h>

namespace pose::logging {

struct Options {
  spdlog::level::level_enum level = spdlog::level::info;
  std::filesystem::path directory;   // empty: default_log_dir()
  std::string file_name = "pose.log";
  bool console = true;
  std::size_t max_file_bytes = 5 * 1024 * 1024;
  std::size_t max_files = 3;
};

// $POSE_DATA_DIR, else $XDG_DATA_HOME/pose-studio, else ~/.local/share/pose-studio.
std::filesystem::path default_data_dir();
std::filesystem::path default_log_dir();  // default_data_dir()/logs

// "trace", "debug", "info", "warn"/"warning", "error", "critical", "off".
std::optional<spdlog::level::level_enum> parse_level(std::string_view name);

// Installs the "pose" logger as spdlog's default. If the log directory cannot be
// written, logging continues on the console and a warning names the directory.
// Returns the path of the log file, or empty when there is none.
std::filesystem::path init(const Options& options);

// Adds a sink to the default logger (e.g. the GUI's log panel).
void add_sink(const spdlog::sink_ptr& sink);

}  // namespace pose::logging
