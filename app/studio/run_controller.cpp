// LibTorch before Qt: Qt's `slots` macro breaks torch headers.
#include "experiment/replicates.h"
#include "experiment/runner.h"

#include "run_controller.h"

#include "gui_advice.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QThread>
#include <QTimer>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "experiment/experiment_spec.h"

namespace pose::studio {

struct RunController::Event {
  enum class Kind { ExperimentStarted, RunStarted, Step, Checkpoint, Eval, Periodic, RunFinished, Log } kind = Kind::Log;
  StepSample step;
  QString a, b, c;
  qint64 n = 0;
  widgets::PeriodicPoint periodic;
};

// Called on the worker thread: queue and return.
class RunController::Observer : public experiment::ExperimentObserver {
 public:
  explicit Observer(RunController& owner) : owner_(owner) {}
  void push(Event e) {
    std::lock_guard<std::mutex> lock(owner_.mutex_);
    owner_.pending_.push_back(std::move(e));
  }
  void on_run_started(const std::string& run, const std::string& kind) override {
    push({Event::Kind::RunStarted, {}, QString::fromStdString(run), QString::fromStdString(kind), {}, 0, {}});
  }
  void on_run_finished(const std::string& run, const std::string& status, const std::string& message) override {
    push({Event::Kind::RunFinished, {}, QString::fromStdString(run), QString::fromStdString(status),
          QString::fromStdString(message), 0, {}});
  }
  void on_eval_result(const std::string& run, const std::string& kind, const nlohmann::json& results) override {
    push({Event::Kind::Eval, {}, QString::fromStdString(run), QString::fromStdString(kind),
          QString::fromStdString(results.dump()), 0, {}});
  }
  void on_periodic_eval(const experiment::PeriodicEvalEvent& e) override {
    Event event{Event::Kind::Periodic, {}, QString::fromStdString(e.run), {}, {}, e.total_steps, {}};
    event.periodic.step = static_cast<double>(e.step);
    for (const auto& [length, ppl] : e.perplexity) event.periodic.perplexity.push_back(QPointF(static_cast<double>(length), ppl));
    if (e.passkey_mean) event.periodic.passkey = *e.passkey_mean;
    if (e.attention_beyond) event.periodic.attentionBeyond = *e.attention_beyond;
    push(std::move(event));
  }
  void on_step(const train::StepEvent& e) override {
    StepSample s;
    s.run = QString::fromStdString(e.run);
    s.step = e.step;
    s.totalSteps = e.total_steps;
    s.tokens = e.tokens;
    s.loss = e.loss;
    s.lr = e.lr;
    s.gradNorm = e.grad_norm;
    s.tokensPerS = e.tokens_per_s;
    s.memoryMb = e.memory_mb;
    s.elapsedS = e.elapsed_s;
    s.etaS = e.eta_s;
    s.worldSize = e.world_size;
    s.rankTokensPerS = QVector<double>(e.rank_tokens_per_s.begin(), e.rank_tokens_per_s.end());
    s.slowestRank = e.slowest_rank;
    push({Event::Kind::Step, s, {}, {}, {}, 0, {}});
  }
  void on_checkpoint(const std::string& run, int64_t step, const std::string& /*path*/) override {
    push({Event::Kind::Checkpoint, {}, QString::fromStdString(run), {}, {}, step, {}});
  }
  void on_log(const std::string& line) override {
    push({Event::Kind::Log, {}, QString::fromStdString(line), {}, {}, 0, {}});
  }

 private:
  RunController& owner_;
};

RunController::RunController(QObject* parent) : QObject(parent) {
  qRegisterMetaType<pose::studio::StepSample>();
  qRegisterMetaType<QVector<pose::studio::StepSample>>();
  qRegisterMetaType<pose::widgets::PeriodicPoint>();
  drainTimer_ = new QTimer(this);
  drainTimer_->setInterval(coalesceMs_);
  connect(drainTimer_, &QTimer::timeout, this, &RunController::drain);
}

RunController::~RunController() {
  if (thread_) {
    control_->request_cancel();
    thread_->quit();
    thread_->wait();
  }
}

void RunController::setCoalesceInterval(int ms) {
  coalesceMs_ = std::max(1, ms);
  drainTimer_->setInterval(coalesceMs_);
}

bool RunController::isPaused() const { return control_ && control_->paused(); }

bool RunController::start(const RunRequest& request, QString* error) {
  if (thread_) {
    if (error) *error = tr("An experiment is already running; stop it first.");
    return false;
  }
  experiment::ExperimentSpec spec;
  experiment::RunnerOptions options;
  // The spec, then a replicate per seed of its replicate_seeds (experiment/replicates.h).
  std::vector<experiment::ExperimentSpec> experiments;
  std::optional<std::filesystem::path> workDir;
  try {
    spec = experiment::load_experiment_spec(request.specPath.toStdString(), request.preset.toStdString());
    experiments = experiment::replicate_experiments(spec);
    options.store_file = request.storeFile.isEmpty() ? experiment::default_store_file()
                                                     : std::filesystem::path(request.storeFile.toStdString());
    if (!request.workDir.isEmpty()) workDir = std::filesystem::path(request.workDir.toStdString());
    options.work_dir = experiment::replicate_work_dir(spec, workDir);
    options.device = experiment::parse_device(request.device.toStdString());
    for (const auto& name : request.onlyRuns) {
      bool known = false;
      for (const auto& r : spec.extend) known = known || r.name == name.toStdString();
      if (!known) throw UserError("no extension run named '" + name.toStdString() + "'", "use the names in extend[]");
      options.only_runs.push_back(name.toStdString());
    }
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
  options.resume = request.resume;
  control_ = std::make_unique<train::RunControl>();
  observer_ = std::make_unique<Observer>(*this);
  options.control = control_.get();
  options.observer = observer_.get();
  experimentName_ = QString::fromStdString(spec.name);
  storeFile_ = QString::fromStdString(options.store_file.string());

  thread_ = new QThread(this);
  thread_->setObjectName(QStringLiteral("pose-run"));
  auto* worker = new QObject;  // the worker object: lives on the thread, runs the experiment there
  worker->moveToThread(thread_);
  connect(thread_, &QThread::finished, worker, &QObject::deleteLater);
  observer_->push({Event::Kind::ExperimentStarted, {}, experimentName_, storeFile_, {}, 0, {}});
  thread_->start();
  drainTimer_->start();
  QMetaObject::invokeMethod(worker, [this, experiments = std::move(experiments), options, workDir]() {
    bool ok = true;
    QString message;
    try {
      // Every seed in turn, as `pose run` does; a cancel stops them all.
      experiment::RunnerSummary summary;
      for (const auto& e : experiments) {
        if (&e != &experiments.front()) {
          observer_->push({Event::Kind::ExperimentStarted, {}, QString::fromStdString(e.name), storeFile_, {}, 0, {}});
        }
        experiment::RunnerOptions o = options;
        o.work_dir = experiment::replicate_work_dir(e, workDir);
        const auto part = experiment::run_experiment(e, o);
        const std::string prefix = experiments.size() > 1 ? e.name + "/" : "";
        for (const auto& r : part.done) summary.done.push_back(prefix + r);
        for (const auto& r : part.skipped) summary.skipped.push_back(prefix + r);
        for (const auto& r : part.failed) summary.failed.push_back(prefix + r);
        summary.wall_s += part.wall_s;
        summary.cancelled = part.cancelled;
        if (part.cancelled) break;
      }
      ok = !summary.cancelled && summary.failed.empty();
      if (summary.cancelled) {
        message = tr("cancelled; %1 continues").arg(gui_resume_advice());
      } else if (!summary.failed.empty()) {
        QStringList failed;
        for (const auto& f : summary.failed) failed << QString::fromStdString(f);
        message = tr("failed runs: %1").arg(failed.join(QStringLiteral(", ")));
      } else {
        message = tr("%1 done, %2 skipped in %3 s")
                      .arg(summary.done.size())
                      .arg(summary.skipped.size())
                      .arg(summary.wall_s, 0, 'f', 1);
      }
    } catch (const std::exception& e) {
      ok = false;
      message = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(this, [this, ok, message]() { workerDone(ok, message); }, Qt::QueuedConnection);
  });
  return true;
}

void RunController::pause() {
  if (!control_ || !thread_ || control_->paused()) return;
  control_->set_paused(true);
  emit pausedChanged(true);
}

void RunController::resume() {
  if (!control_ || !thread_ || !control_->paused()) return;
  control_->set_paused(false);
  emit pausedChanged(false);
}

void RunController::stop() {
  if (control_ && thread_) control_->request_cancel();
}

bool RunController::waitForFinished(int timeoutMs) {
  QDeadlineTimer deadline(timeoutMs);
  while (thread_ && !deadline.hasExpired()) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QThread::msleep(5);
  }
  return thread_ == nullptr;
}

void RunController::drain() {
  std::vector<Event> events;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    events.swap(pending_);
  }
  QVector<StepSample> steps;
  const auto flushSteps = [&] {
    if (!steps.isEmpty()) emit stepsArrived(steps);
    steps.clear();
  };
  for (auto& e : events) {
    if (e.kind == Event::Kind::Step) {
      steps.push_back(std::move(e.step));
      continue;
    }
    flushSteps();
    switch (e.kind) {
      case Event::Kind::ExperimentStarted: emit experimentStarted(e.a, e.b); break;
      case Event::Kind::RunStarted: emit runStarted(e.a, e.b); break;
      case Event::Kind::Checkpoint: emit checkpointWritten(e.a, e.n); break;
      case Event::Kind::Eval: emit evalResult(e.a, e.b, e.c); break;
      case Event::Kind::Periodic: emit periodicEvalArrived(e.a, e.n, e.periodic); break;
      case Event::Kind::RunFinished: emit runFinished(e.a, e.b, e.c); break;
      case Event::Kind::Log: emit logLine(e.a); break;
      case Event::Kind::Step: break;
    }
  }
  flushSteps();
}

void RunController::workerDone(bool ok, const QString& message) {
  thread_->quit();
  thread_->wait();
  thread_->deleteLater();
  thread_ = nullptr;
  drainTimer_->stop();
  drain();  // whatever the worker queued last
  if (control_ && control_->paused()) emit pausedChanged(false);
  control_.reset();
  observer_.reset();
  emit finished(ok, message);
}

}  // namespace pose::studio
