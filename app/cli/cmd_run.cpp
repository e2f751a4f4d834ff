// `pose run SPEC.json`: every stage of an experiment, recorded in the store.
#include "commands.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <iomanip>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/error.h"
#include "common/threads.h"
#include "distributed/launch_env.h"
#include "distributed/process_group.h"
#include "eval/retrieval_grid.h"
#include "eval/ruler_eval.h"
#include "experiment/experiment_spec.h"
#include "experiment/replicates.h"
#include "experiment/runner.h"
#include "local_launcher.h"
#include "results/replicate_record.h"

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
      "                [--device cpu|cuda|cuda:N] [--resume] [--runs NAME,NAME]\n"
      "                [--seeds SEED,SEED,...]\n"
      "                [--nproc N] [--shard-optimizer] [--collective-timeout SECONDS]\n\n"
      "Runs every stage of the experiment and records specs, metrics, evaluation\n"
      "results and artifacts in the experiment store (default: the data directory's\n"
      "store.sqlite; `pose runs` lists them).\n\n"
      "  --preset NAME  apply the spec's named preset first (e.g. quick)\n"
      "  --resume       skip runs already done with the same settings and continue an\n"
      "                 interrupted run from its last checkpoint (same losses as an\n"
      "                 uninterrupted run); without it every run starts again\n"
      "  --runs A,B     only these extension runs (data and base always run)\n"
      "  --seeds S,T    the whole experiment once per seed, in this order, in place of\n"
      "                 the spec's seed and replicate_seeds: the spec's own seed under\n"
      "                 its name, each other seed as the experiment <name>.seed-<S>\n"
      "                 (`pose runs` and the report show the spread over the seeds)\n"
      "  --work-dir DIR where data, checkpoints and exported models go\n"
      "                 (default: <data dir>/experiments/<name>; a replicate's\n"
      "                 beside it, DIR.seed-<S>)\n"
      "  --nproc N      data-parallel training in N processes on this machine (one\n"
      "                 per GPU with --device cuda; the CPU's threads shared out\n"
      "                 otherwise): each trains its share of every step's rows, with\n"
      "                 the losses of one process. Under torchrun or Slurm (RANK,\n"
      "                 WORLD_SIZE, MASTER_ADDR, MASTER_PORT set) leave it out: each\n"
      "                 process joins the job the variables describe\n"
      "  --shard-optimizer\n"
      "                 with several processes: each keeps AdamW's moments for its\n"
      "                 share of the weights only (ZeRO stage 1), dividing that\n"
      "                 memory by N; the losses are the same\n"
      "  --collective-timeout SECONDS\n"
      "                 how long a rank waits for the others in a collective before\n"
      "                 the job fails (default 1800)\n\n"
      "Ctrl-C stops after the current step and writes a checkpoint; --resume continues\n"
      "(also with another --nproc).\n";
  c.run = [](Args& args, std::ostream& out, std::ostream& err) {
    if (args.positionals().size() != 1) {
      throw UserError("pose run: expected one spec file", "e.g. pose run experiments/micro-pose.json");
    }
    const std::string preset = args.get_or("preset", "");
    const auto spec = experiment::load_experiment_spec(args.positionals()[0], preset);
    // The experiment and its replicates (experiment/replicates.h), each run whole in turn.
    const auto seeds = args.get("seeds");
    const auto experiments = seeds ? experiment::replicate_experiments(spec, experiment::parse_seed_list(*seeds, "--seeds"))
                                   : experiment::replicate_experiments(spec);
    const std::optional<fs::path> work_dir = args.get("work-dir") ? std::optional<fs::path>(*args.get("work-dir")) : std::nullopt;
    experiment::RunnerOptions o;
    o.store_file = args.get("store") ? fs::path(*args.get("store")) : experiment::default_store_file();
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
    const long long nproc = args.get_int_at_least("nproc", 1, 1);
    const long long timeout_s = args.get_int_at_least("collective-timeout", 1800, 1);
    o.shard_optimizer = args.flag("shard-optimizer");
    args.reject_unknown();

    const auto job = distributed::launch_env_from_environment();
    if (nproc > 1) {
      if (job) {
        throw UserError("--nproc " + std::to_string(nproc) + " inside a job that " + job->source + " describe (" +
                            job->describe() + ")",
                        "leave --nproc out under torchrun or srun: they start the processes");
      }
      if (!distributed::distributed_available()) {
        throw UserError("--nproc: this build of PoSE Studio has no data-parallel support (its LibTorch came without "
                        "c10d's Gloo process group or gloo's headers)",
                        "install gloo's headers (Debian: libgloo-dev, scripts/setup-deps.sh) and rebuild");
      }
      if (o.device.is_cuda() && o.device.has_index()) {
        throw UserError("--device " + o.device.str() + " with --nproc: each rank takes the GPU of its local rank",
                        "use --device cuda");
      }
      LocalLaunch launch;
      launch.nproc = static_cast<int>(nproc);
      launch.grace = std::chrono::seconds(timeout_s + 30);
      const int threads = std::max(1, configured_threads() / launch.nproc);
      launch.arguments = {"--log-level", std::string(spdlog::level::to_string_view(spdlog::get_level()).data()),
                          "--threads", std::to_string(threads), "run"};
      const auto& tokens = args.tokens();
      for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i] == "--nproc") {
          ++i;  // and its value
          continue;
        }
        if (tokens[i].rfind("--nproc=", 0) == 0) continue;
        launch.arguments.push_back(tokens[i]);
      }
      out << "pose run: " << nproc << " data-parallel processes on this machine, " << threads << " threads each\n"
          << std::flush;
      return launch_local_job(launch, err);
    }

    if (o.shard_optimizer && nproc <= 1 && !job) {
      throw UserError("--shard-optimizer divides the optimizer state over several processes, and this is one",
                      "add --nproc N (or run under torchrun or srun), or leave --shard-optimizer out");
    }
    std::unique_ptr<distributed::ProcessGroup> group;
    if (job) {
      if (o.device.is_cuda()) {
        if (o.device.has_index()) {
          throw UserError("--device " + o.device.str() + " in a data-parallel job: each rank takes the GPU of its "
                          "local rank (LOCAL_RANK)", "use --device cuda");
        }
        // cuda:LOCAL_RANK, or the one GPU a launcher that binds GPUs to tasks left visible.
        const int64_t visible = std::max<int64_t>(1, static_cast<int64_t>(torch::cuda::device_count()));
        o.device = experiment::parse_device("cuda:" + std::to_string(job->local_rank % visible));
      }
      // Only rank 0 speaks on the console; the others report problems.
      if (!job->is_leader() && spdlog::get_level() < spdlog::level::warn) spdlog::set_level(spdlog::level::warn);
      distributed::ProcessGroup::Options go;
      go.env = *job;
      go.device = o.device;
      go.timeout = std::chrono::seconds(timeout_s);
      group = distributed::ProcessGroup::connect(go);
      o.group = group.get();
      if (job->is_leader()) {
        out << "pose run: data-parallel " << job->describe() << ", " << group->backend_name() << "\n" << std::flush;
      }
    }

    train::RunControl control;
    std::ostream discard(nullptr);  // writes to it go nowhere
    ConsoleObserver observer(job && !job->is_leader() ? discard : out);
    o.observer = &observer;
    o.control = &control;
    g_control.store(&control);
    const auto previous = std::signal(SIGINT, on_interrupt);
    std::vector<std::pair<std::string, experiment::RunnerSummary>> summaries;
    try {
      for (const auto& e : experiments) {
        o.work_dir = experiment::replicate_work_dir(e, work_dir);
        if (experiments.size() > 1 && (!job || job->is_leader())) {
          out << "== experiment " << e.name << " (seed " << e.seed << ")\n" << std::flush;
        }
        summaries.emplace_back(e.name, experiment::run_experiment(e, o));
        if (summaries.back().second.cancelled) break;
      }
    } catch (...) {
      std::signal(SIGINT, previous);
      g_control.store(nullptr);
      throw;
    }
    std::signal(SIGINT, previous);
    g_control.store(nullptr);

    bool cancelled = false;
    std::vector<std::string> failed;
    for (const auto& [name, summary] : summaries) {
      cancelled = cancelled || summary.cancelled;
      for (const auto& f : summary.failed) failed.push_back(experiments.size() > 1 ? name + "/" + f : f);
    }
    if (job && !job->is_leader()) return cancelled || !failed.empty() ? 1 : 0;
    for (const auto& [name, summary] : summaries) {
      out << "experiment " << name << ": " << summary.done.size() << " done, " << summary.skipped.size() << " skipped, "
          << summary.failed.size() << " failed in " << fmt(summary.wall_s, 4) << " s\n";
    }
    if (cancelled) {
      err << "cancelled; `pose run " << args.positionals()[0] << (preset.empty() ? "" : " --preset " + preset)
          << (seeds ? " --seeds " + *seeds : "") << " --resume` continues\n";
      return 1;
    }
    if (!failed.empty()) {
      err << "failed runs:";
      for (const auto& f : failed) err << " " << f;
      err << " (see `pose runs --store " << o.store_file.string() << "`)\n";
      return 1;
    }
    return 0;
  };
  return c;
}

}  // namespace pose::cli
