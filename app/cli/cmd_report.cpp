// `pose report`: an experiment (or some of its runs) from the store as a
// self-contained HTML file, Markdown with SVG figures, CSV or JSON.
#include "commands.h"

#include <ostream>
#include <sstream>

#include "common/error.h"
#include "report/experiment_report.h"
#include "store/experiment_store.h"

namespace pose::cli {

Command report_command() {
  Command c;
  c.name = "report";
  c.summary = "export an experiment from the store: HTML (plots inline), Markdown + SVG, CSV or JSON";
  c.usage =
      "Usage: pose report --experiment NAME --out FILE [--format html|md|csv|json] [--runs A,B]\n"
      "                   [--store FILE]\n\n"
      "Writes what the store holds about the experiment: specs, environment (device, library\n"
      "versions), loss curves, perplexity against length, attention by distance, passkey and\n"
      "key-value heatmaps, a table of runs, every evaluation's settings, and the PoSE paper's\n"
      "figures when the design matches (Lc 2048 -> Lt 16384).\n\n"
      "  --format   default: from the file's extension (.html, .md, .csv, .json)\n"
      "             md also writes its figures to <name>-figures/*.svg beside the file\n"
      "  --runs     only these runs (default: all)\n"
      "  --store    default: the data directory's store.sqlite\n";
  c.run = [](Args& args, std::ostream& out, std::ostream& /*err*/) {
    report::ReportOptions o;
    o.experiment = args.require("experiment");
    const std::filesystem::path file = args.require("out");
    if (auto runs = args.get("runs")) {
      std::stringstream s(*runs);
      for (std::string name; std::getline(s, name, ',');) {
        if (!name.empty()) o.runs.push_back(name);
      }
    }
    const auto format = args.get("format") ? report::parse_report_format(*args.get("format"))
                                           : report::format_for_path(file);
    const std::filesystem::path store_file =
        args.get("store") ? std::filesystem::path(*args.get("store")) : store::default_store_file();
    args.reject_unknown();
    if (!std::filesystem::exists(store_file)) {
      throw UserError("no experiment store at " + store_file.string(),
                      "run an experiment first (`pose run SPEC`) or give --store FILE");
    }
    const auto st = store::ExperimentStore::open(store_file, store::ExperimentStore::Mode::ReadOnly);
    const auto report = report::collect_report(st, o);
    for (const auto& path : report::write_report(report, file, format)) out << "wrote " << path.string() << "\n";
    return 0;
  };
  return c;
}

}  // namespace pose::cli
