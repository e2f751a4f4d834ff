#include "plot_legend.h"

#include <qcustomplot.h>

namespace pose::widgets {

void place_legend_right(QCustomPlot* plot, int row) {
  plot->legend->setVisible(true);
  plot->legend->setBrush(Qt::NoBrush);
  plot->legend->setBorderPen(Qt::NoPen);
  if (plot->axisRect()->insetLayout()->elementCount() > 0) plot->axisRect()->insetLayout()->take(plot->legend);
  // A column beside the axis rect holding the legend on top of an empty,
  // stretching element, so the legend keeps its natural height at the top.
  auto* column = new QCPLayoutGrid;
  plot->plotLayout()->addElement(row, 1, column);
  plot->plotLayout()->setColumnStretchFactor(1, 0.001);  // as narrow as the legend needs
  column->addElement(0, 0, plot->legend);
  column->addElement(1, 0, new QCPLayoutElement(plot));
  column->setRowStretchFactor(0, 0.001);
  column->setMargins(QMargins(0, 0, 0, 0));
  plot->legend->setMargins(QMargins(4, 4, 8, 4));
}

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

void place_legend_inside(QCustomPlot* plot, Qt::Alignment corner) {
  plot->legend->setVisible(true);
  plot->legend->setBrush(QColor(255, 255, 255, 200));  // ThemedPlot turns it into the palette's base
  plot->legend->setBorderPen(QPen(QColor(0, 0, 0, 60)));
  plot->legend->setIconSize(18, 9);
  plot->legend->setRowSpacing(0);
  plot->legend->setMargins(QMargins(4, 2, 4, 2));
  plot->axisRect()->insetLayout()->setInsetAlignment(0, corner);
}

}  // namespace pose::widgets
