// Plot layout helpers shared by the workbench's plots.
#pragma once

#include <Qt>

class QCustomPlot;

namespace pose::widgets {

// Moves the legend out of the axis rect into a narrow column at its right, so
// that it never hides curves, markers or labels. `row` is the axis rect's row
// in the plot layout (1 when a title sits in row 0).
void place_legend_right(QCustomPlot* plot, int row);

// The legend inside the axis rect, in the given corner, in a translucent box
// with short line samples: for plots too narrow to give the legend a column of
// its own (the Train workspace's 2 x 2 grid), where a column would crush the
// axis rect and cut the legend's labels short.
void place_legend_inside(QCustomPlot* plot, Qt::Alignment corner);

}  // namespace pose::widgets
