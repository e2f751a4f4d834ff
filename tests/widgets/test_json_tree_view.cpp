// JsonTreeView: structure, labels and summaries drawn from a document.
#include <QtTest>

#include "json_tree_view.h"

class TestJsonTreeView : public QObject {
  Q_OBJECT
 private slots:
  void showsNestedFieldsAndNamedArrayEntries() {
    pose::widgets::JsonTreeView view;
    nlohmann::json doc = {
        {"name", "micro-pose"},
        {"train_len", 256},
        {"extend", {{{"name", "pose-linear"}, {"chunks", 2}}, {{"name", "full"}, {"chunks", 1}}}},
    };
    view.setDocument(doc);
    QCOMPARE(view.topLevelItemCount(), 3);
    QTreeWidgetItem* lc = view.itemAt("train_len");
    QVERIFY(lc);
    QCOMPARE(lc->text(1), QString("256"));
    QTreeWidgetItem* second = view.itemAt("extend.1");
    QVERIFY(second);
    QCOMPARE(second->text(0), QString("[1] full"));
    QTreeWidgetItem* chunks = view.itemAt("extend.0.chunks");
    QVERIFY(chunks);
    QCOMPARE(chunks->text(1), QString("2"));
    QVERIFY(view.itemAt("extend.7") == nullptr);
    QCOMPARE(view.itemAt("name")->text(1), QString("micro-pose"));  // strings shown without quotes
  }

  void replacesThePreviousDocument() {
    pose::widgets::JsonTreeView view;
    view.setDocument({{"a", 1}, {"b", 2}});
    view.setDocument({{"c", 3}});
    QCOMPARE(view.topLevelItemCount(), 1);
    QVERIFY(view.itemAt("a") == nullptr);
  }
};

QTEST_MAIN(TestJsonTreeView)
#include "test_json_tree_view.moc"
