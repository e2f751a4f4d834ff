// `pose run SPEC.json`: every stage of an experiment, recorded in the store.
#include "commands.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>

#include "common/error.h"
#include "eval/retrieval_grid.h"
#include "eval/ruler_eval.h"
#include "experiment/experiment_spec.h"
#include "experiment/runner.h"

namespace pose::cli {

namespace {

namespace fs = std::filesystem;

// Ctrl-C asks the trainer to stop after the current step and write a
// checkpoint; a second Ctrl-C kills the process as usual.
std::atomic<train::RunControl*> g_control{nullptr};
extern "C" void on_interrupt(int) {
  if (auto* c = g_control.load()) c->request_cancel();
  std::signal(SIGINT, SIG_DFL);
}

std::string fmt(double v, int precision = 4) {
  std::ostringstream s;
  s << std::setprecision(precision) << v;
  return s.str();
}

// Progress on the terminal: one line per run event, steps at most every 2 s.
class ConsoleObserver : public experiment::ExperimentObserver {
 public:
  explicit ConsoleObserver(std::ostream& out) : out_(out) {}
  void on_run_started(const std::string& run, const std::string& kind) override {
    out_ << "== " << run << " (" << kind << ")\n" << std::flush;
  }
  void on_run_finished(const std::string& run, const std::string& status, const std::string& message) override {
    out_ << "== " << run << ": " << status << (message.empty() ? "" : " — " + message) << "\n" << std::flush;
  }
  void on_step(const train::StepEvent& e) override {
    const auto now = std::chrono::steady_clock::now();
    if (e.step != e.total_steps && e.step != 1 && now - last_ < std::chrono::seconds(2)) return;
    last_ = now;
    out_ << "  " << e.run << " step " << e.step << "/" << e.total_steps << "  loss " << fmt(e.loss) << "  lr "
         << fmt(e.lr, 3) << "  |g| " << fmt(e.grad_norm, 3) << "  " << static_cast<long long>(e.tokens_per_s)
         << " tok/s  " << static_cast<long long>(e.memory_mb) << " MiB  eta " << static_cast<long long>(e.eta_s)
         << " s\n"
         << std::flush;
  }
  void on_eval_result(const std::string& run, const std::string& kind, const nlohmann::json& results) override {
    out_ << "  " << run << " " << kind << ":";
    if (kind == "perplexity") {
      for (const auto& r : results) out_ << "  " << r["length"].get<long long>() << "→" << fmt(r["perplexity"].get<double>());
    } else if (kind == "passkey" || kind == "kv") {
      // Mean accuracy per length over its depths (trial-weighted).
      const auto cells = eval::retrieval_cells_from_json(results);
      std::map<int64_t, int64_t> trials;
      for (const auto& c : cells) trials[c.length] += c.trials;
      for (const auto& [length, n] : trials) {
        out_ << "  " << length << "→" << (n > 0 ? fmt(eval::mean_accuracy_at(cells, length), 3) : "-");
      }
    } else if (kind == "attention") {
      out_ << "  beyond Lc " << fmt(results["mean_beyond_window"].get<double>(), 3) << " (mean of layers)";
    } else if (kind == "ruler") {
      // The average over the tasks per length (a length too short for every task: "-").
      const auto r = eval::ruler_result_from_json(results);
      for (const auto length : r.lengths()) {
        const auto average = r.average(length);
        out_ << "  " << length << "→" << (average ? fmt(*average, 3) : "-");
      }
      out_ << " (average over tasks)";
    }
    out_ << "\n" << std::flush;
  }
  void on_periodic_eval(const experiment::PeriodicEvalEvent& e) override {
    out_ << "  " << e.run << " step " << e.step << "/" << e.total_steps << " periodic:";
    if (!e.perplexity.empty()) {
      out_ << "  ppl";
      for (const auto& [length, ppl] : e.perplexity) out_ << " " << length << "→" << fmt(ppl);
    }
    if (!e.passkey.empty()) {
      out_ << "  passkey";
      for (const auto& [length, accuracy] : e.passkey) out_ << " " << length << "→" << fmt(accuracy, 3);
    }
    if (e.attention_beyond) out_ << "  beyond Lc " << fmt(*e.attention_beyond, 3);
    out_ << "  (" << fmt(e.wall_s, 2) << " s";
    if (e.total_steps > 0 && e.step > 0) out_ << ", " << static_cast<long long>(100 * e.share + 0.5) << "% of training time";
    out_ << ")\n" << std::flush;
  }

 private:
  std::ostream& out_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

Command run_command() {
  Command c;
  c.name = "run";
  c.summary = "run an experiment spec: data, base model, extension runs, evaluation";
  c.usage =
      "Usage: pose run SPEC.json [--preset NAME] [--store FILE] [--work-dir DIR]\n"
      "                [--device cpu|cuda|cuda:N] [--resume] [--runs NAME,NAME]\n\n"
      "Runs every stage of the experiment and records specs, metrics, evaluation\n"
      "results and artifacts in the experiment store (default: the data directory's\n"
      "store.sqlite; `pose runs` lists them).\n\n"
      "  --preset NAME  apply the spec's named preset first (e.g. quick)\n"
      "  --resume       skip runs already done with the same settings and continue an\n"
      "                 interrupted run from its last checkpoint (same losses as an\n"
      "                 uninterrupted run); without it every run starts again\n"
      "  --runs A,B     only these extension runs (data and base always run)\n"
      "  --work-dir DIR where data, checkpoints and exported models go\n"
      "                 (default: <data dir>/experiments/<name>)\n\n"
      "Ctrl-C stops after the current step and writes a checkpoint; --resume continues.\n";
  c.run = [](Args& args, std::ostream& out, std::ostream& err) {
    if (args.positionals().size() != 1) {
      throw UserError("pose run: expected one spec file", "e.g. pose run experiments/micro-pose.json");
    }
    const std::string preset = args.get_or("preset", "");
    const auto spec = experiment::load_experiment_spec(args.positionals()[0], preset);
    experiment::RunnerOptions o;
    o.store_file = args.get("store") ? fs::path(*args.get("store")) : experiment::default_store_file();
    o.work_dir = args.get("work-dir") ? fs::path(*args.get("work-dir")) : experiment::default_work_dir(spec);
    o.device = experiment::parse_device(args.get_or("device", "cpu"));
    o.resume = args.flag("resume");
    if (auto runs = args.get("runs")) {
      std::stringstream s(*runs);
      for (std::string name; std::getline(s, name, ',');) {
        bool known = false;
        for (const auto& r : spec.extend) known = known || r.name == name;
        if (!known) throw UserError("--runs: no extension run named '" + name + "'", "use the names in extend[]");
        o.only_runs.push_back(name);
      }
    }
    args.reject_unknown();

    train::RunControl control;
    ConsoleObserver observer(out);
    o.observer = &observer;
    o.control = &control;
    g_control.store(&control);
    const auto previous = std::signal(SIGINT, on_interrupt);
    experiment::RunnerSummary summary;
    try {
      summary = experiment::run_experiment(spec, o);
    } catch (...) {
      std::signal(SIGINT, previous);
      g_control.store(nullptr);
      throw;
    }
    std::signal(SIGINT, previous);
    g_control.store(nullptr);

    out << "experiment " << spec.name << ": " << summary.done.size() << " done, " << summary.skipped.size()
        << " skipped, " << summary.failed.size() << " failed in " << fmt(summary.wall_s, 4) << " s\n";
    if (summary.cancelled) {
      err << "cancelled; `pose run " << args.positionals()[0] << " --resume` continues\n";
      return 1;
    }
    if (!summary.failed.empty()) {
      err << "failed runs:";
      for (const auto& f : summary.failed) err << " " << f;
      err << " (see `pose runs --store " << o.store_file.string() << "`)\n";
      return 1;
    }
    return 0;
  };
  return c;
}

}  // namespace pose::cli
