// `pose`: the headless front end of PoSE Studio.
#include "commands.h"

#include <iostream>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return pose::cli::run_cli(args, std::cout, std::cerr);
}
