// Plot layout helpers shared by the workbench's plots.
#pragma once

class QCustomPlot;

namespace pose::widgets {

// Moves the legend out of the axis rect into a row under it (below the x
// axis' label), its entries side by side and wrapped after `columns`: no
// corner of a plot is reliably free of data, and a column at the right takes
// width that two plots side by side on a 1024-pixel screen do not have.
void place_legend_below(QCustomPlot* plot, int row, int columns = 3);

}  // namespace pose::widgets
