// Perplexity against context length for several runs overlaid: one marked
// line per run in the run's colour (run_color), length on a log2 axis ticked at
// the evaluated lengths (256, 512, 1k, 2k, ...), perplexity on a log10 axis,
// dashed vertical markers at the training window Lc and the target Lt, and an
// optional dotted horizontal reference (e.g. the base model at Lc). Hovering a
// point shows run, length, perplexity and the tokens scored.
//
// Takes plain data; perplexity_points_from_json() reads the rows that
// `pose eval perplexity` stores (core/eval/perplexity.cpp, to_json).
#pragma once

#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <cstdint>

#include <nlohmann/json.hpp>

class QCustomPlot;
class QCPGraph;
class QMouseEvent;

namespace pose::widgets {

struct PerplexityPoint {
  double length = 0;
  double perplexity = 0;
  int64_t tokens = 0;  // scored tokens
};

// Reads [{"length", "stride", "perplexity", "mean_nll", "tokens", "windows",
// "documents"}, ...]. "length" (> 0) and "perplexity" are required; a null
// perplexity (how nlohmann writes NaN) reads as NaN; a missing "tokens" reads
// as 0. Rows keep their order. Throws std::invalid_argument when `results` is
// not an array of such objects.
QVector<PerplexityPoint> perplexity_points_from_json(const nlohmann::json& results);

class PerplexityLengthPlot : public QWidget {
  Q_OBJECT
 public:
  explicit PerplexityLengthPlot(QWidget* parent = nullptr);

  // The narrowest it gets: two of these side by side fit a 1024-pixel screen
  // beside the experiment dock.
  static constexpr int kMinimumWidth = 360;

  // Adds the run, or replaces its points and colour (it keeps its place in the
  // legend). Points with a non-finite or non-positive length or perplexity are
  // not drawn (log axes); the rest are drawn in length order.
  // `dashed`: a variant of a run (e.g. evaluated with another RoPE), drawn in
  // the run's colour with a dashed line.
  void setRun(const QString& run, int colorIndex, const QVector<PerplexityPoint>& points, bool dashed = false);
  void removeRun(const QString& run);
  void clear();                                           // all runs; windows and reference stay
  void setWindows(double lc, double lt);                  // 0 hides a marker
  void setReference(const QString& label, double perplexity);  // NaN or <= 0 hides it

  QCustomPlot* plot() const { return plot_; }
  QCPGraph* graph(const QString& run) const;  // nullptr for an unknown run
  QVector<double> markerPositions() const;    // x of the shown markers (Lc, Lt), ascending
  QStringList runs() const;                   // in legend order

  // The tooltip for the pointer at `pos` (plot() coordinates): the drawn point
  // nearest to it within 8 pixels, or an empty string.
  QString toolTipAt(const QPointF& pos) const;

 private:
  struct Run {
    QString name;
    int colorIndex = 0;
    QVector<PerplexityPoint> points;  // drawn ones, in length order
    QCPGraph* graph = nullptr;
    bool dashed = false;
  };

  void rebuild();
  void onMouseMove(QMouseEvent* event);

  QCustomPlot* plot_;
  QVector<Run> runs_;
  double lc_ = 0, lt_ = 0;
  QString referenceLabel_;
  double reference_ = 0;  // 0: hidden
};

}  // namespace pose::widgets
