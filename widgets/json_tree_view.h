// Shows a JSON document (an experiment spec, a config.json) as an expandable
// key/value tree. Read-only; takes the parsed document.
#pragma once

#include <QTreeWidget>

#include <nlohmann/json.hpp>

namespace pose::widgets {

class JsonTreeView : public QTreeWidget {
  Q_OBJECT
 public:
  explicit JsonTreeView(QWidget* parent = nullptr);

  void setDocument(const nlohmann::json& document);
  // The item for a dotted path such as "extend.2.strategy", or nullptr.
  QTreeWidgetItem* itemAt(const QString& dottedPath) const;

 private:
  void addChildren(QTreeWidgetItem* parent, const nlohmann::json& value);
};

}  // namespace pose::widgets
