// Runs an experiment on a worker thread for the workbench, and turns the
// engine's callbacks into Qt signals on the GUI thread.
//
// Worker-object pattern: a RunWorker lives in its own QThread and calls
// experiment::run_experiment(); its observer (called on the worker thread)
// appends events to a queue under a mutex and returns at once, so training
// never waits for the GUI. A GUI-thread timer drains the queue every
// `coalesceMs` (default 50) and emits one stepsArrived() per drain with every
// step since the last one — however fast the steps come, the GUI handles at
// most ~20 batches a second. Run-level events (started, finished, evaluation
// results, log lines) keep their order relative to the steps.
//
// Pause, resume and stop go through train::RunControl, which the trainer polls
// between optimizer steps: stop writes a checkpoint and leaves the run
// "cancelled" in the store (resumable with `resume`).
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>
#include <mutex>
#include <vector>

#include "live_eval_view.h"
#include "train/train_events.h"

class QThread;
class QTimer;

namespace pose::studio {

struct RunRequest {
  QString specPath;      // the experiment spec (JSON)
  QString preset;        // empty: none
  QString storeFile;     // empty: the default store
  QString workDir;       // empty: the experiment's default work directory
  QString device = QStringLiteral("cpu");
  bool resume = false;
  QStringList onlyRuns;  // extension runs to run (empty: all)
};

struct StepSample {
  QString run;
  qint64 step = 0, totalSteps = 0, tokens = 0;
  double loss = 0, lr = 0, gradNorm = 0, tokensPerS = 0, memoryMb = 0, elapsedS = 0, etaS = 0;
  // Data parallelism (train::StepEvent): the ranks, each rank's tokens/s over
  // its share of the step, and the slowest of them; tokensPerS counts them all.
  int worldSize = 1;
  QVector<double> rankTokensPerS;
  int slowestRank = 0;
};

class RunController : public QObject {
  Q_OBJECT
 public:
  explicit RunController(QObject* parent = nullptr);
  ~RunController() override;  // stops a running experiment and waits for the worker

  // Starts the experiment on the worker thread. False (with *error) when a run
  // is already going or the spec cannot be read; nothing is started then.
  bool start(const RunRequest& request, QString* error = nullptr);
  void pause();
  void resume();
  void stop();
  bool isRunning() const { return thread_ != nullptr; }
  bool isPaused() const;
  // Blocks (processing events) until the worker finished or timeoutMs passed.
  bool waitForFinished(int timeoutMs);

  void setCoalesceInterval(int ms);
  int coalesceInterval() const { return coalesceMs_; }
  QString experimentName() const { return experimentName_; }
  QString storeFile() const { return storeFile_; }

 signals:
  void experimentStarted(const QString& experiment, const QString& storeFile);
  void runStarted(const QString& run, const QString& kind);
  void stepsArrived(const QVector<pose::studio::StepSample>& steps);
  void checkpointWritten(const QString& run, qint64 step);
  void evalResult(const QString& run, const QString& kind, const QString& resultsJson);
  // A periodic evaluation during training (evaluation.periodic) was stored.
  // totalSteps 0: the run does not train.
  void periodicEvalArrived(const QString& run, qint64 totalSteps, const pose::widgets::PeriodicPoint& point);
  void runFinished(const QString& run, const QString& status, const QString& message);
  void logLine(const QString& line);
  void pausedChanged(bool paused);
  // The whole experiment: ok false when it stopped on an error (message) or was cancelled.
  void finished(bool ok, const QString& message);

 private:
  struct Event;
  class Observer;
  void drain();
  void workerDone(bool ok, const QString& message);

  QThread* thread_ = nullptr;
  QTimer* drainTimer_ = nullptr;
  int coalesceMs_ = 50;
  std::unique_ptr<train::RunControl> control_;
  std::unique_ptr<Observer> observer_;
  std::mutex mutex_;
  std::vector<Event> pending_;  // guarded by mutex_
  QString experimentName_, storeFile_;
};

}  // namespace pose::studio

Q_DECLARE_METATYPE(pose::studio::StepSample)
Q_DECLARE_METATYPE(pose::widgets::PeriodicPoint)
