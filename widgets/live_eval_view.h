// Evaluation during training (the spec's evaluation.periodic), drawn as it
// arrives: perplexity against context length for one run with a curve per
// evaluated step (coloured from early to late, the newest bold), and for every
// run of the experiment, against the step, the perplexity at Lt (with the
// original model's perplexity at Lc as a reference line), the passkey accuracy
// and the attention mass beyond Lc. A run that does not train has one
// evaluation and is drawn as a dashed level across the steps.
//
// Plain data in: the Train workspace feeds stored points when an experiment
// opens and live points as RunController events arrive.
#pragma once

#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <limits>
#include <map>

class QComboBox;
class QCustomPlot;
class QCPGraph;

namespace pose::widgets {

struct PeriodicPoint {
  double step = 0;
  QVector<QPointF> perplexity;  // (context length, perplexity)
  double passkey = std::numeric_limits<double>::quiet_NaN();          // mean accuracy of the grid
  double attentionBeyond = std::numeric_limits<double>::quiet_NaN();  // mass at distance >= Lc
};

class LiveEvalView : public QWidget {
  Q_OBJECT
 public:
  enum class StepPlot { PerplexityAtLt, Passkey, AttentionBeyond };

  explicit LiveEvalView(QWidget* parent = nullptr);

  // Lc and Lt: markers on the length plot, and which length "at Lt" reads.
  void setWindows(double lc, double lt);
  // The original model's perplexity at Lc (a dotted line on the Lt plot); <= 0 or NaN: none.
  void setReference(double perplexity, const QString& label);

  // A run with its colour index; `level`: it does not train (one evaluation,
  // drawn as a dashed level). Re-adding keeps its points.
  void addRun(const QString& run, int colorIndex, bool level = false);
  void clear();
  QStringList runs() const;
  // Points in any order; one per step (a later point of the same step replaces it).
  void setPoints(const QString& run, const QVector<PeriodicPoint>& points);
  // The live path: evaluations come in step order within an attempt, so a
  // point at or before the last one starts a new attempt (a re-run or a
  // resume) and replaces the points after its step.
  void appendPoint(const QString& run, const PeriodicPoint& point);
  QVector<PeriodicPoint> points(const QString& run) const;

  // The run whose perplexity-vs-length curves are drawn. Until the user picks
  // one, it follows the run that last received a point.
  void setFocusRun(const QString& run);
  QString focusRun() const { return focus_; }

  // For tests.
  QCustomPlot* lengthPlot() const { return lengthPlot_; }
  QCustomPlot* stepPlot(StepPlot which) const;
  QCPGraph* stepGraph(StepPlot which, const QString& run) const;
  // The focus run's curves, oldest step first.
  QVector<QCPGraph*> lengthGraphs() const { return lengthGraphs_; }
  QComboBox* focusCombo() const { return focusCombo_; }

 signals:
  void focusRunChanged(const QString& run);

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  // Whether the perplexity-at-Lt plot is tall enough for its legend of runs
  // (a row per two runs) under it; see resizeEvent.
  bool roomForRunLegend() const;
  void showRunLegend();
  struct Run {
    int colorIndex = 0;
    bool level = false;
    QVector<PeriodicPoint> points;  // sorted by step
  };
  void insertPoint(Run& run, const PeriodicPoint& point);
  void rebuild();
  void rebuildLengthPlot();
  void rebuildStepPlot(StepPlot which);
  void syncFocusCombo();
  double valueAt(const PeriodicPoint& p, StepPlot which) const;

  QCustomPlot* lengthPlot_;
  QCustomPlot* ltPlot_;
  QCustomPlot* passkeyPlot_;
  QCustomPlot* attentionPlot_;
  QComboBox* focusCombo_;
  std::map<QString, Run> runs_;
  QStringList order_;  // runs in the order they were added
  QVector<QCPGraph*> lengthGraphs_;
  std::map<QString, QCPGraph*> stepGraphs_[3];
  QString focus_;
  bool userFocus_ = false;
  double lc_ = 0, lt_ = 0;
  double reference_ = 0;
  QString referenceLabel_;
};

}  // namespace pose::widgets
