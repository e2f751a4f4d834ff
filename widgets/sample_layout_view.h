// A few drawn samples of a position design, one row pair per sample: the upper
// bar shows where each chunk's position ids fall on [0, Lt); the thin bar
// beneath shows which document tokens feed it (same colour = same chunk), so a
// researcher sees skips in position space next to skips in the text.
#pragma once

#include <QWidget>

#include <cstdint>
#include <vector>

#include "positions/sampler_types.h"

class QCustomPlot;

namespace pose::widgets {

class SampleLayoutView : public QWidget {
  Q_OBJECT
 public:
  explicit SampleLayoutView(QWidget* parent = nullptr);

  // doc_len: the document's length in tokens (the text bars' scale). Samples
  // with status TooShort get a row that says so.
  void setSamples(const positions::Design& design, const std::vector<positions::Sample>& samples,
                  std::int64_t doc_len);
  // Segments closer than this fraction of Lt are drawn as one (randpos has
  // hundreds of one-token chunks; at 1/2000 of Lt they are below a pixel).
  void setMergeFraction(double fraction);

  QCustomPlot* plot() const { return plot_; }
  int positionSegmentCount() const { return positionSegments_; }  // drawn chunk bars, all rows
  int textSegmentCount() const { return textSegments_; }
  int rowCount() const { return rows_; }

 private:
  void rebuild();

  QCustomPlot* plot_;
  positions::Design design_;
  std::vector<positions::Sample> samples_;
  std::int64_t docLen_ = 0;
  double mergeFraction_ = 1.0 / 2000.0;
  int positionSegments_ = 0;
  int textSegments_ = 0;
  int rows_ = 0;
};

}  // namespace pose::widgets
