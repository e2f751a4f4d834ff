// A QCustomPlot that follows the widget palette, so the plots read in a dark
// theme as well as in a light one. QCustomPlot paints with its own colours (a
// white background, black axes and text); before every replot ThemedPlot
// repaints the background, axes, tick labels, grid, legend and titles in the
// palette's colours. Colours a widget chose on purpose (run colours, the
// heatmap's scale, annotation colours) are left alone: only text items still in
// QCustomPlot's default black follow the palette's text colour.
#pragma once

#include <QPalette>

#include <qcustomplot.h>

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

class ThemedPlot : public QCustomPlot {
  Q_OBJECT
 public:
  explicit ThemedPlot(QWidget* parent = nullptr);

 protected:
  void changeEvent(QEvent* event) override;
};

}  // namespace pose::widgets
