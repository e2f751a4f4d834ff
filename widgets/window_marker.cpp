#include "window_marker.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

#include "themed_plot.h"

namespace pose::widgets {

QString short_length(double tokens) {
  if (tokens >= 1048576) return QString::number(tokens / 1048576, 'g', 4) + QStringLiteral("M");
  if (tokens >= 1024) return QString::number(tokens / 1024, 'g', 4) + QStringLiteral("k");
  return QString::number(tokens, 'g', 6);
}

void set_length_axis(QCPAxis* axis, double xmin, double xmax, QVector<double> lengths) {
  const double lower = xmin / std::pow(2.0, 0.35), upper = xmax * std::pow(2.0, 0.35);
  axis->setRange(lower, upper);
  if (lengths.isEmpty()) {
    for (double v = std::exp2(std::ceil(std::log2(lower))); v <= upper; v *= 2) lengths.push_back(v);
  }
  std::sort(lengths.begin(), lengths.end());
  auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
  for (double v : lengths) ticker->addTick(v, short_length(v));
  ticker->setSubTickCount(0);
  axis->setTicker(ticker);
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
