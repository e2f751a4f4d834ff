// Passkey and key-value retrieval accuracy as a heatmap: context length in
// columns (ascending, labelled 256, 2k, 16k, ...) against needle depth in rows
// (0% at the top, where the needle opens the prompt). Every cell is coloured
// on a fixed 0-1 scale (viridis, legend at the right) and shows its accuracy
// and correct/trials; skipped cells are gray with a dash. Hovering a cell shows
// its numbers and the first sample (expected, predicted, generated).
//
// Takes plain data; heatmap_cells_from_json() reads the cells that `pose eval
// passkey` / `pose eval kv` store (core/eval/retrieval_grid.cpp, to_json).
// RULER's cells fit as well: their scores may be partial (a share of the
// expected strings), so a cell can carry a score sum instead of a count, a
// depth below 0 is a task without one (a row labelled "all"), and rows can be
// labelled by the caller (tasks instead of depths).
#pragma once

#include <QColor>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <cmath>
#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QCPItemText;
class QCPRange;
class QCPTextElement;
class QMouseEvent;

namespace pose::widgets {

struct HeatmapCell {
  int64_t length = 0;        // requested context length (tokens)
  double depth = 0;          // needle depth in [0, 1]
  int64_t trials = 0;
  int64_t correct = 0;
  int64_t promptTokens = 0;  // longest prompt actually built
  int64_t generatedCorrect = -1;  // greedy generations that were right; -1 when not generated
  QString expected, predicted, generated;  // of the first sample, empty when none
  QString skipped;  // reason; empty when evaluated
  // Partial scores (RULER): the sum of the trials' scores, each in [0, 1]; the
  // cell then shows score / trials instead of correct / trials. NaN: counts.
  double score = std::numeric_limits<double>::quiet_NaN();
  // The row's label instead of its depth (e.g. a RULER task); rows are still
  // ordered by depth. The first cell of a row with one names it.
  QString rowLabel;
  bool hasScore() const { return std::isfinite(score); }
  double accuracy() const;  // score or correct over trials, 0 when no trials
};

// Reads [{"length", "prompt_tokens", "depth", "trials", "correct", "accuracy",
// "samples": [{"expected", "predicted", "correct", "generated"?,
// "generated_correct"?}], "generated_correct"?, "skipped"?}, ...]. "length" and
// "depth" are required numbers; missing counts read as 0 ("accuracy" is not
// read: it is correct / trials). Cells keep their order and duplicates stay
// (the widget merges them). Throws std::invalid_argument naming the cell when
// `results` is not an array of such objects.
QVector<HeatmapCell> heatmap_cells_from_json(const nlohmann::json& results);

// Cells with the same (length, depth) merged into the first of them: trials
// and correct (and generatedCorrect, score) summed, the longest prompt, the
// first sample that has text. An evaluated cell outweighs a skipped one.
QVector<HeatmapCell> merge_heatmap_cells(const QVector<HeatmapCell>& cells);

// Axis labels: 256, 1.5k, 2k, 16k, 1M; 0%, 12.5%, 25%; "all" for a depth
// below 0 (a task without one).
QString heatmap_length_label(int64_t length);
QString heatmap_depth_label(double depth);

class RetrievalHeatmap : public QWidget {
  Q_OBJECT
 public:
  explicit RetrievalHeatmap(QWidget* parent = nullptr);

  void setTitle(const QString& title);  // e.g. "pose-yarn · passkey"
  QString title() const;
  // The rows' axis label; empty: "needle depth".
  void setRowAxisLabel(const QString& label);
  QString rowAxisLabel() const;
  void setCells(const QVector<HeatmapCell>& cells);  // duplicates merged (merge_heatmap_cells)
  void clear();

  // What is drawn, for tests and callers.
  QVector<int64_t> lengths() const;  // columns, ascending
  QVector<double> depths() const;    // rows, ascending (row 0 at the top)
  QStringList rowLabels() const;     // as the y axis shows them
  const HeatmapCell* cellAt(int column, int row) const;  // nullptr for a missing combination
  // The fill of the cell: the gradient at its accuracy, gray when skipped (or
  // without trials), an invalid QColor for a missing combination or outside.
  QColor cellColor(int column, int row) const;
  QColor cellTextColor(int column, int row) const;  // black or white, whichever reads better
  QString cellText(int column, int row) const;      // "0.75\n3/4", "—"; empty when missing
  QCPRange colorRange() const;                      // always [0, 1]
  QString toolTipAt(int column, int row) const;     // rich text; empty outside the grid
  // The cell under `pos` (plot() coordinates); false outside the cells.
  bool cellAtPixel(const QPointF& pos, int* column, int* row) const;

  QCustomPlot* plot() const { return plot_; }
  QCPColorMap* colorMap() const { return map_; }
  QCPColorScale* colorScale() const { return scale_; }
  static QColor skippedColor();

 private:
  int indexAt(int column, int row) const;  // into cells_, -1 when missing
  void rebuild();
  void onMouseMove(QMouseEvent* event);

  QCustomPlot* plot_;
  QCPTextElement* title_;
  QCPColorMap* map_;
  QCPColorScale* scale_;
  QVector<HeatmapCell> cells_;  // merged
  QVector<int64_t> lengths_;
  QVector<double> depths_;
  QStringList rowLabels_;         // one a row
  QVector<int> grid_;             // column * rows + row -> index into cells_, -1 when missing
  QVector<QCPItemText*> texts_;   // same layout; nullptr when missing
};

}  // namespace pose::widgets
