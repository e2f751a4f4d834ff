// Context windows marked on a length axis, the same way in every plot: a dashed
// vertical line at Lc or Lt and its label ("Lc = 2k") at the top of the axis
// rect, in a dimmed text colour that follows the palette (themed_plot.h).
#pragma once

#include <QString>
#include <QVector>

class QCPAxis;
class QCustomPlot;
class QCPItemStraightLine;
class QCPItemText;

namespace pose::widgets {

// 256, 512, 1k, 1.5k, 128k, 1M: lengths as people say them.
QString short_length(double tokens);

// A log2 length axis spanning [xmin, xmax] with a margin of 2^0.35 on each
// side, ticked at `lengths` (the evaluated ones) or, when there are none, at
// the powers of two inside it, labelled by short_length.
void set_length_axis(QCPAxis* axis, double xmin, double xmax, QVector<double> lengths);

enum class MarkerLabelSide { Right, Left };

struct WindowMarker {
  QCPItemStraightLine* line = nullptr;
  QCPItemText* label = nullptr;
};

// Adds the line at x (plot coordinates of the x axis) and the label
// "NAME = short_length(x)" at height `labelY` (0 = top of the axis rect, 1 =
// bottom), on the given side of the line.
WindowMarker add_window_marker(QCustomPlot* plot, double x, const QString& name, MarkerLabelSide side,
                               double labelY = 0.02);

}  // namespace pose::widgets
