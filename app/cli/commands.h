// The `pose` subcommands. Each lives in its own cmd_*.cpp and is listed once in
// commands.cpp. run_cli() is main() without the process: tests call it directly.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "cli_args.h"

namespace pose::cli {

struct Command {
  std::string name;
  std::string summary;  // one line for `pose --help`
  std::string usage;    // full help for `pose NAME --help`
  std::function<int(Args&, std::ostream& out, std::ostream& err)> run;
};

const std::vector<Command>& commands();

// Exit codes: 0 success, 1 the command failed, 2 bad usage or input.
int run_cli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err);

// Declarations of the command factories, defined in cmd_*.cpp.
Command version_command();
Command rope_command();
Command positions_command();
Command coverage_command();
Command model_command();
Command tokenizer_command();
Command corpus_command();
Command run_command();
Command runs_command();
Command eval_command();
Command report_command();
Command estimate_command();

}  // namespace pose::cli
