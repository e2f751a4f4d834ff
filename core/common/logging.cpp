#include "common/logging.h"

#include <cstdlib>
#include <system_error>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace pose::logging {

namespace {
std::filesystem::path env_path(const char* name) {
  const char* value = std::getenv(name);
  return (value && *value) ? std::filesystem::path(value) : std::filesystem::path();
}
}  // namespace

std::filesystem::path default_data_dir() {
  if (auto p = env_path("POSE_DATA_DIR"); !p.empty()) return p;
  if (auto p = env_path("XDG_DATA_HOME"); !p.empty()) return p / "pose-studio";
  if (auto p = env_path("HOME"); !p.empty()) return p / ".local" / "share" / "pose-studio";
  return std::filesystem::temp_directory_path() / "pose-studio";
}

std::filesystem::path default_log_dir() { return default_data_dir() / "logs"; }

std::optional<spdlog::level::level_enum> parse_level(std::string_view name) {
  if (name == "trace") return spdlog::level::trace;
  if (name == "debug") return spdlog::level::debug;
  if (name == "info") return spdlog::level::info;
  if (name == "warn" || name == "warning") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  if (name == "critical") return spdlog::level::critical;
  if (name == "off") return spdlog::level::off;
  return std::nullopt;
}

std::filesystem::path init(const Options& options) {
  std::vector<spdlog::sink_ptr> sinks;
  if (options.console) sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());

  std::filesystem::path dir = options.directory.empty() ? default_log_dir() : options.directory;
  std::filesystem::path file = dir / options.file_name;
  std::string file_problem;
  try {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error(ec.message());
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        file.string(), options.max_file_bytes, options.max_files));
  } catch (const std::exception& e) {
    file_problem = e.what();
    file.clear();
  }

  auto logger = std::make_shared<spdlog::logger>("pose", sinks.begin(), sinks.end());
  logger->set_level(options.level);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e [%^%l%$] %v");
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  if (!file_problem.empty()) {
    spdlog::warn("cannot write the log file in {} ({}); logging to the console only. "
                 "Set POSE_DATA_DIR to a writable directory.", dir.string(), file_problem);
  }
  return file;
}

void add_sink(const spdlog::sink_ptr& sink) {
  spdlog::default_logger()->sinks().push_back(sink);
}

}  // namespace pose::logging
