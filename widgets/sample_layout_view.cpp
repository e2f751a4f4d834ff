#include "sample_layout_view.h"

#include <QVBoxLayout>

#include <algorithm>

#include <qcustomplot.h>

#include "themed_plot.h"

namespace pose::widgets {

namespace {

// Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
const QColor kChunkColours[] = {QColor(0, 114, 178), QColor(230, 159, 0), QColor(0, 158, 115), QColor(204, 121, 167),
                                QColor(86, 180, 233), QColor(213, 94, 0), QColor(240, 228, 66), QColor(0, 0, 0)};
constexpr int kColourCount = sizeof(kChunkColours) / sizeof(kChunkColours[0]);

// Row geometry in plot units (y grows downwards): each sample takes 3 units.
constexpr double kRowPitch = 3.0;
constexpr double kPositionTop = 0.0, kPositionBottom = 1.0;
constexpr double kTextTop = 1.3, kTextBottom = 1.7;

struct Segment {
  std::int64_t begin, end;  // half-open
  int chunk;                // first chunk merged into it (its colour)
};

// Merges segments separated by less than `gap` so a row never asks for more
// bars than it has pixels.
std::vector<Segment> merged(std::vector<Segment> in, std::int64_t gap) {
  std::vector<Segment> out;
  for (const auto& s : in) {
    if (!out.empty() && s.begin - out.back().end < gap) {
      out.back().end = std::max(out.back().end, s.end);
    } else {
      out.push_back(s);
    }
  }
  return out;
}

void addBar(QCustomPlot* plot, const Segment& s, double top, double bottom, const QColor& colour, bool light) {
  auto* rect = new QCPItemRect(plot);
  rect->topLeft->setCoords(static_cast<double>(s.begin), top);
  rect->bottomRight->setCoords(static_cast<double>(s.end), bottom);
  QColor fill = colour;
  if (light) fill.setAlpha(150);
  rect->setBrush(fill);
  rect->setPen(QPen(colour.darker(140), 0));
}

}  // namespace

SampleLayoutView::SampleLayoutView(QWidget* parent) : QWidget(parent), plot_(new ThemedPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  plot_->plotLayout()->insertRow(0);
  plot_->plotLayout()->addElement(0, 0, new QCPTextElement(plot_, tr("Drawn samples: chunks in position space and the text they read"),
                                                           QFont(font().family(), font().pointSize() + 2, QFont::Bold)));
  plot_->plotLayout()->insertRow(1);
  plot_->plotLayout()->addElement(1, 0, new QCPTextElement(plot_,
      tr("Upper bar: the position ids of each chunk on [0, Lt). Thin bar beneath: the document tokens that chunk "
         "reads. Same colour = same chunk.")));
  plot_->xAxis->setLabel(tr("position id (upper bars) · token index in the document (lower, thin bars)"));
  plot_->yAxis->setRangeReversed(true);
  plot_->yAxis->grid()->setVisible(false);
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->axisRect()->setRangeZoom(Qt::Horizontal);
  plot_->axisRect()->setRangeDrag(Qt::Horizontal);
  setMinimumSize(480, 240);
}

void SampleLayoutView::setSamples(const positions::Design& design, const std::vector<positions::Sample>& samples,
                                  std::int64_t doc_len) {
  design_ = design;
  samples_ = samples;
  docLen_ = doc_len;
  rebuild();
}

void SampleLayoutView::setMergeFraction(double fraction) {
  mergeFraction_ = std::max(0.0, fraction);
  rebuild();
}

void SampleLayoutView::rebuild() {
  plot_->clearItems();
  positionSegments_ = textSegments_ = 0;
  rows_ = static_cast<int>(samples_.size());
  const std::int64_t lt = std::max<std::int64_t>(1, design_.target_len);
  const std::int64_t extent = std::max(lt, docLen_);
  const auto gap = static_cast<std::int64_t>(mergeFraction_ * static_cast<double>(extent));

  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (int row = 0; row < rows_; ++row) {
    const positions::Sample& s = samples_[static_cast<std::size_t>(row)];
    const double y0 = row * kRowPitch;
    ticker->addTick(y0 + (kPositionTop + kPositionBottom) / 2,
                    tr("sample %1 positions").arg(static_cast<qulonglong>(s.index)));
    ticker->addTick(y0 + (kTextTop + kTextBottom) / 2, tr("text"));
    if (s.status == positions::SampleStatus::TooShort) {
      auto* note = new QCPItemText(plot_);
      note->position->setCoords(0, y0 + 0.5);
      note->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
      note->setText(tr("not sampled: %1").arg(QString::fromStdString(s.reason)));
      continue;
    }
    std::vector<Segment> pos, text;
    std::int64_t offset = 0;
    for (std::size_t k = 0; k < s.chunk_lengths.size(); ++k) {
      const std::int64_t first = offset + s.position_skips[k];
      pos.push_back({first, first + s.chunk_lengths[k], static_cast<int>(k)});
      text.push_back({s.text_ranges[k].begin, s.text_ranges[k].end, static_cast<int>(k)});
      offset += s.chunk_lengths[k];
    }
    // Many tiny chunks (randpos) are merged for drawing and shown in one colour.
    const bool many = s.chunk_lengths.size() > static_cast<std::size_t>(kColourCount);
    pos = merged(std::move(pos), many ? gap : 0);
    text = merged(std::move(text), many ? gap : 0);
    for (const auto& seg : pos) {
      addBar(plot_, seg, y0 + kPositionTop, y0 + kPositionBottom, kChunkColours[many ? 0 : seg.chunk % kColourCount], false);
    }
    for (const auto& seg : text) {
      addBar(plot_, seg, y0 + kTextTop, y0 + kTextBottom, kChunkColours[many ? 0 : seg.chunk % kColourCount], true);
    }
    positionSegments_ += static_cast<int>(pos.size());
    textSegments_ += static_cast<int>(text.size());
  }
  plot_->yAxis->setTicker(ticker);
  plot_->yAxis->setRange(-0.6, std::max(1, rows_) * kRowPitch - 0.6);

  // Markers: the window the model trains per step (the run's training length,
  // not the original window Lc) and the target (Lt).
  const std::int64_t trained = design_.strategy == positions::Strategy::Full ? lt : design_.train_len;
  for (std::int64_t x : {trained, lt}) {
    auto* line = new QCPItemStraightLine(plot_);
    line->point1->setCoords(static_cast<double>(x), 0);
    line->point2->setCoords(static_cast<double>(x), 1);
    line->setPen(QPen(QColor(90, 90, 90), 1, Qt::DotLine));
    follow_palette(line);
    auto* label = new QCPItemText(plot_);
    label->position->setCoords(static_cast<double>(x), -0.3);
    label->setPositionAlignment(Qt::AlignRight | Qt::AlignVCenter);
    label->setPadding(QMargins(0, 0, 4, 0));
    label->setText(x == lt ? tr("Lt = %1").arg(x) : tr("training length %1").arg(x));
    label->setColor(QColor(60, 60, 60));
    follow_palette(label);
  }
  if (docLen_ > lt) {
    auto* line = new QCPItemStraightLine(plot_);
    line->point1->setCoords(static_cast<double>(docLen_), 0);
    line->point2->setCoords(static_cast<double>(docLen_), 1);
    line->setPen(QPen(QColor(150, 150, 150), 1, Qt::DashLine));
  }
  plot_->xAxis->setRange(0, static_cast<double>(extent) * 1.02);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace pose::widgets
