// Plot layout helpers shared by the workbench's plots.
#pragma once

#include <Qt>

class QCustomPlot;

namespace pose::widgets {

// Moves the legend out of the axis rect into a narrow column at its right, so
// that it never hides curves, markers or labels. `row` is the axis rect's row
// in the plot layout (1 when a title sits in row 0).
void place_legend_right(QCustomPlot* plot, int row);

// Moves the legend out of the axis rect into a row under it (below the x
// axis' label), its entries side by side and wrapped after `columns`: for
// plots whose curves fill their whole width, so no corner is free of data.
void place_legend_below(QCustomPlot* plot, int row, int columns = 3);

// The legend inside the axis rect, in the given corner, in a translucent box
// with short line samples: for plots too narrow to give the legend a column of
// its own (the Train workspace's 2 x 2 grid), where a column would crush the
// axis rect and cut the legend's labels short.
void place_legend_inside(QCustomPlot* plot, Qt::Alignment corner);

}  // namespace pose::widgets
