// A QCustomPlot that follows the widget palette, so the plots read in a dark
// theme as well as in a light one. QCustomPlot paints with its own colours (a
// white background, black axes and text); before every replot ThemedPlot
// repaints the background, axes, tick labels, grid, legend and titles in the
// palette's colours. Colours a widget chose on purpose (run colours, the
// heatmap's scale, annotation colours) are left alone: only text items still in
// QCustomPlot's default black follow the palette's text colour.
#pragma once

#include <QPalette>
#include <QPointer>

#include <vector>

#include <qcustomplot.h>

class QToolButton;

namespace pose::widgets {

// Applies `palette` to what `plot` holds now (layout elements, axes, legend,
// text items in the default colour). Idempotent.
void apply_plot_palette(QCustomPlot* plot, const QPalette& palette);

// Annotations drawn in a dimmed text colour (window markers and their labels,
// reference lines): marked here, they follow the palette too — on white a dark
// gray, on a dark base a light one. A text item's box, if it has one, takes
// the palette's base colour.
void follow_palette(QCPItemStraightLine* line);
void follow_palette(QCPItemText* text);

// Zoom and pan come back: the ranges the widget set (any change not made by
// the mouse) are the plot's home view; after the user zooms (wheel) or drags,
// a "Reset view" button shows in the top-right corner, and it or a
// double-click returns to the home view.
class ThemedPlot : public QCustomPlot {
  Q_OBJECT
 public:
  explicit ThemedPlot(QWidget* parent = nullptr);
  ~ThemedPlot() override;

  // Back to the ranges the widget last set; hides the reset button.
  void resetView();
  // The user zoomed or dragged since the widget last set the ranges.
  bool isZoomed() const { return zoomed_; }
  QToolButton* resetButton() const { return reset_; }

 protected:
  void changeEvent(QEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void track(QCPAxis* axis);
  void placeResetButton();

  QToolButton* reset_ = nullptr;
  struct Home {
    QPointer<QCPAxis> axis;  // axes come and go with the widget's axis rects
    QCPRange range;
  };
  std::vector<Home> home_;
  bool byUser_ = false;  // inside a mouse event: range changes are the user's
  bool zoomed_ = false;
};

}  // namespace pose::widgets
