// The Train workspace: start, pause, resume and stop an experiment, and watch
// its runs' curves (loss raw and smoothed, learning rate, gradient norm,
// tokens/s, memory, a data-parallel run's slowest rank's tokens/s) fill in
// live, with a progress bar and ETA for the run under way; over the curves,
// the ranks of data-parallel runs and each rank's tokens/s. Live points come
// from the RunController's coalesced events; when an experiment is opened (or
// a run ends) the curves are read back from the store, so what is shown is
// what was recorded. Beside the curves, the
// evaluations during training (evaluation.periodic) of the extension runs fill
// in the same way: live events first, the store when a run ends.
#pragma once

#include <QHash>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <functional>

#include "run_controller.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;

namespace pose::widgets {
class LiveEvalView;
class TrainingCurvesView;
}

namespace pose::studio {

struct StoredExperiment;

class TrainWorkspace : public QWidget {
  Q_OBJECT
 public:
  explicit TrainWorkspace(RunController* controller, QWidget* parent = nullptr);

  // The experiment to run and show: its spec file, name, and run names in the
  // order the runner creates them (data, base, extension runs) — their colours.
  void setExperiment(const QString& specPath, const QString& name, const QStringList& runs);
  void setStoreFile(const QString& file);
  QString storeFile() const { return storeFile_; }
  // Replaces the curves with what the store holds for this experiment.
  void reloadFromStore();

  // Starts the experiment with the preset chosen in the toolbar.
  bool start(QString* error = nullptr);
  // What the Start button does instead of start(): the main window saves the
  // open design first (or asks), so the run is what the Design form shows.
  void setStartHandler(std::function<void()> handler) { startHandler_ = std::move(handler); }

  pose::widgets::TrainingCurvesView* curves() const { return curves_; }
  // Evaluation during training (evaluation.periodic), beside the curves.
  pose::widgets::LiveEvalView* liveEval() const { return liveEval_; }
  QProgressBar* progress() const { return progress_; }
  QLabel* statusLabel() const { return status_; }
  // Over the curves: the stored runs on show that trained in several
  // processes (their ranks and the slowest rank's mean tokens/s) and, live, a
  // data-parallel step's tokens/s by rank; hidden when there are none.
  QLabel* ranksLabel() const { return ranks_; }
  // Shown while the run is paused: where it stopped and that the wait is not
  // counted as training time.
  QLabel* pausedBanner() const { return pausedBanner_; }
  QComboBox* presetCombo() const { return preset_; }
  QCheckBox* resumeCheck() const { return resume_; }
  // Which runs the curves show: the base model's long training and the short
  // extension runs have step axes 60× apart, so they are shown one group at a
  // time (or all); a run that starts switches to its group.
  enum class RunFilter { Extensions, Base, All };
  void setRunFilter(RunFilter filter);
  RunFilter runFilter() const;

 signals:
  void runsChanged();  // a run started or ended: the browser and Evaluate refresh

 private:
  void onSteps(const QVector<StepSample>& steps);
  void onPausedChanged(bool paused);
  // A run (re)starts: its curves become what the store holds for it now, so
  // another attempt's points (a cancelled run, an earlier try) are not shown
  // as this one's.
  void reloadRun(const QString& run);
  void onPeriodic(const QString& run, qint64 totalSteps, const pose::widgets::PeriodicPoint& point);
  void updateButtons();
  void showRanks(const StoredExperiment* experiment);
  void updateRanksLabel();
  // The run's place in the opened spec's runs; else its place in the store
  // (`stored`, or as last read); else after them.
  int colorIndex(const QString& run, int stored = -1) const;
  bool shown(const QString& run) const;

  RunController* controller_;
  pose::widgets::TrainingCurvesView* curves_;
  pose::widgets::LiveEvalView* liveEval_;
  QComboBox* preset_;
  QComboBox* filter_;
  QCheckBox* resume_;
  QPushButton* startButton_;
  QPushButton* pauseButton_;
  QPushButton* stopButton_;
  QProgressBar* progress_;
  QLabel* status_;
  QLabel* ranks_;
  QLabel* pausedBanner_;
  std::function<void()> startHandler_;
  StepSample lastStep_;  // the latest step shown, for the paused banner
  QString specPath_, experiment_, storeFile_;
  // Lines of the ranks label: the stored data-parallel runs on show, and the
  // latest step of a data-parallel run under way (each rank's tokens/s).
  QStringList storedRanks_;
  QString liveRanks_;
  QHash<QString, int> storedColors_;  // each run's place in the store, as last read
  QStringList runs_;
};

}  // namespace pose::studio
