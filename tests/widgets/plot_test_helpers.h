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

inline QStringList texts(QCustomPlot* plot) {
  QStringList out;
  for (auto* t : itemsOf<QCPItemText>(plot)) out << t->text();
  return out;
}
