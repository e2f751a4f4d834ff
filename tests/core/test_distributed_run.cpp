// Data-parallel training over c10d (Gloo on the CPU), end to end through
// `pose run --nproc 2`: two processes train with the losses of one process
// with the same global batch; a rank killed mid-run fails the job on the
// other rank (within the collective timeout) and in the store, which stays
// intact; `--resume` in one process finishes the run with the uninterrupted
// losses. Also the launch variables and how a step's rows are shared out.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <signal.h>

#include <fstream>
#include <map>

#include "common/json_file.h"
#include "distributed/gradient_sync.h"
#include "distributed/launch_env.h"
#include "distributed/process_group.h"
#include "eval/ruler_eval.h"
#include "model_io/hf_checkpoint.h"
#include "pose_cli_runner.h"
#include "train/checkpoint.h"
#include "train/cpu_adamw.h"
#include "train/trainer.h"
#include "results/metric_names.h"
#include "store/experiment_store.h"

using nlohmann::json;
namespace fs = std::filesystem;
using pose::store::ExperimentStore;

namespace {

const std::string kSpec = std::string(POSE_SOURCE_DIR) + "/experiments/micro-pose.json";
const QString kPose = QStringLiteral(POSE_BINARY_DIR "/bin/pose");

// The quick preset's model and base stage and one PoSE run whose step of 3
// rows (batch_size 1 x grad_accum 3) two ranks share unevenly (2 + 1).
json spec_with(int64_t steps, int64_t checkpoint_every, bool long_evaluation = false) {
  json spec = pose::read_json_file(kSpec);
  spec["name"] = "micro-ddp";
  spec["presets"]["quick"].erase("evaluation");
  // Long: enough windows for several batches at each length, which the ranks divide.
  spec["evaluation"] = long_evaluation ? json{{"perplexity", {{"lengths", {256, 512}}, {"max_tokens", 40000}}},
                                              {"passkey", {{"lengths", {256, 512}}, {"depths", {0.0, 0.5, 1.0}}, {"trials", 7}}},
                                              {"ruler", {{"lengths", {256, 512}}, {"tasks", {"niah_single_1", "vt"}},
                                                         {"depths", {0.5}}, {"trials", 5}, {"max_new_tokens", 8}}},
                                              // At steps 0, 4 and 8, divided like the final evaluation.
                                              {"periodic", {{"every", 4},
                                                            {"perplexity", {{"lengths", {256, 512}}, {"max_tokens", 20000}}},
                                                            {"passkey", {{"lengths", {256}}, {"depths", {0.5}}, {"trials", 5}}},
                                                            {"attention", {{"sequences", 1}}},
                                                            {"ruler", {{"lengths", {256}}, {"tasks", {"niah_single_1"}},
                                                                       {"trials", 3}, {"max_new_tokens", 8}}}}}}
                                       : json{{"perplexity", {{"lengths", {256}}, {"max_tokens", 512}}}};
  json run = spec["extend"][4];  // pose-linear
  run["steps"] = steps;
  run["checkpoint_every"] = checkpoint_every;
  run["batch_size"] = 1;
  run["grad_accum"] = 3;
  run["warmup_steps"] = 2;
  spec["extend"] = json::array({run});
  return spec;
}

std::optional<pose::store::RunRecord> run_record(const std::string& store, const std::string& run) {
  auto st = ExperimentStore::open(store, ExperimentStore::Mode::ReadOnly);
  const auto e = st.find_experiment("micro-ddp");
  return e ? st.find_run(e->id, run) : std::nullopt;
}

std::vector<double> series(const std::string& store, const std::string& run, const std::string& name) {
  auto st = ExperimentStore::open(store, ExperimentStore::Mode::ReadOnly);
  const auto e = st.find_experiment("micro-ddp");
  const auto r = e ? st.find_run(e->id, run) : std::nullopt;
  std::vector<double> v;
  if (!r) return v;
  for (const auto& p : st.metric_series(r->id, name)) v.push_back(p.value);
  return v;
}

double max_relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(std::abs(a[i]), 1e-12));
  }
  return worst;
}

QStringList pose_args(const std::string& spec, const std::string& store, const std::string& work) {
  return {"--log-level", "warn", "--threads", "2", "run", QString::fromStdString(spec), "--preset", "quick",
          "--store", QString::fromStdString(store), "--work-dir", QString::fromStdString(work)};
}

// The launcher's child with RANK=rank, from /proc.
std::optional<pid_t> rank_process(pid_t launcher, int rank) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string pid, comm, state;
    long long ppid = 0;
    if (!(stat >> pid >> comm >> state >> ppid) || ppid != launcher) continue;
    std::ifstream environ(entry.path() / "environ", std::ios::binary);
    std::string var;
    while (std::getline(environ, var, '\0')) {
      if (var == "RANK=" + std::to_string(rank)) return static_cast<pid_t>(std::stol(name));
    }
  }
  return std::nullopt;
}

// Starts `pose run --nproc 2` with `extra` options, waits for the run's first
// checkpoint and SIGKILLs rank 1; returns the launcher's stderr and exit code.
std::pair<QString, int> kill_rank_one(const std::string& spec, const std::string& store, const std::string& work,
                                      const QStringList& extra, qint64* exit_ms) {
  QProcess job;
  job.start(kPose, pose_args(spec, store, work) << "--nproc" << "2" << "--collective-timeout" << "20" << extra);
  if (!job.waitForStarted()) return {"did not start", -1};
  const fs::path checkpoint = fs::path(work) / "runs" / "pose-linear" / "checkpoint.pt";
  QElapsedTimer timer;
  timer.start();
  while (!fs::exists(checkpoint) && timer.elapsed() < 300000 && job.state() == QProcess::Running) QTest::qWait(5);
  const auto victim = rank_process(static_cast<pid_t>(job.processId()), 1);
  if (!fs::exists(checkpoint) || !victim) {
    job.kill();
    job.waitForFinished();
    return {"no checkpoint or no rank 1: " + QString::fromUtf8(job.readAllStandardError()), -1};
  }
  ::kill(*victim, SIGKILL);
  timer.restart();
  job.waitForFinished(60000);
  *exit_ms = timer.elapsed();
  return {QString::fromUtf8(job.readAllStandardError()), job.exitCode()};
}

// Every trained tensor and AdamW moment of a checkpoint, by name.
std::map<std::string, torch::Tensor> checkpoint_tensors(const fs::path& file, const fs::path& model_dir) {
  auto model = pose::model::load_hf_model(model_dir).model;
  auto optimizer = pose::train::make_optimizer(model, pose::train::TrainingSettings{});
  pose::train::load_checkpoint(file, model, *optimizer);
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : model->named_parameters()) {
    out[item.key()] = item.value().detach().clone();
    const auto it = optimizer->state().find(pose::train::optimizer_state_key(item.value()));
    if (it == optimizer->state().end()) continue;
    const auto& st = static_cast<const torch::optim::AdamWParamState&>(*it->second);
    out[item.key() + "/exp_avg"] = st.exp_avg();
    out[item.key() + "/exp_avg_sq"] = st.exp_avg_sq();
    out[item.key() + "/step"] = torch::tensor(st.step());
  }
  return out;
}

pose::distributed::EnvLookup lookup(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

class TestDistributedRun : public QObject {
  Q_OBJECT
 private slots:
  void launchVariables() {
    using pose::distributed::launch_env_from;
    QVERIFY(!launch_env_from(lookup({})));
    QVERIFY(!launch_env_from(lookup({{"RANK", "0"}, {"WORLD_SIZE", "1"}})));  // one process
    const auto e = launch_env_from(lookup({{"RANK", "1"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"},
                                           {"MASTER_ADDR", "node7"}, {"MASTER_PORT", "29555"}}));
    QVERIFY(e);
    QCOMPARE(e->rank, 1);
    QCOMPARE(e->world_size, 4);
    QCOMPARE(e->local_rank, 1);
    QCOMPARE(QString::fromStdString(e->master_addr), QStringLiteral("node7"));
    QCOMPARE(e->master_port, 29555);
    // srun's own variables stand in for the torchrun ones when MASTER_ADDR is set.
    const auto s = launch_env_from(lookup({{"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "8"}, {"SLURM_LOCALID", "1"},
                                           {"MASTER_ADDR", "node1"}}));
    QVERIFY(s);
    QCOMPARE(s->rank, 3);
    QCOMPARE(s->world_size, 8);
    QCOMPARE(s->local_rank, 1);
    QCOMPARE(s->master_port, 29500);
    QVERIFY(!launch_env_from(lookup({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "8"}})));  // a Slurm job, one process
    // Contradictions name the variable.
    auto refused = [](std::map<std::string, std::string> vars, const char* needle) {
      try {
        pose::distributed::launch_env_from(lookup(std::move(vars)));
      } catch (const pose::UserError& error) {
        return std::string(error.what()).find(needle) != std::string::npos;
      }
      return false;
    };
    QVERIFY(refused({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}}, "RANK=2 is not below WORLD_SIZE=2"));
    QVERIFY(refused({{"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}}, "RANK is not set"));
    QVERIFY(refused({{"RANK", "x"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}}, "RANK=x is not a whole number"));
    QVERIFY(refused({{"RANK", "0"}, {"WORLD_SIZE", "2"}}, "MASTER_ADDR is not set"));
  }

  void rowSharesCoverTheStepOnce() {
    for (int64_t rows : {1, 2, 3, 7, 8, 64}) {
      for (int world : {1, 2, 3, 4}) {
        if (rows < world) continue;
        int64_t next = 0, smallest = rows, largest = 0;
        for (int r = 0; r < world; ++r) {
          const auto share = pose::distributed::row_share(rows, r, world);
          QCOMPARE(share.first, next);
          next += share.count;
          smallest = std::min(smallest, share.count);
          largest = std::max(largest, share.count);
        }
        QCOMPARE(next, rows);
        QVERIFY(largest - smallest <= 1);
      }
    }
  }

  void twoProcessesTrainAsOne() {
    QVERIFY(pose::distributed::distributed_available());
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    pose::write_json_file(d + "/spec.json", spec_with(8, 4, true));
    const std::string one = d + "/one.sqlite", two = d + "/two.sqlite";
    QCOMPARE(run_pose({"run", d + "/spec.json", "--preset", "quick", "--store", one, "--work-dir", d + "/one"}), 0);

    QProcess job;
    job.start(kPose, pose_args(d + "/spec.json", two, d + "/two") << "--nproc" << "2");
    QVERIFY(job.waitForFinished(600000));
    QVERIFY2(job.exitCode() == 0, job.readAllStandardError().constData());
    const QString out = QString::fromUtf8(job.readAllStandardOutput());
    QVERIFY2(out.contains("2 data-parallel processes"), qPrintable(out));

    for (const std::string run : {"base", "pose-linear"}) {
      const auto reference = series(one, run, pose::results::kTrainLoss);
      const auto shared = series(two, run, pose::results::kTrainLoss);
      QCOMPARE(shared.size(), reference.size());
      QVERIFY(!reference.empty());
      const double worst = max_relative_difference(reference, shared);
      QVERIFY2(worst <= 1e-5, (run + ": losses differ by " + std::to_string(worst)).c_str());
      // Every rank's tokens: the same count as one process.
      QCOMPARE(series(two, run, pose::results::kTrainTokens), series(one, run, pose::results::kTrainTokens));
      const auto record = run_record(two, run);
      QVERIFY(record);
      QCOMPARE(QString::fromStdString(pose::store::to_string(record->status)), QStringLiteral("done"));
      QVERIFY2(record->device.find("x 2 ranks (gloo)") != std::string::npos, record->device.c_str());
      QCOMPARE(series(two, run, pose::results::kRunWorldSize), std::vector<double>{2.0});
      QCOMPARE(series(one, run, pose::results::kRunWorldSize), std::vector<double>{1.0});
      QCOMPARE(series(two, run, pose::results::kTrainSlowestRank).size(), reference.size());
    }
    // Rank 0 exported; the ranks divided the perplexity windows between them
    // and the result is one process's.
    QVERIFY(fs::exists(fs::path(d) / "two" / "runs" / "pose-linear" / "model" / "config.json"));
    for (const int64_t length : {256, 512}) {
      const auto ppl_one = series(one, "pose-linear", pose::results::ppl_at(length));
      const auto ppl_two = series(two, "pose-linear", pose::results::ppl_at(length));
      QCOMPARE(ppl_two.size(), std::size_t(1));
      QVERIFY2(max_relative_difference(ppl_one, ppl_two) <= 1e-5, std::to_string(length).c_str());
    }
    // The passkey grid's trials, divided the same way: the same cells, counts and kept samples.
    auto st = ExperimentStore::open(two, ExperimentStore::Mode::ReadOnly);
    auto st_one = ExperimentStore::open(one, ExperimentStore::Mode::ReadOnly);
    const auto passkey_two = st.eval_results(run_record(two, "pose-linear")->id, "passkey");
    const auto passkey_one = st_one.eval_results(run_record(one, "pose-linear")->id, "passkey");
    QCOMPARE(passkey_two.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(passkey_two[0].results.dump()), QString::fromStdString(passkey_one.at(0).results.dump()));
    QCOMPARE(passkey_two[0].results.size(), std::size_t(6));
    QCOMPARE(passkey_two[0].results[0]["trials"].get<int64_t>(), int64_t{7});
    // RULER's trials too (generated one by one): the same cells, scores and kept samples.
    const auto ruler_two = st.eval_results(run_record(two, "pose-linear")->id, "ruler");
    const auto ruler_one = st_one.eval_results(run_record(one, "pose-linear")->id, "ruler");
    QCOMPARE(ruler_two.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(ruler_two[0].results.dump()), QString::fromStdString(ruler_one.at(0).results.dump()));
    int64_t ruler_trials = 0;
    for (const auto& cell : pose::eval::ruler_result_from_json(ruler_two[0].results).cells) ruler_trials += cell.trials;
    QVERIFY2(ruler_trials >= 10, ruler_two[0].results.dump().c_str());  // cells were evaluated, not all skipped
    // Periodic evaluations: the same steps, the same perplexity, and the same
    // passkey and RULER counts as one process; attention from rank 0.
    for (const int64_t length : {256, 512}) {
      const auto p_one = series(one, "pose-linear", pose::results::ppl_at(length, pose::results::EvalPhase::Periodic));
      const auto p_two = series(two, "pose-linear", pose::results::ppl_at(length, pose::results::EvalPhase::Periodic));
      QCOMPARE(p_two.size(), std::size_t(3));
      QCOMPARE(p_one.size(), p_two.size());
      QVERIFY2(max_relative_difference(p_one, p_two) <= 1e-5, std::to_string(length).c_str());
    }
    for (const std::string kind : {"periodic-passkey", "periodic-ruler", "periodic-attention"}) {
      const auto a = st.eval_results(run_record(two, "pose-linear")->id, kind);
      const auto b = st_one.eval_results(run_record(one, "pose-linear")->id, kind);
      QCOMPARE(a.size(), std::size_t(3));
      QCOMPARE(a.size(), b.size());
      for (std::size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].checkpoint_step, b[i].checkpoint_step);
        if (kind != "periodic-attention") {  // attention's shares are floating-point sums
          QCOMPARE(QString::fromStdString(a[i].results.dump()), QString::fromStdString(b[i].results.dump()));
        }
      }
    }
    const auto results = st.eval_results(run_record(two, "pose-linear")->id, "perplexity");
    QCOMPARE(results.size(), std::size_t(1));
    for (const auto& row : results[0].results) {
      // More windows than one batch holds (16384 positions): both ranks had batches.
      QVERIFY2(row["windows"].get<int64_t>() * row["length"].get<int64_t>() > 2 * 16384, row.dump().c_str());
      QVERIFY(row["tokens"].get<int64_t>() >= 40000);
    }
  }

  void killedRankFailsTheJobAndResumeFinishes() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    pose::write_json_file(d + "/spec.json", spec_with(60, 5));
    const std::string ref = d + "/ref.sqlite", store = d + "/kill.sqlite", work = d + "/kill";
    QCOMPARE(run_pose({"run", d + "/spec.json", "--preset", "quick", "--store", ref, "--work-dir", d + "/ref"}), 0);
    const auto reference = series(ref, "pose-linear", pose::results::kTrainLoss);
    QCOMPARE(reference.size(), std::size_t(60));

    qint64 exit_ms = 0;
    const auto [err, code] = kill_rank_one(d + "/spec.json", store, work, {}, &exit_ms);
    QVERIFY2(exit_ms < 20000 + 10000, "rank 0 outlived the collective timeout");
    QVERIFY2(code > 0, qPrintable(err));
    QVERIFY2(err.contains("rank 1 was killed by signal 9"), qPrintable(err));
    QVERIFY2(err.contains("data-parallel rank 0 of 2"), qPrintable(err));

    // The store says so and keeps what came before.
    const auto failed = run_record(store, "pose-linear");
    QVERIFY(failed);
    QCOMPARE(QString::fromStdString(pose::store::to_string(failed->status)), QStringLiteral("failed"));
    QVERIFY2(failed->message.find("another rank has stopped") != std::string::npos, failed->message.c_str());
    QCOMPARE(QString::fromStdString(pose::store::to_string(run_record(store, "base")->status)), QStringLiteral("done"));
    const auto before = series(store, "pose-linear", pose::results::kTrainLoss);
    QVERIFY2(before.size() < reference.size(), "the run ended before its rank could be killed");

    // One process continues from the last checkpoint with the uninterrupted losses.
    QCOMPARE(run_pose({"run", d + "/spec.json", "--preset", "quick", "--store", store, "--work-dir", work, "--resume"}), 0);
    QCOMPARE(QString::fromStdString(pose::store::to_string(run_record(store, "pose-linear")->status)), QStringLiteral("done"));
    const auto resumed = series(store, "pose-linear", pose::results::kTrainLoss);
    QCOMPARE(resumed.size(), reference.size());
    const double worst = max_relative_difference(reference, resumed);
    QVERIFY2(worst <= 1e-5, ("resumed losses differ by " + std::to_string(worst)).c_str());
  }

  // ZeRO stage 1: the same losses and the same checkpoint as without it, also
  // across a kill and a resume (the owners' moments gathered into the
  // checkpoint, and each rank's own part taken back from it).
  void shardedOptimizerKeepsLossesAndCheckpoints() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    pose::write_json_file(d + "/spec.json", spec_with(40, 4));
    const std::string plain = d + "/plain.sqlite", sharded = d + "/sharded.sqlite";
    QProcess job;
    job.start(kPose, pose_args(d + "/spec.json", plain, d + "/plain") << "--nproc" << "2");
    QVERIFY(job.waitForFinished(600000));
    QVERIFY2(job.exitCode() == 0, job.readAllStandardError().constData());
    const auto reference = series(plain, "pose-linear", pose::results::kTrainLoss);
    QCOMPARE(reference.size(), std::size_t(40));

    qint64 exit_ms = 0;
    const auto [err, code] = kill_rank_one(d + "/spec.json", sharded, d + "/sharded", {"--shard-optimizer"}, &exit_ms);
    QVERIFY2(code > 0, qPrintable(err));
    QVERIFY(series(sharded, "pose-linear", pose::results::kTrainLoss).size() < reference.size());
    job.start(kPose, pose_args(d + "/spec.json", sharded, d + "/sharded") << "--nproc" << "2" << "--shard-optimizer" << "--resume");
    QVERIFY(job.waitForFinished(600000));
    QVERIFY2(job.exitCode() == 0, job.readAllStandardError().constData());
    QCOMPARE(series(sharded, "pose-linear", pose::results::kTrainLoss), reference);  // bit-exact
    QCOMPARE(series(sharded, "base", pose::results::kTrainLoss), series(plain, "base", pose::results::kTrainLoss));

    const fs::path run = fs::path("runs") / "pose-linear";
    const auto a = checkpoint_tensors(fs::path(d) / "plain" / run / "checkpoint.pt", fs::path(d) / "plain" / run / "model");
    const auto b = checkpoint_tensors(fs::path(d) / "sharded" / run / "checkpoint.pt", fs::path(d) / "sharded" / run / "model");
    QCOMPARE(a.size(), b.size());
    QVERIFY(a.size() > 3 * 20);  // weights, both moments and the step of each
    for (const auto& [name, tensor] : a) {
      QVERIFY2(b.count(name) == 1, name.c_str());
      QVERIFY2(torch::equal(tensor, b.at(name)), name.c_str());
    }
  }
};

QTEST_APPLESS_MAIN(TestDistributedRun)
#include "test_distributed_run.moc"
