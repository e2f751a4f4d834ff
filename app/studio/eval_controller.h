// Runs `pose eval` suites (experiment::run_evaluations) for the workbench on a
// worker thread, one request at a time, and reports the outcome on the GUI
// thread. Results go to the store like the CLI's; the Evaluate workspace
// re-reads them when `finished` arrives.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

class QThread;

namespace pose::studio {

struct EvalLaunch {
  QString storeFile;
  QString run;            // "experiment/run"
  QStringList suites;     // names of registered suites: ppl, passkey, kv, probe, attention, ruler
  QString lengths;        // "256,512" (empty: the run's own)
  QString ropes;          // "none,dynamic:8" (empty: the model's own)
  int trials = 0;         // 0: the run's own
  // probe (all three needed when suites has "probe")
  QString probeDocument;  // a UTF-8 text file
  QString probeQuestion, probeAnswer;
  // ruler: "niah_single_1,vt" as `pose eval --tasks` takes it (empty or "all": every task)
  QString rulerTasks;
};

// What the launch bar offers, from the engine's registries as plain data, so
// the workspace needs no engine header: the evaluation suites
// (experiment::eval_suites(), in the order they run) and RULER's tasks
// (eval::ruler_tasks(), in RULER's order). Descriptions are the engine's own
// English one-liners.
struct SuiteChoice {
  QString name;         // `pose eval --suite NAME`
  QString kind;         // the store's kind of its records
  QString description;
};
QVector<SuiteChoice> eval_suite_choices();

struct RulerTaskChoice {
  QString name;         // RULER's name: niah_single_1, ..., vt, cwe, fwe
  QString description;
  bool usesDepth = false;
};
QVector<RulerTaskChoice> ruler_task_choices();

class EvalController : public QObject {
  Q_OBJECT
 public:
  explicit EvalController(QObject* parent = nullptr);
  ~EvalController() override;

  // False with *error when one is running or the request is malformed.
  bool start(const EvalLaunch& launch, QString* error = nullptr);
  bool isRunning() const { return thread_ != nullptr; }
  bool waitForFinished(int timeoutMs);

 signals:
  void progress(const QString& line);
  void finished(bool ok, const QString& message);

 private:
  QThread* thread_ = nullptr;
};

}  // namespace pose::studio
