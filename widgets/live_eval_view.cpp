#include "live_eval_view.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "themed_plot.h"
#include "window_marker.h"

#include <algorithm>
#include <cmath>

#include "plot_legend.h"
#include "report/svg_plot.h"
#include "run_colors.h"

namespace pose::widgets {

namespace {

bool drawable(double v) { return std::isfinite(v) && v > 0; }

void addTitle(QCustomPlot* plot, const QString& title) {
  plot->plotLayout()->insertRow(0);
  QFont f = plot->font();
  f.setBold(true);
  plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, f));
}

void useLogY(QCustomPlot* plot) {
  plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
  auto ticker = QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog);
  ticker->setLogBase(10);
  ticker->setSubTickCount(8);
  plot->yAxis->setTicker(ticker);
  plot->yAxis->setNumberFormat(QStringLiteral("g"));
  plot->yAxis->grid()->setSubGridVisible(true);
}

QCustomPlot* makePlot(QWidget* parent, const QString& title, const QString& xLabel, const QString& yLabel) {
  auto* plot = new ThemedPlot(parent);
  addTitle(plot, title);
  plot->xAxis->setLabel(xLabel);
  plot->yAxis->setLabel(yLabel);
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  // Two columns of these beside the training curves fit a 1024-pixel screen.
  plot->setMinimumSize(200, 200);
  return plot;
}

// Early steps dark, late steps bright; viridis' last, pale yellow tenth is
// left out so the newest curve stays visible on white.
QColor stepColor(double fraction) {
  return QColor(QString::fromStdString(report::viridis(std::clamp(fraction, 0.0, 1.0) * 0.88)));
}

}  // namespace

LiveEvalView::LiveEvalView(QWidget* parent)
    : QWidget(parent),
      lengthPlot_(makePlot(this, tr("Perplexity vs length, by step"), tr("context length (tokens)"),
                           tr("perplexity"))),
      ltPlot_(makePlot(this, tr("Perplexity at Lt"), tr("step"), tr("perplexity"))),
      passkeyPlot_(makePlot(this, tr("Passkey accuracy"), tr("step"), tr("accuracy (mean over the grid)"))),
      attentionPlot_(makePlot(this, tr("Attention beyond Lc"), tr("step"), tr("attention mass at distance ≥ Lc"))),
      focusCombo_(new QComboBox(this)) {
  lengthPlot_->xAxis->setScaleType(QCPAxis::stLogarithmic);
  useLogY(lengthPlot_);
  useLogY(ltPlot_);
  // The legends go under the plots: inside, any corner of these small plots
  // hides curves (perplexity at Lt falls from the top left, the curves by
  // step rise towards the top right) or the window markers' labels.
  place_legend_below(lengthPlot_, 1, 3);
  place_legend_below(ltPlot_, 1, 2);
  passkeyPlot_->yAxis->setRange(-0.03, 1.03);
  attentionPlot_->yAxis->setRange(0, 1);

  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Curves by step of run:"), this));
  top->addWidget(focusCombo_);
  top->addStretch(1);
  connect(focusCombo_, &QComboBox::currentTextChanged, this, [this](const QString& run) {
    if (run.isEmpty() || run == focus_) return;
    userFocus_ = true;
    focus_ = run;
    rebuildLengthPlot();
    emit focusRunChanged(run);
  });

  auto* grid = new QGridLayout;
  grid->addWidget(lengthPlot_, 0, 0);
  grid->addWidget(ltPlot_, 0, 1);
  grid->addWidget(passkeyPlot_, 1, 0);
  grid->addWidget(attentionPlot_, 1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(top);
  layout->addLayout(grid, 1);
  rebuild();
}

void LiveEvalView::setWindows(double lc, double lt) {
  lc_ = drawable(lc) ? lc : 0;
  lt_ = drawable(lt) ? lt : 0;
  rebuild();
}

void LiveEvalView::setReference(double perplexity, const QString& label) {
  reference_ = drawable(perplexity) ? perplexity : 0;
  referenceLabel_ = label;
  rebuildStepPlot(StepPlot::PerplexityAtLt);
}

void LiveEvalView::addRun(const QString& run, int colorIndex, bool level) {
  Run& r = runs_[run];
  r.colorIndex = colorIndex;
  r.level = level;
  if (!order_.contains(run)) order_ << run;
  syncFocusCombo();
  rebuild();
}

void LiveEvalView::clear() {
  runs_.clear();
  order_.clear();
  focus_.clear();
  userFocus_ = false;
  syncFocusCombo();
  rebuild();
}

QStringList LiveEvalView::runs() const { return order_; }

void LiveEvalView::insertPoint(Run& run, const PeriodicPoint& point) {
  auto it = std::lower_bound(run.points.begin(), run.points.end(), point.step,
                             [](const PeriodicPoint& p, double step) { return p.step < step; });
  if (it != run.points.end() && it->step == point.step) {
    *it = point;
  } else {
    run.points.insert(it, point);
  }
}

void LiveEvalView::setPoints(const QString& run, const QVector<PeriodicPoint>& points) {
  if (!runs_.count(run)) {
    runs_[run].colorIndex = static_cast<int>(order_.size());
    order_ << run;
  }
  Run& r = runs_[run];
  r.points.clear();
  for (const auto& p : points) insertPoint(r, p);
  if (!userFocus_ && !points.isEmpty() && (focus_.isEmpty() || !r.level)) focus_ = run;
  syncFocusCombo();
  rebuild();
}

void LiveEvalView::appendPoint(const QString& run, const PeriodicPoint& point) {
  if (!runs_.count(run)) {
    runs_[run].colorIndex = static_cast<int>(order_.size());
    order_ << run;
  }
  // A point at or before the last one is a new attempt of the run (run again,
  // or resumed from an earlier checkpoint): the old attempt's later points go.
  auto& points = runs_[run].points;
  points.erase(std::remove_if(points.begin(), points.end(), [&](const PeriodicPoint& p) { return p.step > point.step; }),
               points.end());
  insertPoint(runs_[run], point);
  if (!userFocus_) focus_ = run;
  syncFocusCombo();
  rebuild();
}

QVector<PeriodicPoint> LiveEvalView::points(const QString& run) const {
  const auto it = runs_.find(run);
  return it == runs_.end() ? QVector<PeriodicPoint>{} : it->second.points;
}

void LiveEvalView::setFocusRun(const QString& run) {
  if (!runs_.count(run)) return;
  userFocus_ = true;
  focus_ = run;
  syncFocusCombo();
  rebuildLengthPlot();
}

QCustomPlot* LiveEvalView::stepPlot(StepPlot which) const {
  switch (which) {
    case StepPlot::PerplexityAtLt: return ltPlot_;
    case StepPlot::Passkey: return passkeyPlot_;
    case StepPlot::AttentionBeyond: return attentionPlot_;
  }
  return ltPlot_;
}

QCPGraph* LiveEvalView::stepGraph(StepPlot which, const QString& run) const {
  const auto& graphs = stepGraphs_[static_cast<int>(which)];
  const auto it = graphs.find(run);
  return it == graphs.end() ? nullptr : it->second;
}

void LiveEvalView::syncFocusCombo() {
  const QSignalBlocker block(focusCombo_);
  focusCombo_->clear();
  for (const QString& run : order_) {
    if (!runs_.at(run).points.isEmpty()) focusCombo_->addItem(run);
  }
  focusCombo_->setCurrentText(focus_);
}

void LiveEvalView::rebuild() {
  rebuildLengthPlot();
  rebuildStepPlot(StepPlot::PerplexityAtLt);
  rebuildStepPlot(StepPlot::Passkey);
  rebuildStepPlot(StepPlot::AttentionBeyond);
}

void LiveEvalView::rebuildLengthPlot() {
  QCustomPlot* plot = lengthPlot_;
  plot->clearGraphs();
  plot->clearItems();
  lengthGraphs_.clear();
  double xmin = HUGE_VAL, xmax = -HUGE_VAL, ymin = HUGE_VAL, ymax = -HUGE_VAL;
  QVector<double> lengths;
  const auto it = runs_.find(focus_);
  if (it != runs_.end()) {
    const auto& points = it->second.points;
    const double last = points.isEmpty() ? 0.0 : points.back().step;
    // Legend rows for the first, the newest and a few between, so it stays short.
    const int n = static_cast<int>(points.size());
    const int legendEvery = std::max(1, (n + 4) / 5);
    for (int i = 0; i < n; ++i) {
      const PeriodicPoint& p = points[i];
      QVector<double> x, y;
      for (const QPointF& q : p.perplexity) {
        if (!drawable(q.x()) || !drawable(q.y())) continue;
        x.push_back(q.x());
        y.push_back(q.y());
        xmin = std::min(xmin, q.x());
        xmax = std::max(xmax, q.x());
        ymin = std::min(ymin, q.y());
        ymax = std::max(ymax, q.y());
        if (!lengths.contains(q.x())) lengths.push_back(q.x());
      }
      const bool newest = i == n - 1;
      const QColor colour = stepColor(last > 0 ? p.step / last : 1.0);
      QCPGraph* g = plot->addGraph();
      g->setData(x, y, false);
      g->setPen(QPen(colour, newest ? 3.0 : 1.3));
      g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, colour, newest ? 7 : 4));
      g->setName(tr("step %1").arg(p.step));
      if (!(newest || i == 0 || i % legendEvery == 0)) g->removeFromLegend();
      lengthGraphs_.push_back(g);
    }
  }
  for (const auto& [x, name] : {std::pair<double, QString>{lc_, QStringLiteral("Lc")}, {lt_, QStringLiteral("Lt")}}) {
    if (x <= 0) continue;
    xmin = std::min(xmin, x);
    xmax = std::max(xmax, x);
    // Lt's label one line lower: close together, the two would overlap.
    const bool lt = name == QLatin1String("Lt");
    add_window_marker(plot, x, name, lt ? MarkerLabelSide::Left : MarkerLabelSide::Right, lt ? 0.09 : 0.02);
  }
  if (xmin > xmax) {
    xmin = 128;
    xmax = 4096;
  }
  if (ymin > ymax) {
    ymin = 1;
    ymax = 100;
  }
  plot->xAxis->setRange(xmin / std::pow(2.0, 0.3), xmax * std::pow(2.0, 0.3));
  plot->yAxis->setRange(ymin / 1.15, ymax * 1.15);
  if (lengths.isEmpty()) {
    for (double v = std::exp2(std::ceil(std::log2(xmin))); v <= xmax; v *= 2) lengths.push_back(v);
  }
  std::sort(lengths.begin(), lengths.end());
  auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
  for (double v : lengths) ticker->addTick(v, short_length(v));
  plot->xAxis->setTicker(ticker);
  plot->legend->setVisible(!lengthGraphs_.isEmpty());
  plot->replot(QCustomPlot::rpQueuedReplot);
}

double LiveEvalView::valueAt(const PeriodicPoint& p, StepPlot which) const {
  switch (which) {
    case StepPlot::Passkey: return p.passkey;
    case StepPlot::AttentionBeyond: return p.attentionBeyond;
    case StepPlot::PerplexityAtLt: {
      // The point at Lt; without Lt (or without that length) the longest one.
      double best = std::numeric_limits<double>::quiet_NaN(), bestLength = -1;
      for (const QPointF& q : p.perplexity) {
        if (lt_ > 0 && q.x() == lt_) return q.y();
        if (q.x() > bestLength) {
          bestLength = q.x();
          best = q.y();
        }
      }
      return best;
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

void LiveEvalView::rebuildStepPlot(StepPlot which) {
  QCustomPlot* plot = stepPlot(which);
  auto& graphs = stepGraphs_[static_cast<int>(which)];
  plot->clearGraphs();
  plot->clearItems();
  graphs.clear();
  const bool logY = which == StepPlot::PerplexityAtLt;
  const auto usable = [&](double v) { return logY ? drawable(v) : std::isfinite(v); };

  double lastStep = 0;
  for (const auto& [name, r] : runs_) {
    if (!r.level && !r.points.isEmpty()) lastStep = std::max(lastStep, r.points.back().step);
  }
  const double xHigh = std::max(lastStep, 1.0);
  double ymin = HUGE_VAL, ymax = -HUGE_VAL;
  for (const QString& name : order_) {
    const Run& r = runs_.at(name);
    QVector<double> x, y;
    for (const PeriodicPoint& p : r.points) {
      const double v = valueAt(p, which);
      if (!usable(v)) continue;
      x.push_back(p.step);
      y.push_back(v);
      ymin = std::min(ymin, v);
      ymax = std::max(ymax, v);
    }
    if (x.isEmpty()) continue;
    const QColor colour = run_color(r.colorIndex);
    QCPGraph* g = plot->addGraph();
    if (r.level) {
      // One evaluation of a run that does not train: its level across the steps.
      g->setData({0.0, xHigh}, {y.back(), y.back()}, true);
      g->setPen(QPen(colour, 1.6, Qt::DashLine));
    } else {
      g->setData(x, y, true);
      g->setPen(QPen(colour, 2));
      g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, colour, 6));
    }
    g->setName(name);
    graphs[name] = g;
  }
  if (which == StepPlot::PerplexityAtLt) {
    if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))) {
      title->setText(lt_ > 0 ? tr("Perplexity at Lt = %1").arg(short_length(lt_)) : tr("Perplexity at Lt"));
    }
    if (reference_ > 0) {
      ymin = std::min(ymin, reference_);
      ymax = std::max(ymax, reference_);
      const QColor refColour(110, 110, 110);
      auto* line = new QCPItemStraightLine(plot);
      line->point1->setCoords(0, reference_);
      line->point2->setCoords(1, reference_);
      line->setPen(QPen(refColour, 1.2, Qt::DotLine));
      follow_palette(line);
      auto* text = new QCPItemText(plot);
      text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
      text->position->setAxisRect(plot->axisRect());
      text->position->setCoords(0.99, reference_);
      text->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
      text->setText(tr("%1: %2").arg(referenceLabel_).arg(reference_, 0, 'f', 2));
      text->setColor(refColour.darker(130));
      follow_palette(text);
    }
    if (ymin > ymax) {
      ymin = 1;
      ymax = 100;
    }
    plot->yAxis->setRange(ymin / 1.15, ymax * 1.15);
  } else if (which == StepPlot::AttentionBeyond) {
    if (ymin <= ymax) {
      const double pad = std::max(0.02, 0.08 * (ymax - ymin));
      plot->yAxis->setRange(std::max(0.0, ymin - pad), std::min(1.0, ymax + pad));
    } else {
      plot->yAxis->setRange(0, 1);
    }
  }
  plot->xAxis->setRange(-0.03 * xHigh, xHigh * 1.03);
  if (which == StepPlot::PerplexityAtLt) {
    showRunLegend();
  } else if (plot->legend) {
    plot->legend->setVisible(false);
  }
  plot->replot(QCustomPlot::rpQueuedReplot);
}

// On a small screen (1024 x 700) the four plots are about 200 pixels tall,
// and a legend of seven runs under the perplexity-at-Lt plot would leave its
// data a sliver: the legend folds away until the plot has room, the runs'
// colours being those of the experiment dock and the training curves beside.
bool LiveEvalView::roomForRunLegend() const {
  constexpr int kRowHeight = 16;  // one legend row of two runs
  const int rows = (static_cast<int>(stepGraphs_[static_cast<int>(StepPlot::PerplexityAtLt)].size()) + 1) / 2;
  return ltPlot_->height() - rows * kRowHeight >= 180;
}

void LiveEvalView::showRunLegend() {
  const bool show = !stepGraphs_[static_cast<int>(StepPlot::PerplexityAtLt)].empty() && roomForRunLegend();
  // Out of the layout when folded: an invisible legend still keeps its row.
  const bool placed = ltPlot_->legend->layout() != nullptr;
  if (show && !placed) place_legend_below(ltPlot_, 1, 2);
  if (!show && placed) {
    ltPlot_->plotLayout()->take(ltPlot_->legend);
    ltPlot_->plotLayout()->simplify();
  }
  ltPlot_->legend->setVisible(show);
  if (show != placed) ltPlot_->replot(QCustomPlot::rpQueuedReplot);
}

void LiveEvalView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  showRunLegend();
  // The steps' legend takes as many columns as hold "step 150" whole (at most 3).
  constexpr int kColumnPx = 90;
  const int columns = std::clamp(lengthPlot_->width() / kColumnPx, 1, 3);
  if (lengthPlot_->legend->wrap() != columns) {
    lengthPlot_->legend->setWrap(columns);
    lengthPlot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);  // rearranges the steps listed
    lengthPlot_->replot(QCustomPlot::rpQueuedReplot);
  }
}

}  // namespace pose::widgets
