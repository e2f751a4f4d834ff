// RunController: the quick preset runs on the worker thread while the GUI
// thread keeps turning its event loop; steps arrive batched and in order and
// equal what the store recorded; pause holds the trainer between steps; stop
// leaves a cancelled (not "running") run and an intact store, and resume
// finishes it.
#include <QtTest>

#include <QElapsedTimer>
#include <QSignalSpy>

#include <cmath>
#include <QTemporaryDir>
#include <QTimer>

#include <map>

#include "gui_advice.h"
#include "run_controller.h"
#include "common/json_file.h"
#include "results/metric_names.h"
#include "store/experiment_store.h"

using pose::studio::RunController;
using pose::studio::RunRequest;
using pose::studio::StepSample;

namespace {

const QString kSpec = QStringLiteral(POSE_SOURCE_DIR "/experiments/micro-pose.json");

// Largest delay of a 10 ms timer on the GUI thread: how long the event loop was
// kept from running.
class LatencyProbe : public QObject {
 public:
  LatencyProbe() {
    timer_.setInterval(10);
    connect(&timer_, &QTimer::timeout, this, [this] {
      const qint64 now = clock_.elapsed();
      if (last_ >= 0) worst_ = std::max(worst_, now - last_ - 10);
      last_ = now;
    });
    clock_.start();
    timer_.start();
  }
  qint64 worstMs() const { return worst_; }

 private:
  QTimer timer_;
  QElapsedTimer clock_;
  qint64 last_ = -1, worst_ = 0;
};

RunRequest quick(const QTemporaryDir& dir, const QString& store) {
  RunRequest r;
  r.specPath = kSpec;
  r.preset = QStringLiteral("quick");
  r.storeFile = dir.filePath(store);
  r.workDir = dir.filePath(QStringLiteral("work"));
  r.onlyRuns = {QStringLiteral("pose-linear")};
  return r;
}

}  // namespace

class TestRunController : public QObject {
  Q_OBJECT
 private slots:
  void quickPresetStreamsEveryStepInOrder() {
    QTemporaryDir dir;
    RunController c;
    c.setCoalesceInterval(3000);  // several steps per batch even on a slow machine
    QSignalSpy batches(&c, &RunController::stepsArrived);
    QSignalSpy evals(&c, &RunController::evalResult);
    QSignalSpy runsDone(&c, &RunController::runFinished);
    QSignalSpy finished(&c, &RunController::finished);
    QSignalSpy periodic(&c, &RunController::periodicEvalArrived);
    std::map<QString, QVector<StepSample>> steps;
    connect(&c, &RunController::stepsArrived, this, [&](const QVector<StepSample>& batch) {
      for (const auto& s : batch) steps[s.run].push_back(s);
    });
    LatencyProbe probe;
    QString error;
    QVERIFY2(c.start(quick(dir, "store.sqlite"), &error), qPrintable(error));
    QVERIFY(c.isRunning());
    QVERIFY(!c.start(quick(dir, "other.sqlite"), &error));  // one experiment at a time
    QVERIFY(c.waitForFinished(600000));
    QCOMPARE(finished.count(), 1);
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
    qInfo("GUI thread: worst event-loop delay during the run %lld ms", probe.worstMs());
    // Training runs on the worker: the GUI thread never waits for a step or a stage.
    QVERIFY2(probe.worstMs() < 500, qPrintable(QString::number(probe.worstMs())));

    // Every step once, in order; fewer batches than steps (coalesced).
    QCOMPARE(steps["base"].size(), 30);
    QCOMPARE(steps["pose-linear"].size(), 4);
    for (const auto& [run, list] : steps) {
      for (int i = 0; i < list.size(); ++i) QCOMPARE(list[i].step, qint64(i + 1));
    }
    // One process: one rank, its tokens/s the step's, and it is the slowest.
    const StepSample& one = steps["pose-linear"].back();
    QCOMPARE(one.worldSize, 1);
    QCOMPARE(one.rankTokensPerS.size(), 1);
    QVERIFY(one.rankTokensPerS[0] > 0);
    QCOMPARE(one.slowestRank, 0);
    // Coalesced: steps that arrive within one drain interval come as one batch
    // (a run-level event in between, e.g. a periodic evaluation, closes a batch).
    int largest = 0;
    for (const auto& b : batches) largest = std::max(largest, int(b.at(0).value<QVector<StepSample>>().size()));
    QVERIFY2(largest > 1, qPrintable(QStringLiteral("%1 batches, largest %2").arg(batches.count()).arg(largest)));
    QStringList kinds;
    for (const auto& e : evals) kinds << e.at(1).toString();
    QCOMPARE(kinds, (QStringList{"perplexity", "passkey", "kv", "attention", "ruler"}));  // the registry's order
    QCOMPARE(runsDone.count(), 3);  // data, base, pose-linear
    // Evaluations during training (the quick preset: every 2 of 4 steps), with what they measured.
    QVector<double> periodicSteps;
    for (const auto& e : periodic) {
      QCOMPARE(e.at(0).toString(), QStringLiteral("pose-linear"));
      QCOMPARE(e.at(1).toLongLong(), qint64(4));
      const auto point = e.at(2).value<pose::widgets::PeriodicPoint>();
      periodicSteps << point.step;
      QCOMPARE(point.perplexity.size(), 2);  // 256 and 2048
      QCOMPARE(point.perplexity[1].x(), 2048.0);
      QVERIFY(point.perplexity[1].y() > 1.0);
      QVERIFY(std::isfinite(point.passkey) && std::isfinite(point.attentionBeyond));
    }
    QCOMPARE(periodicSteps, (QVector<double>{0, 2, 4}));

    // The store holds what was streamed.
    auto st = pose::store::ExperimentStore::open(dir.filePath("store.sqlite").toStdString(),
                                                 pose::store::ExperimentStore::Mode::ReadOnly);
    const auto e = st.find_experiment("micro-pose");
    QVERIFY(e.has_value());
    const auto base = st.find_run(e->id, "base");
    QCOMPARE(base->status, pose::store::RunStatus::Done);
    const auto losses = st.metric_series(base->id, "train/loss");
    QCOMPARE(int(losses.size()), 30);
    for (int i = 0; i < 30; ++i) QCOMPARE(losses[static_cast<std::size_t>(i)].value, steps["base"][i].loss);
    QCOMPARE(QString::fromStdString(st.integrity_check()), QStringLiteral("ok"));
  }

  // replicate_seeds: Start runs the spec and then each replicate, as `pose
  // run` does, each stored as its own experiment with its files beside the
  // work directory.
  void replicateSeedsRunEveryExperiment() {
    QTemporaryDir dir;
    nlohmann::json spec = pose::read_json_file(kSpec.toStdString());
    spec["replicate_seeds"] = {7};
    const QString specPath = dir.filePath(QStringLiteral("spec.json"));
    pose::write_json_file(specPath.toStdString(), spec);
    RunRequest r = quick(dir, QStringLiteral("store.sqlite"));
    r.specPath = specPath;
    r.onlyRuns = {QStringLiteral("no-finetune")};
    RunController c;
    QSignalSpy started(&c, &RunController::experimentStarted);
    QSignalSpy finished(&c, &RunController::finished);
    QString error;
    QVERIFY2(c.start(r, &error), qPrintable(error));
    QVERIFY(c.waitForFinished(600000));
    QCOMPARE(finished.count(), 1);
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
    QCOMPARE(started.count(), 2);
    QCOMPARE(started.at(1).at(0).toString(), QStringLiteral("micro-pose.seed-7"));
    auto st = pose::store::ExperimentStore::open(dir.filePath("store.sqlite").toStdString(),
                                                 pose::store::ExperimentStore::Mode::ReadOnly);
    std::vector<double> base_losses;
    for (const std::string name : {"micro-pose", "micro-pose.seed-7"}) {
      const auto e = st.find_experiment(name);
      QVERIFY2(e.has_value(), name.c_str());
      const auto base = st.find_run(e->id, "base");
      QVERIFY(base.has_value());
      QCOMPARE(base->status, pose::store::RunStatus::Done);
      base_losses.push_back(st.metric_series(base->id, pose::results::kTrainLoss).front().value);
    }
    QVERIFY(base_losses[0] != base_losses[1]);  // another seed, another initialisation
    QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("work.seed-7"))));
  }

  void pauseHoldsStopCancelsAndResumeFinishes() {
    QTemporaryDir dir;
    RunController c;
    c.setCoalesceInterval(20);
    QVector<StepSample> base;
    connect(&c, &RunController::stepsArrived, this, [&](const QVector<StepSample>& batch) {
      for (const auto& s : batch)
        if (s.run == "base") base.push_back(s);
    });
    QSignalSpy finished(&c, &RunController::finished);
    QVERIFY(c.start(quick(dir, "store.sqlite")));
    QTRY_VERIFY_WITH_TIMEOUT(!base.isEmpty(), 300000);

    QStringList logLines;
    connect(&c, &RunController::logLine, this, [&](const QString& line) { logLines << line; });
    c.pause();
    QVERIFY(c.isPaused());
    // The step under way finishes, then the trainer says it waits; events keep
    // their order, so every step before the pause has arrived by then.
    QTRY_VERIFY_WITH_TIMEOUT(logLines.filter("paused at step").size() == 1, 60000);
    const int held = base.size();
    QTest::qWait(600);
    QCOMPARE(base.size(), held);  // no step while paused
    c.resume();
    QTRY_VERIFY_WITH_TIMEOUT(base.size() > held, 60000);

    c.stop();
    QVERIFY(c.waitForFinished(120000));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    // The workbench's own way to continue, not the command line's.
    const QString said = finished.at(0).at(1).toString();
    QVERIFY2(said.startsWith("cancelled; ") && said.contains(pose::studio::gui_resume_advice()) && !said.contains("--"),
             qPrintable(said));
    const qint64 reached = base.last().step;
    QVERIFY(reached < 30);
    {
      auto st = pose::store::ExperimentStore::open(dir.filePath("store.sqlite").toStdString(),
                                                   pose::store::ExperimentStore::Mode::ReadOnly);
      const auto e = st.find_experiment("micro-pose");
      const auto run = st.find_run(e->id, "base");
      QCOMPARE(run->status, pose::store::RunStatus::Cancelled);  // never left "running"
      QCOMPARE(int(st.metric_series(run->id, "train/loss").size()), int(reached));
      QCOMPARE(QString::fromStdString(st.integrity_check()), QStringLiteral("ok"));
    }

    // Resume continues from the checkpoint and completes.
    base.clear();
    RunRequest again = quick(dir, "store.sqlite");
    again.resume = true;
    QVERIFY(c.start(again));
    QVERIFY(c.waitForFinished(600000));
    QCOMPARE(finished.count(), 2);
    QVERIFY2(finished.at(1).at(0).toBool(), qPrintable(finished.at(1).at(1).toString()));
    QVERIFY(!base.isEmpty());
    QCOMPARE(base.last().step, qint64(30));
    QVERIFY(base.first().step > 1);  // continued, not restarted
  }

  void badSpecIsRefusedWithItsMessage() {
    RunController c;
    RunRequest r;
    r.specPath = QStringLiteral("/nonexistent/spec.json");
    QString error;
    QVERIFY(!c.start(r, &error));
    QVERIFY2(error.contains("spec.json"), qPrintable(error));
    QVERIFY(!c.isRunning());
  }
};

QTEST_MAIN(TestRunController)
#include "test_run_controller.moc"
