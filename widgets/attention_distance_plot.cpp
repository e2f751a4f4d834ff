#include "attention_distance_plot.h"

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

// Text ticks whose labels are thinned where they would touch: at draw time,
// when the axis knows its pixels, a label closer to the last one kept than
// its own half width plus a gap is left blank (the tick stays). Log-spaced
// bins labelled 128, 256, 512 never read "128256512" on a narrow plot.
class SpacedTickerText : public QCPAxisTickerText {
 public:
  explicit SpacedTickerText(QCPAxis* axis) : axis_(axis) {}

 protected:
  QVector<QString> createLabelVector(const QVector<double>& ticks, const QLocale& locale, QChar formatChar,
                                     int precision) override {
    QVector<QString> labels = QCPAxisTickerText::createLabelVector(ticks, locale, formatChar, precision);
    const QFontMetrics metrics(axis_->tickLabelFont());
    const double gap = metrics.horizontalAdvance(QStringLiteral("  "));
    double lastRight = -std::numeric_limits<double>::infinity();
    for (int i = 0; i < labels.size(); ++i) {
      if (labels[i].isEmpty()) continue;
      const double x = axis_->coordToPixel(ticks[i]);
      const double half = metrics.horizontalAdvance(labels[i]) / 2.0;
      if (x - half < lastRight + gap) {
        labels[i].clear();
      } else {
        lastRight = x + half;
      }
    }
    return labels;
  }

 private:
  QCPAxis* axis_;
};

}  // namespace

namespace {

constexpr int kMaxLegendLayers = 8;  // more layers: the legend names the first and the last

// Sequential blues, light to dark: a layer's depth reads as darkness.
const QColor kFirstLayer(158, 202, 225);
const QColor kLastLayer(8, 48, 107);

QColor layerColour(int index, int count) {
  const double t = count > 1 ? static_cast<double>(index) / (count - 1) : 1.0;
  auto mix = [t](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * t)); };
  return QColor(mix(kFirstLayer.red(), kLastLayer.red()), mix(kFirstLayer.green(), kLastLayer.green()),
                mix(kFirstLayer.blue(), kLastLayer.blue()));
}

QString percent(double share) {
  return std::isfinite(share) ? QStringLiteral("%1 %").arg(share * 100, 0, 'f', 1) : QStringLiteral("n/a");
}

// A number, or NaN for null (how nlohmann writes NaN).
double numberOrNaN(const nlohmann::json& v, const std::string& what) {
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_number()) throw std::invalid_argument("attention results: " + what + " is not a number");
  return v.get<double>();
}

// `where` as a plain C string: a std::string parameter bound to a temporary
// makes GCC 13+ suspect the returned reference of dangling into it.
const nlohmann::json& member(const nlohmann::json& object, const char* key, const char* where) {
  const auto it = object.find(key);
  if (it == object.end()) {
    throw std::invalid_argument(std::string("attention results: ") + where + " has no \"" + key + "\"");
  }
  return *it;
}

QVector<double> drawnMass(const AttentionProfile& profile, int layer) {
  if (layer >= 0) return profile.layerMass[layer];
  QVector<double> mean;
  for (const QVector<double>& mass : profile.layerMass) {
    if (mass.size() > mean.size()) mean.resize(mass.size());  // zeros for what shorter layers lack
    for (int b = 0; b < mass.size(); ++b) mean[b] += mass[b];
  }
  for (double& m : mean) m /= profile.layerMass.size();
  return mean;
}

}  // namespace

double attention_bin_position(double lo, double hi) { return lo <= 0 ? 0.5 : std::sqrt(lo * hi); }

AttentionProfile attention_profile_from_json(const nlohmann::json& results) {
  if (!results.is_object()) throw std::invalid_argument("attention results: expected an object");
  AttentionProfile profile;

  const nlohmann::json& bins = member(results, "bins", "the result");
  if (!bins.is_array()) throw std::invalid_argument("attention results: \"bins\" is not an array");
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const std::string where = "bin " + std::to_string(i);
    const nlohmann::json& b = bins[i];
    if (!b.is_array() || b.size() != 2 || !b[0].is_number() || !b[1].is_number()) {
      throw std::invalid_argument("attention results: " + where + " is not [lo, hi]");
    }
    const double lo = b[0].get<double>(), hi = b[1].get<double>();
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo < 0 || hi < lo) {
      throw std::invalid_argument("attention results: " + where + " needs 0 <= lo <= hi");
    }
    profile.bins.push_back({lo, hi});
  }

  const nlohmann::json& layers = member(results, "layers", "the result");
  if (!layers.is_array()) throw std::invalid_argument("attention results: \"layers\" is not an array");
  const int count = static_cast<int>(layers.size());
  profile.layerMass.resize(count);
  profile.beyondWindow.resize(count);
  QVector<bool> seen(count, false);
  for (int i = 0; i < count; ++i) {
    const nlohmann::json& l = layers[static_cast<std::size_t>(i)];
    const std::string where = "layer entry " + std::to_string(i);
    if (!l.is_object()) throw std::invalid_argument("attention results: " + where + " is not an object");
    int index = i;
    if (const auto it = l.find("layer"); it != l.end()) {
      if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() >= count) {
        throw std::invalid_argument("attention results: " + where + " has an invalid \"layer\"");
      }
      index = static_cast<int>(it->get<int64_t>());
    }
    if (seen[index]) throw std::invalid_argument("attention results: layer " + std::to_string(index) + " repeats");
    seen[index] = true;
    const nlohmann::json& mass = member(l, "mass", where.c_str());
    if (!mass.is_array() || mass.size() != bins.size()) {
      throw std::invalid_argument("attention results: " + where + ": \"mass\" needs one number per bin");
    }
    QVector<double> values;
    values.reserve(static_cast<int>(mass.size()));
    for (const nlohmann::json& m : mass) values.push_back(numberOrNaN(m, where + " mass"));
    profile.layerMass[index] = values;
    profile.beyondWindow[index] = numberOrNaN(member(l, "beyond_window", where.c_str()), where + " beyond_window");
  }

  if (const auto it = results.find("mean_beyond_window"); it != results.end()) {
    profile.meanBeyond = numberOrNaN(*it, "\"mean_beyond_window\"");
  } else if (count > 0) {
    double sum = 0;
    for (double b : profile.beyondWindow) sum += b;
    profile.meanBeyond = sum / count;
  }
  return profile;
}

AttentionDistancePlot::AttentionDistancePlot(QWidget* parent)
    : QWidget(parent),
      plot_(new ThemedPlot(this)),
      title_(new QCPTextElement(plot_, tr("Attention by distance"),
                                QFont(font().family(), font().pointSize() + 2, QFont::Bold))) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  plot_->plotLayout()->insertRow(0);
  plot_->plotLayout()->addElement(0, 0, title_);
  plot_->xAxis->setLabel(tr("query–key distance (tokens; bins from their lower edge)"));
  plot_->yAxis->setLabel(tr("attention mass"));
  plot_->xAxis->setScaleType(QCPAxis::stLogarithmic);
  // Under the plot, as the perplexity plot beside it in the Evaluate workspace.
  place_legend_below(plot_, 1, 3);
  // As narrow as the perplexity plot beside it (1024-pixel screens).
  setMinimumSize(kMinimumWidth, 320);
  plot_->setMinimumWidth(kMinimumWidth);
  rebuild();
}

void AttentionDistancePlot::showLayers(const QString& run, const AttentionProfile& profile) {
  curves_.clear();
  ticks_.clear();
  for (const auto& [lo, hi] : profile.bins) ticks_.push_back({attention_bin_position(lo, hi), short_length(lo)});
  const int n = profile.layerMass.size();
  for (int i = 0; i < n; ++i) {
    Curve c;
    c.name = tr("layer %1").arg(i);
    c.colour = layerColour(i, n);
    c.inLegend = n <= kMaxLegendLayers || i == 0 || i == n - 1;
    const QVector<double>& mass = profile.layerMass[i];
    for (int b = 0; b < std::min(mass.size(), profile.bins.size()); ++b) {
      c.x.push_back(attention_bin_position(profile.bins[b].first, profile.bins[b].second));
      c.y.push_back(mass[b]);
    }
    curves_.push_back(c);
  }
  beyondLabel_ = n > 0 ? tr("beyond Lc: %1").arg(percent(profile.meanBeyond)) : QString();
  title_->setText(run.isEmpty() ? tr("Attention by distance, per layer")
                                : tr("Attention by distance: %1, per layer").arg(run));
  rebuild();
}

void AttentionDistancePlot::showRuns(int layer, const QVector<std::tuple<QString, int, AttentionProfile>>& runs) {
  curves_.clear();
  ticks_.clear();
  QStringList shares;
  for (const auto& [run, colorIndex, profile] : runs) {
    const int layers = profile.layerMass.size();
    if (layers == 0 || layer >= layers) continue;
    const QVector<double> mass = drawnMass(profile, layer);
    Curve c;
    c.name = run;
    c.colour = run_color(colorIndex);
    for (int b = 0; b < std::min(mass.size(), profile.bins.size()); ++b) {
      const auto& [lo, hi] = profile.bins[b];
      const double x = attention_bin_position(lo, hi);
      c.x.push_back(x);
      c.y.push_back(mass[b]);
      const QString label = short_length(lo);
      const bool known = std::any_of(ticks_.begin(), ticks_.end(), [&](const auto& t) { return t.second == label; });
      if (!known) ticks_.push_back({x, label});
    }
    curves_.push_back(c);
    const double beyond = layer < 0 ? profile.meanBeyond
                                    : (layer < profile.beyondWindow.size() ? profile.beyondWindow[layer]
                                                                           : std::numeric_limits<double>::quiet_NaN());
    shares << QStringLiteral("%1 %2").arg(run, percent(beyond));
  }
  beyondLabel_ = shares.isEmpty() ? QString() : tr("beyond Lc:\n%1").arg(shares.join(QStringLiteral("\n")));
  title_->setText(layer < 0 ? tr("Attention by distance, mean over layers")
                            : tr("Attention by distance, layer %1").arg(layer));
  rebuild();
}

void AttentionDistancePlot::setWindow(double lc) {
  lc_ = std::isfinite(lc) && lc > 0 ? lc : 0;
  rebuild();
}

void AttentionDistancePlot::clear() {
  curves_.clear();
  ticks_.clear();
  beyondLabel_.clear();
  title_->setText(tr("Attention by distance"));
  rebuild();
}

int AttentionDistancePlot::curveCount() const { return plot_->graphCount(); }

void AttentionDistancePlot::applyTicks() {
  auto ticker = QSharedPointer<SpacedTickerText>(new SpacedTickerText(plot_->xAxis));
  for (const auto& t : shownTicks_) ticker->addTick(t.first, t.second);
  ticker->setSubTickCount(0);
  plot_->xAxis->setTicker(ticker);
}

void AttentionDistancePlot::rebuild() {
  plot_->clearGraphs();
  plot_->clearItems();

  double ymax = 0, xmin = std::numeric_limits<double>::infinity(), xmax = 0;
  for (const Curve& c : curves_) {
    QCPGraph* g = plot_->addGraph();
    g->setData(c.x, c.y);
    g->setPen(QPen(c.colour, 2));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, c.colour, c.colour, 5));
    g->setName(c.name);
    if (!c.inLegend) g->removeFromLegend();
    for (int i = 0; i < c.x.size(); ++i) {
      if (std::isfinite(c.y[i])) ymax = std::max(ymax, c.y[i]);
      xmin = std::min(xmin, c.x[i]);
      xmax = std::max(xmax, c.x[i]);
    }
  }
  for (const auto& t : ticks_) {
    xmin = std::min(xmin, t.first);
    xmax = std::max(xmax, t.first);
  }
  if (!(xmin <= xmax)) {  // nothing shown
    xmin = 0.5;
    xmax = lc_ > 0 ? lc_ : 4096;
  }
  xmax = std::max(xmax, lc_);
  plot_->xAxis->setRange(xmin / 1.5, xmax * 1.6);
  plot_->yAxis->setRange(0, ymax > 0 ? ymax * 1.1 : 1.0);

  shownTicks_ = ticks_;
  if (ticks_.isEmpty()) {
    shownTicks_.push_back({0.5, QStringLiteral("0")});
    for (double v = 1; v <= xmax * 1.6; v *= 4) shownTicks_.push_back({v, short_length(v)});
  }
  applyTicks();

  if (lc_ > 0) {
    // Beyond Lc: shaded from the marker to the right edge of the axis rect.
    auto* shade = new QCPItemRect(plot_);
    shade->setLayer(QStringLiteral("background"));
    shade->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    shade->topLeft->setAxisRect(plot_->axisRect());
    shade->topLeft->setCoords(lc_, 0);
    shade->bottomRight->setType(QCPItemPosition::ptAxisRectRatio);
    shade->bottomRight->setAxisRect(plot_->axisRect());
    shade->bottomRight->setCoords(1, 1);
    shade->setPen(Qt::NoPen);
    shade->setBrush(QColor(120, 120, 120, 40));

    add_window_marker(plot_, lc_, QStringLiteral("Lc"), MarkerLabelSide::Left);
  }

  if (!beyondLabel_.isEmpty()) {
    auto* label = new QCPItemText(plot_);
    label->position->setType(QCPItemPosition::ptAxisRectRatio);
    label->position->setAxisRect(plot_->axisRect());
    // Top left: short distances carry little mass in every layer, so that corner is free.
    label->position->setCoords(0.02, 0.02);
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    label->setTextAlignment(Qt::AlignLeft);
    label->setPadding(QMargins(4, 2, 4, 2));
    label->setBrush(QColor(255, 255, 255, 200));
    follow_palette(label);
    label->setText(beyondLabel_);
  }
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace pose::widgets
