// The Design workspace: a form over an experiment spec (the JSON a researcher
// writes) with live previews beside it — which relative positions the chosen
// run trains (coverage) and how its samples are laid out, the RoPE spectrum of
// its scaling, and a cost estimate against Full-length at Lt with whether each
// fits the device's memory.
//
// The form edits the spec document itself (keys it does not show, presets
// included, are kept) and re-parses it with the engine's own parser after every
// change, so a value is judged exactly as `pose run` will judge it: an error
// appears under the field its path names ("extend[2].chunks: ..."), or above
// the form when no field shows that path. Previews follow the last valid
// document. Save writes the document as JSON; Start saves and asks the main
// window to run it. Edits not yet saved mark the design modified: the main
// window shows it in its title and saves (or asks) before a run or a quit.
#pragma once

#include <QMap>
#include <QString>
#include <QWidget>

#include <optional>

#include <nlohmann/json.hpp>

#include "experiment/experiment_spec.h"
#include "lora/lora_config.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableWidget;
class QTimer;

namespace pose::widgets {
class CoveragePlot;
class JsonTreeView;
class MemoryFitView;
class RopeSpectrumView;
class SampleLayoutView;
}  // namespace pose::widgets

namespace pose::studio {

class DesignWorkspace : public QWidget {
  Q_OBJECT
 public:
  explicit DesignWorkspace(QWidget* parent = nullptr);

  // A spec document and the file it came from (empty: not saved yet).
  // `saved`: the document is what the file holds; false marks it modified (a
  // design made from a dropped model directory, not written anywhere yet).
  void setSpec(const nlohmann::json& document, const QString& path, bool saved = true);
  const nlohmann::json& document() const { return doc_; }
  QString path() const { return path_; }
  bool save(const QString& path, QString* error = nullptr);
  // The document differs from what was last loaded or saved: a run started
  // now would not be what the form shows until it is saved.
  bool isModified() const { return modified_; }

  // The document's problem as the parser states it, empty when it is valid.
  QString validationError() const { return error_.message; }
  // The same in the form's words (field labels for spec paths and keys), as
  // the form shows it.
  QString problemText() const;
  // Legal but unusual choices (experiment/spec_warnings.h), in the form's words.
  QStringList warnings() const;
  // The last valid parse (the previews' source).
  const std::optional<experiment::ExperimentSpec>& spec() const { return spec_; }

  // The extension run the form and previews show.
  void setCurrentRun(int index);
  int currentRun() const { return run_; }

  // Training throughput (FLOP/s) for the time estimate, and where it comes
  // from (e.g. a finished run in the store); 0: no time estimate.
  void setThroughput(double flopsPerSecond, const QString& source);

  // For tests: a field by key ("run.chunks", "run.rope.factor",
  // "base_model.train_len", ...), the mark beside it that flags its error or
  // warning (the message is its tooltip), and the problem line above the form
  // that states the design's error or warnings in full.
  QWidget* field(const QString& key) const { return fields_.value(key).widget; }
  QLabel* fieldError(const QString& key) const { return fields_.value(key).error; }
  QLabel* generalError() const { return generalError_; }
  pose::widgets::CoveragePlot* coveragePlot() const { return coverage_; }
  pose::widgets::SampleLayoutView* sampleLayout() const { return layout_; }
  pose::widgets::RopeSpectrumView* ropeSpectrum() const { return spectrum_; }
  QTableWidget* costTable() const { return cost_; }
  // Whether the design and Full-length fit the device's memory.
  pose::widgets::MemoryFitView* memoryFit() const { return fit_; }
  pose::widgets::JsonTreeView* jsonView() const { return json_; }
  QComboBox* runCombo() const { return runCombo_; }
  // Where the training method (LoRA, activation checkpointing) is edited:
  // index 0 extend_defaults (every run without its own), 1 the run on show.
  QComboBox* trainingScope() const { return trainingScope_; }
  // The check box of one LoRA target in "run.lora.targets".
  QCheckBox* loraTarget(model::LoraTarget target) const;
  // Recomputes the previews now (they normally follow edits after a short delay).
  void refreshPreviews();

 signals:
  void startRequested(const QString& specPath);
  void saved(const QString& path);
  void modifiedChanged(bool modified);
  // Open… picked a spec file: the window opens it (after asking about unsaved
  // edits), so the form and every workspace show the same file.
  void openRequested(const QString& specPath);

 private:
  struct Field {
    QWidget* widget = nullptr;
    QLabel* error = nullptr;  // the mark beside the widget
    QString label;            // the form's name for it
    QLabel* caption = nullptr;  // the form row's label
  };
  QWidget* buildForm();
  QWidget* buildPreviews();
  void addField(QFormLayout* form, const QString& key, const QString& label, QWidget* widget,
                const QString& tip = {});
  void connectEdits();
  // Writes a form value into the document at the field's place and revalidates.
  void edit(const QString& key, const nlohmann::json& value);
  void validate();
  void showErrors();
  // A problem the core states about the spec: its message and the path of the
  // field it is about (experiment::FieldError::path(), SpecWarning::path).
  struct SpecProblem {
    QString message;
    QString path;  // "extend[4].train_len"; empty when it is about no one field
  };
  // A parser message ("extend[4].train_len: ... target_len ...") with spec
  // paths and keys replaced by the labels of the fields that show them.
  QString inFormWords(const SpecProblem& problem) const;
  // Flags the fields a problem is about: the one its path names and the one
  // last edited when the message mentions it (the edit that caused it).
  void markFields(const SpecProblem& problem, bool error);
  void showProblem(const QString& text, bool error);
  void populate();
  // The training method's widgets show these values; the LoRA fields are
  // enabled only while LoRA is on.
  void showTraining(bool activationCheckpointing, const std::optional<model::LoraConfig>& lora);
  // The run on show has its own lora or activation_checkpointing: the form
  // edits them there, else in extend_defaults.
  bool runOwnsTraining() const;
  // Writes a training-method field ("run.lora.rank", ...) where the scope says,
  // a LoRA key into a whole lora object (one object is read whole).
  void editTraining(const QString& key, const nlohmann::json& value);
  // Gives the run on show its own training method (a copy of what it takes
  // from extend_defaults) or drops it so it takes extend_defaults'.
  void setTrainingScope(bool ownRun);
  // A spec path's field on the form for the run on show, or empty.
  QString fieldKeyOf(const QString& path) const;
  void updateRunCombo();
  nlohmann::json& runObject();
  void addRun();
  void removeRun();
  void saveAs();
  void openFile();
  void updateModified();

  nlohmann::json doc_ = nlohmann::json::object();
  nlohmann::json savedDoc_;  // as last loaded or saved; null: never saved
  bool modified_ = false;
  QString path_;
  std::optional<experiment::ExperimentSpec> spec_;
  SpecProblem error_;                // empty message: the document is valid
  QVector<SpecProblem> warnings_;  // as the core states them, for the valid document
  QString lastEdited_;    // field key of the last edit
  int run_ = 0;
  bool populating_ = false;
  double flopsPerSecond_ = 0;
  QString throughputSource_;

  QMap<QString, Field> fields_;
  QLabel* generalError_;
  QComboBox* runCombo_;
  QCheckBox* autoFactor_;
  QComboBox* trainingScope_;
  QVector<QCheckBox*> loraTargets_;  // in all_lora_targets()' order
  QComboBox* device_;
  pose::widgets::CoveragePlot* coverage_;
  pose::widgets::SampleLayoutView* layout_;
  pose::widgets::RopeSpectrumView* spectrum_;
  QTabWidget* previewTabs_;
  QTableWidget* cost_;
  QLabel* costNote_;
  pose::widgets::MemoryFitView* fit_;
  pose::widgets::JsonTreeView* json_;
  QTimer* previewTimer_;
};

}  // namespace pose::studio
