#include "commands.h"

#include "common/version.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <ostream>

namespace pose::cli {

Command version_command() {
  Command c;
  c.name = "version";
  c.summary = "versions of PoSE Studio and LibTorch, CUDA devices";
  c.usage =
      "Usage: pose version [--json]\n\n"
      "Prints the product version, the LibTorch version and whether CUDA is available\n"
      "(with the device name when it is). --json prints one object instead.\n";
  c.run = [](Args& args, std::ostream& out, std::ostream&) {
    const bool json = args.flag("json");
    args.reject_unknown();
    if (!json) {
      out << version_report();
      return 0;
    }
    const DeviceInfo dev = device_info();
    nlohmann::json j = {
        {"version", product_version()},
        {"torch_version", torch_version()},
        {"build", build_description()},
        {"cuda_built", dev.cuda_built},
        {"cuda_available", dev.cuda_available},
        {"device_count", dev.device_count},
        {"device_name", dev.device_name},
        {"cpu_threads", torch::get_num_threads()},
    };
    out << j.dump(2) << "\n";
    return 0;
  };
  return c;
}

}  // namespace pose::cli
