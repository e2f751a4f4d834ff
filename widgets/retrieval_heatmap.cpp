#include "retrieval_heatmap.h"

#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <qcustomplot.h>

#include "themed_plot.h"

namespace pose::widgets {

namespace {

using nlohmann::json;

// Depths come from JSON doubles; two within this are the same row.
constexpr double kDepthTolerance = 1e-9;
// Generated continuations can be long; the tooltip shows their start.
constexpr int kTooltipTextChars = 160;

[[noreturn]] void fail(std::size_t index, const std::string& what) {
  throw std::invalid_argument("retrieval results: cell " + std::to_string(index) + " " + what);
}

// A number under `key`; `fallback` when the key is missing or null (how
// nlohmann writes NaN) unless `required`.
double number(const json& cell, const char* key, std::size_t index, bool required, double fallback) {
  const auto it = cell.find(key);
  if (it == cell.end() || it->is_null()) {
    if (required) fail(index, std::string("has no \"") + key + "\"");
    return fallback;
  }
  if (!it->is_number()) fail(index, std::string("has a \"") + key + "\" that is not a number: " + it->dump());
  return it->get<double>();
}

int64_t integer(const json& cell, const char* key, std::size_t index, bool required, int64_t fallback) {
  const auto it = cell.find(key);
  if (it != cell.end() && it->is_number_integer()) return it->get<int64_t>();
  const double v = number(cell, key, index, required, static_cast<double>(fallback));
  if (!std::isfinite(v)) fail(index, std::string("has a non-finite \"") + key + "\"");
  return static_cast<int64_t>(std::llround(v));
}

// Sample texts are strings; anything else is shown as its JSON.
QString text(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  return QString::fromStdString(it->is_string() ? it->get<std::string>() : it->dump());
}

bool evaluated(const HeatmapCell& c) { return c.skipped.isEmpty() && c.trials > 0; }

bool sameDepth(double a, double b) { return std::abs(a - b) <= kDepthTolerance; }

// Viridis (matplotlib / viridisLite, 11 stops). Chosen because its lightness
// rises monotonically from dark purple (0) to yellow (1), so accuracy reads as
// brightness: it stays ordered under protanopia, deuteranopia and tritanopia,
// in grayscale print, and never asks the reader to tell red from green, the
// way a red→green "traffic light" scale would. Its colours are all saturated,
// so the neutral gray of skipped cells does not pass for a value on the scale.
QCPColorGradient viridis() {
  static const QRgb stops[] = {0x440154, 0x482576, 0x414487, 0x35608D, 0x2A788E, 0x21908C,
                               0x22A884, 0x43BF71, 0x7AD151, 0xBBDF27, 0xFDE725};
  constexpr int n = static_cast<int>(sizeof(stops) / sizeof(stops[0]));
  QCPColorGradient g;
  g.clearColorStops();
  for (int i = 0; i < n; ++i) g.setColorStopAt(static_cast<double>(i) / (n - 1), QColor(stops[i]));
  g.setColorInterpolation(QCPColorGradient::ciRGB);
  g.setLevelCount(256);
  g.setNanHandling(QCPColorGradient::nhNanColor);
  g.setNanColor(RetrievalHeatmap::skippedColor());
  return g;
}

// WCAG relative luminance, then whichever of black and white has the higher
// contrast ratio against the fill.
QColor readableOn(const QColor& fill) {
  auto linear = [](double c) { return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); };
  const double l = 0.2126 * linear(fill.redF()) + 0.7152 * linear(fill.greenF()) + 0.0722 * linear(fill.blueF());
  const double onBlack = (l + 0.05) / 0.05, onWhite = 1.05 / (l + 0.05);
  return onBlack >= onWhite ? QColor(Qt::black) : QColor(Qt::white);
}

QString shortened(const QString& s) {
  return s.size() > kTooltipTextChars ? s.left(kTooltipTextChars) + QStringLiteral("…") : s;
}

QString code(const QString& s) { return QStringLiteral("<tt>%1</tt>").arg(shortened(s).toHtmlEscaped()); }

}  // namespace

double HeatmapCell::accuracy() const {
  if (trials <= 0) return 0.0;
  return (hasScore() ? score : static_cast<double>(correct)) / static_cast<double>(trials);
}

QVector<HeatmapCell> heatmap_cells_from_json(const json& results) {
  if (!results.is_array()) {
    throw std::invalid_argument(std::string("retrieval results: expected an array of cells, got ") + results.type_name());
  }
  QVector<HeatmapCell> cells;
  cells.reserve(static_cast<int>(results.size()));
  for (std::size_t i = 0; i < results.size(); ++i) {
    const json& j = results[i];
    if (!j.is_object()) fail(i, std::string("is not an object but ") + j.type_name());
    HeatmapCell c;
    c.length = integer(j, "length", i, true, 0);
    c.depth = number(j, "depth", i, true, 0);
    c.trials = integer(j, "trials", i, false, 0);
    c.correct = integer(j, "correct", i, false, 0);
    c.promptTokens = integer(j, "prompt_tokens", i, false, 0);
    c.generatedCorrect = integer(j, "generated_correct", i, false, -1);
    if (const auto s = j.find("samples"); s != j.end() && !s->is_null()) {
      if (!s->is_array()) fail(i, "has \"samples\" that are not an array");
      if (!s->empty()) {
        const json& first = s->front();
        if (!first.is_object()) fail(i, "has a sample that is not an object");
        c.expected = text(first, "expected");
        c.predicted = text(first, "predicted");
        c.generated = text(first, "generated");
      }
    }
    if (j.contains("skipped")) {
      c.skipped = text(j, "skipped");
      if (c.skipped.isEmpty()) c.skipped = RetrievalHeatmap::tr("not evaluated");
    }
    cells.push_back(std::move(c));
  }
  return cells;
}

QVector<HeatmapCell> merge_heatmap_cells(const QVector<HeatmapCell>& cells) {
  QVector<HeatmapCell> out;
  for (const HeatmapCell& c : cells) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const HeatmapCell& o) { return o.length == c.length && sameDepth(o.depth, c.depth); });
    if (it == out.end()) {
      out.push_back(c);
      continue;
    }
    HeatmapCell& m = *it;
    if (!c.skipped.isEmpty() && c.trials == 0) continue;  // nothing to add
    if (!m.skipped.isEmpty() && m.trials == 0) {          // an evaluated cell replaces a skipped one
      const double depth = m.depth;
      m = c;
      m.depth = depth;
      continue;
    }
    m.trials += c.trials;
    m.correct += c.correct;
    if (m.hasScore() || c.hasScore()) m.score = (m.hasScore() ? m.score : 0.0) + (c.hasScore() ? c.score : 0.0);
    m.promptTokens = std::max(m.promptTokens, c.promptTokens);
    if (c.generatedCorrect >= 0) m.generatedCorrect = std::max<int64_t>(m.generatedCorrect, 0) + c.generatedCorrect;
    if (m.expected.isEmpty() && m.predicted.isEmpty() && m.generated.isEmpty()) {
      m.expected = c.expected;
      m.predicted = c.predicted;
      m.generated = c.generated;
    }
  }
  return out;
}

QString heatmap_length_label(int64_t length) {
  constexpr int64_t kKi = 1024, kMi = 1024 * 1024;
  if (length >= kMi && length % kMi == 0) return QStringLiteral("%1M").arg(length / kMi);
  if (length >= kKi && length % (kKi / 2) == 0) {
    return QStringLiteral("%1k").arg(QString::number(static_cast<double>(length) / kKi, 'g', 8));
  }
  return QString::number(length);
}

QString heatmap_depth_label(double depth) {
  if (depth < 0) return RetrievalHeatmap::tr("all");  // a task without a depth: one row for all its trials
  return QStringLiteral("%1%").arg(QString::number(depth * 100.0, 'g', 4));
}

QColor RetrievalHeatmap::skippedColor() { return QColor(190, 190, 190); }

RetrievalHeatmap::RetrievalHeatmap(QWidget* parent)
    : QWidget(parent), plot_(new ThemedPlot(this)), title_(nullptr), map_(nullptr), scale_(nullptr) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);

  map_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
  map_->setInterpolate(false);  // one flat colour per cell
  map_->setTightBoundary(false);
  scale_ = new QCPColorScale(plot_);
  plot_->plotLayout()->addElement(0, 1, scale_);
  scale_->setType(QCPAxis::atRight);
  scale_->setBarWidth(14);
  scale_->axis()->setLabel(tr("accuracy"));
  scale_->setRangeDrag(false);
  scale_->setRangeZoom(false);
  map_->setColorScale(scale_);  // the map takes the scale's gradient and range, then keeps them in step
  map_->setGradient(viridis());
  // Fixed: a run at 0.5 everywhere must look half-way, not like the best run.
  map_->setDataRange(QCPRange(0, 1));
  auto* margins = new QCPMarginGroup(plot_);
  plot_->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
  scale_->setMarginGroup(QCP::msTop | QCP::msBottom, margins);

  plot_->plotLayout()->insertRow(0);
  title_ = new QCPTextElement(plot_, QString(), QFont(font().family(), font().pointSize() + 2, QFont::Bold));
  plot_->plotLayout()->addElement(0, 0, title_);

  plot_->xAxis->setLabel(tr("context length (tokens)"));
  plot_->yAxis->setLabel(tr("needle depth"));
  plot_->yAxis->setRangeReversed(true);  // depth 0 (needle at the start) on top
  for (QCPAxis* axis : {plot_->xAxis, plot_->yAxis}) {
    axis->grid()->setVisible(false);
    axis->setTicker(QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText));
  }
  plot_->setMouseTracking(true);
  connect(plot_, &QCustomPlot::mouseMove, this, &RetrievalHeatmap::onMouseMove);
  setMinimumSize(420, 300);
  rebuild();
}

void RetrievalHeatmap::setTitle(const QString& title) {
  title_->setText(title);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

QString RetrievalHeatmap::title() const { return title_->text(); }

void RetrievalHeatmap::setRowAxisLabel(const QString& label) {
  plot_->yAxis->setLabel(label.isEmpty() ? tr("needle depth") : label);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

QString RetrievalHeatmap::rowAxisLabel() const { return plot_->yAxis->label(); }

void RetrievalHeatmap::setCells(const QVector<HeatmapCell>& cells) {
  cells_ = merge_heatmap_cells(cells);
  rebuild();
}

void RetrievalHeatmap::clear() {
  cells_.clear();
  rebuild();
}

QVector<int64_t> RetrievalHeatmap::lengths() const { return lengths_; }
QVector<double> RetrievalHeatmap::depths() const { return depths_; }
QStringList RetrievalHeatmap::rowLabels() const { return rowLabels_; }

int RetrievalHeatmap::indexAt(int column, int row) const {
  if (column < 0 || row < 0 || column >= lengths_.size() || row >= depths_.size()) return -1;
  return grid_[column * depths_.size() + row];
}

const HeatmapCell* RetrievalHeatmap::cellAt(int column, int row) const {
  const int i = indexAt(column, row);
  return i < 0 ? nullptr : &cells_[i];
}

QColor RetrievalHeatmap::cellColor(int column, int row) const {
  if (indexAt(column, row) < 0) return {};
  // From the map's data, as the map colours it.
  const double z = map_->data()->cell(column, row);
  if (std::isnan(z)) return map_->gradient().nanColor();
  QCPColorGradient gradient = map_->gradient();
  return QColor::fromRgb(gradient.color(z, map_->dataRange()));
}

QColor RetrievalHeatmap::cellTextColor(int column, int row) const {
  if (indexAt(column, row) < 0) return {};
  const QCPItemText* t = texts_[column * depths_.size() + row];
  return t ? t->color() : QColor();
}

QString RetrievalHeatmap::cellText(int column, int row) const {
  if (indexAt(column, row) < 0) return {};
  const QCPItemText* t = texts_[column * depths_.size() + row];
  return t ? t->text() : QString();
}

QCPRange RetrievalHeatmap::colorRange() const { return map_->dataRange(); }

QString RetrievalHeatmap::toolTipAt(int column, int row) const {
  if (column < 0 || row < 0 || column >= lengths_.size() || row >= depths_.size()) return {};
  const int64_t length = lengths_[column];
  const bool labelled = rowLabels_[row] != heatmap_depth_label(depths_[row]);
  QString tip = (labelled ? tr("<b>%1</b> (%2 tokens) · <b>%3</b>") : tr("<b>%1</b> (%2 tokens) · depth <b>%3</b>"))
                    .arg(heatmap_length_label(length))
                    .arg(length)
                    .arg(rowLabels_[row].toHtmlEscaped());
  const HeatmapCell* c = cellAt(column, row);
  if (!c) return tip + QStringLiteral("<br>") + tr("no result");
  if (!c->skipped.isEmpty() && c->trials == 0) {
    return tip + QStringLiteral("<br>") + tr("skipped: %1").arg(c->skipped.toHtmlEscaped());
  }
  if (c->trials == 0) {
    tip += QStringLiteral("<br>") + tr("no trials");
  } else if (c->hasScore()) {
    tip += QStringLiteral("<br>") + tr("score <b>%1</b> over %2 trials").arg(c->accuracy(), 0, 'f', 3).arg(c->trials);
  } else {
    tip += QStringLiteral("<br>") +
           tr("accuracy <b>%1</b> (%2/%3 correct)").arg(c->accuracy(), 0, 'f', 3).arg(c->correct).arg(c->trials);
  }
  if (c->promptTokens > 0) tip += QStringLiteral("<br>") + tr("prompt: %1 tokens").arg(c->promptTokens);
  if (c->generatedCorrect >= 0 && c->trials > 0) {
    tip += QStringLiteral("<br>") + tr("greedy generation: %1/%2 correct").arg(c->generatedCorrect).arg(c->trials);
  }
  if (!c->expected.isEmpty() || !c->predicted.isEmpty()) {
    tip += QStringLiteral("<br>") + tr("first sample: expected %1, predicted %2").arg(code(c->expected), code(c->predicted));
  }
  if (!c->generated.isEmpty()) tip += QStringLiteral("<br>") + tr("generated: %1").arg(code(c->generated));
  if (!c->skipped.isEmpty()) tip += QStringLiteral("<br>") + tr("partly skipped: %1").arg(c->skipped.toHtmlEscaped());
  return tip;
}

bool RetrievalHeatmap::cellAtPixel(const QPointF& pos, int* column, int* row) const {
  if (lengths_.isEmpty() || depths_.isEmpty()) return false;
  if (!plot_->axisRect()->rect().contains(pos.toPoint())) return false;
  const double x = plot_->xAxis->pixelToCoord(pos.x()), y = plot_->yAxis->pixelToCoord(pos.y());
  if (!std::isfinite(x) || !std::isfinite(y)) return false;
  const int c = static_cast<int>(std::floor(x + 0.5)), r = static_cast<int>(std::floor(y + 0.5));
  if (c < 0 || r < 0 || c >= lengths_.size() || r >= depths_.size()) return false;
  if (column) *column = c;
  if (row) *row = r;
  return true;
}

void RetrievalHeatmap::onMouseMove(QMouseEvent* event) {
  int column = -1, row = -1;
  const QString tip = cellAtPixel(event->position(), &column, &row) ? toolTipAt(column, row) : QString();
  if (tip.isEmpty()) {
    QToolTip::hideText();
  } else {
    QToolTip::showText(event->globalPosition().toPoint(), tip, plot_);
  }
}

void RetrievalHeatmap::rebuild() {
  plot_->clearItems();
  texts_.clear();
  grid_.clear();
  lengths_.clear();
  depths_.clear();
  rowLabels_.clear();
  for (const HeatmapCell& c : cells_) {
    lengths_.push_back(c.length);
    depths_.push_back(c.depth);
  }
  std::sort(lengths_.begin(), lengths_.end());
  lengths_.erase(std::unique(lengths_.begin(), lengths_.end()), lengths_.end());
  std::sort(depths_.begin(), depths_.end());
  depths_.erase(std::unique(depths_.begin(), depths_.end(), sameDepth), depths_.end());

  const int columns = lengths_.size(), rows = depths_.size();
  auto xTicks = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
  auto yTicks = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
  for (int c = 0; c < columns; ++c) xTicks->addTick(c, heatmap_length_label(lengths_[c]));
  for (int r = 0; r < rows; ++r) {
    QString label;
    for (const HeatmapCell& c : cells_) {
      if (label.isEmpty() && sameDepth(c.depth, depths_[r])) label = c.rowLabel;
    }
    rowLabels_ << (label.isEmpty() ? heatmap_depth_label(depths_[r]) : label);
    yTicks->addTick(r, rowLabels_.back());
  }
  plot_->xAxis->setTicker(xTicks);
  plot_->yAxis->setTicker(yTicks);

  if (columns == 0) {
    map_->setVisible(false);
    map_->data()->setSize(1, 1);
    plot_->xAxis->setRange(-0.5, 0.5);
    plot_->yAxis->setRange(-0.5, 0.5);
    auto* empty = new QCPItemText(plot_);
    empty->position->setType(QCPItemPosition::ptAxisRectRatio);
    empty->position->setCoords(0.5, 0.5);
    empty->setText(tr("no retrieval results"));
    empty->setColor(QColor(110, 110, 110));
    plot_->replot(QCustomPlot::rpQueuedReplot);
    return;
  }

  grid_.fill(-1, columns * rows);
  texts_.fill(nullptr, columns * rows);
  for (int i = 0; i < cells_.size(); ++i) {
    const HeatmapCell& c = cells_[i];
    const int column = static_cast<int>(std::lower_bound(lengths_.begin(), lengths_.end(), c.length) - lengths_.begin());
    const int row = static_cast<int>(std::lower_bound(depths_.begin(), depths_.end(), c.depth - kDepthTolerance) - depths_.begin());
    grid_[column * rows + row] = i;
  }

  // Cells on integer coordinates: column c spans [c - 0.5, c + 0.5]. A map of
  // one cell along an axis has no spacing to infer, so it gets that span.
  QCPColorMapData* data = map_->data();
  data->setSize(columns, rows);
  data->setRange(columns > 1 ? QCPRange(0, columns - 1) : QCPRange(-0.5, 0.5),
                 rows > 1 ? QCPRange(0, rows - 1) : QCPRange(-0.5, 0.5));
  data->clearAlpha();
  QFont small = font();
  small.setPointSizeF(std::max(6.0, small.pointSizeF() - 1.5));
  for (int column = 0; column < columns; ++column) {
    for (int row = 0; row < rows; ++row) {
      const int i = grid_[column * rows + row];
      if (i < 0) {  // never asked for: left blank. Transparent, which the
        // gradient applies to numbers only (NaN gets the gray regardless).
        data->setCell(column, row, 0.0);
        data->setAlpha(column, row, 0);
        continue;
      }
      const HeatmapCell& c = cells_[i];
      data->setCell(column, row, evaluated(c) ? c.accuracy() : std::numeric_limits<double>::quiet_NaN());
      QString label;
      if (!c.skipped.isEmpty() && c.trials == 0) {
        label = QStringLiteral("—");
      } else if (c.trials == 0) {
        label = QStringLiteral("—\n0/0");
      } else if (c.hasScore()) {  // a partial score has no count to show; the trials are in the tooltip
        label = QString::number(c.accuracy(), 'f', 2);
      } else {
        label = QStringLiteral("%1\n%2/%3").arg(c.accuracy(), 0, 'f', 2).arg(c.correct).arg(c.trials);
      }
      auto* t = new QCPItemText(plot_);
      t->setSelectable(false);
      t->position->setCoords(column, row);
      t->setPositionAlignment(Qt::AlignCenter);
      t->setTextAlignment(Qt::AlignCenter);
      t->setFont(small);
      t->setText(label);
      t->setColor(readableOn(cellColor(column, row)));
      texts_[column * rows + row] = t;
    }
  }
  map_->setVisible(true);
  plot_->xAxis->setRange(-0.5, columns - 0.5);
  plot_->yAxis->setRange(-0.5, rows - 0.5);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace pose::widgets
