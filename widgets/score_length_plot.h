// A score in [0, 1] against context length for several runs overlaid — in the
// Evaluate workspace, RULER's average over its tasks: one marked line per run
// in the run's colour (run_color), length on a log2 axis ticked at the
// evaluated lengths, the score on a fixed 0–1 axis (a run at 0.5 must look
// half-way whatever the others score), dashed vertical markers at Lc and Lt,
// and a dashed horizontal threshold line with its label — RULER's effective
// length is the longest length at which a run's score, and every shorter
// length's, holds that threshold. Each run's legend entry (under the plot)
// carries its effective length ("eff. 2k"); hovering a point shows run,
// length, score and the effective length in words.
//
// Takes plain data: the points and effective lengths come from the caller
// (the store's RULER results and run summary), nothing is recomputed here.
#pragma once

#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <cstdint>
#include <optional>

class QCustomPlot;
class QCPGraph;
class QCPTextElement;
class QMouseEvent;

namespace pose::widgets {

struct ScorePoint {
  double length = 0;  // tokens
  double score = 0;   // in [0, 1]
};

struct ScoreRun {
  QString name;
  int colorIndex = 0;
  QVector<ScorePoint> points;
  // The run's effective length as its summary gives it: unset when not known
  // (the legend shows the name alone), 0 when even the shortest evaluated
  // length is below the threshold.
  std::optional<int64_t> effectiveLength;
  bool dashed = false;  // a variant of a run (e.g. evaluated with another RoPE), drawn dashed
};

class ScoreLengthPlot : public QWidget {
  Q_OBJECT
 public:
  explicit ScoreLengthPlot(QWidget* parent = nullptr);

  // The narrowest it gets: beside the attention plot on a 1024-pixel screen.
  static constexpr int kMinimumWidth = 360;

  void setTitle(const QString& title);       // default: "Score against context length"
  void setScoreLabel(const QString& label);  // the value axis' label; default: "score"
  // Shown in the middle of the plot while no run has a drawable point.
  void setEmptyText(const QString& text);

  // Adds the run, or replaces it by name (it keeps its place in the legend).
  // Points with a non-finite or non-positive length or a non-finite score are
  // not drawn; the rest are drawn in length order.
  void setRun(const ScoreRun& run);
  void removeRun(const QString& run);
  void clear();                         // all runs; windows and threshold stay
  void setWindows(double lc, double lt);  // 0 hides a marker
  // The dashed horizontal line at `value` labelled "threshold 0.86 (`source`)";
  // NaN hides it.
  void setThreshold(double value, const QString& source);

  QCustomPlot* plot() const { return plot_; }
  QCPGraph* graph(const QString& run) const;  // nullptr for an unknown run
  QStringList runs() const;                   // in legend order
  // What the run's legend entry reads ("pose · eff. 2k": its effective length,
  // spelled out in the hover text); empty for an unknown run.
  QString legendText(const QString& run) const;
  QVector<double> markerPositions() const;    // x of the shown markers (Lc, Lt), ascending
  double threshold() const;                   // NaN when hidden
  QString thresholdText() const;              // the line's label; empty when hidden
  bool isEmpty() const;                       // no run has a drawable point
  QString emptyText() const;

  // The tooltip for the pointer at `pos` (plot() coordinates): the drawn point
  // nearest to it within 8 pixels, or an empty string.
  QString toolTipAt(const QPointF& pos) const;

 private:
  struct Run {
    ScoreRun data;  // points: drawn ones, in length order
    QCPGraph* graph = nullptr;
  };

  QString effectiveText(const ScoreRun& run, bool brief = false) const;
  void rebuild();
  void onMouseMove(QMouseEvent* event);

  QCustomPlot* plot_;
  QCPTextElement* title_;
  QVector<Run> runs_;
  double lc_ = 0, lt_ = 0;
  double threshold_;  // NaN: hidden
  QString thresholdSource_;
  QString emptyText_;
};

}  // namespace pose::widgets
