// The Train workspace's live curves: several runs of one experiment overlaid,
// one metric series at a time (loss, learning rate, gradient norm, tokens/s,
// memory, and a data-parallel run's slowest rank's tokens/s), updated while
// training runs. Appends go straight into the drawn graphs (and the loss's
// smoothed curve keeps its EMA state per run), so the live path never
// rebuilds what is already drawn.
#pragma once

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <map>

#include "results/metric_names.h"

class QCustomPlot;
class QCPGraph;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSlider;

namespace pose::widgets {

struct CurvePoint {
  double step = 0;
  double value = 0;
};

// TensorBoard's debiased exponential moving average, one value at a time:
// last = last*w + (1-w)*v, shown as last / (1 - w^n) with n the number of
// finite values so far. Non-finite values pass through unchanged and do not
// advance the average.
class EmaState {
 public:
  explicit EmaState(double weight = 0.0) : weight_(weight) {}
  double push(double value);
  double weight() const { return weight_; }

 private:
  double weight_;
  double last_ = 0.0;
  double weightPower_ = 1.0;  // w^n
};

// The smoothing on its own: one output per input (non-finite inputs come out
// as they went in); weight is clamped to [0, 0.999].
QVector<double> smooth_ema(const QVector<double>& values, double weight);

// Readable label of a series name ("train/loss" -> "Loss"); unknown names are
// returned as they are.
QString training_series_label(const QString& series);
// Every series the view draws, in the toolbar's order; the slowest rank's
// tokens/s (data-parallel runs) is listed in the toolbar only while a run has it.
QStringList training_series_names();

class TrainingCurvesView : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingCurvesView(QWidget* parent = nullptr);
  ~TrainingCurvesView() override;

  // A run to show, with its colour index (its position in the experiment).
  // Re-adding keeps the data and takes the new colour. Data for a run that was
  // never added adds it with the next free colour index.
  void addRun(const QString& run, int colorIndex);
  void removeRun(const QString& run);
  void clear();
  QStringList runs() const;

  // Points arrive in step order. setSeries replaces a series; appendPoints is
  // the live path (QCPGraph::addData, no rebuild). Points that do not follow
  // the last one start a new attempt of the run (a re-run, or a resume from an
  // earlier checkpoint): the series' points from their first step on are
  // replaced, never mixed with the new ones.
  void setSeries(const QString& run, const QString& series, const QVector<CurvePoint>& points);
  void appendPoints(const QString& run, const QString& series, const QVector<CurvePoint>& points);

  // Which series is drawn (default "train/loss"); the toolbar's combo box too.
  void setShownSeries(const QString& series);
  QString shownSeries() const { return shown_; }

  // Loss only: EMA weight in [0, 0.999] (default 0.9; 0 = no smoothed curve).
  void setSmoothing(double weight);
  double smoothing() const { return smoothing_; }

  // Log y for the shown series; remembered per series (default on for loss).
  void setLogY(bool on);
  bool logY() const;

  // Upper bound hint of the x axis: it spans [0, max(total steps, last step)].
  void setTotalSteps(const QString& run, double steps);

  // For tests.
  QCustomPlot* plot() const { return plot_; }
  QCPGraph* rawGraph(const QString& run) const;       // nullptr when the run has no data in the shown series
  QCPGraph* smoothedGraph(const QString& run) const;  // nullptr when smoothing is 0 or the series is not loss

 signals:
  void shownSeriesChanged(const QString& series);

 protected:
  // The legend under the plot takes as many columns as its width holds whole
  // run names (at most 4), so a narrow window cuts no name.
  void resizeEvent(QResizeEvent* event) override;

 private:
  struct Run {
    int colorIndex = 0;
    QHash<QString, QVector<CurvePoint>> series;
    QCPGraph* raw = nullptr;       // of the shown series
    QCPGraph* smoothed = nullptr;  // of the shown series, loss only
    EmaState ema;                  // state behind `smoothed`
  };

  Run& ensureRun(const QString& run);
  bool showsSmoothed() const;
  void removeGraphs(Run& r);
  // Lists the series shown only with data while a run has points in one (or it is shown).
  void syncSeriesItems();
  void createGraphs(const QString& name, Run& r);
  void feedGraphs(Run& r, const QVector<CurvePoint>& points);
  void rebuildAll();
  void recomputeRanges();
  void updateAxes();
  void syncControls();

  QCustomPlot* plot_;
  QComboBox* seriesCombo_;
  QDoubleSpinBox* smoothingSpin_;
  QSlider* smoothingSlider_;
  QCheckBox* logCheck_;

  std::map<QString, Run> runs_;
  QHash<QString, double> totalSteps_;
  QHash<QString, bool> logChoice_;  // per series, what the user picked
  QString shown_ = QString::fromLatin1(pose::results::kTrainLoss);
  double smoothing_ = 0.9;
  // Extent of what is drawn in the shown series, kept up to date by appends.
  double yLow_ = 0, yHigh_ = 0, xHigh_ = 0;
};

}  // namespace pose::widgets
