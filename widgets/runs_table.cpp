#include "runs_table.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

#include "run_colors.h"

namespace pose::widgets {

namespace {

constexpr int kSortRole = Qt::UserRole + 1;
constexpr int kRunRole = Qt::UserRole + 2;

bool is_number(const QVariant& v) {
  const auto t = v.metaType().id();
  return t == QMetaType::Double || t == QMetaType::Int || t == QMetaType::LongLong || t == QMetaType::Float ||
         t == QMetaType::UInt || t == QMetaType::ULongLong;
}

// Sorts numbers numerically and text case-insensitively; missing values go
// last in both orders.
class RunsProxy : public QSortFilterProxyModel {
 public:
  using QSortFilterProxyModel::QSortFilterProxyModel;

 protected:
  bool lessThan(const QModelIndex& left, const QModelIndex& right) const override {
    const QVariant a = left.data(kSortRole), b = right.data(kSortRole);
    const bool ascending = sortOrder() == Qt::AscendingOrder;
    if (!a.isValid() || !b.isValid()) {
      if (a.isValid() == b.isValid()) return false;
      return ascending ? a.isValid() : !a.isValid();  // missing last whichever the order
    }
    if (is_number(a) && is_number(b)) return a.toDouble() < b.toDouble();
    return QString::compare(a.toString(), b.toString(), Qt::CaseInsensitive) < 0;
  }
};

QString display_text(const QVariant& v, int decimals) {
  if (!v.isValid()) return QStringLiteral("—");
  if (is_number(v)) {
    const double d = v.toDouble();
    if (!std::isfinite(d)) return QStringLiteral("—");
    if (decimals >= 0) return QString::number(d, 'f', decimals);
    return QString::number(d, 'g', 6);
  }
  return v.toString();
}

}  // namespace

RunsTable::RunsTable(QWidget* parent)
    : QWidget(parent), view_(new QTableView(this)), model_(new QStandardItemModel(this)), proxy_(new RunsProxy(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(view_);
  proxy_->setSourceModel(model_);
  proxy_->setSortRole(kSortRole);
  view_->setModel(proxy_);
  view_->setSortingEnabled(true);
  // Rows keep the order they were given in until a header is clicked.
  view_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
  proxy_->sort(-1);
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  view_->verticalHeader()->hide();
  view_->horizontalHeader()->setStretchLastSection(true);
  view_->setAlternatingRowColors(true);
  connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          [this] { emit selectionChanged(selectedRuns()); });
}

void RunsTable::setColumns(const QVector<RunsTableColumn>& columns) {
  columns_ = columns;
  QStringList titles;
  for (const auto& c : columns) titles << c.title;
  model_->setColumnCount(static_cast<int>(columns.size()));
  model_->setHorizontalHeaderLabels(titles);
}

void RunsTable::setRows(const QVector<RunsTableRow>& rows) {
  const QStringList keep = selectedRuns();
  {
    const QSignalBlocker block(view_->selectionModel());
    model_->removeRows(0, model_->rowCount());
    for (const auto& r : rows) {
      QList<QStandardItem*> items;
      for (const auto& c : columns_) {
        const QVariant v = c.key == QLatin1String("run") ? QVariant(r.run) : r.values.value(c.key);
        const auto text = r.texts.constFind(c.key);
        auto* item = new QStandardItem(text != r.texts.cend() ? *text : display_text(v, c.decimals));
        if (const auto tip = r.toolTips.constFind(c.key); tip != r.toolTips.cend()) item->setToolTip(*tip);
        item->setData(v.isValid() && !(is_number(v) && !std::isfinite(v.toDouble())) ? v : QVariant(), kSortRole);
        item->setData(r.run, kRunRole);
        if (is_number(v)) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        if (c.key == QLatin1String("run")) {
          item->setForeground(run_color(r.colorIndex).darker(115));
          QFont f = item->font();
          f.setBold(true);
          item->setFont(f);
        }
        items << item;
      }
      model_->appendRow(items);
    }
  }
  view_->resizeColumnsToContents();
  selectRuns(keep);
}

void RunsTable::sortBy(const QString& key, Qt::SortOrder order) {
  for (int i = 0; i < columns_.size(); ++i) {
    if (columns_[i].key == key) view_->sortByColumn(i, order);
  }
}

void RunsTable::setColumnVisible(const QString& key, bool visible) {
  for (int i = 0; i < columns_.size(); ++i) {
    if (columns_[i].key != key || view_->isColumnHidden(i) == !visible) continue;
    view_->setColumnHidden(i, !visible);
    if (visible) view_->resizeColumnToContents(i);  // rows set while it was hidden left it unsized
  }
}

bool RunsTable::isColumnVisible(const QString& key) const {
  for (int i = 0; i < columns_.size(); ++i) {
    if (columns_[i].key == key) return !view_->isColumnHidden(i);
  }
  return false;
}

void RunsTable::selectRuns(const QStringList& runs) {
  auto* selection = view_->selectionModel();
  QItemSelection wanted;
  for (int row = 0; row < proxy_->rowCount(); ++row) {
    const QModelIndex first = proxy_->index(row, 0);
    if (runs.contains(first.data(kRunRole).toString())) {
      wanted.select(first, proxy_->index(row, proxy_->columnCount() - 1));
    }
  }
  selection->select(wanted, QItemSelectionModel::ClearAndSelect);
}

QStringList RunsTable::selectedRuns() const {
  QStringList out;
  for (int row = 0; row < proxy_->rowCount(); ++row) {
    const QModelIndex first = proxy_->index(row, 0);
    if (view_->selectionModel()->isRowSelected(row, QModelIndex())) out << first.data(kRunRole).toString();
  }
  return out;
}

QStringList RunsTable::runsInOrder() const {
  QStringList out;
  for (int row = 0; row < proxy_->rowCount(); ++row) out << proxy_->index(row, 0).data(kRunRole).toString();
  return out;
}

QString RunsTable::cellText(const QString& run, const QString& key) const {
  for (int col = 0; col < columns_.size(); ++col) {
    if (columns_[col].key != key) continue;
    for (int row = 0; row < model_->rowCount(); ++row) {
      if (model_->item(row, 0)->data(kRunRole).toString() == run) return model_->item(row, col)->text();
    }
  }
  return {};
}

}  // namespace pose::widgets
