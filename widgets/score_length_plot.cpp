#include "score_length_plot.h"

#include <QLocale>
#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "plot_legend.h"
#include "run_colors.h"
#include "themed_plot.h"
#include "window_marker.h"

namespace pose::widgets {

namespace {

constexpr double kHoverRadius = 8;  // pixels
// The value axis: 0–1 with a little room, so points at 0 and 1 are not cut in half.
constexpr double kScoreLower = -0.03, kScoreUpper = 1.05;
// Legend entries side by side under the plot; names with their effective length are long.
constexpr int kLegendColumns = 2;

bool drawable(const ScorePoint& p) { return std::isfinite(p.length) && p.length > 0 && std::isfinite(p.score); }

}  // namespace

ScoreLengthPlot::ScoreLengthPlot(QWidget* parent)
    : QWidget(parent),
      plot_(new ThemedPlot(this)),
      title_(nullptr),
      threshold_(std::numeric_limits<double>::quiet_NaN()),
      emptyText_(tr("no scores")) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  plot_->plotLayout()->insertRow(0);
  title_ = new QCPTextElement(plot_, tr("Score against context length"),
                              QFont(font().family(), font().pointSize() + 2, QFont::Bold));
  plot_->plotLayout()->addElement(0, 0, title_);
  plot_->xAxis->setLabel(tr("context length (tokens)"));
  plot_->yAxis->setLabel(tr("score"));
  plot_->xAxis->setScaleType(QCPAxis::stLogarithmic);
  auto yTicker = QSharedPointer<QCPAxisTickerFixed>(new QCPAxisTickerFixed);
  yTicker->setTickStep(0.2);
  yTicker->setScaleStrategy(QCPAxisTickerFixed::ssNone);
  plot_->yAxis->setTicker(yTicker);
  plot_->yAxis->setNumberFormat(QStringLiteral("f"));
  plot_->yAxis->setNumberPrecision(1);
  // Under the plot: the curves start high at the left and fall to the right,
  // so neither corner of the axis rect is reliably free of data.
  place_legend_below(plot_, 1, kLegendColumns);
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->setMouseTracking(true);
  connect(plot_, &QCustomPlot::mouseMove, this, &ScoreLengthPlot::onMouseMove);
  // As narrow as the attention plot beside it in the Evaluate workspace
  // (1024-pixel screens); the plot gives up room rather than widen this.
  setMinimumSize(kMinimumWidth, 300);
  plot_->setMinimumWidth(kMinimumWidth);
  rebuild();
}

void ScoreLengthPlot::setTitle(const QString& title) {
  title_->setText(title);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ScoreLengthPlot::setScoreLabel(const QString& label) {
  plot_->yAxis->setLabel(label);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ScoreLengthPlot::setEmptyText(const QString& text) {
  emptyText_ = text;
  rebuild();
}

void ScoreLengthPlot::setRun(const ScoreRun& run) {
  ScoreRun kept = run;
  kept.points.clear();
  for (const ScorePoint& p : run.points) {
    if (drawable(p)) kept.points.push_back(p);
  }
  std::stable_sort(kept.points.begin(), kept.points.end(),
                   [](const ScorePoint& a, const ScorePoint& b) { return a.length < b.length; });
  auto it = std::find_if(runs_.begin(), runs_.end(), [&](const Run& r) { return r.data.name == run.name; });
  if (it == runs_.end()) {
    runs_.push_back(Run{kept, nullptr});
  } else {
    it->data = kept;
  }
  rebuild();
}

void ScoreLengthPlot::removeRun(const QString& run) {
  const auto it = std::remove_if(runs_.begin(), runs_.end(), [&](const Run& r) { return r.data.name == run; });
  if (it == runs_.end()) return;
  runs_.erase(it, runs_.end());
  rebuild();
}

void ScoreLengthPlot::clear() {
  runs_.clear();
  rebuild();
}

void ScoreLengthPlot::setWindows(double lc, double lt) {
  lc_ = std::isfinite(lc) && lc > 0 ? lc : 0;
  lt_ = std::isfinite(lt) && lt > 0 ? lt : 0;
  rebuild();
}

void ScoreLengthPlot::setThreshold(double value, const QString& source) {
  threshold_ = std::isfinite(value) ? value : std::numeric_limits<double>::quiet_NaN();
  thresholdSource_ = source;
  rebuild();
}

QCPGraph* ScoreLengthPlot::graph(const QString& run) const {
  for (const Run& r : runs_) {
    if (r.data.name == run) return r.graph;
  }
  return nullptr;
}

QStringList ScoreLengthPlot::runs() const {
  QStringList out;
  for (const Run& r : runs_) out << r.data.name;
  return out;
}

QString ScoreLengthPlot::legendText(const QString& run) const {
  const QCPGraph* g = graph(run);
  return g ? g->name() : QString();
}

QVector<double> ScoreLengthPlot::markerPositions() const {
  QVector<double> out;
  if (lc_ > 0) out.push_back(lc_);
  if (lt_ > 0 && lt_ != lc_) out.push_back(lt_);
  std::sort(out.begin(), out.end());
  return out;
}

double ScoreLengthPlot::threshold() const { return threshold_; }

QString ScoreLengthPlot::thresholdText() const {
  if (std::isnan(threshold_)) return {};
  const QString value = QString::number(threshold_, 'f', 2);
  return thresholdSource_.isEmpty() ? tr("threshold %1").arg(value)
                                    : tr("threshold %1 (%2)").arg(value, thresholdSource_);
}

bool ScoreLengthPlot::isEmpty() const {
  return std::none_of(runs_.begin(), runs_.end(), [](const Run& r) { return !r.data.points.isEmpty(); });
}

QString ScoreLengthPlot::emptyText() const { return emptyText_; }

// "effective length 2k"; "effective length < 256" when even the shortest
// evaluated length is below the threshold. `brief`: "eff. 2k", for the legend,
// whose two columns must fit beside each other under a half-width plot.
QString ScoreLengthPlot::effectiveText(const ScoreRun& run, bool brief) const {
  if (!run.effectiveLength) return {};
  if (*run.effectiveLength > 0) {
    const QString length = short_length(static_cast<double>(*run.effectiveLength));
    return brief ? tr("eff. %1").arg(length) : tr("effective length %1").arg(length);
  }
  if (run.points.isEmpty()) return brief ? tr("eff. none") : tr("no effective length");
  const QString shortest = short_length(run.points.front().length);
  return brief ? tr("eff. < %1").arg(shortest) : tr("effective length < %1").arg(shortest);
}

void ScoreLengthPlot::rebuild() {
  plot_->clearGraphs();
  plot_->clearItems();

  constexpr double kInf = std::numeric_limits<double>::infinity();
  double xmin = kInf, xmax = -kInf;
  QVector<double> lengths;
  for (Run& r : runs_) {
    QVector<double> x, y;
    for (const ScorePoint& p : r.data.points) {
      x.push_back(p.length);
      y.push_back(p.score);
      xmin = std::min(xmin, p.length);
      xmax = std::max(xmax, p.length);
      if (!lengths.contains(p.length)) lengths.push_back(p.length);
    }
    const QColor colour = run_color(r.data.colorIndex);
    QCPGraph* g = plot_->addGraph();
    g->setData(x, y, true);
    g->setPen(QPen(colour, 2, r.data.dashed ? Qt::DashLine : Qt::SolidLine));
    g->setLineStyle(QCPGraph::lsLine);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, colour, 7));
    const QString effective = effectiveText(r.data, true);
    g->setName(effective.isEmpty() ? r.data.name : tr("%1 · %2").arg(r.data.name, effective));
    r.graph = g;
  }

  // Lc's label right of its line, Lt's left of it (Lt is usually the right edge).
  for (const auto& [x, name] : {std::pair<double, QString>{lc_, QStringLiteral("Lc")}, {lt_, QStringLiteral("Lt")}}) {
    if (x <= 0) continue;
    xmin = std::min(xmin, x);
    xmax = std::max(xmax, x);
    add_window_marker(plot_, x, name, name == QLatin1String("Lt") ? MarkerLabelSide::Left : MarkerLabelSide::Right);
  }

  if (!std::isnan(threshold_)) {
    const QColor colour(90, 90, 90);
    auto* line = new QCPItemStraightLine(plot_);
    line->setObjectName(QStringLiteral("threshold"));
    line->point1->setCoords(1, threshold_);
    line->point2->setCoords(2, threshold_);
    line->setPen(QPen(colour, 1.2, Qt::DashLine));
    follow_palette(line);
    // At the right, above the line: past the effective length the curves lie
    // below it. A box in the base colour keeps it legible over a curve.
    auto* text = new QCPItemText(plot_);
    text->setObjectName(QStringLiteral("thresholdLabel"));
    text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    text->position->setAxisRect(plot_->axisRect());
    text->position->setCoords(0.99, threshold_);
    text->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    text->setPadding(QMargins(3, 1, 3, 1));
    text->setBrush(QColor(255, 255, 255, 190));
    text->setText(thresholdText());
    text->setColor(QColor(60, 60, 60));
    follow_palette(text);
  }

  if (isEmpty()) {
    auto* empty = new QCPItemText(plot_);
    empty->setObjectName(QStringLiteral("empty"));
    empty->position->setType(QCPItemPosition::ptAxisRectRatio);
    empty->position->setAxisRect(plot_->axisRect());
    empty->position->setCoords(0.5, 0.5);
    empty->setText(emptyText_);
    empty->setColor(QColor(110, 110, 110));
    follow_palette(empty);
  }

  if (xmin > xmax) {  // nothing to fit
    xmin = 256;
    xmax = 32768;
  }
  // Ticks at the evaluated lengths; powers of two when there are none.
  set_length_axis(plot_->xAxis, xmin, xmax, lengths);
  plot_->yAxis->setRange(kScoreLower, kScoreUpper);

  plot_->replot(QCustomPlot::rpQueuedReplot);
}

QString ScoreLengthPlot::toolTipAt(const QPointF& pos) const {
  const Run* best = nullptr;
  int bestIndex = -1;
  double bestDistance = kHoverRadius * kHoverRadius;
  for (const Run& r : runs_) {
    if (!r.graph || !r.graph->visible()) continue;
    for (int i = 0; i < r.data.points.size(); ++i) {
      const double dx = plot_->xAxis->coordToPixel(r.data.points[i].length) - pos.x();
      const double dy = plot_->yAxis->coordToPixel(r.data.points[i].score) - pos.y();
      const double d = dx * dx + dy * dy;
      if (d <= bestDistance) {
        bestDistance = d;
        best = &r;
        bestIndex = i;
      }
    }
  }
  if (!best) return {};
  const ScorePoint& p = best->data.points[bestIndex];
  QString tip = tr("%1\nlength %2\nscore %3")
                    .arg(best->data.name, QLocale().toString(static_cast<qlonglong>(std::llround(p.length))),
                         QString::number(p.score, 'f', 3));
  const QString effective = effectiveText(best->data);
  if (!effective.isEmpty()) tip += QLatin1Char('\n') + effective;
  return tip;
}

void ScoreLengthPlot::onMouseMove(QMouseEvent* event) {
  const QString tip = toolTipAt(event->position());
  if (tip.isEmpty()) {
    QToolTip::hideText();
  } else {
    QToolTip::showText(event->globalPosition().toPoint(), tip, plot_);
  }
}

}  // namespace pose::widgets
