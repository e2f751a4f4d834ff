#include "rope_spectrum_view.h"
#include "plot_legend.h"

#include "rope/rope_scaling.h"

#include <QLabel>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "themed_plot.h"

#include <algorithm>
#include <cmath>

namespace pose::widgets {

namespace {

constexpr double kTwoPi = 6.28318530717958647692;

// Stable colours: plain RoPE is the grey reference, the method blue, the
// overlay orange; the windows and the ramp keep their own.
const QColor kNoneColor(120, 120, 120);
const QColor kMethodColor(31, 119, 180);
const QColor kSecondColor(230, 115, 0);
const QColor kRatioColor(44, 160, 44);
const QColor kOriginalColor(200, 30, 30);
const QColor kTargetColor(120, 40, 160);
const QColor kRampColor(255, 200, 60);

QVector<double> indices(std::size_t n) {
  QVector<double> x(static_cast<int>(n));
  for (int i = 0; i < x.size(); ++i) x[i] = i;
  return x;
}

QVector<double> toQVector(const std::vector<double>& v) { return QVector<double>(v.begin(), v.end()); }

std::vector<double> invFreqOf(const std::vector<double>& wavelength) {
  std::vector<double> inv(wavelength.size());
  std::transform(wavelength.begin(), wavelength.end(), inv.begin(), [](double w) { return kTwoPi / w; });
  return inv;
}

QCPGraph* addGraph(QCustomPlot* plot, const QColor& color, double width, Qt::PenStyle style = Qt::SolidLine,
                   QCPAxis* valueAxis = nullptr) {
  QCPGraph* g = plot->addGraph(plot->xAxis, valueAxis ? valueAxis : plot->yAxis);
  QPen pen(color, width, style);
  g->setPen(pen);
  return g;
}

QCPItemStraightLine* addHorizontalLine(QCustomPlot* plot, const QColor& color) {
  auto* line = new QCPItemStraightLine(plot);
  line->setPen(QPen(color, 1.5, Qt::DashLine));
  line->setClipToAxisRect(true);
  return line;
}

QCPItemText* addLabel(QCustomPlot* plot, const QColor& color, Qt::Alignment alignment) {
  auto* label = new QCPItemText(plot);
  label->setColor(color);
  label->setPositionAlignment(alignment);
  label->setClipToAxisRect(true);
  QFont font = plot->font();
  font.setPointSizeF(font.pointSizeF() * 0.95);
  label->setFont(font);
  return label;
}

void placeHorizontalLine(QCPItemStraightLine* line, double y) {
  line->point1->setCoords(0, y);
  line->point2->setCoords(1, y);
}

void placeVerticalLine(QCPItemStraightLine* line, double x) {
  line->point1->setCoords(x, 0);
  line->point2->setCoords(x, 1);
}

QString formatWindow(double w) { return QLocale::c().toString(static_cast<qlonglong>(std::llround(w))); }

}  // namespace

RopeSpectrumData makeRopeSpectrumData(const rope::RopeParams& method, double target_window,
                                      const rope::RopeParams* second) {
  const rope::RopeFrequencies f = rope::compute_rope(method);
  rope::RopeParams plain = method;
  plain.method = rope::RopeMethod::None;

  RopeSpectrumData data;
  data.method = {QString::fromStdString(rope::to_string(method.method)), rope::wavelengths(f.inv_freq)};
  data.none = {QStringLiteral("none"), rope::wavelengths(rope::compute_rope(plain).inv_freq)};
  if (second) {
    data.second = RopeSpectrumSeries{QString::fromStdString(rope::to_string(second->method)),
                                     rope::wavelengths(rope::compute_rope(*second).inv_freq)};
  }
  data.original_window = rope::original_window(method).value_or(0);
  data.target_window = target_window;
  data.ramp_low = f.ramp_low;
  data.ramp_high = f.ramp_high;
  data.title = RopeSpectrumView::tr("%1: factor %2, rotary dim %3, base %4, original window %5 → target %6, "
                                    "attention factor %7")
                   .arg(data.method.name)
                   .arg(method.factor)
                   .arg(method.rotary_dim())
                   .arg(method.base)
                   .arg(formatWindow(data.original_window), formatWindow(target_window))
                   .arg(f.attention_factor, 0, 'f', 4);
  return data;
}

RopeSpectrumView::RopeSpectrumView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  title_ = new QLabel(this);
  title_->setWordWrap(true);
  QFont bold = title_->font();
  bold.setBold(true);
  title_->setFont(bold);
  layout->addWidget(title_);
  wavelength_plot_ = new ThemedPlot(this);
  response_plot_ = new ThemedPlot(this);
  // Beside the Design form on a 1024-pixel screen the previews get about 350
  // pixels (the titles are short, or on two lines, to fit).
  wavelength_plot_->setMinimumWidth(kMinimumWidth);
  response_plot_->setMinimumWidth(kMinimumWidth);
  layout->addWidget(wavelength_plot_, 3);
  layout->addWidget(response_plot_, 2);
  buildWavelengthPanel();
  buildResponsePanel();
}

QString RopeSpectrumView::title() const { return title_->text(); }

void RopeSpectrumView::buildWavelengthPanel() {
  QCustomPlot* p = wavelength_plot_;
  p->plotLayout()->insertRow(0);
  p->plotLayout()->addElement(0, 0, new QCPTextElement(p, tr("(a) Wavelength of each rotary frequency"),
                                                        QFont(font().family(), -1, QFont::Bold)));
  p->xAxis->setLabel(tr("frequency index i (0 = fastest rotation)"));
  p->yAxis->setLabel(tr("wavelength 2π/θᵢ (positions per turn, log scale)"));
  p->yAxis->setScaleType(QCPAxis::stLogarithmic);
  auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
  p->yAxis->setTicker(ticker);
  p->yAxis->setNumberFormat("eb");
  p->yAxis->setNumberPrecision(0);
  p->yAxis2->setLabel(tr("wavelength ratio (overlay / method)"));

  // Drawn first, so that it lies beneath the curves.
  ramp_band_ = new QCPItemRect(p);
  ramp_band_->setPen(Qt::NoPen);
  QColor fill = kRampColor;
  fill.setAlpha(70);
  ramp_band_->setBrush(fill);
  ramp_band_->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
  ramp_band_->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
  ramp_label_ = addLabel(p, QColor(150, 100, 0), Qt::AlignHCenter | Qt::AlignTop);
  ramp_label_->position->setTypeY(QCPItemPosition::ptAxisRectRatio);

  none_graph_ = addGraph(p, kNoneColor, 2.0, Qt::DashLine);
  method_graph_ = addGraph(p, kMethodColor, 2.0);
  second_graph_ = addGraph(p, kSecondColor, 2.0);
  ratio_graph_ = addGraph(p, kRatioColor, 1.5, Qt::DotLine, p->yAxis2);
  for (QCPGraph* g : {none_graph_, method_graph_, second_graph_}) {
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 3));
  }

  original_line_ = addHorizontalLine(p, kOriginalColor);
  target_line_ = addHorizontalLine(p, kTargetColor);
  original_label_ = addLabel(p, kOriginalColor, Qt::AlignLeft | Qt::AlignBottom);
  target_label_ = addLabel(p, kTargetColor, Qt::AlignLeft | Qt::AlignBottom);
  for (QCPItemText* label : {original_label_, target_label_}) label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);

  place_legend_below(p, 1, 3);
}

void RopeSpectrumView::buildResponsePanel() {
  QCustomPlot* p = response_plot_;
  p->plotLayout()->insertRow(0);
  p->plotLayout()->addElement(
      0, 0,
      new QCPTextElement(p, tr("(b) Rotary response:\nmean of cos(s·θᵢ) over the frequencies"),
                         QFont(font().family(), -1, QFont::Bold)));
  p->xAxis->setLabel(tr("relative distance s (positions)"));
  p->yAxis->setLabel(tr("response (1 at s = 0)"));
  // Translucent: the curves oscillate densely and overlap; each stays visible.
  const auto translucent = [](QColor c) {
    c.setAlpha(150);
    return c;
  };
  none_response_ = addGraph(p, translucent(kNoneColor), 1.0);
  method_response_ = addGraph(p, translucent(kMethodColor), 1.0);
  second_response_ = addGraph(p, translucent(kSecondColor), 1.0);
  for (QCPGraph* g : {none_response_, method_response_, second_response_}) g->setAdaptiveSampling(true);

  original_response_line_ = new QCPItemStraightLine(p);
  original_response_line_->setPen(QPen(kOriginalColor, 1.5, Qt::DashLine));
  target_response_line_ = new QCPItemStraightLine(p);
  target_response_line_->setPen(QPen(kTargetColor, 1.5, Qt::DashLine));
  original_response_label_ = addLabel(p, kOriginalColor, Qt::AlignLeft | Qt::AlignTop);
  target_response_label_ = addLabel(p, kTargetColor, Qt::AlignLeft | Qt::AlignTop);
  for (QCPItemText* label : {original_response_label_, target_response_label_}) {
    label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
  }

  place_legend_below(p, 1, 3);
}

void RopeSpectrumView::setData(const RopeSpectrumData& data) {
  data_ = data;
  title_->setText(data.title);
  showWavelengths();
  showResponse();
}

void RopeSpectrumView::showWavelengths() {
  QCustomPlot* p = wavelength_plot_;
  const RopeSpectrumData& d = data_;
  none_graph_->setData(indices(d.none.wavelength.size()), toQVector(d.none.wavelength), true);
  none_graph_->setName(tr("%1 (plain RoPE)").arg(d.none.name));
  method_graph_->setData(indices(d.method.wavelength.size()), toQVector(d.method.wavelength), true);
  method_graph_->setName(d.method.name);

  const bool overlay = d.second.has_value();
  second_graph_->setVisible(overlay);
  ratio_graph_->setVisible(overlay);
  p->yAxis2->setVisible(overlay);
  if (overlay) {
    second_graph_->setData(indices(d.second->wavelength.size()), toQVector(d.second->wavelength), true);
    second_graph_->setName(d.second->name);
    const std::size_t n = std::min(d.second->wavelength.size(), d.method.wavelength.size());
    QVector<double> ratio(static_cast<int>(n));
    for (std::size_t i = 0; i < n; ++i) ratio[static_cast<int>(i)] = d.second->wavelength[i] / d.method.wavelength[i];
    ratio_graph_->setData(indices(n), ratio, true);
    ratio_graph_->setName(tr("ratio %1 / %2 (right axis)").arg(d.second->name, d.method.name));
    ratio_graph_->rescaleValueAxis(false, true);
    QCPRange r = p->yAxis2->range();
    r.lower = std::min(r.lower, 1.0);  // keep 1 (= identical) in view
    r.upper = std::max(r.upper, 1.0);
    p->yAxis2->setRange(r.lower - 0.05 * r.size() - 0.01, r.upper + 0.05 * r.size() + 0.01);
    p->yAxis2->setTickLabels(true);
  } else {
    second_graph_->data()->clear();
    ratio_graph_->data()->clear();
  }
  for (QCPGraph* g : {second_graph_, ratio_graph_}) {
    if (overlay) {
      g->addToLegend();
    } else {
      g->removeFromLegend();
    }
  }

  // Ranges: every wavelength and both windows, with half a decade of margin.
  double lo = std::numeric_limits<double>::max(), hi = 0;
  for (const auto* series : {&d.none.wavelength, &d.method.wavelength}) {
    for (double w : *series) {
      lo = std::min(lo, w);
      hi = std::max(hi, w);
    }
  }
  if (overlay) {
    for (double w : d.second->wavelength) {
      lo = std::min(lo, w);
      hi = std::max(hi, w);
    }
  }
  for (double w : {d.original_window, d.target_window}) {
    if (w > 0) {
      lo = std::min(lo, w);
      hi = std::max(hi, w);
    }
  }
  if (hi <= 0 || lo <= 0 || lo > hi) {
    lo = 1;
    hi = 10;
  }
  p->yAxis->setRange(lo / 3.0, hi * 3.0);
  const double n = static_cast<double>(std::max<std::size_t>(d.method.wavelength.size(), 1));
  p->xAxis->setRange(-0.5, n - 0.5);

  original_line_->setVisible(d.original_window > 0);
  original_label_->setVisible(d.original_window > 0);
  placeHorizontalLine(original_line_, d.original_window);
  original_label_->position->setCoords(0.01, d.original_window);
  original_label_->setText(tr("original window L₀ = %1").arg(formatWindow(d.original_window)));
  target_line_->setVisible(d.target_window > 0);
  target_label_->setVisible(d.target_window > 0);
  placeHorizontalLine(target_line_, d.target_window);
  target_label_->position->setCoords(0.01, d.target_window);
  target_label_->setText(tr("target window Lₜ = %1").arg(formatWindow(d.target_window)));

  const bool ramp = d.ramp_low && d.ramp_high;
  ramp_band_->setVisible(ramp);
  ramp_label_->setVisible(ramp);
  if (ramp) {
    // From the last unchanged dimension (ramp_low) to the first fully
    // interpolated one (ramp_high); the band spans the whole plot height.
    ramp_band_->topLeft->setCoords(*d.ramp_low, 0.0);
    ramp_band_->bottomRight->setCoords(*d.ramp_high, 1.0);
    ramp_label_->position->setCoords((*d.ramp_low + *d.ramp_high) / 2.0, 0.02);
    ramp_label_->setText(tr("YaRN ramp\ni = %1 … %2\n← unchanged | ÷ factor →")
                             .arg(*d.ramp_low)
                             .arg(*d.ramp_high));
  }
  p->replot(QCustomPlot::rpQueuedReplot);
}

void RopeSpectrumView::showResponse() {
  QCustomPlot* p = response_plot_;
  const RopeSpectrumData& d = data_;
  // Every integer distance: the fastest frequency turns once per ~6 positions,
  // so coarser sampling would alias. Adaptive sampling thins by view.
  const double span = std::max(2.0 * d.target_window, 1.0);
  const std::size_t count = static_cast<std::size_t>(std::llround(span)) + 1;
  std::vector<double> distances(count);
  for (std::size_t k = 0; k < count; ++k) distances[k] = static_cast<double>(k);
  const QVector<double> x = toQVector(distances);

  const auto fill = [&](QCPGraph* g, const RopeSpectrumSeries& series) {
    g->setData(x, toQVector(rope::rotary_response(invFreqOf(series.wavelength), distances)), true);
    g->setName(series.name);
  };
  fill(none_response_, d.none);
  none_response_->setName(tr("%1 (plain RoPE)").arg(d.none.name));
  fill(method_response_, d.method);
  second_response_->setVisible(d.second.has_value());
  if (d.second) {
    fill(second_response_, *d.second);
    second_response_->addToLegend();
  } else {
    second_response_->data()->clear();
    second_response_->removeFromLegend();
  }

  p->xAxis->setRange(0, span);
  p->yAxis->setRange(-0.35, 1.05);
  original_response_line_->setVisible(d.original_window > 0);
  placeVerticalLine(original_response_line_, d.original_window);
  target_response_line_->setVisible(d.target_window > 0);
  placeVerticalLine(target_response_line_, d.target_window);
  original_response_label_->setVisible(d.original_window > 0);
  original_response_label_->position->setCoords(d.original_window, 0.02);
  original_response_label_->setText(tr(" L₀"));
  target_response_label_->setVisible(d.target_window > 0);
  target_response_label_->position->setCoords(d.target_window, 0.02);
  target_response_label_->setText(tr(" Lₜ"));
  p->replot(QCustomPlot::rpQueuedReplot);
}

bool RopeSpectrumView::saveScreenshot(const RopeSpectrumData& data, const QString& path, const QSize& size) {
  RopeSpectrumView view;
  view.resize(size);
  view.setData(data);
  view.ensurePolished();
  view.layout()->activate();
  view.wavelengthPlot()->replot(QCustomPlot::rpImmediateRefresh);
  view.responsePlot()->replot(QCustomPlot::rpImmediateRefresh);
  return view.grab().save(path, "PNG");
}

}  // namespace pose::widgets
