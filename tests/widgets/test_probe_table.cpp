// ProbeTable: what `pose eval --suite probe` stores becomes one row per length
// with the verdict, NLL, exact match, document share and generated text;
// skipped lengths say why; malformed results are refused with the row named.
#include <QtTest>

#include <QTableWidget>

#include <stdexcept>

#include "probe_table.h"

using pose::widgets::ProbeRow;
using pose::widgets::ProbeTable;
using nlohmann::json;

namespace {

json stored_results() {
  return json::parse(R"([
    {"length": 256, "prompt_tokens": 256, "document_tokens": 240, "document_complete": false,
     "generated": " Genesis\nand more", "passed": true, "answer_exact": true, "answer_nll": 0.4125},
    {"length": 1024, "prompt_tokens": 1024, "document_tokens": 1008, "document_complete": true,
     "generated": " the", "passed": false, "answer_exact": false, "answer_nll": 3.5},
    {"length": 8192, "skipped": "longer than the document allows"}
  ])");
}

}  // namespace

class TestProbeTable : public QObject {
  Q_OBJECT
 private slots:
  void readsWhatTheProbeStores() {
    const auto rows = pose::widgets::probe_rows_from_json(stored_results());
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows[0].length, int64_t{256});
    QVERIFY(rows[0].passed && rows[0].answerExact && !rows[0].documentComplete);
    QCOMPARE(rows[0].answerNll, 0.4125);
    QCOMPARE(rows[0].generated, QString(" Genesis\nand more"));
    QVERIFY(!rows[1].passed && rows[1].documentComplete);
    QCOMPARE(rows[1].documentTokens, int64_t{1008});
    QCOMPARE(rows[2].skipped, QString("longer than the document allows"));
  }

  void drawsOneRowPerLength() {
    ProbeTable t;
    t.setProbe("pose-linear · probe", "What book is this?", "Genesis",
               pose::widgets::probe_rows_from_json(stored_results()));
    QCOMPARE(t.rowCount(), 3);
    QCOMPARE(t.cellText(0, ProbeTable::Length), QString("256"));
    QCOMPARE(t.cellText(0, ProbeTable::Verdict), QString("pass"));
    QCOMPARE(t.cellText(0, ProbeTable::AnswerNll), QString("0.412"));  // 0.4125 to three places
    QCOMPARE(t.cellText(0, ProbeTable::Exact), QString("yes"));
    QCOMPARE(t.cellText(0, ProbeTable::Document), QString("240"));
    QCOMPARE(t.cellText(0, ProbeTable::Generated), QString::fromUtf8(" Genesis\u23CEand more"));
    QCOMPARE(t.table()->item(0, ProbeTable::Generated)->toolTip(), QString(" Genesis\nand more"));
    QCOMPARE(t.cellText(1, ProbeTable::Verdict), QString("fail"));
    QCOMPARE(t.cellText(1, ProbeTable::Document), QString("1008 (all)"));
    QVERIFY(t.table()->item(0, ProbeTable::Verdict)->foreground().color() !=
            t.table()->item(1, ProbeTable::Verdict)->foreground().color());
    QCOMPARE(t.cellText(2, ProbeTable::Verdict), QString("skipped"));
    QCOMPARE(t.cellText(2, ProbeTable::Generated), QString("longer than the document allows"));
    QVERIFY2(t.caption().contains("What book is this?") && t.caption().contains("Genesis"), qPrintable(t.caption()));
    QVERIFY2(t.caption().contains("passed at 1 of 2 lengths"), qPrintable(t.caption()));

    t.clear("nothing here");
    QCOMPARE(t.rowCount(), 0);
    QCOMPARE(t.caption(), QString("nothing here"));
  }

  void refusesMalformedResults() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pose::widgets::probe_rows_from_json(json::object()));
    try {
      pose::widgets::probe_rows_from_json(json::parse(R"([{"length": 256, "skipped": "x"},
                                                          {"length": 512, "passed": "yes"}])"));
      QFAIL("expected an error");
    } catch (const std::invalid_argument& e) {
      QVERIFY2(QString(e.what()).contains("row 1"), e.what());
    }
  }
};

QTEST_MAIN(TestProbeTable)
#include "test_probe_table.moc"
