// Plot layout helpers shared by the workbench's plots.
#pragma once

class QCustomPlot;

namespace pose::widgets {

// Moves the legend out of the axis rect into a narrow column at its right, so
// that it never hides curves, markers or labels. `row` is the axis rect's row
// in the plot layout (1 when a title sits in row 0).
void place_legend_right(QCustomPlot* plot, int row);

}  // namespace pose::widgets
