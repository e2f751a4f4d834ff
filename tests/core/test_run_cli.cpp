// `pose run` and `pose runs` end to end on the default experiment's quick
// preset: every stage runs and is recorded; --resume skips finished runs; a
// run killed with SIGKILL mid-training and resumed reproduces the losses of an
// uninterrupted run, and the store stays intact; a disk filling up fails the
// run with the fix and loses nothing stored.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <signal.h>
#include <sys/resource.h>

#include <sstream>

#include "pose_cli_runner.h"
#include "common/json_file.h"
#include "store/experiment_store.h"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kSpec = std::string(POSE_SOURCE_DIR) + "/experiments/micro-pose.json";


json by_name_in(const json& runs, const std::string& name) {
  for (const auto& r : runs) {
    if (r["run"] == name) return r;
  }
  return json();
}

json runs_json(const std::string& store) {
  std::string out;
  if (run_pose({"runs", "--store", store, "--json"}, &out) != 0) return json();
  return json::parse(out);
}

std::vector<double> losses(const std::string& store_file, const std::string& experiment, const std::string& run) {
  auto st = pose::store::ExperimentStore::open(store_file, pose::store::ExperimentStore::Mode::ReadOnly);
  const auto e = st.find_experiment(experiment);
  const auto r = st.find_run(e->id, run);
  std::vector<double> v;
  for (const auto& p : st.metric_series(r->id, "train/loss")) v.push_back(p.value);
  return v;
}

}  // namespace

class TestRunCli : public QObject {
  Q_OBJECT
 private slots:
  void quickPresetRunsEveryStage() {
    QTemporaryDir dir;
    const std::string store = dir.path().toStdString() + "/store.sqlite";
    const std::string work = dir.path().toStdString() + "/work";
    std::string out;
    QCOMPARE(run_pose({"run", kSpec, "--preset", "quick", "--store", store, "--work-dir", work}, &out), 0);
    QVERIFY2(out.find("9 done") != std::string::npos, out.c_str());

    const json runs = runs_json(store);
    QCOMPARE(runs.size(), std::size_t(9));
    for (const auto& r : runs) QCOMPARE(QString::fromStdString(r["status"]), QStringLiteral("done"));
    for (const auto& r : runs) {
      if (r["kind"] != "extend") continue;
      QVERIFY2(r["ppl_at_lc"].is_number() && r["ppl_at_lt"].is_number(), r.dump().c_str());
      QVERIFY(r["passkey_at_lt"].is_number());
      // RULER (evaluation.ruler) through the suite registry: its average at Lt, and the
      // effective length judged against the original model's own score at Lc.
      QVERIFY2(r["ruler_at_lt"].is_number(), r.dump().c_str());
      QVERIFY(r.contains("ruler_effective_length"));
      const json original = by_name_in(runs, "no-finetune");
      const bool original_scores = original["metrics"].contains("eval/ruler@256") &&
                                   original["metrics"]["eval/ruler@256"]["value"].get<double>() > 0;
      QCOMPARE(r["ruler_threshold_source"].get<std::string>(),
               std::string(original_scores ? "original model at Lc" : "RULER (Llama-2-7B at 4K)"));
    }
    // Fine-tuned runs store their loss curve; evaluation-only runs do not.
    const auto by_name = [&](const std::string& n) {
      for (const auto& r : runs)
        if (r["run"] == n) return r;
      return json();
    };
    QVERIFY(by_name("pose-linear")["final_loss"].is_number());
    QVERIFY(by_name("no-finetune")["final_loss"].is_null());

    // Evaluation settings are stored beside the numbers.
    auto st = pose::store::ExperimentStore::open(store, pose::store::ExperimentStore::Mode::ReadOnly);
    const auto e = st.find_experiment("micro-pose");
    QVERIFY(e.has_value());
    const auto run = st.find_run(e->id, "pose-yarn");
    const auto ppl = st.eval_results(run->id, "perplexity");
    QCOMPARE(ppl.size(), std::size_t(1));
    QCOMPARE(ppl[0].settings["lengths"], json({256, 2048}));
    QCOMPARE(ppl[0].settings["rope"]["method"], json("yarn"));
    QCOMPARE(ppl[0].results.size(), std::size_t(2));
    QVERIFY(ppl[0].results[0]["tokens"].get<int64_t>() > 0);
    QCOMPARE(st.eval_results(run->id, "passkey").size(), std::size_t(1));
    QCOMPARE(st.eval_results(run->id, "kv").size(), std::size_t(1));
    const auto ruler = st.eval_results(run->id, "ruler");
    QCOMPARE(ruler.size(), std::size_t(1));
    QCOMPARE(ruler[0].settings["tasks"], json({"niah_single_1", "vt", "cwe"}));
    QCOMPARE(ruler[0].settings["split"], json("test"));
    const auto attention = st.eval_results(run->id, "attention");
    QCOMPARE(attention.size(), std::size_t(1));
    QCOMPARE(attention[0].settings["length"].get<int64_t>(), int64_t(2048));  // the run's Lt
    QCOMPARE(attention[0].results["layers"].size(), std::size_t(2));
    QCOMPARE(QString::fromStdString(st.integrity_check()), QStringLiteral("ok"));

    // One command reproduces a stored number from the settings stored with it.
    std::string eval_out;
    QCOMPARE(run_pose({"eval", "--run", "micro-pose/pose-yarn", "--suite", "ppl", "--store", store, "--json"}, &eval_out), 0);
    const json again = json::parse(eval_out)["evaluations"][0]["results"];
    QCOMPARE(again.size(), ppl[0].results.size());
    for (std::size_t i = 0; i < again.size(); ++i) {
      QCOMPARE(again[i]["tokens"], ppl[0].results[i]["tokens"]);
      QCOMPARE(again[i]["stride"], ppl[0].results[i]["stride"]);
      const double a = again[i]["perplexity"].get<double>(), b = ppl[0].results[i]["perplexity"].get<double>();
      QVERIFY2(std::abs(a - b) <= 1e-6 * b, (std::to_string(a) + " vs " + std::to_string(b)).c_str());
    }
    QCOMPARE(st.eval_results(run->id, "perplexity").size(), std::size_t(2));  // appended, origin "pose eval"

    // The exported model carries the run's RoPE scaling in HF's style.
    const auto config = pose::read_json_file(work + "/runs/pose-linear/model/config.json");
    QCOMPARE(config["rope_scaling"]["factor"].get<double>(), 8.0);
    QCOMPARE(config["max_position_embeddings"].get<int64_t>(), int64_t(2048));
    QVERIFY(fs::exists(work + "/runs/pose-linear/model/tokenizer.model"));
    bool has_export = false;
    for (const auto& a : st.artifacts(run->id)) has_export = has_export || (a.kind == "hf-export" && a.sha256.size() == 64);
    QVERIFY(has_export);

    // Again with --resume: nothing is trained twice.
    QCOMPARE(run_pose({"run", kSpec, "--preset", "quick", "--store", store, "--work-dir", work, "--resume"}, &out), 0);
    QVERIFY2(out.find("8 skipped") != std::string::npos, out.c_str());

    // Changed settings with --resume: that run starts again instead of refusing its old checkpoint.
    json changed = pose::read_json_file(kSpec);
    changed["extend_defaults"]["lr"] = 1e-4;
    pose::write_json_file(dir.path().toStdString() + "/changed.json", changed);
    QCOMPARE(run_pose({"run", dir.path().toStdString() + "/changed.json", "--preset", "quick", "--store", store, "--work-dir",
                  work, "--resume", "--runs", "pose-linear"},
                 &out),
             0);
    QVERIFY2(out.find("== pose-linear: done") != std::string::npos, out.c_str());
    QVERIFY2(out.find("== base: skipped") != std::string::npos, out.c_str());
  }

  // A disk that fills up during a run: the run fails with a message naming the
  // file and the fix, what was stored before is all there, and --resume
  // finishes it once there is room. The full disk is a file-size limit on the
  // child process (tests run as root, so permissions cannot stand in for it).
  void fullDiskFailsTheRunAndKeepsWhatWasStored() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    json spec = pose::read_json_file(kSpec);
    spec["name"] = "micro-pose-full";
    const json yarn = spec["extend"][5];
    spec["extend"] = json::array({spec["extend"][4]});  // pose-linear
    pose::write_json_file(d + "/one.json", spec);
    spec["extend"].push_back(yarn);
    pose::write_json_file(d + "/two.json", spec);
    const std::string store = d + "/store.sqlite", work = d + "/work";
    QCOMPARE(run_pose({"run", d + "/one.json", "--preset", "quick", "--store", store, "--work-dir", work}), 0);
    const auto base_losses = losses(store, "micro-pose-full", "base");
    const auto linear_losses = losses(store, "micro-pose-full", "pose-linear");
    const auto checkpoint_bytes = fs::file_size(work + "/runs/pose-linear/checkpoint.pt");

    QProcess child;
    child.setChildProcessModifier([checkpoint_bytes] {
      ::signal(SIGXFSZ, SIG_IGN);
      rlimit limit{};
      ::getrlimit(RLIMIT_FSIZE, &limit);
      limit.rlim_cur = static_cast<rlim_t>(checkpoint_bytes / 2);
      ::setrlimit(RLIMIT_FSIZE, &limit);
    });
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_DATA_HOME", QString::fromStdString(d + "/data-home"));  // its log file
    child.setProcessEnvironment(env);
    child.start(QStringLiteral(POSE_BINARY_DIR "/bin/pose"),
                {"--log-level", "warn", "--threads", "2", "run", QString::fromStdString(d + "/two.json"), "--preset",
                 "quick", "--store", QString::fromStdString(store), "--work-dir", QString::fromStdString(work),
                 "--resume"});
    QVERIFY(child.waitForFinished(300000));
    const QString said = QString::fromUtf8(child.readAllStandardOutput() + child.readAllStandardError());
    QCOMPARE(child.exitStatus(), QProcess::NormalExit);
    QCOMPARE(child.exitCode(), 1);
    QVERIFY2(said.contains("pose-yarn/checkpoint.pt: checkpoint could not be written (File too large)"), qPrintable(said));
    QVERIFY2(said.contains("--resume"), qPrintable(said));

    {
      auto st = pose::store::ExperimentStore::open(store, pose::store::ExperimentStore::Mode::ReadOnly);
      QCOMPARE(QString::fromStdString(st.integrity_check()), QStringLiteral("ok"));
    }
    QCOMPARE(losses(store, "micro-pose-full", "base"), base_losses);
    QCOMPARE(losses(store, "micro-pose-full", "pose-linear"), linear_losses);
    for (const auto& r : runs_json(store)) {
      const std::string status = r["status"];
      QCOMPARE(QString::fromStdString(status), QString(r["run"] == "pose-yarn" ? "failed" : "done"));
      if (r["run"] == "pose-yarn") {
        QVERIFY2(r["message"].get<std::string>().find("could not be written") != std::string::npos, r.dump().c_str());
      }
    }

    QCOMPARE(run_pose({"run", d + "/two.json", "--preset", "quick", "--store", store, "--work-dir", work, "--resume"}), 0);
    for (const auto& r : runs_json(store)) QCOMPARE(QString::fromStdString(r["status"]), QStringLiteral("done"));
  }

  void killedRunResumesWithTheSameLosses() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    // The quick preset with a base stage long enough to be killed in the middle.
    json spec = pose::read_json_file(kSpec);
    spec["name"] = "micro-pose-resume";
    spec["presets"]["quick"]["base_model"]["steps"] = 300;
    spec["presets"]["quick"]["base_model"]["checkpoint_every"] = 25;
    spec["extend"] = json::array({spec["extend"][4]});  // pose-linear
    pose::write_json_file(d + "/spec.json", spec);
    const std::vector<std::string> common = {"run", d + "/spec.json", "--preset", "quick"};

    // Uninterrupted reference, in process.
    auto args = common;
    for (const auto& a : {"--store", "", "--work-dir", ""}) args.push_back(a);
    args[5] = d + "/ref.sqlite";
    args[7] = d + "/ref";
    QCOMPARE(run_pose(args), 0);
    const auto reference = losses(d + "/ref.sqlite", "micro-pose-resume", "base");
    QCOMPARE(reference.size(), std::size_t(300));

    // The same run in a child process, killed once a checkpoint exists.
    QProcess child;
    QStringList child_args = {"--log-level", "warn", "--threads", "2"};
    for (const auto& a : common) child_args << QString::fromStdString(a);
    child_args << "--store" << QString::fromStdString(d + "/kill.sqlite") << "--work-dir"
               << QString::fromStdString(d + "/kill");
    child.start(QStringLiteral(POSE_BINARY_DIR "/bin/pose"), child_args);
    QVERIFY(child.waitForStarted());
    const fs::path checkpoint = d + "/kill/runs/base/checkpoint.pt";
    QElapsedTimer timer;
    timer.start();
    while (!fs::exists(checkpoint) && timer.elapsed() < 120000 && child.state() == QProcess::Running) QTest::qWait(20);
    QVERIFY2(fs::exists(checkpoint), child.readAllStandardError().constData());
    QTest::qWait(300);  // a few steps past the checkpoint: their work is lost with the kill
    QCOMPARE(child.state(), QProcess::Running);
    ::kill(static_cast<pid_t>(child.processId()), SIGKILL);
    QVERIFY(child.waitForFinished());
    const auto before = losses(d + "/kill.sqlite", "micro-pose-resume", "base");
    QVERIFY2(before.size() < 300, "the run ended before it could be killed");

    args[5] = d + "/kill.sqlite";
    args[7] = d + "/kill";
    args.push_back("--resume");
    QCOMPARE(run_pose(args), 0);
    const auto resumed = losses(d + "/kill.sqlite", "micro-pose-resume", "base");
    QCOMPARE(resumed.size(), reference.size());
    for (std::size_t i = 0; i < reference.size(); ++i) QCOMPARE(resumed[i], reference[i]);
    QCOMPARE(losses(d + "/kill.sqlite", "micro-pose-resume", "pose-linear"), losses(d + "/ref.sqlite", "micro-pose-resume", "pose-linear"));

    auto st = pose::store::ExperimentStore::open(d + "/kill.sqlite", pose::store::ExperimentStore::Mode::ReadOnly);
    QCOMPARE(QString::fromStdString(st.integrity_check()), QStringLiteral("ok"));
    for (const auto& r : runs_json(d + "/kill.sqlite")) QCOMPARE(QString::fromStdString(r["status"]), QStringLiteral("done"));
  }
};

QTEST_APPLESS_MAIN(TestRunCli)
#include "test_run_cli.moc"
