// What the plot tests read back from a QCustomPlot: its items of one type and
// the texts it shows.
#pragma once

#include <QStringList>
#include <QVector>

#include <qcustomplot.h>

template <typename Item>
QVector<Item*> itemsOf(QCustomPlot* plot) {
  QVector<Item*> out;
  for (int i = 0; i < plot->itemCount(); ++i) {
    if (auto* item = qobject_cast<Item*>(plot->item(i))) out.push_back(item);
  }
  return out;
}

// The keys / values of a graph's points, in key order.
inline QVector<double> keys(QCPGraph* g) {
  QVector<double> out;
  for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) out.push_back(it->key);
  return out;
}

inline QVector<double> values(QCPGraph* g) {
  QVector<double> out;
  for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) out.push_back(it->value);
  return out;
}

inline QStringList texts(QCustomPlot* plot) {
  QStringList out;
  for (auto* t : itemsOf<QCPItemText>(plot)) out << t->text();
  return out;
}
