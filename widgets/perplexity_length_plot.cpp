#include "perplexity_length_plot.h"

#include <QLocale>
#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "themed_plot.h"
#include "window_marker.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "plot_legend.h"
#include "run_colors.h"

namespace pose::widgets {

namespace {

constexpr double kHoverRadius = 8;  // pixels

bool drawable(double v) { return std::isfinite(v) && v > 0; }

double number(const nlohmann::json& row, const char* key, std::size_t index) {
  const auto it = row.find(key);
  if (it == row.end()) {
    throw std::invalid_argument("perplexity row " + std::to_string(index) + ": missing \"" + key + "\"");
  }
  if (it->is_null()) return std::numeric_limits<double>::quiet_NaN();  // NaN as nlohmann writes it
  if (!it->is_number()) {
    throw std::invalid_argument("perplexity row " + std::to_string(index) + ": \"" + key + "\" is not a number");
  }
  return it->get<double>();
}

}  // namespace

QVector<PerplexityPoint> perplexity_points_from_json(const nlohmann::json& results) {
  if (!results.is_array()) throw std::invalid_argument("perplexity results: expected an array of rows");
  QVector<PerplexityPoint> points;
  points.reserve(static_cast<int>(results.size()));
  for (std::size_t i = 0; i < results.size(); ++i) {
    const nlohmann::json& row = results[i];
    if (!row.is_object()) throw std::invalid_argument("perplexity row " + std::to_string(i) + ": not an object");
    PerplexityPoint p;
    p.length = number(row, "length", i);
    if (!std::isfinite(p.length) || p.length <= 0) {
      throw std::invalid_argument("perplexity row " + std::to_string(i) + ": \"length\" must be positive");
    }
    p.perplexity = number(row, "perplexity", i);
    if (row.contains("tokens")) {
      const double tokens = number(row, "tokens", i);
      if (!std::isfinite(tokens) || tokens < 0) {
        throw std::invalid_argument("perplexity row " + std::to_string(i) + ": \"tokens\" must be >= 0");
      }
      p.tokens = static_cast<int64_t>(std::llround(tokens));
    }
    points.push_back(p);
  }
  return points;
}

PerplexityLengthPlot::PerplexityLengthPlot(QWidget* parent) : QWidget(parent), plot_(new ThemedPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  plot_->plotLayout()->insertRow(0);
  plot_->plotLayout()->addElement(0, 0, new QCPTextElement(plot_, tr("Perplexity against context length"),
                                                           QFont(font().family(), font().pointSize() + 2, QFont::Bold)));
  plot_->xAxis->setLabel(tr("context length (tokens)"));
  plot_->yAxis->setLabel(tr("perplexity"));
  plot_->xAxis->setScaleType(QCPAxis::stLogarithmic);
  plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
  auto yTicker = QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog);
  yTicker->setLogBase(10);
  yTicker->setSubTickCount(8);  // 2..9 between decades
  plot_->yAxis->setTicker(yTicker);
  plot_->yAxis->setNumberFormat(QStringLiteral("g"));
  plot_->yAxis->grid()->setSubGridVisible(true);
  // Under the plot: a column at the right took a third of its width, and at
  // its narrowest (two plots side by side on a 1024-pixel screen) cut the
  // title and the run names short.
  place_legend_below(plot_, 1, 3);
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->setMouseTracking(true);
  connect(plot_, &QCustomPlot::mouseMove, this, &PerplexityLengthPlot::onMouseMove);
  // Narrow enough that the Evaluate workspace's two plots fit side by side
  // on a 1024-pixel screen beside the experiment dock.
  setMinimumSize(kMinimumWidth, 320);
  plot_->setMinimumWidth(kMinimumWidth);
  rebuild();
}

void PerplexityLengthPlot::setRun(const QString& run, int colorIndex, const QVector<PerplexityPoint>& points,
                                  bool dashed) {
  QVector<PerplexityPoint> drawn;
  for (const PerplexityPoint& p : points) {
    if (drawable(p.length) && drawable(p.perplexity)) drawn.push_back(p);
  }
  std::stable_sort(drawn.begin(), drawn.end(),
                   [](const PerplexityPoint& a, const PerplexityPoint& b) { return a.length < b.length; });
  auto it = std::find_if(runs_.begin(), runs_.end(), [&](const Run& r) { return r.name == run; });
  if (it == runs_.end()) {
    runs_.push_back(Run{run, colorIndex, drawn, nullptr, dashed});
  } else {
    it->colorIndex = colorIndex;
    it->points = drawn;
    it->dashed = dashed;
  }
  rebuild();
}

void PerplexityLengthPlot::removeRun(const QString& run) {
  const auto it = std::remove_if(runs_.begin(), runs_.end(), [&](const Run& r) { return r.name == run; });
  if (it == runs_.end()) return;
  runs_.erase(it, runs_.end());
  rebuild();
}

void PerplexityLengthPlot::clear() {
  runs_.clear();
  rebuild();
}

void PerplexityLengthPlot::setWindows(double lc, double lt) {
  lc_ = drawable(lc) ? lc : 0;
  lt_ = drawable(lt) ? lt : 0;
  rebuild();
}

void PerplexityLengthPlot::setReference(const QString& label, double perplexity) {
  referenceLabel_ = label;
  reference_ = drawable(perplexity) ? perplexity : 0;
  rebuild();
}

QCPGraph* PerplexityLengthPlot::graph(const QString& run) const {
  for (const Run& r : runs_) {
    if (r.name == run) return r.graph;
  }
  return nullptr;
}

QVector<double> PerplexityLengthPlot::markerPositions() const {
  QVector<double> out;
  if (lc_ > 0) out.push_back(lc_);
  if (lt_ > 0 && lt_ != lc_) out.push_back(lt_);
  std::sort(out.begin(), out.end());
  return out;
}

QStringList PerplexityLengthPlot::runs() const {
  QStringList out;
  for (const Run& r : runs_) out << r.name;
  return out;
}

void PerplexityLengthPlot::rebuild() {
  plot_->clearGraphs();
  plot_->clearItems();

  constexpr double kInf = std::numeric_limits<double>::infinity();
  double xmin = kInf, xmax = -kInf, ymin = kInf, ymax = -kInf;
  QVector<double> lengths;
  for (Run& r : runs_) {
    QVector<double> x, y;
    for (const PerplexityPoint& p : r.points) {
      x.push_back(p.length);
      y.push_back(p.perplexity);
      xmin = std::min(xmin, p.length);
      xmax = std::max(xmax, p.length);
      ymin = std::min(ymin, p.perplexity);
      ymax = std::max(ymax, p.perplexity);
      if (!lengths.contains(p.length)) lengths.push_back(p.length);
    }
    const QColor colour = run_color(r.colorIndex);
    QCPGraph* g = plot_->addGraph();
    g->setData(x, y, true);
    g->setPen(QPen(colour, 2, r.dashed ? Qt::DashLine : Qt::SolidLine));
    g->setLineStyle(QCPGraph::lsLine);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, colour, 7));
    g->setName(r.name);
    r.graph = g;
  }

  // Vertical markers at the training window and the target; the labels sit at
  // the top of the axis rect whatever the perplexity range. Lc's label right of
  // its line, Lt's left of it: Lt is usually the right edge.
  for (const auto& [x, name] : {std::pair<double, QString>{lc_, QStringLiteral("Lc")}, {lt_, QStringLiteral("Lt")}}) {
    if (x <= 0) continue;
    xmin = std::min(xmin, x);
    xmax = std::max(xmax, x);
    add_window_marker(plot_, x, name, name == QLatin1String("Lt") ? MarkerLabelSide::Left : MarkerLabelSide::Right);
  }

  if (reference_ > 0) {
    ymin = std::min(ymin, reference_);
    ymax = std::max(ymax, reference_);
    const QColor refColour(110, 110, 110);
    auto* line = new QCPItemStraightLine(plot_);
    line->point1->setCoords(1, reference_);
    line->point2->setCoords(2, reference_);
    line->setPen(QPen(refColour, 1.2, Qt::DotLine));
    follow_palette(line);
    auto* text = new QCPItemText(plot_);
    text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    text->position->setAxisRect(plot_->axisRect());
    text->position->setCoords(0.99, reference_);
    text->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    text->setText(referenceLabel_.isEmpty() ? QString::number(reference_, 'f', 2)
                                            : tr("%1: %2").arg(referenceLabel_).arg(reference_, 0, 'f', 2));
    text->setColor(refColour.darker(130));
    follow_palette(text);
  }

  if (xmin > xmax) {  // nothing to fit
    xmin = 256;
    xmax = 32768;
  }
  if (ymin > ymax) {
    ymin = 1;
    ymax = 100;
  }
  // Ticks at the evaluated lengths; powers of two when there are none.
  set_length_axis(plot_->xAxis, xmin, xmax, lengths);
  plot_->yAxis->setRange(ymin / 1.25, ymax * 1.25);

  plot_->replot(QCustomPlot::rpQueuedReplot);
}

QString PerplexityLengthPlot::toolTipAt(const QPointF& pos) const {
  const Run* best = nullptr;
  int bestIndex = -1;
  double bestDistance = kHoverRadius * kHoverRadius;
  for (const Run& r : runs_) {
    if (!r.graph || !r.graph->visible()) continue;
    for (int i = 0; i < r.points.size(); ++i) {
      const double dx = plot_->xAxis->coordToPixel(r.points[i].length) - pos.x();
      const double dy = plot_->yAxis->coordToPixel(r.points[i].perplexity) - pos.y();
      const double d = dx * dx + dy * dy;
      if (d <= bestDistance) {
        bestDistance = d;
        best = &r;
        bestIndex = i;
      }
    }
  }
  if (!best) return {};
  const PerplexityPoint& p = best->points[bestIndex];
  const QLocale locale;
  return tr("%1\nlength %2\nperplexity %3\n%4 tokens scored")
      .arg(best->name, locale.toString(static_cast<qlonglong>(std::llround(p.length))),
           QString::number(p.perplexity, 'f', 3), locale.toString(static_cast<qlonglong>(p.tokens)));
}

void PerplexityLengthPlot::onMouseMove(QMouseEvent* event) {
  const QString tip = toolTipAt(event->position());
  if (tip.isEmpty()) {
    QToolTip::hideText();
  } else {
    QToolTip::showText(event->globalPosition().toPoint(), tip, plot_);
  }
}

}  // namespace pose::widgets
