#include "training_curves_view.h"

#include "flow_layout.h"
#include "plot_legend.h"
#include "results/metric_names.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include <qcustomplot.h>

#include "themed_plot.h"

#include "run_colors.h"

namespace pose::widgets {

namespace {

const QString kLoss = QString::fromLatin1(pose::results::kTrainLoss);
const char* const kRawLayer = "rawCurves";
constexpr double kMaxSmoothing = 0.999;
constexpr int kRawAlpha = 89;  // 35% of 255

struct SeriesInfo {
  const char* name;
  const char* label;
  // Listed only while a run has points in it (data-parallel runs alone have
  // the slowest rank's tokens/s).
  bool onlyWithData = false;
};
constexpr SeriesInfo kSeries[] = {
    {pose::results::kTrainLoss, QT_TRANSLATE_NOOP("pose::widgets::TrainingCurvesView", "Loss")},
    {pose::results::kTrainLr, QT_TRANSLATE_NOOP("pose::widgets::TrainingCurvesView", "Learning rate")},
    {pose::results::kTrainGradNorm, QT_TRANSLATE_NOOP("pose::widgets::TrainingCurvesView", "Gradient norm")},
    {pose::results::kTrainTokensPerS, QT_TRANSLATE_NOOP("pose::widgets::TrainingCurvesView", "Tokens/s")},
    {pose::results::kTrainMemoryMb, QT_TRANSLATE_NOOP("pose::widgets::TrainingCurvesView", "Memory (MiB)")},
    {pose::results::kTrainSlowestRankTokensPerS,
     QT_TRANSLATE_NOOP("pose::widgets::TrainingCurvesView", "Tokens/s, slowest rank"), true},
};

double clampWeight(double w) {
  if (!std::isfinite(w)) return 0.0;
  return std::clamp(w, 0.0, kMaxSmoothing);
}

}  // namespace

double EmaState::push(double value) {
  if (!std::isfinite(value)) return value;
  last_ = last_ * weight_ + (1.0 - weight_) * value;
  weightPower_ *= weight_;
  return last_ / (1.0 - weightPower_);
}

QVector<double> smooth_ema(const QVector<double>& values, double weight) {
  EmaState ema(clampWeight(weight));
  QVector<double> out;
  out.reserve(values.size());
  for (double v : values) out.push_back(ema.push(v));
  return out;
}

QString training_series_label(const QString& series) {
  for (const SeriesInfo& s : kSeries) {
    if (series == QLatin1String(s.name)) {
      return QCoreApplication::translate("pose::widgets::TrainingCurvesView", s.label);
    }
  }
  return series;
}

QStringList training_series_names() {
  QStringList names;
  for (const SeriesInfo& s : kSeries) names << QString::fromLatin1(s.name);
  return names;
}

TrainingCurvesView::TrainingCurvesView(QWidget* parent)
    : QWidget(parent),
      plot_(new ThemedPlot(this)),
      seriesCombo_(new QComboBox(this)),
      smoothingSpin_(new QDoubleSpinBox(this)),
      smoothingSlider_(new QSlider(Qt::Horizontal, this)),
      logCheck_(new QCheckBox(tr("Log y"), this)) {
  seriesCombo_->setObjectName(QStringLiteral("seriesCombo"));
  seriesCombo_->setSizeAdjustPolicy(QComboBox::AdjustToContents);  // the slowest rank's label comes later
  for (const SeriesInfo& info : kSeries) {
    const QString name = QString::fromLatin1(info.name);
    if (!info.onlyWithData) seriesCombo_->addItem(training_series_label(name), name);
  }
  seriesCombo_->setToolTip(tr("Tokens/s counts every rank of a data-parallel run together. \"Tokens/s, slowest rank\" "
                              "(listed when a run has more than one rank) is the tokens/s of the rank whose share of "
                              "each step took longest."));
  smoothingSpin_->setObjectName(QStringLiteral("smoothingSpin"));
  smoothingSpin_->setRange(0.0, kMaxSmoothing);
  smoothingSpin_->setDecimals(3);
  smoothingSpin_->setSingleStep(0.05);
  smoothingSpin_->setToolTip(tr("Weight of the exponential moving average drawn over the loss (0 = none)"));
  smoothingSlider_->setObjectName(QStringLiteral("smoothingSlider"));
  smoothingSlider_->setRange(0, 999);
  smoothingSlider_->setToolTip(smoothingSpin_->toolTip());
  logCheck_->setObjectName(QStringLiteral("logYCheck"));

  // The toolbar wraps when the view is narrow (beside the live evaluations
  // on a 1024-pixel screen); each label stays with its field.
  auto* toolbar = new FlowLayout;
  toolbar->setContentsMargins(4, 2, 4, 2);
  const auto group = [this](const QString& label, std::initializer_list<QWidget*> fields) {
    auto* box = new QWidget(this);
    auto* h = new QHBoxLayout(box);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(new QLabel(label, box));
    for (QWidget* f : fields) h->addWidget(f);
    return box;
  };
  toolbar->addWidget(group(tr("Series"), {seriesCombo_}));
  toolbar->addSpacing(12);
  toolbar->addWidget(group(tr("Smoothing"), {smoothingSlider_, smoothingSpin_}));
  toolbar->addSpacing(12);
  toolbar->addWidget(logCheck_);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addLayout(toolbar);
  layout->addWidget(plot_, 1);

  // Raw curves sit under the smoothed ones whatever order the runs arrive in.
  plot_->addLayer(QString::fromLatin1(kRawLayer), plot_->layer(QStringLiteral("main")), QCustomPlot::limBelow);
  plot_->xAxis->setLabel(tr("step"));
  // Under the plot: a loss curve starts high at the left and a live run
  // reaches the right edge, so no corner of the axis rect stays free.
  place_legend_below(plot_, 0, 4);

  connect(seriesCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int index) {
    if (index >= 0) setShownSeries(seriesCombo_->itemData(index).toString());
  });
  connect(smoothingSpin_, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
          [this](double w) { setSmoothing(w); });
  connect(smoothingSlider_, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 1000.0); });
  connect(logCheck_, &QCheckBox::toggled, this, [this](bool on) { setLogY(on); });

  setMinimumSize(300, 280);
  rebuildAll();
}

TrainingCurvesView::~TrainingCurvesView() = default;

QStringList TrainingCurvesView::runs() const {
  QStringList out;
  for (const auto& [name, r] : runs_) out << name;
  return out;
}

TrainingCurvesView::Run& TrainingCurvesView::ensureRun(const QString& run) {
  auto it = runs_.find(run);
  if (it != runs_.end()) return it->second;
  int next = 0;
  for (const auto& [name, r] : runs_) next = std::max(next, r.colorIndex + 1);
  Run& r = runs_[run];
  r.colorIndex = next;
  return r;
}

void TrainingCurvesView::addRun(const QString& run, int colorIndex) {
  auto it = runs_.find(run);
  if (it != runs_.end() && it->second.colorIndex == colorIndex) return;
  if (it == runs_.end()) {
    runs_[run].colorIndex = colorIndex;
  } else {
    it->second.colorIndex = colorIndex;
  }
  rebuildAll();  // keeps the legend in colour order
}

void TrainingCurvesView::removeRun(const QString& run) {
  totalSteps_.remove(run);
  auto it = runs_.find(run);
  if (it == runs_.end()) {
    updateAxes();
    return;
  }
  removeGraphs(it->second);
  runs_.erase(it);
  syncSeriesItems();
  recomputeRanges();
  updateAxes();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingCurvesView::clear() {
  for (auto& [name, r] : runs_) removeGraphs(r);
  runs_.clear();
  totalSteps_.clear();
  syncSeriesItems();
  recomputeRanges();
  updateAxes();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingCurvesView::setSeries(const QString& run, const QString& series, const QVector<CurvePoint>& points) {
  Run& r = ensureRun(run);
  r.series[series] = points;
  syncSeriesItems();
  if (series != shown_) return;
  if (points.isEmpty()) {
    removeGraphs(r);
  } else if (!r.raw) {
    createGraphs(run, r);
  } else {
    r.raw->data()->clear();
    if (r.smoothed) r.smoothed->data()->clear();
    r.ema = EmaState(smoothing_);
    feedGraphs(r, points);
  }
  recomputeRanges();
  updateAxes();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingCurvesView::appendPoints(const QString& run, const QString& series, const QVector<CurvePoint>& points) {
  if (points.isEmpty()) return;
  Run& r = ensureRun(run);
  const auto existing = r.series.constFind(series);
  if (existing != r.series.cend() && !existing->isEmpty() && points.front().step <= existing->back().step) {
    // A step at or before the last one shown is a new attempt of the run: run
    // again from the start, or resumed from a checkpoint behind the last
    // point. The store dropped the old attempt's points from that step on, so
    // the curve does too, instead of drawing both (a sawtooth).
    QVector<CurvePoint> kept;
    for (const auto& p : *existing) {
      if (p.step < points.front().step) kept.push_back(p);
    }
    kept += points;
    setSeries(run, series, kept);
    return;
  }
  const bool first = existing == r.series.cend() || existing->isEmpty();
  r.series[series] += points;
  if (first) syncSeriesItems();
  if (series != shown_) return;
  if (!r.raw) {
    createGraphs(run, r);  // first points of this run in the shown series
  } else {
    feedGraphs(r, points);
  }
  updateAxes();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingCurvesView::setShownSeries(const QString& series) {
  if (series.isEmpty() || series == shown_) return;
  shown_ = series;
  if (seriesCombo_->findData(series) < 0) seriesCombo_->addItem(training_series_label(series), series);
  syncSeriesItems();
  rebuildAll();
  emit shownSeriesChanged(shown_);
}

void TrainingCurvesView::setSmoothing(double weight) {
  weight = clampWeight(weight);
  if (weight == smoothing_) {
    syncControls();  // a slider step that rounds to the same weight
    return;
  }
  smoothing_ = weight;
  if (shown_ == kLoss) {
    rebuildAll();
  } else {
    syncControls();
  }
}

bool TrainingCurvesView::logY() const { return logChoice_.value(shown_, shown_ == kLoss); }

void TrainingCurvesView::setLogY(bool on) {
  if (on == logY()) return;
  logChoice_[shown_] = on;
  rebuildAll();
}

void TrainingCurvesView::setTotalSteps(const QString& run, double steps) {
  if (!std::isfinite(steps) || steps <= 0) {
    totalSteps_.remove(run);
  } else {
    totalSteps_[run] = steps;
  }
  updateAxes();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

QCPGraph* TrainingCurvesView::rawGraph(const QString& run) const {
  auto it = runs_.find(run);
  return it == runs_.end() ? nullptr : it->second.raw;
}

QCPGraph* TrainingCurvesView::smoothedGraph(const QString& run) const {
  auto it = runs_.find(run);
  return it == runs_.end() ? nullptr : it->second.smoothed;
}

void TrainingCurvesView::syncSeriesItems() {
  for (const SeriesInfo& info : kSeries) {
    if (!info.onlyWithData) continue;
    const QString name = QString::fromLatin1(info.name);
    bool has = name == shown_;
    for (auto it = runs_.cbegin(); !has && it != runs_.cend(); ++it) {
      const auto points = it->second.series.constFind(name);
      has = points != it->second.series.cend() && !points->isEmpty();
    }
    const int index = seriesCombo_->findData(name);
    if (has && index < 0) {
      seriesCombo_->addItem(training_series_label(name), name);
    } else if (!has && index >= 0) {
      const QSignalBlocker block(seriesCombo_);  // never the shown series: the choice stays
      seriesCombo_->removeItem(index);
    }
  }
}

bool TrainingCurvesView::showsSmoothed() const { return shown_ == kLoss && smoothing_ > 0.0; }

void TrainingCurvesView::removeGraphs(Run& r) {
  if (r.raw) plot_->removeGraph(r.raw);
  if (r.smoothed) plot_->removeGraph(r.smoothed);
  r.raw = r.smoothed = nullptr;
}

void TrainingCurvesView::createGraphs(const QString& name, Run& r) {
  removeGraphs(r);
  auto it = r.series.constFind(shown_);
  if (it == r.series.constEnd() || it->isEmpty()) return;
  const QColor colour = run_color(r.colorIndex);
  r.raw = plot_->addGraph();
  r.raw->setName(name);
  if (showsSmoothed()) {
    QColor faint = colour;
    faint.setAlpha(kRawAlpha);
    r.raw->setPen(QPen(faint, 1));
    r.raw->setLayer(QString::fromLatin1(kRawLayer));
    r.raw->removeFromLegend();  // the run is listed once, by its smoothed curve
    r.smoothed = plot_->addGraph();
    r.smoothed->setName(name);
    r.smoothed->setPen(QPen(colour, 2));
  } else {
    r.raw->setPen(QPen(colour, 1.5));
  }
  r.ema = EmaState(smoothing_);
  feedGraphs(r, *it);
}

void TrainingCurvesView::feedGraphs(Run& r, const QVector<CurvePoint>& points) {
  const bool log = logY();
  const auto drawable = [log](double v) { return std::isfinite(v) && (!log || v > 0); };
  QVector<double> keys, values, smoothKeys, smoothValues;
  keys.reserve(points.size());
  values.reserve(points.size());
  if (r.smoothed) {
    smoothKeys.reserve(points.size());
    smoothValues.reserve(points.size());
  }
  for (const CurvePoint& p : points) {
    if (!std::isfinite(p.step)) continue;
    xHigh_ = std::max(xHigh_, p.step);
    if (drawable(p.value)) {
      keys.push_back(p.step);
      values.push_back(p.value);
      yLow_ = std::min(yLow_, p.value);
      yHigh_ = std::max(yHigh_, p.value);
    }
    if (r.smoothed) {
      const double s = r.ema.push(p.value);
      if (drawable(s)) {
        smoothKeys.push_back(p.step);
        smoothValues.push_back(s);
        yLow_ = std::min(yLow_, s);
        yHigh_ = std::max(yHigh_, s);
      }
    }
  }
  r.raw->addData(keys, values, true);
  if (r.smoothed) r.smoothed->addData(smoothKeys, smoothValues, true);
}

void TrainingCurvesView::rebuildAll() {
  for (auto& [name, r] : runs_) removeGraphs(r);
  yLow_ = std::numeric_limits<double>::infinity();
  yHigh_ = -yLow_;
  xHigh_ = -yLow_;
  // Legend and drawing order follow the runs' positions in the experiment.
  std::vector<std::pair<int, QString>> order;
  for (const auto& [name, r] : runs_) order.emplace_back(r.colorIndex, name);
  std::sort(order.begin(), order.end());
  for (const auto& [index, name] : order) createGraphs(name, runs_[name]);

  const bool log = logY();
  if (log) {
    plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
  } else {
    plot_->yAxis->setScaleType(QCPAxis::stLinear);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  }
  plot_->yAxis->setLabel(training_series_label(shown_));
  syncControls();
  updateAxes();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingCurvesView::recomputeRanges() {
  yLow_ = std::numeric_limits<double>::infinity();
  yHigh_ = -yLow_;
  xHigh_ = -yLow_;
  for (const auto& [name, r] : runs_) {
    auto it = r.series.constFind(shown_);
    if (it != r.series.constEnd()) {
      for (const CurvePoint& p : *it) {
        if (std::isfinite(p.step)) xHigh_ = std::max(xHigh_, p.step);
      }
    }
    for (QCPGraph* g : {r.raw, r.smoothed}) {
      if (!g) continue;
      for (auto d = g->data()->constBegin(); d != g->data()->constEnd(); ++d) {
        yLow_ = std::min(yLow_, d->value);
        yHigh_ = std::max(yHigh_, d->value);
      }
    }
  }
}

void TrainingCurvesView::updateAxes() {
  double upper = std::max(0.0, xHigh_);
  for (auto it = totalSteps_.constBegin(); it != totalSteps_.constEnd(); ++it) {
    if (runs_.count(it.key())) upper = std::max(upper, it.value());
  }
  plot_->xAxis->setRange(0, upper > 0 ? upper : 1.0);

  const bool log = logY();
  double lo = yLow_, hi = yHigh_;
  if (!(lo <= hi)) {  // nothing drawn
    lo = log ? 0.1 : 0.0;
    hi = log ? 10.0 : 1.0;
  } else if (log) {
    const double pad = lo == hi ? 2.0 : std::pow(hi / lo, 0.05);
    lo /= pad;
    hi *= pad;
  } else {
    const double span = hi - lo;
    const double pad = span > 0 ? 0.05 * span : (lo != 0 ? 0.05 * std::abs(lo) : 1.0);
    lo -= pad;
    hi += pad;
  }
  plot_->yAxis->setRange(lo, hi);
}

void TrainingCurvesView::syncControls() {
  const QSignalBlocker b1(seriesCombo_), b2(smoothingSpin_), b3(smoothingSlider_), b4(logCheck_);
  seriesCombo_->setCurrentIndex(seriesCombo_->findData(shown_));
  smoothingSpin_->setValue(smoothing_);
  smoothingSlider_->setValue(static_cast<int>(std::lround(smoothing_ * 1000.0)));
  const bool loss = shown_ == kLoss;
  smoothingSpin_->setEnabled(loss);
  smoothingSlider_->setEnabled(loss);
  logCheck_->setChecked(logY());
}

void TrainingCurvesView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  constexpr int kColumnPx = 150;  // an icon and a run name such as "full-length-yarn"
  const int columns = std::clamp(plot_->width() / kColumnPx, 1, 4);
  if (plot_->legend->wrap() != columns) {
    plot_->legend->setWrap(columns);
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);  // rearranges the runs already listed
    plot_->replot(QCustomPlot::rpQueuedReplot);
  }
}

}  // namespace pose::widgets
