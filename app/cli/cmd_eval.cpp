// `pose eval`: evaluation suites on a stored run or an HF checkpoint directory,
// every setting stored with the results (experiment/evaluation.h).
#include "commands.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>

#include "common/error.h"
#include "eval/retrieval_grid.h"
#include "eval/ruler_eval.h"
#include "eval/ruler_tasks.h"
#include "experiment/eval_suite.h"
#include "experiment/evaluation.h"
#include "experiment/runner.h"
#include "results/effective_length.h"

namespace pose::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string num(double v, int precision = 4) {
  std::ostringstream s;
  s << std::setprecision(precision) << v;
  return s.str();
}

std::vector<int64_t> whole_list(Args& args, const std::string& name) {
  std::vector<int64_t> out;
  if (auto list = args.get_double_list(name)) {
    for (const double v : *list) {
      if (v != static_cast<double>(static_cast<int64_t>(v)) || v < 1) {
        throw UserError("--" + name + ": " + num(v) + " is not a whole number >= 1", "e.g. --" + name + " 256,512,1024");
      }
      out.push_back(static_cast<int64_t>(v));
    }
  }
  return out;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError("--probe-document " + path + " cannot be read", "give a readable text file");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ruler_task_lines() {
  std::string lines;
  for (const auto& t : eval::ruler_tasks()) {
    lines += "  " + t.name + std::string(t.name.size() < 17 ? 17 - t.name.size() : 1, ' ') + t.description + "\n";
  }
  return lines;
}

void print_perplexity(const json& results, std::ostream& out) {
  out << "  length   stride   perplexity   tokens   windows\n";
  for (const auto& p : results) {
    out << "  " << std::setw(6) << p["length"].get<long long>() << "   " << std::setw(6) << p["stride"].get<long long>()
        << "   " << std::setw(10) << num(p["perplexity"].get<double>()) << "   " << std::setw(6)
        << p["tokens"].get<long long>() << "   " << std::setw(7) << p["windows"].get<long long>() << "\n";
  }
}

// Length rows × depth columns of accuracy, the trial-weighted mean per length.
void print_grid(const json& results, std::ostream& out) {
  const auto cells = eval::retrieval_cells_from_json(results);
  std::vector<double> depths;
  std::vector<int64_t> lengths;
  for (const auto& c : cells) {
    if (std::find(depths.begin(), depths.end(), c.depth) == depths.end()) depths.push_back(c.depth);
    if (std::find(lengths.begin(), lengths.end(), c.length) == lengths.end()) lengths.push_back(c.length);
  }
  out << "  length \\ depth";
  for (const double d : depths) out << std::setw(7) << num(d, 3);
  out << "    mean\n";
  for (const auto L : lengths) {
    out << "  " << std::setw(14) << L;
    int64_t trials = 0;
    for (const double d : depths) {
      const auto cell = std::find_if(cells.begin(), cells.end(), [&](const auto& c) { return c.length == L && c.depth == d; });
      if (cell == cells.end() || !cell->skipped.empty()) {
        out << std::setw(7) << "-";
        continue;
      }
      trials += cell->trials;
      out << std::setw(7) << num(cell->accuracy(), 3);
    }
    out << std::setw(8) << (trials > 0 ? num(eval::mean_accuracy_at(cells, L), 3) : "-") << "\n";
  }
}

void print_probe(const json& points, std::ostream& out) {
  for (const auto& p : points) {
    out << "  " << std::setw(6) << p["length"].get<long long>() << "  ";
    if (p.contains("skipped")) {
      out << "skipped: " << p["skipped"].get<std::string>() << "\n";
      continue;
    }
    out << (p["passed"].get<bool>() ? "pass" : "fail") << "  answer NLL " << num(p["answer_nll"].get<double>())
        << "  document tokens " << p["document_tokens"].get<long long>()
        << (p["document_complete"].get<bool>() ? " (all)" : "") << "  generated: "
        << json(p["generated"].get<std::string>()).dump() << "\n";
  }
}

void print_attention(const json& r, std::ostream& out) {
  out << "  distance   ";
  for (const auto& b : r["bins"]) {
    const auto lo = b[0].get<long long>(), hi = b[1].get<long long>();
    out << std::setw(10) << (lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi));
  }
  out << "   beyond Lc\n";
  for (const auto& l : r["layers"]) {
    out << "  layer " << std::setw(3) << l["layer"].get<long long>() << "  ";
    for (const auto& m : l["mass"]) out << std::setw(10) << num(m.get<double>(), 3);
    out << std::setw(12) << num(l["beyond_window"].get<double>(), 3) << "\n";
  }
}

// Task rows × length columns of RULER's score, the average over the tasks, and
// the effective length at RULER's threshold (the run's summary in `pose runs`
// judges it against the original model instead, when the experiment has one).
void print_ruler(const json& results, std::ostream& out) {
  const auto r = eval::ruler_result_from_json(results);
  const auto lengths = r.lengths();
  std::vector<std::string> tasks;
  for (const auto& c : r.cells) {
    if (std::find(tasks.begin(), tasks.end(), c.task) == tasks.end()) tasks.push_back(c.task);
  }
  out << "  " << std::left << std::setw(18) << "task \\ length" << std::right;
  for (const auto L : lengths) out << std::setw(8) << L;
  out << "\n";
  const auto row = [&](const std::string& label, const std::function<std::optional<double>(int64_t)>& value) {
    out << "  " << std::left << std::setw(18) << label << std::right;
    for (const auto L : lengths) {
      const auto v = value(L);
      out << std::setw(8) << (v ? num(*v, 3) : "-");
    }
    out << "\n";
  };
  for (const auto& t : tasks) row(t, [&](int64_t L) { return r.accuracy(t, L); });
  row("average", [&](int64_t L) { return r.average(L); });
  std::map<int64_t, double> averages;
  for (const auto L : lengths) {
    if (const auto a = r.average(L)) averages[L] = *a;
  }
  const auto effective = results::effective_length(averages, results::kRulerThreshold);
  out << "  effective length at RULER's threshold " << num(results::kRulerThreshold, 3) << ": "
      << (effective ? std::to_string(*effective) : std::string("none (below it at the shortest length)")) << "\n";
}

}  // namespace

Command eval_command() {
  Command c;
  c.name = "eval";
  c.summary = "evaluate a stored run or an HF checkpoint: perplexity, passkey, key-value, probe, attention, RULER";
  c.usage =
      "Usage: pose eval (--run ID|EXPERIMENT/RUN | --checkpoint DIR) --suite ppl,passkey,kv,probe,attention,ruler\n"
      "                 [--lengths L,L,...] [--rope none,linear:2,dynamic:2,...]\n"
      "                 [--stride S] [--truncate] [--min-doc-tokens N] [--max-documents N]\n"
      "                 [--max-tokens N] [--split test|validation] [--corpus SPEC]\n"
      "                 [--depths D,D,...] [--trials N] [--seed X] [--generate]\n"
      "                 [--probe-document FILE --probe-question TEXT --probe-answer TEXT]\n"
      "                 [--max-new-tokens N] [--sequences N] [--tasks T,T,...]\n"
      "                 [--device cpu|cuda] [--store FILE] [--no-store] [--json]\n\n"
      "Suites:\n"
      "  ppl        sliding-window perplexity at each length (BOS + W-1 tokens per window,\n"
      "             each token scored once; --truncate: the first window of each document)\n"
      "  passkey    passkey retrieval, lengths x depths x trials, teacher-forced exact match\n"
      "  kv         key-value retrieval ('8 hex' = '4 hex' lines), same grid and scoring\n"
      "  probe      your document + question + expected answer at each length: greedy answer\n"
      "             contains it (pass), and the answer's teacher-forced NLL\n"
      "  attention  attention mass by distance (log bins) per layer at the longest length,\n"
      "             and the share beyond the model's original window\n"
      "  ruler      RULER's synthetic tasks, lengths x depths x trials, greedy answers scored\n"
      "             as RULER scores them; the average per length and the effective length\n"
      "             (--tasks picks tasks, default all; --max-new-tokens caps each answer)\n\n"
      "RULER tasks:\n" + ruler_task_lines() + "\n"
      "A run (id or experiment/run as `pose runs` lists them) is evaluated from its exported\n"
      "model; its defaults are its experiment's own evaluation settings and held-out split.\n"
      "A checkpoint directory defaults to lengths L0/2 .. max(2 L0, max_position_embeddings)\n"
      "and the Bible's test books (--corpus FILE for others). --rope evaluates each suite\n"
      "again with another RoPE than the model's (factor relative to its original window).\n"
      "--generate also decodes each passkey/kv trial greedily and keeps the text.\n\n"
      "Results and every setting go to the store (default: the data directory's\n"
      "store.sqlite), under the run or, for a directory, under experiment \"checkpoints\".\n"
      "--json prints {model, run_id, evaluations: [{kind, rope, settings, results}]}.\n";
  c.run = [](Args& args, std::ostream& out, std::ostream& err) {
    experiment::EvalRequest r;
    r.run = args.get_or("run", "");
    r.checkpoint_dir = args.get_or("checkpoint", "");
    r.suites = experiment::parse_eval_suites(args.get_or("suite", "ppl,passkey"));
    r.lengths = whole_list(args, "lengths");
    if (auto ropes = args.get("rope")) r.ropes = eval::parse_rope_overrides(*ropes);
    if (auto s = args.get_int("stride")) r.stride = *s;
    r.truncate = args.flag("truncate");
    r.min_document_tokens = args.get_int_at_least("min-doc-tokens", 0, 0);
    if (args.get("max-documents")) r.max_documents = args.get_int_at_least("max-documents", 0, 0);
    if (args.get("max-tokens")) r.max_tokens = args.get_int_at_least("max-tokens", 0, 0);
    r.split = args.get_or("split", "test");
    r.corpus = args.get_or("corpus", "");
    if (auto d = args.get_double_list("depths")) {
      for (const double v : *d) {
        if (!(v >= 0.0 && v <= 1.0)) throw UserError("--depths: " + num(v) + " is outside [0, 1]", "e.g. --depths 0,0.5,1");
      }
      r.depths = *d;
    }
    if (args.get("trials")) r.trials = args.get_int_at_least("trials", 1, 1);
    if (args.get("seed")) r.seed = static_cast<uint64_t>(args.get_int_at_least("seed", 0, 0));
    r.generate = args.flag("generate");
    const auto document = args.get("probe-document");
    const auto question = args.get("probe-question");
    const auto answer = args.get("probe-answer");
    const long long max_new = args.get_int_at_least("max-new-tokens", 24, 1);
    if (document || question || answer) {
      if (!document || !question || !answer) {
        throw UserError("the probe needs --probe-document, --probe-question and --probe-answer together",
                        "give all three");
      }
      eval::ProbeSettings p;
      p.document = read_text_file(*document);
      p.source = fs::path(*document).filename().string();
      p.question = *question;
      p.answer = *answer;
      p.max_new_tokens = max_new;
      r.probe = p;
    }
    r.attention_sequences = args.get_int_at_least("sequences", 4, 1);
    if (args.get("max-new-tokens")) r.max_new_tokens = max_new;
    if (auto tasks = args.get("tasks")) r.ruler_tasks = eval::parse_ruler_tasks(*tasks);
    r.device = experiment::parse_device(args.get_or("device", "cpu"));
    r.store_file = args.get("store") ? fs::path(*args.get("store")) : experiment::default_store_file();
    r.store = !args.flag("no-store");
    const bool as_json = args.flag("json");
    args.reject_unknown();
    r.log = [&err](const std::string& line) { err << line << "\n"; };

    const auto report = experiment::run_evaluations(r);
    if (as_json) {
      json evaluations = json::array();
      for (const auto& e : report.evaluations) {
        evaluations.push_back({{"kind", e.kind}, {"rope", e.rope}, {"settings", e.settings}, {"results", e.results},
                               {"record_id", e.record_id}});
      }
      out << json{{"model", report.model}, {"run_id", report.run_id}, {"evaluations", evaluations}}.dump(2) << "\n";
      return 0;
    }
    out << "model " << report.model["dir"].get<std::string>();
    if (report.model.contains("run")) {
      out << " (run " << report.model["experiment"].get<std::string>() << "/" << report.model["run"].get<std::string>()
          << ")";
    }
    out << ", original window " << report.model["original_window"].get<long long>() << "\n";
    for (const auto& e : report.evaluations) {
      out << "\n" << e.kind << " [rope " << e.rope << "]\n";
      if (e.kind == "perplexity") print_perplexity(e.results, out);
      if (e.kind == "passkey" || e.kind == "kv") print_grid(e.results, out);
      if (e.kind == "probe") print_probe(e.results, out);
      if (e.kind == "attention") print_attention(e.results, out);
      if (e.kind == "ruler") print_ruler(e.results, out);
    }
    if (report.run_id) out << "\nstored under run id " << report.run_id << " in " << r.store_file.string() << "\n";
    return 0;
  };
  return c;
}

}  // namespace pose::cli
