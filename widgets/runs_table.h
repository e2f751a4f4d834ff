// The Compare workspace's table: one row per run with its design parameters
// and key metrics, sortable by any column (numbers sort as numbers, missing
// values last), each run's name in its colour. Selecting rows emits the
// selected run names, which drive the overlay plots beside the table.
#pragma once

#include <QMap>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVector>
#include <QWidget>

class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;

namespace pose::widgets {

struct RunsTableColumn {
  QString key;     // into RunsTableRow::values
  QString title;   // header text
  int decimals = -1;  // numbers: digits after the point (-1: shown as given)
};

struct RunsTableRow {
  QString run;
  int colorIndex = 0;
  QMap<QString, QVariant> values;  // by column key; absent or invalid: "—"
  // By column key, optional: the text shown in place of the value's own (the
  // value still sorts), and a tooltip.
  QMap<QString, QString> texts = {}, toolTips = {};
};

class RunsTable : public QWidget {
  Q_OBJECT
 public:
  explicit RunsTable(QWidget* parent = nullptr);

  void setColumns(const QVector<RunsTableColumn>& columns);
  // Replaces the rows; the selection of runs that are still there is kept.
  void setRows(const QVector<RunsTableRow>& rows);
  void sortBy(const QString& key, Qt::SortOrder order);
  // A column that has nothing to say for these rows (the ranks of runs that
  // all ran in one process) can be left out; shown by default.
  void setColumnVisible(const QString& key, bool visible);
  bool isColumnVisible(const QString& key) const;
  void selectRuns(const QStringList& runs);

  QStringList selectedRuns() const;  // in table order
  QStringList runsInOrder() const;   // as sorted now
  QString cellText(const QString& run, const QString& key) const;
  QTableView* view() const { return view_; }

 signals:
  void selectionChanged(const QStringList& runs);

 private:
  QTableView* view_;
  QStandardItemModel* model_;
  QSortFilterProxyModel* proxy_;
  QVector<RunsTableColumn> columns_;
};

}  // namespace pose::widgets
