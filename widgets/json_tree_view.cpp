#include "json_tree_view.h"

#include <QHeaderView>

namespace pose::widgets {

namespace {
QString scalarText(const nlohmann::json& v) {
  if (v.is_string()) return QString::fromStdString(v.get<std::string>());
  return QString::fromStdString(v.dump());
}

QString summaryText(const nlohmann::json& v) {
  if (v.is_array()) return JsonTreeView::tr("%n item(s)", nullptr, static_cast<int>(v.size()));
  if (v.is_object()) return JsonTreeView::tr("%n field(s)", nullptr, static_cast<int>(v.size()));
  return scalarText(v);
}
}  // namespace

JsonTreeView::JsonTreeView(QWidget* parent) : QTreeWidget(parent) {
  setColumnCount(2);
  setHeaderLabels({tr("Field"), tr("Value")});
  setAlternatingRowColors(true);
  setUniformRowHeights(true);
  header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
}

void JsonTreeView::setDocument(const nlohmann::json& document) {
  clear();
  addChildren(invisibleRootItem(), document);
  expandToDepth(0);
}

void JsonTreeView::addChildren(QTreeWidgetItem* parent, const nlohmann::json& value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      auto* item = new QTreeWidgetItem(parent, {QString::fromStdString(it.key()), summaryText(it.value())});
      addChildren(item, it.value());
    }
  } else if (value.is_array()) {
    int index = 0;
    for (const auto& element : value) {
      QString label = QStringLiteral("[%1]").arg(index++);
      // Name array entries by their "name" field when they have one (runs, evals).
      if (element.is_object() && element.contains("name") && element["name"].is_string()) {
        label += QStringLiteral(" ") + QString::fromStdString(element["name"].get<std::string>());
      }
      auto* item = new QTreeWidgetItem(parent, {label, summaryText(element)});
      addChildren(item, element);
    }
  }
}

QTreeWidgetItem* JsonTreeView::itemAt(const QString& dottedPath) const {
  QTreeWidgetItem* current = invisibleRootItem();
  for (const QString& part : dottedPath.split('.')) {
    QTreeWidgetItem* next = nullptr;
    bool isIndex = false;
    int index = part.toInt(&isIndex);
    for (int i = 0; i < current->childCount() && !next; ++i) {
      QTreeWidgetItem* child = current->child(i);
      const QString key = child->text(0);
      if (isIndex ? key.startsWith(QStringLiteral("[%1]").arg(index)) : key == part) next = child;
    }
    if (!next) return nullptr;
    current = next;
  }
  return current;
}

}  // namespace pose::widgets
