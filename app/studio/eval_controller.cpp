// LibTorch before Qt: Qt's `slots` macro breaks torch headers.
#include "eval/ruler_tasks.h"
#include "experiment/eval_suite.h"
#include "experiment/evaluation.h"

#include "eval_controller.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QThread>

#include "common/error.h"

namespace pose::studio {

namespace {

std::vector<int64_t> parse_lengths(const QString& text) {
  std::vector<int64_t> out;
  for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
    bool ok = false;
    const qint64 v = part.trimmed().toLongLong(&ok);
    if (!ok || v < 2) {
      throw UserError("lengths: '" + part.trimmed().toStdString() + "' is not a whole number >= 2",
                      "write lengths like 256,512,2048");
    }
    out.push_back(v);
  }
  return out;
}

// The probe's document, question and answer, as `pose eval --probe-*` takes them.
eval::ProbeSettings probe_settings(const EvalLaunch& launch) {
  if (launch.probeDocument.isEmpty() || launch.probeQuestion.trimmed().isEmpty() ||
      launch.probeAnswer.trimmed().isEmpty()) {
    throw UserError("the probe needs a document, a question and the expected answer",
                    "fill in the three probe fields, or untick probe");
  }
  QFile file(launch.probeDocument);
  if (!file.open(QIODevice::ReadOnly)) {
    throw UserError("probe document " + launch.probeDocument.toStdString() + " cannot be read (" +
                        file.errorString().toStdString() + ")",
                    "choose a readable text file");
  }
  eval::ProbeSettings p;
  p.document = file.readAll().toStdString();
  p.source = QFileInfo(launch.probeDocument).fileName().toStdString();
  p.question = launch.probeQuestion.toStdString();
  p.answer = launch.probeAnswer.toStdString();
  return p;
}

}  // namespace

QVector<SuiteChoice> eval_suite_choices() {
  QVector<SuiteChoice> out;
  for (const auto* suite : experiment::eval_suites()) {
    const auto& info = suite->info();
    out.push_back({QString::fromStdString(info.name), QString::fromStdString(info.kind),
                   QString::fromStdString(info.description)});
  }
  return out;
}

QVector<RulerTaskChoice> ruler_task_choices() {
  QVector<RulerTaskChoice> out;
  for (const auto& task : eval::ruler_tasks()) {
    out.push_back({QString::fromStdString(task.name), QString::fromStdString(task.description), task.uses_depth});
  }
  return out;
}

EvalController::EvalController(QObject* parent) : QObject(parent) {}

EvalController::~EvalController() {
  if (thread_) {
    thread_->quit();
    thread_->wait();
  }
}

bool EvalController::start(const EvalLaunch& launch, QString* error) {
  if (thread_) {
    if (error) *error = tr("An evaluation is already running.");
    return false;
  }
  experiment::EvalRequest r;
  try {
    r.run = launch.run.toStdString();
    r.suites = experiment::parse_eval_suites(launch.suites.join(QLatin1Char(',')).toStdString());
    if (r.suites.empty()) throw UserError("no suite chosen", "tick at least one suite");
    r.lengths = parse_lengths(launch.lengths);
    if (!launch.ropes.trimmed().isEmpty()) r.ropes = eval::parse_rope_overrides(launch.ropes.trimmed().toStdString());
    if (launch.trials > 0) r.trials = launch.trials;
    if (r.suites.count("probe") > 0) r.probe = probe_settings(launch);
    // Checked here, with a did-you-mean for a misspelt task, before anything starts.
    if (r.suites.count("ruler") > 0) r.ruler_tasks = eval::parse_ruler_tasks(launch.rulerTasks.trimmed().toStdString());
    r.store_file = launch.storeFile.toStdString();
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
  QPointer<EvalController> self(this);
  r.log = [self](const std::string& line) {
    const QString text = QString::fromStdString(line);
    QMetaObject::invokeMethod(
        self, [self, text] { if (self) emit self->progress(text); }, Qt::QueuedConnection);
  };
  thread_ = new QThread(this);
  thread_->setObjectName(QStringLiteral("pose-eval"));
  auto* worker = new QObject;  // lives on the thread and runs the suites there
  worker->moveToThread(thread_);
  connect(thread_, &QThread::finished, worker, &QObject::deleteLater);
  thread_->start();
  QMetaObject::invokeMethod(worker, [this, r]() {
    bool ok = true;
    QString message;
    try {
      const auto report = experiment::run_evaluations(r);
      message = tr("%1 evaluations stored").arg(report.evaluations.size());
    } catch (const std::exception& e) {
      ok = false;
      message = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(
        this,
        [this, ok, message]() {
          thread_->quit();
          thread_->wait();
          thread_->deleteLater();
          thread_ = nullptr;
          emit finished(ok, message);
        },
        Qt::QueuedConnection);
  });
  return true;
}

bool EvalController::waitForFinished(int timeoutMs) {
  QDeadlineTimer deadline(timeoutMs);
  while (thread_ && !deadline.hasExpired()) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QThread::msleep(5);
  }
  return thread_ == nullptr;
}

}  // namespace pose::studio
