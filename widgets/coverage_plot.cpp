#include "coverage_plot.h"
#include "plot_legend.h"

#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include <qcustomplot.h>

#include "themed_plot.h"

#include "positions/coverage_exact.h"

namespace pose::widgets {

namespace {

// Colour-blind-safe pair (blue, vermilion) so the two designs stay apart.
const QColor kColours[2] = {QColor(0, 114, 178), QColor(213, 94, 0)};

QString designLabel(const positions::Design& d) {
  QString name = QString::fromLatin1(positions::strategy_name(d.strategy));
  if (positions::uses_chunks(d.strategy)) {
    name = d.chunks == 1 ? CoveragePlot::tr("%1, 1 chunk").arg(name) : CoveragePlot::tr("%1, %2 chunks").arg(name).arg(d.chunks);
  }
  return name;
}

positions::CoverageCurve computeCurve(const positions::Design& d, positions::MonteCarloOptions mc) {
  if (positions::has_exact_coverage(d)) return positions::coverage_exact(d);
  return positions::coverage_monte_carlo(d, mc);
}

}  // namespace

DrawnCurve envelope(const std::vector<double>& values, int max_points, bool log_bins) {
  DrawnCurve out;
  const auto n = static_cast<std::int64_t>(values.size());
  const std::int64_t first = log_bins ? 1 : 0;
  const std::int64_t count = n - first;
  if (count <= 0) return out;
  if (count <= max_points) {
    for (std::int64_t d = first; d < n; ++d) {
      out.x.push_back(static_cast<double>(d));
      out.y.push_back(values[static_cast<std::size_t>(d)]);
    }
    return out;
  }
  const int bins = std::max(1, max_points / 2);
  out.x.reserve(2 * bins);
  out.y.reserve(2 * bins);
  std::int64_t begin = first;
  for (int b = 1; b <= bins && begin < n; ++b) {
    std::int64_t end;
    if (log_bins) {
      // Equal widths in log(d): bin b ends at first * (n/first)^(b/bins).
      end = static_cast<std::int64_t>(std::ceil(std::pow(static_cast<double>(n), static_cast<double>(b) / bins)));
    } else {
      end = first + (count * b) / bins;
    }
    end = std::min(n, std::max(end, begin + 1));
    if (b == bins) end = n;
    std::int64_t lo = begin, hi = begin;
    for (std::int64_t d = begin; d < end; ++d) {
      const double v = values[static_cast<std::size_t>(d)];
      if (v < values[static_cast<std::size_t>(lo)]) lo = d;
      if (v > values[static_cast<std::size_t>(hi)]) hi = d;
    }
    const std::int64_t a = std::min(lo, hi), c = std::max(lo, hi);
    out.x.push_back(static_cast<double>(a));
    out.y.push_back(values[static_cast<std::size_t>(a)]);
    if (c != a) {
      out.x.push_back(static_cast<double>(c));
      out.y.push_back(values[static_cast<std::size_t>(c)]);
    }
    begin = end;
  }
  return out;
}

CoveragePlot::CoveragePlot(QWidget* parent) : QWidget(parent), plot_(new ThemedPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  plot_->plotLayout()->insertRow(0);
  plot_->plotLayout()->addElement(0, 0, new QCPTextElement(plot_, tr("Relative-position coverage"),
                                                           QFont(font().family(), font().pointSize() + 2, QFont::Bold)));
  plot_->xAxis->setLabel(tr("relative distance d between query and key (tokens)"));
  // Short: the plot is often little more than 100 px high beside the cost table.
  plot_->yAxis->setLabel(tr("P(d is trained)"));
  plot_->yAxis->setRange(0, 1.08);
  // Under the plot, one entry a line (the labels are long): the curves span
  // the whole axis rect, so any place inside it hides some of them.
  place_legend_below(plot_, 1, 1);
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->axisRect()->setRangeZoom(Qt::Horizontal);
  plot_->axisRect()->setRangeDrag(Qt::Horizontal);
  setMinimumSize(480, 320);
}

CoveragePlot::~CoveragePlot() { stopWorker(); }

void CoveragePlot::setCurve(const positions::CoverageCurve& curve) {
  curves_[0] = curve;
  rebuild();
}

void CoveragePlot::setComparison(const positions::CoverageCurve& curve) {
  curves_[1] = curve;
  rebuild();
}

void CoveragePlot::clearComparison() {
  curves_[1].reset();
  rebuild();
}

void CoveragePlot::setRunSamples(std::int64_t samples) {
  runSamples_ = std::max<std::int64_t>(0, samples);
  rebuild();
}

void CoveragePlot::setLogX(bool on) {
  logX_ = on;
  rebuild();
}

void CoveragePlot::setMaxPoints(int points) {
  maxPoints_ = std::max(16, points);
  rebuild();
}

QCPGraph* CoveragePlot::probabilityGraph(int slot) const { return slot >= 0 && slot < 2 ? probability_[slot] : nullptr; }
QCPGraph* CoveragePlot::atLeastOnceGraph(int slot) const { return slot >= 0 && slot < 2 ? atLeastOnce_[slot] : nullptr; }
QVector<double> CoveragePlot::markerPositions() const { return markers_; }

void CoveragePlot::rebuild() {
  plot_->clearGraphs();
  plot_->clearItems();
  probability_[0] = probability_[1] = atLeastOnce_[0] = atLeastOnce_[1] = nullptr;
  markers_.clear();

  std::int64_t lt = 1;
  for (int slot = 0; slot < 2; ++slot) {
    if (!curves_[slot]) continue;
    const positions::CoverageCurve& c = *curves_[slot];
    lt = std::max(lt, c.design.target_len);
    const QColor colour = kColours[slot];
    QString label = designLabel(c.design);
    if (c.method == positions::CoverageMethod::MonteCarlo) {
      label = tr("%1 (Monte-Carlo, %2 samples)").arg(label).arg(c.samples);
    }

    if (c.method == positions::CoverageMethod::MonteCarlo && !c.lower.empty()) {
      // Wilson 95% band: a filled channel between two invisible graphs.
      const DrawnCurve lo = envelope(c.lower, maxPoints_, logX_);
      const DrawnCurve hi = envelope(c.upper, maxPoints_, logX_);
      QCPGraph* lower = plot_->addGraph();
      lower->setData(lo.x, lo.y, true);
      lower->setPen(Qt::NoPen);
      lower->removeFromLegend();
      QCPGraph* upper = plot_->addGraph();
      upper->setData(hi.x, hi.y, true);
      upper->setPen(Qt::NoPen);
      QColor fill = colour;
      fill.setAlpha(60);
      upper->setBrush(fill);
      upper->setChannelFillGraph(lower);
      upper->setName(tr("%1: 95% band").arg(designLabel(c.design)));
    }

    const DrawnCurve p = envelope(c.coverage, maxPoints_, logX_);
    QCPGraph* g = plot_->addGraph();
    g->setData(p.x, p.y, true);
    g->setPen(QPen(colour, 2));
    g->setName(tr("%1: one sample").arg(label));
    probability_[slot] = g;

    if (runSamples_ > 0) {
      const DrawnCurve k = envelope(positions::at_least_once(c.coverage, runSamples_), maxPoints_, logX_);
      QCPGraph* gk = plot_->addGraph();
      gk->setData(k.x, k.y, true);
      gk->setPen(QPen(colour.lighter(130), 2, Qt::DashLine));
      gk->setName(tr("%1: at least once in %2 samples").arg(designLabel(c.design)).arg(runSamples_));
      atLeastOnce_[slot] = gk;
    }
    if (c.design.strategy == positions::Strategy::Pose && c.design.chunks == 2 && c.design.target_len > c.design.train_len) {
      // Name the published plateau so the flat stretch reads as a number.
      const double plateau = static_cast<double>(c.design.train_len - 1) /
                             static_cast<double>(c.design.target_len - c.design.train_len + 1);
      auto* note = new QCPItemText(plot_);
      note->position->setCoords(static_cast<double>(c.design.train_len) * 1.1, plateau);
      note->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
      // L is the run's training length (its marker says so), which the Design
      // form and the paper do not call Lc: that is the original model's window.
      note->setText(tr("plateau (L-1)/(Lt-L+1) = %1").arg(plateau, 0, 'f', 4));
      note->setColor(colour.darker(120));
    }
    if (!markers_.contains(static_cast<double>(c.design.train_len))) markers_.push_back(static_cast<double>(c.design.train_len));
  }
  if (curves_[0] || curves_[1]) markers_.push_back(static_cast<double>(lt));
  std::sort(markers_.begin(), markers_.end());

  // Vertical markers: the training window (what the model sees per step) and
  // the target window (what it should handle).
  for (double x : markers_) {
    auto* line = new QCPItemStraightLine(plot_);
    line->point1->setCoords(x, 0);
    line->point2->setCoords(x, 1);
    line->setPen(QPen(QColor(90, 90, 90), 1, Qt::DotLine));
    follow_palette(line);
    auto* text = new QCPItemText(plot_);
    // Half-way up, between the curves: at the top it would sit on the
    // "at least once" curve, which runs at 1 across the target window.
    text->position->setCoords(x, 0.55);
    // Lt's label left of its line (it is at the right edge), a training
    // length's right of its line (it is usually near the left edge).
    const bool target = x == static_cast<double>(lt);
    text->setPositionAlignment((target ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
    text->setPadding(target ? QMargins(0, 0, 4, 0) : QMargins(4, 0, 0, 0));
    text->setText(target ? tr("Lt = %1").arg(static_cast<qlonglong>(x))
                         : tr("training length L = %1").arg(static_cast<qlonglong>(x)));
    text->setColor(QColor(60, 60, 60));
    follow_palette(text);
  }

  if (logX_) {
    plot_->xAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    plot_->xAxis->setRange(1, static_cast<double>(lt) * 1.05);
  } else {
    plot_->xAxis->setScaleType(QCPAxis::stLinear);
    plot_->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    plot_->xAxis->setRange(0, static_cast<double>(lt) * 1.02);
  }
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void CoveragePlot::stopWorker() {
  if (!worker_) return;
  if (cancel_) cancel_->store(true);
  worker_->wait();
  delete worker_;
  worker_ = nullptr;
}

void CoveragePlot::computeAsync(const positions::Design& primary, const std::optional<positions::Design>& comparison,
                                const positions::MonteCarloOptions& mc) {
  stopWorker();
  const int generation = ++generation_;
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  struct Result {
    std::vector<positions::CoverageCurve> curves;
    QString error;
  };
  auto result = std::make_shared<Result>();
  positions::MonteCarloOptions options = mc;
  options.cancel = cancel_.get();
  auto cancel = cancel_;  // keeps the flag alive as long as the worker runs
  worker_ = QThread::create([result, primary, comparison, options, cancel] {
    try {
      result->curves.push_back(computeCurve(primary, options));
      if (comparison && !cancel->load()) result->curves.push_back(computeCurve(*comparison, options));
    } catch (const std::exception& e) {
      result->error = QString::fromUtf8(e.what());
    }
  });
  connect(worker_, &QThread::finished, this, [this, generation, result, cancel] {
    if (generation != generation_ || !worker_) return;  // superseded: stopWorker() owns that thread
    worker_->deleteLater();
    worker_ = nullptr;
    if (cancel->load()) return;
    if (!result->error.isEmpty()) {
      emit computeFailed(result->error);
      return;
    }
    curves_[0] = result->curves.at(0);
    if (result->curves.size() > 1) curves_[1] = result->curves.at(1); else curves_[1].reset();
    rebuild();
    emit curvesReady();
  }, Qt::QueuedConnection);
  worker_->start();
}

}  // namespace pose::widgets
