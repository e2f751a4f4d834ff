#include "window_marker.h"

#include <qcustomplot.h>

#include "themed_plot.h"

namespace pose::widgets {

QString short_length(double tokens) {
  if (tokens >= 1048576) return QString::number(tokens / 1048576, 'g', 4) + QStringLiteral("M");
  if (tokens >= 1024) return QString::number(tokens / 1024, 'g', 4) + QStringLiteral("k");
  return QString::number(tokens, 'g', 6);
}

WindowMarker add_window_marker(QCustomPlot* plot, double x, const QString& name, MarkerLabelSide side,
                               double labelY) {
  WindowMarker m;
  m.line = new QCPItemStraightLine(plot);
  // Two points with y > 0: valid on linear and logarithmic value axes alike.
  m.line->point1->setCoords(x, 1);
  m.line->point2->setCoords(x, 10);
  m.line->setPen(QPen(QColor(90, 90, 90), 1.2, Qt::DashLine));
  follow_palette(m.line);
  m.label = new QCPItemText(plot);
  m.label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
  m.label->position->setAxisRect(plot->axisRect());
  m.label->position->setCoords(x, labelY);
  const bool left = side == MarkerLabelSide::Left;
  m.label->setPositionAlignment((left ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
  m.label->setPadding(left ? QMargins(0, 0, 4, 0) : QMargins(4, 0, 0, 0));
  m.label->setText(QStringLiteral("%1 = %2").arg(name, short_length(x)));
  m.label->setColor(QColor(60, 60, 60));
  follow_palette(m.label);
  return m;
}

}  // namespace pose::widgets
