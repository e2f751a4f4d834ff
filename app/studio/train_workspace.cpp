#include "train_workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QVBoxLayout>

#include <map>

#include "flow_layout.h"
#include "gui_advice.h"
#include "live_eval_view.h"
#include "results/metric_names.h"
#include "results/run_summary.h"
#include "run_colors.h"
#include "store_reader.h"
#include "training_curves_view.h"

namespace pose::studio {

namespace {

QString duration(double seconds) {
  const auto s = static_cast<qint64>(seconds + 0.5);
  if (s >= 3600) return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
  if (s >= 60) return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
  return QStringLiteral("%1 s").arg(s);
}

}  // namespace

TrainWorkspace::TrainWorkspace(RunController* controller, QWidget* parent)
    : QWidget(parent), controller_(controller) {
  auto* layout = new QVBoxLayout(this);
  // The run controls first, then the choices; on a narrow window the bar
  // wraps onto a second line instead of widening the workspace.
  auto* bar = new pose::widgets::FlowLayout;
  // A label and its field stay together when the bar wraps.
  const auto labelled = [this](const QString& label, QWidget* field) {
    auto* pair = new QWidget(this);
    auto* h = new QHBoxLayout(pair);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(new QLabel(label, pair));
    h->addWidget(field);
    return pair;
  };
  preset_ = new QComboBox(this);
  preset_->setObjectName(QStringLiteral("presetCombo"));
  preset_->addItem(tr("Full experiment"), QString());
  preset_->addItem(tr("Quick (smoke test)"), QStringLiteral("quick"));
  resume_ = new QCheckBox(tr("Resume finished and interrupted runs"), this);
  resume_->setObjectName(QStringLiteral("resumeCheck"));
  resume_->setChecked(true);
  resume_->setToolTip(tr("Skip runs already done with the same settings and continue an interrupted run "
                         "from its last checkpoint; unchecked, every run starts again."));
  filter_ = new QComboBox(this);
  filter_->setObjectName(QStringLiteral("runFilterCombo"));
  filter_->addItem(tr("Extension runs"), static_cast<int>(RunFilter::Extensions));
  filter_->addItem(tr("Base model"), static_cast<int>(RunFilter::Base));
  filter_->addItem(tr("All runs"), static_cast<int>(RunFilter::All));
  startButton_ = new QPushButton(tr("Start"), this);
  startButton_->setObjectName(QStringLiteral("startButton"));
  pauseButton_ = new QPushButton(tr("Pause"), this);
  pauseButton_->setObjectName(QStringLiteral("pauseButton"));
  stopButton_ = new QPushButton(tr("Stop"), this);
  stopButton_->setObjectName(QStringLiteral("stopButton"));
  stopButton_->setToolTip(tr("Stop after the current step; a checkpoint is written and Resume continues."));
  bar->addWidget(startButton_);
  bar->addWidget(pauseButton_);
  bar->addWidget(stopButton_);
  bar->addSpacing(12);
  bar->addWidget(labelled(tr("Preset:"), preset_));
  bar->addWidget(resume_);
  bar->addSpacing(12);
  bar->addWidget(labelled(tr("Show:"), filter_));
  layout->addLayout(bar);

  auto* progressRow = new QHBoxLayout;
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  progress_->setFormat(tr("step %v / %m"));
  progress_->setTextVisible(false);
  status_ = new QLabel(tr("Idle"), this);
  status_->setObjectName(QStringLiteral("trainStatus"));
  // Room for a step line without jitter as its numbers change; a longer
  // message wraps rather than widening the workspace.
  status_->setMinimumWidth(220);
  status_->setWordWrap(true);
  progressRow->addWidget(progress_, 1);
  progressRow->addWidget(status_);
  layout->addLayout(progressRow);
  pausedBanner_ = new QLabel(this);
  pausedBanner_->setObjectName(QStringLiteral("pausedBanner"));
  pausedBanner_->setWordWrap(true);
  // The amber of a warning: readable on the light and the dark palette.
  pausedBanner_->setStyleSheet(QStringLiteral("QLabel { background: #f6c343; color: #222; font-weight: bold; "
                                              "padding: 6px; border-radius: 3px; }"));
  pausedBanner_->hide();
  layout->addWidget(pausedBanner_);

  auto* split = new QSplitter(Qt::Horizontal, this);
  // The curves, and over them the ranks of the runs they show that trained
  // data-parallel, in their colours (at the top: a short window scrolls the
  // bottom of the workspace out of view first).
  auto* curvesPane = new QWidget(split);
  auto* curvesLayout = new QVBoxLayout(curvesPane);
  curvesLayout->setContentsMargins(0, 0, 0, 0);
  curves_ = new pose::widgets::TrainingCurvesView(curvesPane);
  ranks_ = new QLabel(curvesPane);
  ranks_->setObjectName(QStringLiteral("trainRanks"));
  ranks_->setWordWrap(true);
  ranks_->setTextFormat(Qt::RichText);
  ranks_->setContentsMargins(4, 2, 4, 2);
  ranks_->setToolTip(tr("Runs trained by several processes (data parallelism). Tokens/s counts every rank together; "
                        "the slowest rank's tokens/s is over its forward and backward on its share of each step, "
                        "averaged over the run's steps (by step: the series \"Tokens/s, slowest rank\")."));
  ranks_->hide();
  curvesLayout->addWidget(ranks_);
  curvesLayout->addWidget(curves_, 1);
  liveEval_ = new pose::widgets::LiveEvalView(split);
  liveEval_->setObjectName(QStringLiteral("liveEval"));
  split->addWidget(curvesPane);
  split->addWidget(liveEval_);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  layout->addWidget(split, 1);

  connect(startButton_, &QPushButton::clicked, this, [this] {
    if (startHandler_) {
      startHandler_();
      return;
    }
    QString error;
    if (!start(&error)) status_->setText(tr("Cannot start: %1").arg(with_gui_advice(error)));
  });
  connect(pauseButton_, &QPushButton::clicked, this, [this] {
    controller_->isPaused() ? controller_->resume() : controller_->pause();
  });
  connect(stopButton_, &QPushButton::clicked, controller_, &RunController::stop);
  connect(controller_, &RunController::stepsArrived, this, &TrainWorkspace::onSteps);
  connect(controller_, &RunController::periodicEvalArrived, this, &TrainWorkspace::onPeriodic);
  connect(controller_, &RunController::pausedChanged, this, &TrainWorkspace::onPausedChanged);
  connect(filter_, &QComboBox::currentIndexChanged, this, [this] { reloadFromStore(); });
  connect(controller_, &RunController::runStarted, this, [this](const QString& run, const QString& kind) {
    status_->setText(tr("%1 (%2) started").arg(run, kind));
    if (runFilter() != RunFilter::All && kind != QLatin1String("data")) {
      setRunFilter(kind == QLatin1String("base") ? RunFilter::Base : RunFilter::Extensions);
    }
    reloadRun(run);
    emit runsChanged();
  });
  connect(controller_, &RunController::runFinished, this,
          [this](const QString& run, const QString& status, const QString& message) {
            status_->setText(message.isEmpty() ? tr("%1: %2").arg(run, status)
                                               : tr("%1: %2 — %3").arg(run, status, with_gui_advice(message)));
            emit runsChanged();
          });
  connect(controller_, &RunController::finished, this, [this](bool ok, const QString& message) {
    onPausedChanged(false);
    status_->setText(ok ? tr("Finished: %1").arg(message) : tr("Stopped: %1").arg(with_gui_advice(message)));
    updateButtons();
    reloadFromStore();
    emit runsChanged();
  });
  updateButtons();
}

void TrainWorkspace::setExperiment(const QString& specPath, const QString& name, const QStringList& runs) {
  specPath_ = specPath;
  experiment_ = name;
  runs_ = runs;
  reloadFromStore();
  updateButtons();
}

void TrainWorkspace::setStoreFile(const QString& file) {
  storeFile_ = file;
  reloadFromStore();
}

void TrainWorkspace::setRunFilter(RunFilter filter) {
  filter_->setCurrentIndex(filter_->findData(static_cast<int>(filter)));
}

TrainWorkspace::RunFilter TrainWorkspace::runFilter() const {
  return static_cast<RunFilter>(filter_->currentData().toInt());
}

bool TrainWorkspace::shown(const QString& run) const {
  const bool base = run == QLatin1String("base");
  switch (runFilter()) {
    case RunFilter::Extensions: return !base;
    case RunFilter::Base: return base;
    case RunFilter::All: return true;
  }
  return true;
}

int TrainWorkspace::colorIndex(const QString& run, int stored) const {
  const int i = static_cast<int>(runs_.indexOf(run));
  if (i >= 0) return i;
  // A stored experiment shown without its spec: the run's place in the store.
  if (stored >= 0) return stored;
  return storedColors_.value(run, static_cast<int>(runs_.size()));
}

void TrainWorkspace::reloadFromStore() {
  curves_->clear();
  liveEval_->clear();
  showRanks(nullptr);
  if (experiment_.isEmpty() || storeFile_.isEmpty()) return;
  std::optional<StoredExperiment> e;
  try {
    e = StoreReader(storeFile_).experiment(experiment_);
  } catch (const std::exception& ex) {
    status_->setText(tr("Cannot read the store: %1").arg(QString::fromStdString(ex.what())));
    return;
  }
  if (!e) return;
  showRanks(&*e);
  const StoreReader reader(storeFile_);
  liveEval_->setWindows(static_cast<double>(e->trainLen()), static_cast<double>(e->targetLen()));
  if (const auto reference = reader.originalPerplexity(*e, e->trainLen())) {
    liveEval_->setReference(*reference, tr("original at Lc"));
  }
  for (const auto& run : e->runs) {
    if (run.kind != QLatin1String("extend")) continue;
    const auto points = reader.periodicPoints(run.id);
    if (points.isEmpty()) continue;
    liveEval_->addRun(run.name, colorIndex(run.name, run.colorIndex), !results::run_trains(run.spec));
    liveEval_->setPoints(run.name, points);
  }
  for (const auto& run : e->runs) {
    if (run.kind == QLatin1String("data") || !shown(run.name)) continue;
    const auto loss = reader.series(run.id, QString::fromLatin1(results::kTrainLoss));
    if (loss.isEmpty()) continue;  // evaluation-only runs have no curve
    curves_->addRun(run.name, colorIndex(run.name, run.colorIndex));
    for (const auto& series : pose::widgets::training_series_names()) {
      curves_->setSeries(run.name, series, reader.series(run.id, series));
    }
    const qint64 steps = run.spec.is_object() ? run.spec.value("steps", qint64(0)) : 0;
    if (steps > 0) curves_->setTotalSteps(run.name, static_cast<double>(steps));
  }
}

void TrainWorkspace::reloadRun(const QString& run) {
  curves_->removeRun(run);
  if (experiment_.isEmpty() || storeFile_.isEmpty()) return;
  try {
    const StoreReader reader(storeFile_);
    const auto e = reader.experiment(experiment_);
    if (!e) return;
    showRanks(&*e);  // the run before this one may have finished
    for (const auto& stored : e->runs) {
      if (stored.name != run) continue;
      if (liveEval_->runs().contains(run)) liveEval_->setPoints(run, reader.periodicPoints(stored.id));
      if (!shown(run)) return;
      const auto loss = reader.series(stored.id, QString::fromLatin1(results::kTrainLoss));
      if (loss.isEmpty()) return;
      curves_->addRun(run, colorIndex(run, stored.colorIndex));
      for (const auto& series : pose::widgets::training_series_names()) {
        curves_->setSeries(run, series, reader.series(stored.id, series));
      }
    }
  } catch (const std::exception& ex) {
    status_->setText(tr("Cannot read the store: %1").arg(QString::fromStdString(ex.what())));
  }
}

namespace {

// A run's name in its colour; it never breaks at its hyphens (a word joiner
// after each), nor from what follows it inside `nowrap`.
QString coloured_run(const QString& run, int colorIndex) {
  QString name = run.toHtmlEscaped();
  name.replace(QLatin1Char('-'), QStringLiteral("-\u2060"));
  return QStringLiteral("<span style=\"color:%1; font-weight:bold\">%2</span>")
      .arg(pose::widgets::run_color(colorIndex).darker(115).name(), name);
}

QString nowrap(const QString& html) { return QStringLiteral("<span style=\"white-space:nowrap\">%1</span>").arg(html); }

}  // namespace

void TrainWorkspace::showRanks(const StoredExperiment* e) {
  // The runs on show that several processes trained, by their number of ranks:
  // each name in its colour, with its slowest rank's mean tokens/s.
  std::map<qint64, QStringList> byWorldSize;
  storedColors_.clear();
  if (e) {
    for (const auto& run : e->runs) {
      storedColors_.insert(run.name, run.colorIndex);
      const auto& m = run.summary;
      if (run.kind == QLatin1String("data") || !shown(run.name) || m.world_size <= 1) continue;
      QString entry = coloured_run(run.name, colorIndex(run.name, run.colorIndex));
      if (m.slowest_rank_tokens_per_s) entry += QStringLiteral(" %1").arg(static_cast<qint64>(*m.slowest_rank_tokens_per_s));
      byWorldSize[m.world_size] << nowrap(entry);
    }
  }
  storedRanks_.clear();
  for (const auto& [world, runs] : byWorldSize) {
    storedRanks_ << tr("Data parallel, %1 ranks — slowest rank, mean tokens/s: %2").arg(world).arg(runs.join(QStringLiteral(" · ")));
  }
  liveRanks_.clear();  // a run started or the experiment ended: the store says the rest
  updateRanksLabel();
}

void TrainWorkspace::updateRanksLabel() {
  QStringList lines = storedRanks_;
  if (!liveRanks_.isEmpty()) lines.prepend(liveRanks_);
  ranks_->setText(lines.join(QStringLiteral("<br>")));
  ranks_->setVisible(!lines.isEmpty());
}

void TrainWorkspace::onPausedChanged(bool paused) {
  pauseButton_->setText(paused ? tr("Resume") : tr("Pause"));
  if (!paused) {
    pausedBanner_->hide();
    progress_->setFormat(tr("step %v / %m"));
    return;
  }
  const QString where = lastStep_.run.isEmpty()
                            ? tr("Paused before the first step.")
                            : tr("Paused: %1 at step %2 of %3.").arg(lastStep_.run).arg(lastStep_.step).arg(lastStep_.totalSteps);
  pausedBanner_->setText(where + QLatin1Char(' ') +
                         tr("The trainer waits between two steps; the time paused does not count as training time "
                            "(tokens/s, ETA). Resume (F6) continues."));
  pausedBanner_->show();
  progress_->setFormat(tr("paused · step %v / %m"));
  status_->setText(tr("Paused"));
}

bool TrainWorkspace::start(QString* error) {
  if (specPath_.isEmpty()) {
    if (error) *error = tr("no experiment is open");
    return false;
  }
  RunRequest r;
  r.specPath = specPath_;
  r.preset = preset_->currentData().toString();
  r.storeFile = storeFile_;
  r.resume = resume_->isChecked();
  r.device = QSettings().value("engine/device", QStringLiteral("cpu")).toString();  // the Design workspace's choice
  if (!r.resume) {
    // Every run starts again: nothing shown belongs to the runs about to come.
    curves_->clear();
    liveEval_->clear();
  }
  lastStep_ = StepSample();
  const bool ok = controller_->start(r, error);
  if (ok) status_->setText(tr("Starting %1…").arg(experiment_));
  updateButtons();
  return ok;
}

void TrainWorkspace::onSteps(const QVector<StepSample>& steps) {
  std::map<QString, std::map<QString, QVector<pose::widgets::CurvePoint>>> batch;
  for (const auto& s : steps) {
    if (!shown(s.run)) continue;
    auto& series = batch[s.run];
    const double x = static_cast<double>(s.step);
    series[QString::fromLatin1(results::kTrainLoss)].push_back({x, s.loss});
    series[QString::fromLatin1(results::kTrainLr)].push_back({x, s.lr});
    series[QString::fromLatin1(results::kTrainGradNorm)].push_back({x, s.gradNorm});
    series[QString::fromLatin1(results::kTrainTokensPerS)].push_back({x, s.tokensPerS});
    series[QString::fromLatin1(results::kTrainMemoryMb)].push_back({x, s.memoryMb});
    if (s.worldSize > 1 && s.slowestRank >= 0 && s.slowestRank < s.rankTokensPerS.size()) {
      series[QString::fromLatin1(results::kTrainSlowestRankTokensPerS)].push_back({x, s.rankTokensPerS[s.slowestRank]});
    }
  }
  for (const auto& [run, series] : batch) {
    if (!curves_->runs().contains(run)) curves_->addRun(run, colorIndex(run));
    for (const auto& [name, points] : series) curves_->appendPoints(run, name, points);
  }
  const StepSample& last = steps.back();
  lastStep_ = last;
  curves_->setTotalSteps(last.run, static_cast<double>(last.totalSteps));
  progress_->setTextVisible(true);
  progress_->setRange(0, static_cast<int>(last.totalSteps));
  progress_->setValue(static_cast<int>(last.step));
  // Tokens/s counts every rank; for a data-parallel step the status says how
  // many, and the line over the curves gives each rank's tokens/s and the slowest.
  QString throughput = tr("%1 tokens/s").arg(static_cast<qint64>(last.tokensPerS));
  const bool dataParallel = last.worldSize > 1 && last.slowestRank >= 0 && last.slowestRank < last.rankTokensPerS.size();
  if (dataParallel) {
    throughput = tr("%1 tokens/s on %2 ranks").arg(static_cast<qint64>(last.tokensPerS)).arg(last.worldSize);
    QStringList perRank;
    for (const double v : last.rankTokensPerS) perRank << QString::number(static_cast<qint64>(v));
    liveRanks_ = tr("%1 step %2, tokens/s by rank: %3 (slowest: rank %4)")
                     .arg(nowrap(coloured_run(last.run, colorIndex(last.run))), QString::number(last.step),
                          perRank.join(QStringLiteral(" · ")), QString::number(last.slowestRank));
  }
  if (dataParallel || !liveRanks_.isEmpty()) {
    if (!dataParallel) liveRanks_.clear();
    updateRanksLabel();
  }
  status_->setText(tr("%1: step %2 / %3 · loss %4 · %5 · ETA %6")
                       .arg(last.run)
                       .arg(last.step)
                       .arg(last.totalSteps)
                       .arg(last.loss, 0, 'g', 4)
                       .arg(throughput)
                       .arg(duration(last.etaS)));
}

void TrainWorkspace::onPeriodic(const QString& run, qint64 totalSteps, const pose::widgets::PeriodicPoint& point) {
  if (!liveEval_->runs().contains(run)) liveEval_->addRun(run, colorIndex(run), totalSteps == 0);
  liveEval_->appendPoint(run, point);
}

void TrainWorkspace::updateButtons() {
  const bool running = controller_->isRunning();
  startButton_->setEnabled(!running && !specPath_.isEmpty());
  pauseButton_->setEnabled(running);
  stopButton_->setEnabled(running);
  preset_->setEnabled(!running);
  resume_->setEnabled(!running);
  if (!running) pauseButton_->setText(tr("Pause"));
}

}  // namespace pose::studio
