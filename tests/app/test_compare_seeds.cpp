// The Compare workspace over an experiment repeated over seeds: each headline
// number is the mean with its range (sorting by the mean), a Seeds column only
// then, the paper's claim beside the measured outcome judged on the mean; the
// run's training length is not called Lc.
#include <QtTest>

#include <QAbstractItemModel>
#include <QTableView>
#include <QTemporaryDir>

#include "compare_workspace.h"
#include "results/metric_names.h"
#include "runs_table.h"
#include "store/experiment_store.h"

using nlohmann::json;
using pose::store::ExperimentStore;
namespace r = pose::results;

namespace {

void add_experiment(ExperimentStore& st, const std::string& name, const json& extra_spec, double original_ppl_at_lc,
                    double pose_ppl_at_lt, double pose_passkey_at_lt) {
  json spec = {{"name", name}, {"base_model", {{"train_len", 256}}}, {"target_len", 2048}};
  spec.update(extra_spec);
  const auto e = st.upsert_experiment(name, spec);
  const auto original = st.ensure_run(e, "no-finetune", "extend", {{"rope", {{"method", "none"}}}, {"strategy", "none"}, {"steps", 0}});
  st.append_metrics(original, {{r::ppl_at(256), 0, original_ppl_at_lc, 0}});
  st.finish_run(original, pose::store::RunStatus::Done);
  const auto pose = st.ensure_run(e, "pose", "extend",
                                  {{"rope", {{"method", "linear"}, {"factor", 8}}}, {"strategy", "pose"}, {"steps", 4},
                                   {"train_len", 256}, {"target_len", 2048}});
  st.append_metrics(pose, {{r::kTrainLoss, 4, 3.0, 0},
                           {r::ppl_at(2048), 4, pose_ppl_at_lt, 0},
                           {r::passkey_at(256), 4, 1.0, 0},
                           {r::passkey_at(2048), 4, pose_passkey_at_lt, 0}});
  st.finish_run(pose, pose::store::RunStatus::Done);
}

QString make_store(const QTemporaryDir& dir) {
  const QString file = dir.filePath("store.sqlite");
  auto st = ExperimentStore::open(file.toStdString());
  add_experiment(st, "demo", {{"seed", 1234}, {"replicate_seeds", {1}}}, 30.0, 34.0, 0.5);
  add_experiment(st, "demo.seed-1", {{"seed", 1}, {"replicate_of", "demo"}}, 20.0, 38.0, 0.0);
  add_experiment(st, "other", {{"seed", 5}}, 10.0, 11.0, 1.0);
  return file;
}

QStringList header_titles(pose::widgets::RunsTable* table) {
  QStringList titles;
  const auto* model = table->view()->model();
  for (int c = 0; c < model->columnCount(); ++c) titles << model->headerData(c, Qt::Horizontal).toString();
  return titles;
}

}  // namespace

class TestCompareSeeds : public QObject {
  Q_OBJECT
 private slots:
  void numbersAreMeanAndRangeOverTheSeeds() {
    QTemporaryDir dir;
    pose::studio::CompareWorkspace w;
    w.setStoreFile(make_store(dir));
    w.setExperiment("demo");
    auto* t = w.table();
    QCOMPARE(t->runsInOrder().size(), 2);
    QCOMPARE(t->cellText("pose", "ppl_lt"), QString::fromUtf8("36.00 (34.00\u201338.00)"));
    QCOMPARE(t->cellText("pose", "pk_lt"), QString::fromUtf8("0.25 (0.00\u20130.50)"));
    QCOMPARE(t->cellText("pose", "loss"), QString::fromUtf8("3.000 (3.000\u20133.000)"));
    QVERIFY(t->isColumnVisible("seeds"));
    QCOMPARE(t->cellText("pose", "seeds"), QString("2"));
    // The claim beside the outcome, judged on the mean of the seeds.
    QVERIFY(t->cellText("pose", "claim").contains("Full-length"));
    QCOMPARE(t->cellText("pose", "measured"),
             QString::fromUtf8("ppl@Lt 1.52x original@Lc (1.13\u20131.90); passkey >= 0.25 (0.00\u20130.50) up to Lt; "
                               "mean of 2 seeds"));
    // A column of the run's training length is not called Lc (the original model's window).
    const QStringList titles = header_titles(t);
    QVERIFY2(!titles.contains("Lc"), qPrintable(titles.join(", ")));
    QVERIFY2(titles.contains("Train length"), qPrintable(titles.join(", ")));
    QCOMPARE(t->cellText("pose", "train_len"), QString("256"));
    // Sorting by the mean.
    t->sortBy("ppl_lt", Qt::AscendingOrder);
    QCOMPARE(t->runsInOrder(), (QStringList{"pose", "no-finetune"}));  // no-finetune has none: last
  }

  void oneSeedShowsItsOwnNumbers() {
    QTemporaryDir dir;
    pose::studio::CompareWorkspace w;
    w.setStoreFile(make_store(dir));
    w.setExperiment("other");
    QVERIFY(!w.table()->isColumnVisible("seeds"));
    QCOMPARE(w.table()->cellText("pose", "ppl_lt"), QString("11.00"));
    QCOMPARE(w.table()->cellText("pose", "measured"),
             QString("ppl@Lt 1.10x original@Lc; passkey >= 1.00 up to Lt"));
    // A replicate on its own shows its own seed.
    w.setExperiment("demo.seed-1");
    QVERIFY(!w.table()->isColumnVisible("seeds"));
    QCOMPARE(w.table()->cellText("pose", "ppl_lt"), QString("38.00"));
  }
};

QTEST_MAIN(TestCompareSeeds)
#include "test_compare_seeds.moc"
