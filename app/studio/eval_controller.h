// Runs `pose eval` suites (experiment::run_evaluations) for the workbench on a
// worker thread, one request at a time, and reports the outcome on the GUI
// thread. Results go to the store like the CLI's; the Evaluate workspace
// re-reads them when `finished` arrives.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

class QThread;

namespace pose::studio {

struct EvalLaunch {
  QString storeFile;
  QString run;            // "experiment/run"
  QStringList suites;     // ppl, passkey, kv, probe, attention
  QString lengths;        // "256,512" (empty: the run's own)
  QString ropes;          // "none,dynamic:8" (empty: the model's own)
  int trials = 0;         // 0: the run's own
  // probe (all three needed when suites has "probe")
  QString probeDocument;  // a UTF-8 text file
  QString probeQuestion, probeAnswer;
};

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
