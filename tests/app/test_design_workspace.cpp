// DesignWorkspace: the form edits the spec document in place (keys it does not
// show are kept), every change is judged by the engine's parser with the error
// shown at the field its path names, previews and the cost estimate follow the
// design, and Save / Save and Start write the document.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>

#include "common/json_file.h"
#include "coverage_plot.h"
#include "design_workspace.h"
#include "json_tree_view.h"
#include "memory_fit_view.h"
#include "sample_layout_view.h"

using nlohmann::json;
using pose::studio::DesignWorkspace;

namespace {

// Finds the row of the cost table with this header text (long labels are
// shown on two lines).
int costRow(QTableWidget* table, const QString& name) {
  for (int r = 0; r < table->rowCount(); ++r) {
    const auto* item = table->verticalHeaderItem(r);
    if (item && QString(item->text()).replace(QLatin1Char('\n'), QLatin1Char(' ')) == name) return r;
  }
  return -1;
}

void typeInto(QWidget* w, const QString& text) {
  auto* edit = qobject_cast<QLineEdit*>(w);
  edit->setText(text);
  emit edit->editingFinished();
}

}  // namespace

class TestDesignWorkspace : public QObject {
  Q_OBJECT
 private slots:
  void formShowsTheResolvedRunAndEditsTheDocument() {
    DesignWorkspace d;
    const json spec = pose::read_json_file(POSE_DEFAULT_EXPERIMENT);
    d.setSpec(spec, POSE_DEFAULT_EXPERIMENT);
    QVERIFY2(d.validationError().isEmpty(), qPrintable(d.validationError()));
    // The first PoSE run is the one under design; its values as the engine resolved them.
    QCOMPARE(d.currentRun(), 4);
    QCOMPARE(qobject_cast<QLineEdit*>(d.field("run.name"))->text(), QStringLiteral("pose-linear"));
    QCOMPARE(qobject_cast<QSpinBox*>(d.field("run.chunks"))->value(), 2);
    QCOMPARE(qobject_cast<QSpinBox*>(d.field("run.train_len"))->value(), 256);  // from extend_defaults
    QCOMPARE(qobject_cast<QSpinBox*>(d.field("run.target_len"))->value(), 2048);
    QCOMPARE(qobject_cast<QDoubleSpinBox*>(d.field("run.rope.factor"))->value(), 8.0);
    QCOMPARE(qobject_cast<QSpinBox*>(d.field("evaluation.periodic.every"))->value(), 50);
    QCOMPARE(d.runCombo()->count(), 7);

    // An edit lands in the run's own object; everything else is kept.
    qobject_cast<QSpinBox*>(d.field("run.chunks"))->setValue(3);
    QCOMPARE(d.document()["extend"][4]["chunks"].get<int>(), 3);
    QVERIFY(d.document().contains("presets"));
    QCOMPARE(d.document()["extend_defaults"], spec["extend_defaults"]);
    QCOMPARE(d.spec()->extend[4].chunks, 3);
    QVERIFY(d.validationError().isEmpty());

    // "auto" takes the factor out of the run: the parser gives Lt / Lc.
    auto* autoFactor = d.findChild<QCheckBox*>("autoFactor");
    autoFactor->setChecked(false);
    autoFactor->setChecked(true);
    QVERIFY(!d.document()["extend"][4]["rope"].contains("factor"));
    QCOMPARE(d.spec()->extend[4].rope.factor, 8.0);
    qobject_cast<QSpinBox*>(d.field("run.target_len"))->setValue(4096);
    QCOMPARE(d.spec()->extend[4].rope.factor, 16.0);

    // Switching the periodic evaluation off removes its section.
    qobject_cast<QSpinBox*>(d.field("evaluation.periodic.every"))->setValue(0);
    QVERIFY(!d.document()["evaluation"].contains("periodic"));
    QVERIFY(!d.spec()->evaluation.periodic);

    // The JSON tab shows the document.
    QVERIFY(d.jsonView()->itemAt("extend"));
  }

  void errorsAppearAtTheirField() {
    DesignWorkspace d;
    d.setSpec(pose::read_json_file(POSE_DEFAULT_EXPERIMENT), POSE_DEFAULT_EXPERIMENT);
    typeInto(d.field("run.lr"), QStringLiteral("-1"));
    QVERIFY(!d.validationError().isEmpty());
    QVERIFY(d.validationError().startsWith("extend[4].lr"));
    QVERIFY(d.fieldError("run.lr")->isVisibleTo(&d));
    // In the form's words: the field's label, not the spec's key.
    QVERIFY2(d.fieldError("run.lr")->toolTip().startsWith("Learning rate: "), qPrintable(d.fieldError("run.lr")->toolTip()));
    QCOMPARE(d.generalError()->text(), d.problemText());
    QCOMPARE(d.problemText(), d.fieldError("run.lr")->toolTip());
    // The previews keep the last valid design.
    QVERIFY(d.spec().has_value());
    typeInto(d.field("run.lr"), QStringLiteral("0.001"));
    QVERIFY(d.validationError().isEmpty());
    QVERIFY(!d.fieldError("run.lr")->isVisibleTo(&d));

    typeInto(d.field("name"), QStringLiteral("bad name!"));
    QVERIFY(d.fieldError("name")->isVisibleTo(&d));
    QVERIFY2(d.fieldError("name")->toolTip().contains("[A-Za-z0-9._-]"), qPrintable(d.fieldError("name")->toolTip()));
    typeInto(d.field("name"), QStringLiteral("micro-pose"));

    // An error of another run than the one shown: above the form only, naming the run.
    typeInto(d.field("run.lr"), QStringLiteral("-1"));
    d.setCurrentRun(0);
    QVERIFY(!d.fieldError("run.lr")->isVisibleTo(&d));
    QVERIFY2(d.generalError()->text().startsWith("Learning rate of run pose-linear: "), qPrintable(d.generalError()->text()));
  }

  // Training length 4096 against a target of 2048: the parser blames
  // extend[4].target_len; the form flags both fields (Training length was the
  // edit), words it with their labels, shows it whole, and moves nothing.
  void errorsSpeakTheFormsWordsAndMoveNothing() {
    DesignWorkspace d;
    d.resize(1200, 800);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    d.setSpec(pose::read_json_file(POSE_DEFAULT_EXPERIMENT), POSE_DEFAULT_EXPERIMENT);
    const QStringList watched{"run.steps", "run.batch_size", "run.lr", "run.target_len", "run.precision"};
    const auto places = [&] {
      QVector<QRect> out;
      for (const auto& key : watched) out << QRect(d.field(key)->mapTo(&d, QPoint(0, 0)), d.field(key)->size());
      return out;
    };
    QCoreApplication::processEvents();
    const QVector<QRect> before = places();

    qobject_cast<QSpinBox*>(d.field("run.train_len"))->setValue(4096);
    QCoreApplication::processEvents();
    QVERIFY(d.validationError().startsWith("extend[4].target_len"));
    const QString text = d.problemText();
    QVERIFY2(!text.contains("train_len") && !text.contains("target_len") && !text.contains("extend["), qPrintable(text));
    QVERIFY2(text.startsWith("Target window Lt: 2048 is below Training length 4096"), qPrintable(text));
    QVERIFY(d.fieldError("run.target_len")->isVisibleTo(&d));
    QVERIFY(d.fieldError("run.train_len")->isVisibleTo(&d));
    QVERIFY(!d.fieldError("run.chunks")->isVisibleTo(&d));
    // The whole message fits its place.
    QLabel* line = d.generalError();
    QVERIFY2(line->heightForWidth(line->width()) <= line->parentWidget()->height(),
             qPrintable(QStringLiteral("%1 > %2").arg(line->heightForWidth(line->width())).arg(line->parentWidget()->height())));
    QCOMPARE(places(), before);

    qobject_cast<QSpinBox*>(d.field("run.train_len"))->setValue(256);
    QCoreApplication::processEvents();
    QVERIFY(d.validationError().isEmpty());
    QVERIFY(!d.fieldError("run.target_len")->isVisibleTo(&d));
    QCOMPARE(places(), before);
  }

  // A spec that does not parse shows the values it states (resolved the
  // parser's way), never blanks or the design opened before; the previews are
  // greyed out until it parses.
  void aSpecWithAnErrorShowsItsOwnValues() {
    DesignWorkspace d;
    json bad = pose::read_json_file(POSE_DEFAULT_EXPERIMENT);
    d.setSpec(bad, POSE_DEFAULT_EXPERIMENT);
    d.refreshPreviews();
    QVERIFY(d.coveragePlot()->isEnabled());
    bad["name"] = "bad-one";
    bad["extend"][4]["train_len"] = 4096;
    d.setSpec(bad, QString());
    d.refreshPreviews();
    QVERIFY(!d.validationError().isEmpty());
    QVERIFY(!d.spec().has_value());
    QVERIFY(!d.coveragePlot()->isEnabled());
    QCOMPARE(qobject_cast<QLineEdit*>(d.field("name"))->text(), QStringLiteral("bad-one"));
    QCOMPARE(qobject_cast<QSpinBox*>(d.field("run.train_len"))->value(), 4096);
    QCOMPARE(qobject_cast<QSpinBox*>(d.field("run.target_len"))->value(), 2048);      // the top level's
    QCOMPARE(qobject_cast<QSpinBox*>(d.field("run.steps"))->value(), 200);            // extend_defaults'
    QCOMPARE(qobject_cast<QSpinBox*>(d.field("base_model.train_len"))->value(), 256);
    QCOMPARE(qobject_cast<QComboBox*>(d.field("run.rope.method"))->currentData().toString(), QStringLiteral("linear"));
    QCOMPARE(qobject_cast<QLineEdit*>(d.field("run.lr"))->text(), QStringLiteral("0.0005"));
  }

  // Save keeps the researcher's file: its key order (name first, presets
  // last), its hand-wrapped runs and number spellings (3e-3, 1.0), not a
  // sorted dump; only the edited value changes, so the diff is that value.
  void saveKeepsTheFilesKeyOrder() {
    QTemporaryDir dir;
    const QString file = dir.filePath("spec.json");
    QVERIFY(QFile::copy(POSE_DEFAULT_EXPERIMENT, file));
    QFile::setPermissions(file, QFile::ReadOwner | QFile::WriteOwner);
    QFile before(file);
    QVERIFY(before.open(QIODevice::ReadOnly));
    QString expected = QString::fromUtf8(before.readAll());
    before.close();
    DesignWorkspace d;
    d.setSpec(pose::read_json_file(file.toStdString()), file);
    QCOMPARE(d.currentRun(), 4);  // pose-linear, wrapped over two lines in the file
    qobject_cast<QSpinBox*>(d.field("run.chunks"))->setValue(3);
    QVERIFY(d.save(file));
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(f.readAll());
    const QString edited = QStringLiteral(R"("name": "pose-linear", "rope": {"method": "linear", "factor": 8}, "strategy": "pose", "chunks": 2,)");
    // The run's own line, the first of its kind (a preset may repeat the run further down, untouched).
    const auto at = expected.indexOf(edited);
    QVERIFY(at >= 0);
    expected.replace(at, edited.size(),
                     QString(edited).replace(QStringLiteral("\"chunks\": 2"), QStringLiteral("\"chunks\": 3")));
    QCOMPARE(text, expected);
    QVERIFY2(text.startsWith("{\n  \"name\": \"micro-pose\",\n  \"description\""), qPrintable(text.left(80)));
    QVERIFY(text.indexOf("\"base_model\"") < text.indexOf("\"extend\""));
    QVERIFY(text.indexOf("\"extend\"") < text.indexOf("\"presets\""));
    QVERIFY(text.contains(R"({"name": "no-finetune", "rope": {"method": "none"}, "strategy": "none", "steps": 0})"));
    QCOMPARE(pose::read_json_file(file.toStdString()), d.document());
    QCOMPARE(d.document()["extend"][4]["chunks"].get<int>(), 3);
  }

  // A factor below Lt / Lc is legal: a warning at the factor, not an error.
  void factorBelowTheRatioIsAWarning() {
    DesignWorkspace d;
    d.setSpec(pose::read_json_file(POSE_DEFAULT_EXPERIMENT), POSE_DEFAULT_EXPERIMENT);
    QVERIFY(d.warnings().isEmpty());
    d.findChild<QCheckBox*>("autoFactor")->setChecked(false);
    qobject_cast<QDoubleSpinBox*>(d.field("run.rope.factor"))->setValue(4.0);
    QVERIFY(d.validationError().isEmpty());
    QCOMPARE(d.spec()->extend[4].rope.factor, 4.0);
    QCOMPARE(d.warnings().size(), 1);
    QVERIFY2(d.warnings()[0].startsWith("Warning: Scale factor: 4 is below Target window Lt / Original window Lc = 8"),
             qPrintable(d.warnings()[0]));
    QVERIFY(d.fieldError("run.rope.factor")->isVisibleTo(&d));
    QVERIFY(d.generalError()->text().contains("Scale factor: 4"));
    qobject_cast<QDoubleSpinBox*>(d.field("run.rope.factor"))->setValue(8.0);
    QVERIFY(d.warnings().isEmpty());
    QVERIFY(!d.fieldError("run.rope.factor")->isVisibleTo(&d));
  }

  // Typing 4096 into a length passes 4, 40, 409 on the way: none of them is an
  // edit; Enter commits the value and the previews follow it.
  void previewsFollowCommittedValuesOnly() {
    DesignWorkspace d;
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    d.setSpec(pose::read_json_file(POSE_DEFAULT_EXPERIMENT), POSE_DEFAULT_EXPERIMENT);
    auto* target = qobject_cast<QSpinBox*>(d.field("run.target_len"));
    target->setFocus();
    target->selectAll();
    QTest::keyClicks(target, "4096");
    QCOMPARE(d.spec()->extend[4].target_len, int64_t(2048));
    QVERIFY(!d.isModified());
    QTest::keyClick(target, Qt::Key_Return);
    QCOMPARE(d.spec()->extend[4].target_len, int64_t(4096));
    QVERIFY(d.isModified());
  }

  void costAndPreviewsFollowTheDesign() {
    DesignWorkspace d;
    d.setSpec(pose::read_json_file(POSE_DEFAULT_EXPERIMENT), POSE_DEFAULT_EXPERIMENT);
    d.setThroughput(1e9, QStringLiteral("a test"));
    d.refreshPreviews();
    QTableWidget* cost = d.costTable();
    const int length = costRow(cost, QStringLiteral("Training length (tokens)"));
    QVERIFY(length >= 0);
    QCOMPARE(cost->item(length, 0)->text(), QStringLiteral("256"));
    QCOMPARE(cost->item(length, 1)->text(), QStringLiteral("2.0 k"));
    const int compute = costRow(cost, QStringLiteral("Compute per step (FLOP)"));
    const double ratio = cost->item(compute, 2)->text().chopped(1).toDouble();
    QVERIFY2(ratio > 8.0, qPrintable(cost->item(compute, 2)->text()));  // attention makes Full-length dearer than 8x
    const int time = costRow(cost, QStringLiteral("Time per step"));
    QVERIFY(cost->item(time, 0)->text() != QStringLiteral("—"));
    const int periodic = costRow(cost, QStringLiteral("Periodic evaluation"));
    QVERIFY2(cost->item(periodic, 0)->text().contains("% of training compute"), qPrintable(cost->item(periodic, 0)->text()));

    // Without a throughput there is no time, and the note says why.
    d.setThroughput(0, {});
    d.refreshPreviews();
    QCOMPARE(cost->item(costRow(cost, QStringLiteral("Time per step")), 0)->text(), QStringLiteral("—"));
    QVERIFY(d.findChild<QLabel*>("costNote")->text().contains("No time estimate"));

    // The sample layout draws the run's chunks: more chunks, more bars.
    const int twoChunks = d.sampleLayout()->positionSegmentCount();
    qobject_cast<QSpinBox*>(d.field("run.chunks"))->setValue(4);
    d.refreshPreviews();
    QVERIFY2(d.sampleLayout()->positionSegmentCount() > twoChunks,
             qPrintable(QStringLiteral("%1 vs %2").arg(d.sampleLayout()->positionSegmentCount()).arg(twoChunks)));
  }

  void memoryFitFollowsTheDeviceMemoryAndTheDesign() {
    DesignWorkspace d;
    d.setSpec(pose::read_json_file(POSE_DEFAULT_EXPERIMENT), POSE_DEFAULT_EXPERIMENT);
    auto* fit = d.memoryFit();
    QVERIFY(fit);
    fit->setDeviceMemoryGiB(80);
    d.refreshPreviews();
    QVERIFY2(fit->designText().startsWith("fits:"), qPrintable(fit->designText()));
    QVERIFY2(fit->fullLengthText().startsWith("fits:"), qPrintable(fit->fullLengthText()));
    QTableWidget* cost = d.costTable();
    const int trained = costRow(cost, QStringLiteral("Trained parameters"));
    QVERIFY(trained >= 0);
    QCOMPARE(cost->item(trained, 0)->text(), cost->item(costRow(cost, QStringLiteral("Parameters")), 0)->text());

    // A LLaMA-7B-sized base does not fit 80 GiB with every weight trained:
    // the first change that fits is named for the design and for Full-length.
    json doc = pose::read_json_file(POSE_DEFAULT_EXPERIMENT);
    doc["base_model"]["config"] = {{"hidden_size", 4096}, {"intermediate_size", 11008}, {"num_hidden_layers", 32},
                                   {"num_attention_heads", 32}, {"num_key_value_heads", 32}};
    d.setSpec(doc, QString(), false);
    d.refreshPreviews();
    QVERIFY2(fit->designText().startsWith("does not fit:"), qPrintable(fit->designText()));
    QVERIFY2(fit->designText().contains("to fit: "), qPrintable(fit->designText()));
    QVERIFY2(fit->fullLengthText().startsWith("does not fit:"), qPrintable(fit->fullLengthText()));
    const QString before = fit->designText();
    fit->setDeviceMemoryGiB(4096);
    d.refreshPreviews();
    QVERIFY2(fit->designText().startsWith("fits:"), qPrintable(fit->designText()));
    QVERIFY(fit->designText() != before);
    // LoRA in the spec: fewer trained parameters than parameters.
    doc["extend_defaults"]["lora"] = {{"rank", 8}};
    d.setSpec(doc, QString(), false);
    d.refreshPreviews();
    const int row = costRow(cost, QStringLiteral("Trained parameters"));
    QVERIFY(cost->item(row, 0)->text() != cost->item(costRow(cost, QStringLiteral("Parameters")), 0)->text());
  }

  // LoRA and activation checkpointing for every run: the form writes exactly
  // the keys edited into extend_defaults (and the saved file), off takes them
  // out again, and no target at all is an error at the targets field.
  void loraForEveryRunWritesExtendDefaults() {
    using pose::model::LoraTarget;
    QTemporaryDir dir;
    const QString file = dir.filePath("spec.json");
    QVERIFY(QFile::copy(POSE_DEFAULT_EXPERIMENT, file));
    QFile::setPermissions(file, QFile::ReadOwner | QFile::WriteOwner);
    const json original = pose::read_json_file(file.toStdString());
    DesignWorkspace d;
    d.setSpec(original, file);
    QCOMPARE(d.trainingScope()->currentIndex(), 0);  // no run of micro-pose has its own
    auto* lora = qobject_cast<QCheckBox*>(d.field("run.lora"));
    auto* rank = qobject_cast<QSpinBox*>(d.field("run.lora.rank"));
    auto* checkpointing = qobject_cast<QCheckBox*>(d.field("run.activation_checkpointing"));
    QVERIFY(!lora->isChecked());
    QVERIFY(!rank->isEnabled());
    QVERIFY(!d.field("run.lora.targets")->isEnabled());

    lora->setChecked(true);
    QVERIFY(rank->isEnabled());
    QCOMPARE(rank->value(), 8);  // what {} gives
    rank->setValue(16);
    d.loraTarget(LoraTarget::K)->setChecked(false);
    d.loraTarget(LoraTarget::O)->setChecked(false);
    const json expected = {{"rank", 16}, {"targets", {"q_proj", "v_proj"}}};
    QCOMPARE(d.document()["extend_defaults"]["lora"], expected);
    QVERIFY(!d.document()["extend"][4].contains("lora"));
    QVERIFY2(d.validationError().isEmpty(), qPrintable(d.validationError()));
    // Every run that trains takes it, as the engine reads the spec.
    for (const int run : {2, 4, 6}) {
      const auto& l = d.spec()->extend[static_cast<std::size_t>(run)].training.lora;
      QVERIFY(l.has_value());
      QCOMPARE(l->rank, int64_t{16});
      QVERIFY(l->targets == (std::vector<LoraTarget>{LoraTarget::Q, LoraTarget::V}));
    }
    checkpointing->setChecked(true);
    QCOMPARE(d.document()["extend_defaults"]["activation_checkpointing"], json(true));
    QVERIFY(d.spec()->extend[4].training.activation_checkpointing);
    QVERIFY(d.isModified());
    QVERIFY(d.save(file));
    const json saved = pose::read_json_file(file.toStdString());
    QCOMPARE(saved["extend_defaults"]["lora"], expected);
    QCOMPARE(saved["extend_defaults"]["activation_checkpointing"], json(true));
    QCOMPARE(saved["extend_defaults"]["lr"], original["extend_defaults"]["lr"]);

    // Frozen embeddings and norms: one warning for all five runs, at LoRA.
    QCOMPARE(d.warnings().size(), 1);
    QVERIFY2(d.warnings()[0].startsWith("Warning: LoRA of every fine-tuned run: Train embeddings and Train norms are "
                                        "false — LongLoRA found"),
             qPrintable(d.warnings()[0]));
    QVERIFY(d.fieldError("run.lora")->isVisibleTo(&d));
    qobject_cast<QCheckBox*>(d.field("run.lora.train_embeddings"))->setChecked(true);
    QVERIFY(d.fieldError("run.lora.train_norms")->isVisibleTo(&d));
    QVERIFY2(d.warnings()[0].startsWith("Warning: Train norms of every fine-tuned run: false"), qPrintable(d.warnings()[0]));
    qobject_cast<QCheckBox*>(d.field("run.lora.train_norms"))->setChecked(true);
    QVERIFY(d.warnings().isEmpty());
    QCOMPARE(d.document()["extend_defaults"]["lora"]["train_norms"], json(true));

    // No target: an error at the targets field in the form's words; the form
    // shows the document as it is (nothing checked, LoRA still on).
    d.loraTarget(LoraTarget::Q)->setChecked(false);
    d.loraTarget(LoraTarget::V)->setChecked(false);
    QVERIFY2(d.validationError().startsWith("extend_defaults.lora.targets"), qPrintable(d.validationError()));
    QVERIFY(d.fieldError("run.lora.targets")->isVisibleTo(&d));
    QVERIFY(!d.fieldError("run.lora")->isVisibleTo(&d));
    QVERIFY2(d.problemText().startsWith("LoRA targets for every run: empty"), qPrintable(d.problemText()));
    QCOMPARE(d.fieldError("run.lora.targets")->toolTip(), d.problemText());
    QVERIFY(lora->isChecked());
    for (const auto t : pose::model::all_lora_targets()) QVERIFY(!d.loraTarget(t)->isChecked());
    d.loraTarget(LoraTarget::Q)->setChecked(true);
    QVERIFY(d.validationError().isEmpty());
    QVERIFY(!d.fieldError("run.lora.targets")->isVisibleTo(&d));

    // Off: the keys go, the LoRA fields are greyed out.
    lora->setChecked(false);
    QVERIFY(!d.document()["extend_defaults"].contains("lora"));
    QVERIFY(!d.spec()->extend[4].training.lora);
    QVERIFY(!rank->isEnabled());
    checkpointing->setChecked(false);
    QCOMPARE(d.document()["extend_defaults"], original["extend_defaults"]);
    QVERIFY(d.save(file));
    QCOMPARE(pose::read_json_file(file.toStdString())["extend_defaults"], original["extend_defaults"]);
  }

  // This run only: the run gets its own copy of the defaults' method, edits
  // stay in it, LoRA off writes false there (overriding extend_defaults), and
  // going back to every run drops the run's own keys.
  void aRunMayTrainItsOwnWay() {
    using pose::model::LoraTarget;
    json doc = pose::read_json_file(POSE_DEFAULT_EXPERIMENT);
    const json defaults = {{"rank", 8}, {"train_embeddings", true}, {"train_norms", true}};
    doc["extend_defaults"]["lora"] = defaults;
    DesignWorkspace d;
    d.setSpec(doc, POSE_DEFAULT_EXPERIMENT);
    auto* lora = qobject_cast<QCheckBox*>(d.field("run.lora"));
    auto* rank = qobject_cast<QSpinBox*>(d.field("run.lora.rank"));
    QCOMPARE(d.trainingScope()->currentIndex(), 0);
    QVERIFY(lora->isChecked());
    QVERIFY(d.warnings().isEmpty());

    d.trainingScope()->setCurrentIndex(1);
    QCOMPARE(d.document()["extend"][4]["lora"], defaults);
    QCOMPARE(d.document()["extend"][4]["activation_checkpointing"], json(false));
    rank->setValue(32);
    QCOMPARE(d.document()["extend"][4]["lora"]["rank"], json(32));
    QCOMPARE(d.document()["extend"][4]["lora"]["train_norms"], json(true));  // the object is read whole
    QCOMPARE(d.document()["extend_defaults"]["lora"], defaults);
    QCOMPARE(d.spec()->extend[4].training.lora->rank, int64_t{32});
    QCOMPARE(d.spec()->extend[5].training.lora->rank, int64_t{8});

    // A warning about this run alone names no run; about some runs, names them.
    qobject_cast<QCheckBox*>(d.field("run.lora.train_norms"))->setChecked(false);
    QCOMPARE(d.warnings(), QStringList{"Warning: Train norms: false — LongLoRA found trainable embeddings and norms "
                                       "necessary for context extension with LoRA"});
    QVERIFY(d.fieldError("run.lora.train_norms")->isVisibleTo(&d));
    json some = d.document();
    some["extend"][5]["lora"] = some["extend"][4]["lora"];
    DesignWorkspace other;
    other.setSpec(some, POSE_DEFAULT_EXPERIMENT);
    QCOMPARE(other.warnings().size(), 1);
    QVERIFY2(other.warnings()[0].startsWith("Warning: Train norms of runs pose-linear, pose-yarn: false"),
             qPrintable(other.warnings()[0]));

    lora->setChecked(false);
    QCOMPARE(d.document()["extend"][4]["lora"], json(false));
    QVERIFY(!d.spec()->extend[4].training.lora);
    QVERIFY(d.spec()->extend[5].training.lora);
    QCOMPARE(d.trainingScope()->currentIndex(), 1);

    lora->setChecked(true);  // from what extend_defaults would give
    QCOMPARE(d.document()["extend"][4]["lora"], defaults);
    for (const auto t : pose::model::all_lora_targets()) d.loraTarget(t)->setChecked(false);
    QVERIFY2(d.validationError().startsWith("extend[4].lora.targets"), qPrintable(d.validationError()));
    QVERIFY(d.fieldError("run.lora.targets")->isVisibleTo(&d));
    QVERIFY2(d.problemText().startsWith("LoRA targets: empty"), qPrintable(d.problemText()));
    d.loraTarget(LoraTarget::Q)->setChecked(true);
    QVERIFY(d.validationError().isEmpty());

    // Another run shows what it takes from extend_defaults.
    d.setCurrentRun(5);
    QCOMPARE(d.trainingScope()->currentIndex(), 0);
    QCOMPARE(rank->value(), 8);
    d.setCurrentRun(4);
    QCOMPARE(d.trainingScope()->currentIndex(), 1);
    d.trainingScope()->setCurrentIndex(0);
    QVERIFY(!d.document()["extend"][4].contains("lora"));
    QVERIFY(!d.document()["extend"][4].contains("activation_checkpointing"));
    QCOMPARE(d.spec()->extend[4].training.lora->rank, int64_t{8});
  }

  void runsAreAddedRemovedSavedAndStarted() {
    QTemporaryDir dir;
    DesignWorkspace d;
    d.setSpec(pose::read_json_file(POSE_DEFAULT_EXPERIMENT), QString());
    for (auto* b : d.findChildren<QPushButton*>()) {
      if (b->text() == QStringLiteral("Add")) b->click();
    }
    QCOMPARE(d.document()["extend"].size(), std::size_t(8));
    QCOMPARE(d.currentRun(), 7);
    QCOMPARE(QString::fromStdString(d.document()["extend"][7]["name"]), QStringLiteral("run-8"));
    QVERIFY(d.validationError().isEmpty());
    for (auto* b : d.findChildren<QPushButton*>()) {
      if (b->text() == QStringLiteral("Remove")) b->click();
    }
    QCOMPARE(d.document()["extend"].size(), std::size_t(7));

    const QString file = dir.filePath("design.json");
    QSignalSpy start(&d, &DesignWorkspace::startRequested);
    qobject_cast<QSpinBox*>(d.field("run.chunks"))->setValue(3);
    QVERIFY(d.isModified());
    QVERIFY(d.save(file));
    QVERIFY(!d.isModified());
    QCOMPARE(d.path(), file);
    QCOMPARE(pose::read_json_file(file.toStdString()), d.document());
    d.findChild<QPushButton*>("designStart")->click();
    QCOMPARE(start.count(), 1);
    QCOMPARE(start.at(0).at(0).toString(), file);
    // An invalid design is not started.
    typeInto(d.field("run.lr"), QStringLiteral("-1"));
    d.findChild<QPushButton*>("designStart")->click();
    QCOMPARE(start.count(), 1);
  }
};

QTEST_MAIN(TestDesignWorkspace)
#include "test_design_workspace.moc"
