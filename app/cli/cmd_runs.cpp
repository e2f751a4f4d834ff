// `pose runs`: the runs in an experiment store with status and headline numbers.
#include "commands.h"

#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>

#include "common/error.h"
#include "experiment/runner.h"
#include "results/metric_names.h"
#include "results/stored_summaries.h"
#include "store/experiment_store.h"

namespace pose::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string cell(const json& v, int precision = 4) {
  if (v.is_null()) return "-";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) {
    std::ostringstream s;
    s << std::setprecision(precision) << v.get<double>();
    return s.str();
  }
  return v.get<std::string>();
}

// Every metric series' last value, and the run's summary (results/run_summary.h):
// the headline numbers a reader looks for first, perplexity and passkey
// accuracy at Lc and at Lt among them.
json run_json(const store::ExperimentStore& st, const store::RunRecord& r, const results::RunSummary& summary) {
  json metrics = json::object();
  // Periodic evaluations (evaluation.periodic): every step's values, one object per step.
  std::map<int64_t, json> periodic;
  const std::string prefix(results::phase_prefix(results::EvalPhase::Periodic));
  for (const auto& [name, last] : results::read_last_metrics(st, r.id)) {
    metrics[name] = {{"step", last.step}, {"value", last.value}};
    if (name.rfind(prefix, 0) != 0) continue;
    for (const auto& p : st.metric_series(r.id, name)) {
      json& at = periodic[p.step];
      at["step"] = p.step;
      at[name.substr(prefix.size())] = p.value;
    }
  }
  json j = {{"id", r.id},
            {"experiment", r.experiment_name},
            {"run", r.name},
            {"kind", r.kind},
            {"status", store::display_status(r)},
            {"message", r.message},
            {"device", r.device},
            {"created_at", r.created_at},
            {"started_at", r.started_at},
            {"finished_at", r.finished_at}};
  j.update(results::to_json(summary));
  j["metrics"] = std::move(metrics);
  if (!periodic.empty()) {
    j["periodic"] = json::array();
    for (auto& [step, values] : periodic) j["periodic"].push_back(std::move(values));
  }
  return j;
}

}  // namespace

Command runs_command() {
  Command c;
  c.name = "runs";
  c.summary = "list the runs in an experiment store with status and headline metrics";
  c.usage =
      "Usage: pose runs [--store FILE] [--experiment NAME] [--json]\n\n"
      "One line per run: status, steps, final training loss, perplexity at Lc and at Lt,\n"
      "passkey accuracy at Lc and at Lt, RULER's effective length (Leff: the longest length whose\n"
      "average score holds the original model's at Lc, else RULER's 85.6%), training wall time and\n"
      "tokens/s, all read from the store.\n"
      "--json prints every run's summary (the same numbers, the perplexity at Lt against the\n"
      "original model's at Lc, RULER's effective length), the last value of each metric series, and the\n"
      "values of every periodic evaluation (evaluation.periodic) by step.\n";
  c.run = [](Args& args, std::ostream& out, std::ostream&) {
    const fs::path file = args.get("store") ? fs::path(*args.get("store")) : experiment::default_store_file();
    const auto only = args.get("experiment");
    const bool as_json = args.flag("json");
    args.reject_unknown();
    if (!fs::exists(file)) {
      throw UserError(file.string() + ": no experiment store here", "run an experiment first (pose run SPEC.json) or pass --store");
    }
    const auto st = store::ExperimentStore::open(file, store::ExperimentStore::Mode::ReadOnly);
    json rows = json::array();
    for (const auto& e : st.experiments()) {
      if (only && e.name != *only) continue;
      const auto summaries = results::summarize_experiment(st, e);
      for (const auto& r : st.runs(e.id)) rows.push_back(run_json(st, r, summaries.at(r.id)));
    }
    if (only && rows.empty()) throw UserError("no experiment named '" + *only + "' in " + file.string(), "check the name with pose runs");
    if (as_json) {
      out << rows.dump(2) << "\n";
      return 0;
    }
    const std::vector<std::pair<std::string, int>> columns = {
        {"experiment", 14}, {"run", 16}, {"status", 10}, {"steps", 6}, {"loss", 8}, {"ppl@Lc", 9},
        {"ppl@Lt", 9},      {"pk@Lc", 7}, {"pk@Lt", 7}, {"Leff", 7}, {"wall s", 8}, {"tok/s", 8}};
    for (const auto& [name, width] : columns) out << std::left << std::setw(width) << name;
    out << "\n";
    for (const auto& r : rows) {
      const std::vector<std::string> values = {
          r["experiment"], r["run"], r["status"], cell(r["steps"]), cell(r["final_loss"]), cell(r["ppl_at_lc"]),
          cell(r["ppl_at_lt"]), cell(r["passkey_at_lc"], 3), cell(r["passkey_at_lt"], 3),
          cell(r["ruler_effective_length"]), cell(r["wall_s"], 4),
          cell(r["tokens_per_s"], 5)};
      for (std::size_t i = 0; i < columns.size(); ++i) {
        out << std::left << std::setw(columns[i].second) << values[i] << (values[i].size() >= static_cast<std::size_t>(columns[i].second) ? " " : "");
      }
      out << "\n";
      if (r["status"] == "interrupted") {
        out << "    its process ended without finishing it (killed or crashed); `pose run --resume` continues "
               "from its last checkpoint\n";
      } else if ((r["status"] == "failed" || r["status"] == "cancelled") && !r["message"].get<std::string>().empty()) {
        out << "    " << r["message"].get<std::string>() << "\n";
      }
    }
    return 0;
  };
  return c;
}

}  // namespace pose::cli
