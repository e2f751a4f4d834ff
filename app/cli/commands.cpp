#include "commands.h"

#include "common/error.h"
#include "common/logging.h"
#include "common/threads.h"
#include "common/version.h"

#include <cstdlib>
#include <ostream>

namespace pose::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      version_command(),
      rope_command(),
      model_command(),
      tokenizer_command(),
      corpus_command(),
      positions_command(), coverage_command(),
      estimate_command(), run_command(), runs_command(), eval_command(), report_command(),
  };
  return all;
}

namespace {

void print_help(std::ostream& out) {
  out << "pose — PoSE Studio's headless engine: design, train and evaluate context extension\n"
         "of RoPE language models.\n\n"
         "Usage: pose [--log-level LEVEL] [--threads N] COMMAND [OPTIONS]\n"
         "       pose --version | --help\n"
         "       pose COMMAND --help\n\n"
         "Commands:\n";
  for (const auto& c : commands()) {
    out << "  " << c.name << std::string(c.name.size() < 12 ? 12 - c.name.size() : 1, ' ') << c.summary << "\n";
  }
  out << "\nGlobal options:\n"
         "  --log-level LEVEL  trace, debug, info (default), warn, error, off\n"
         "  --threads N        CPU threads for LibTorch (default: all cores, or OMP_NUM_THREADS)\n"
         "  --version          product and LibTorch versions, CUDA availability\n"
         "  --help             this text\n\n"
         "Logs are written to the console and to " << logging::default_log_dir().string() << ".\n";
}

}  // namespace

int run_cli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  // Global options come before the command name.
  std::size_t i = 1;
  std::string level_name = "info";
  int threads = 0;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--help" || a == "-h") {
      print_help(out);
      return 0;
    }
    if (a == "--version" || a == "-V") {
      configure_threads(threads);
      out << version_report();
      return 0;
    }
    if (a == "--threads" && i + 1 < argv.size()) {
      threads = std::atoi(argv[++i].c_str());
      if (threads <= 0) {
        err << "error: --threads: '" << argv[i] << "' is not a positive whole number — e.g. --threads 2\n";
        return 2;
      }
      continue;
    }
    if (a == "--log-level" && i + 1 < argv.size()) {
      level_name = argv[++i];
      continue;
    }
    if (a.rfind("--log-level=", 0) == 0) {
      level_name = a.substr(12);
      continue;
    }
    break;
  }
  auto level = logging::parse_level(level_name);
  if (!level) {
    err << "error: unknown log level '" << level_name
        << "' — use trace, debug, info, warn, error or off\n";
    return 2;
  }
  if (i >= argv.size()) {
    print_help(err);
    return 2;
  }

  const std::string name = argv[i];
  const Command* command = nullptr;
  for (const auto& c : commands()) {
    if (c.name == name) command = &c;
  }
  if (!command) {
    err << "error: unknown command '" << name << "' — run 'pose --help' for the list\n";
    return 2;
  }

  std::vector<std::string> rest(argv.begin() + static_cast<long>(i) + 1, argv.end());
  for (const auto& r : rest) {
    if (r == "--help" || r == "-h") {
      out << command->usage;
      return 0;
    }
  }

  logging::Options log_options;
  log_options.level = *level;
  logging::init(log_options);
  configure_threads(threads);

  try {
    Args args(rest);
    return command->run(args, out, err);
  } catch (const UserError& e) {
    err << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace pose::cli
