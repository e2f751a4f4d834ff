// `pose run --seeds` end to end on the default experiment's quick preset: the
// whole experiment once per seed, each stored as its own experiment that
// records which one it replicates and with which seed, trained differently;
// `pose runs` and `pose report` then show the spread over the seeds.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <QTemporaryDir>

#include <fstream>
#include <sstream>

#include "pose_cli_runner.h"
#include "store/experiment_store.h"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kSpec = std::string(POSE_SOURCE_DIR) + "/experiments/micro-pose.json";

std::vector<double> losses(const pose::store::ExperimentStore& st, const std::string& experiment, const std::string& run) {
  const auto e = st.find_experiment(experiment);
  std::vector<double> v;
  if (!e) return v;
  const auto r = st.find_run(e->id, run);
  if (!r) return v;
  for (const auto& p : st.metric_series(r->id, "train/loss")) v.push_back(p.value);
  return v;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

class TestReplicatesCli : public QObject {
  Q_OBJECT
 private slots:
  void quickPresetOverTwoSeedsStoresBothAndShowsTheSpread() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    const std::string store = d + "/store.sqlite", work = d + "/work";
    std::string out;
    QCOMPARE(run_pose({"run", kSpec, "--preset", "quick", "--seeds", "1234,1", "--store", store, "--work-dir", work}, &out), 0);
    QVERIFY2(contains(out, "experiment micro-pose: ") && contains(out, "experiment micro-pose.seed-1: "), out.c_str());
    QVERIFY2(!contains(out, "failed runs"), out.c_str());

    {
      const auto st = pose::store::ExperimentStore::open(store, pose::store::ExperimentStore::Mode::ReadOnly);
      const auto own = st.find_experiment("micro-pose");
      const auto replicate = st.find_experiment("micro-pose.seed-1");
      QVERIFY(own && replicate);
      QCOMPARE(own->spec["seed"].get<uint64_t>(), uint64_t(1234));
      QCOMPARE(own->spec["replicate_seeds"], json({1}));
      QCOMPARE(replicate->spec["seed"].get<uint64_t>(), uint64_t(1));
      QCOMPARE(replicate->spec["replicate_of"], json("micro-pose"));
      QVERIFY(!replicate->spec.contains("replicate_seeds"));
      // Every stage ran for each seed, and the seed changed what was trained.
      for (const auto* e : {&*own, &*replicate}) {
        for (const auto& r : st.runs(e->id)) {
          QVERIFY2(r.status == pose::store::RunStatus::Done, (e->name + "/" + r.name).c_str());
        }
        QCOMPARE(st.runs(e->id).size(), st.runs(own->id).size());
      }
      const auto a = losses(st, "micro-pose", "base"), b = losses(st, "micro-pose.seed-1", "base");
      QVERIFY(!a.empty() && a.size() == b.size());
      QVERIFY(a != b);
    }
    // Each seed's files apart: the replicate's beside --work-dir.
    QVERIFY(fs::exists(work + "/spec.json"));
    QVERIFY(fs::exists(work + ".seed-1/spec.json"));

    // pose runs: one line per run over both seeds, the seeds said once.
    QCOMPARE(run_pose({"runs", "--store", store}, &out), 0);
    QVERIFY2(contains(out, "# micro-pose: 2 seeds (1234, 1)"), out.c_str());
    std::istringstream lines(out);
    std::string line;
    int pose_lines = 0;
    while (std::getline(lines, line)) {
      if (line.rfind("micro-pose ", 0) != 0 || !contains(line, " pose-linear ")) continue;
      ++pose_lines;
      QVERIFY2(contains(line, " done ") && contains(line, "\u2013"), line.c_str());  // mean (min–max)
    }
    QCOMPARE(pose_lines, 1);
    QVERIFY2(!contains(out, "micro-pose.seed-1 "), out.c_str());  // not listed apart
    QCOMPARE(run_pose({"runs", "--store", store, "--json"}, &out), 0);
    const json rows = json::parse(out);
    int spread_rows = 0;
    for (const auto& r : rows) {
      if (r["run"] != "pose-linear") continue;
      ++spread_rows;
      const auto& s = r["seed_spread"];
      QCOMPARE(s["n"].get<int>(), 2);
      QCOMPARE(s["seeds"], json({1234, 1}));
      const auto& ppl = s["ppl_at_lt"];
      QCOMPARE(ppl["n"].get<int>(), 2);
      QVERIFY(ppl["min"].get<double>() <= ppl["mean"].get<double>() && ppl["mean"].get<double>() <= ppl["max"].get<double>());
      QVERIFY(ppl["min"].get<double>() == r["ppl_at_lt"].get<double>() || ppl["max"].get<double>() == r["ppl_at_lt"].get<double>());
    }
    QCOMPARE(spread_rows, 2);

    // The report: the spread in its tables, the seeds named.
    const std::string html = d + "/report.html";
    QCOMPARE(run_pose({"report", "--store", store, "--experiment", "micro-pose", "--out", html}), 0);
    std::ifstream f(html);
    std::stringstream text;
    text << f.rdbuf();
    QVERIFY2(contains(text.str(), "ran with 2 seeds (1234, 1; experiments micro-pose, micro-pose.seed-1)"),
             "report names no seeds");
    QVERIFY2(contains(text.str(), "mean of 2 seeds"), "report's claims not judged over the seeds");
  }
};

QTEST_APPLESS_MAIN(TestReplicatesCli)
#include "test_replicates_cli.moc"
