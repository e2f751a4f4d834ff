#include "plot_legend.h"

#include <qcustomplot.h>

namespace pose::widgets {

void place_legend_below(QCustomPlot* plot, int row, int columns) {
  plot->legend->setVisible(true);
  plot->legend->setBrush(Qt::NoBrush);
  plot->legend->setBorderPen(Qt::NoPen);
  if (plot->axisRect()->insetLayout()->elementCount() > 0) plot->axisRect()->insetLayout()->take(plot->legend);
  plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot->legend->setWrap(columns);
  plot->legend->setIconSize(18, 9);
  plot->legend->setRowSpacing(0);
  plot->plotLayout()->insertRow(row + 1);
  plot->plotLayout()->addElement(row + 1, 0, plot->legend);
  plot->plotLayout()->setRowStretchFactor(row + 1, 0.001);  // as low as the legend needs
  plot->legend->setMargins(QMargins(4, 0, 4, 2));
}

}  // namespace pose::widgets
