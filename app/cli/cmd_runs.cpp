// `pose runs`: the runs in an experiment store with status and headline numbers.
#include "commands.h"

#include <iomanip>
#include <algorithm>
#include <map>
#include <ostream>
#include <sstream>
#include <vector>

#include "common/error.h"
#include "experiment/runner.h"
#include "results/headline.h"
#include "results/metric_names.h"
#include "results/replicate_record.h"
#include "results/seed_spread.h"
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

// Characters, not bytes: an en dash is one column.
std::size_t utf8_length(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// A replicate group as `pose runs` lists it: the experiments of one spec's
// seeds (results/replicate_record.h), or one experiment alone.
struct Group {
  std::string name;
  std::vector<store::ExperimentRecord> experiments;
};

// One table cell of a headline quantity over the group's seeds: "mean (min–max)".
std::string spread_cell(const results::RunSpread* spread, results::Headline h, int precision) {
  const auto* s = spread ? spread->find(h) : nullptr;
  if (!s) return "-";
  return results::mean_and_range(*s, [&](double v) {
    return cell(results::headline_is_whole(h) ? json(static_cast<long long>(v)) : json(v), precision);
  });
}

// The statuses of one run over the group's experiments: "done" when all agree,
// else how many of them are done ("1/2 done").
std::string group_status(const std::vector<std::string>& statuses) {
  if (std::all_of(statuses.begin(), statuses.end(), [&](const auto& s) { return s == statuses.front(); })) {
    return statuses.front();
  }
  const auto done = std::count(statuses.begin(), statuses.end(), std::string("done"));
  return std::to_string(done) + "/" + std::to_string(statuses.size()) + " done";
}

// The steps of one run over the group's experiments: one number when they
// agree (the same spec), else their range.
std::string steps_cell(const std::vector<json>& members, const std::string& run) {
  std::vector<long long> steps;
  for (const auto& r : members) {
    if (r["run"] == run && r["steps"].is_number_integer()) steps.push_back(r["steps"].get<long long>());
  }
  if (steps.empty()) return "-";
  const auto [lo, hi] = std::minmax_element(steps.begin(), steps.end());
  return *lo == *hi ? std::to_string(*lo) : std::to_string(*lo) + "\u2013" + std::to_string(*hi);
}

// A table row and the lines printed before it (a replicate group's seeds) and
// after it (why a run failed).
struct TableRow {
  std::vector<std::string> before;
  std::vector<std::string> cells;
  std::vector<std::string> after;
};

// Columns as wide as their widest cell, so that "2.61 (2.55–2.70)" fits.
void print_table(std::ostream& out, const std::vector<std::string>& header, const std::vector<TableRow>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.cells.size(); ++i) width[i] = std::max(width[i], utf8_length(r.cells[i]));
  }
  const auto line = [&](const std::vector<std::string>& values) {
    std::string text;
    for (std::size_t i = 0; i < values.size(); ++i) {
      text += values[i];
      if (i + 1 < values.size()) text += std::string(width[i] + 2 - utf8_length(values[i]), ' ');
    }
    out << text << "\n";
  };
  line(header);
  for (const auto& r : rows) {
    for (const auto& note : r.before) out << note << "\n";
    line(r.cells);
    for (const auto& note : r.after) out << "    " << note << "\n";
  }
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
      "An experiment run over several seeds (replicate_seeds, pose run --seeds) is listed once: each\n"
      "number reads mean (min-max) over the seeds that finished the run, the seeds named above it;\n"
      "--experiment NAME.seed-S lists one seed's experiment alone.\n"
      "--json prints every run's summary (the same numbers, the perplexity at Lt against the\n"
      "original model's at Lc, RULER's effective length), the last value of each metric series, and the\n"
      "values of every periodic evaluation (evaluation.periodic) by step; each run also has its\n"
      "experiment's seed and replicate_of, and, where the experiment has replicates, seed_spread:\n"
      "per headline number its mean, min, max and n over the seeds.\n";
  c.run = [](Args& args, std::ostream& out, std::ostream&) {
    const fs::path file = args.get("store") ? fs::path(*args.get("store")) : experiment::default_store_file();
    const auto only = args.get("experiment");
    const bool as_json = args.flag("json");
    args.reject_unknown();
    if (!fs::exists(file)) {
      throw UserError(file.string() + ": no experiment store here", "run an experiment first (pose run SPEC.json) or pass --store");
    }
    const auto st = store::ExperimentStore::open(file, store::ExperimentStore::Mode::ReadOnly);
    // Experiments grouped with their replicates; --experiment names a group, or
    // one member (a replicate) to list it alone.
    std::vector<Group> groups;
    for (const auto& e : st.experiments()) {
      const std::string group = (only && *only == e.name) ? e.name : results::replicate_group(e.name, e.spec);
      if (only && group != *only) continue;
      auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.name == group; });
      if (it == groups.end()) it = groups.insert(groups.end(), Group{group, {}});
      it->experiments.push_back(e);
    }
    json rows = json::array();
    std::map<std::string, std::vector<json>> group_rows;
    std::map<std::string, results::SeedSpread> spreads;
    for (const auto& g : groups) {
      if (g.experiments.size() > 1) spreads[g.name] = results::seed_spread(results::summarize_replicates(st, g.name));
      for (const auto& e : g.experiments) {
        const auto summaries = results::summarize_experiment(st, e);
        for (const auto& r : st.runs(e.id)) {
          json row = run_json(st, r, summaries.at(r.id));
          const auto seed = results::experiment_seed(e.spec);
          row["seed"] = seed ? json(*seed) : json();
          const auto of = results::replicate_of(e.spec);
          row["replicate_of"] = of ? json(*of) : json();
          if (g.experiments.size() > 1) {
            const auto& spread = spreads[g.name];
            const auto* run_spread = spread.find(r.name);
            row["seed_spread"] = run_spread ? results::to_json(*run_spread) : json{{"n", 0}};
            row["seed_spread"]["seeds"] = spread.seeds;
          }
          group_rows[g.name].push_back(row);
          rows.push_back(std::move(row));
        }
      }
    }
    if (only && rows.empty()) throw UserError("no experiment named '" + *only + "' in " + file.string(), "check the name with pose runs");
    if (as_json) {
      out << rows.dump(2) << "\n";
      return 0;
    }
    const std::vector<std::string> header = {"experiment", "run",    "status", "steps", "loss",   "ppl@Lc",
                                             "ppl@Lt",     "pk@Lc",  "pk@Lt",  "Leff",  "wall s", "tok/s"};
    using results::Headline;
    std::vector<TableRow> table;
    for (const auto& g : groups) {
      const auto& members = group_rows[g.name];
      if (g.experiments.size() == 1) {
        for (const auto& r : members) {
          TableRow row;
          row.cells = {r["experiment"], r["run"], r["status"], cell(r["steps"]), cell(r["final_loss"]),
                       cell(r["ppl_at_lc"]), cell(r["ppl_at_lt"]), cell(r["passkey_at_lc"], 3),
                       cell(r["passkey_at_lt"], 3), cell(r["ruler_effective_length"]), cell(r["wall_s"], 4),
                       cell(r["tokens_per_s"], 5)};
          if (r["status"] == "interrupted") {
            row.after.push_back("its process ended without finishing it (killed or crashed); `pose run --resume` "
                                "continues from its last checkpoint");
          } else if ((r["status"] == "failed" || r["status"] == "cancelled") && !r["message"].get<std::string>().empty()) {
            row.after.push_back(r["message"].get<std::string>());
          }
          table.push_back(std::move(row));
        }
        continue;
      }
      // One line per run name, its numbers over the seeds, the seeds said once above them.
      const auto& spread = spreads[g.name];
      std::vector<std::string> names;
      for (const auto& r : members) {
        if (std::find(names.begin(), names.end(), r["run"].get<std::string>()) == names.end()) names.push_back(r["run"]);
      }
      std::string seeds;
      for (const auto& e : g.experiments) {
        const auto seed = results::experiment_seed(e.spec);
        seeds += (seeds.empty() ? "" : ", ") + (seed ? std::to_string(*seed) : std::string("?"));
      }
      for (const auto& name : names) {
        TableRow row;
        if (name == names.front()) {
          row.before.push_back("# " + g.name + ": " + std::to_string(g.experiments.size()) + " seeds (" + seeds +
                               "); each number is mean (min\u2013max) over the seeds that finished the run");
        }
        std::vector<std::string> statuses;
        for (const auto& r : members) {
          if (r["run"] != name) continue;
          statuses.push_back(r["status"]);
          if (r["status"] == "interrupted") {
            row.after.push_back(r["experiment"].get<std::string>() + ": its process ended without finishing it; "
                                "`pose run --resume` continues from its last checkpoint");
          } else if ((r["status"] == "failed" || r["status"] == "cancelled") && !r["message"].get<std::string>().empty()) {
            row.after.push_back(r["experiment"].get<std::string>() + ": " + r["message"].get<std::string>());
          }
        }
        const auto* s = spread.find(name);
        row.cells = {g.name, name, group_status(statuses), steps_cell(members, name),
                     spread_cell(s, Headline::FinalLoss, 4), spread_cell(s, Headline::PplAtLc, 4),
                     spread_cell(s, Headline::PplAtLt, 4), spread_cell(s, Headline::PasskeyAtLc, 3),
                     spread_cell(s, Headline::PasskeyAtLt, 3), spread_cell(s, Headline::RulerEffectiveLength, 4),
                     spread_cell(s, Headline::WallS, 4), spread_cell(s, Headline::TokensPerS, 5)};
        table.push_back(std::move(row));
      }
    }
    print_table(out, header, table);
    return 0;
  };
  return c;
}

}  // namespace pose::cli
