// The Design workspace: a form over an experiment spec (the JSON a researcher
// writes) with live previews beside it — which relative positions the chosen
// run trains (coverage) and how its samples are laid out, the RoPE spectrum of
// its scaling, and a cost estimate against Full-length at Lt.
//
// The form edits the spec document itself (keys it does not show, presets
// included, are kept) and re-parses it with the engine's own parser after every
// change, so a value is judged exactly as `pose run` will judge it: an error
// appears under the field its path names ("extend[2].chunks: ..."), or above
// the form when no field shows that path. Previews follow the last valid
// document. Save writes the document as JSON; Start saves and asks the main
// window to run it.
#pragma once

#include <QMap>
#include <QString>
#include <QWidget>

#include <optional>

#include <nlohmann/json.hpp>

#include "experiment/experiment_spec.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTimer;

namespace pose::widgets {
class CoveragePlot;
class JsonTreeView;
class RopeSpectrumView;
class SampleLayoutView;
}  // namespace pose::widgets

namespace pose::studio {

class DesignWorkspace : public QWidget {
  Q_OBJECT
 public:
  explicit DesignWorkspace(QWidget* parent = nullptr);

  // A spec document and the file it came from (empty: not saved yet).
  void setSpec(const nlohmann::json& document, const QString& path);
  const nlohmann::json& document() const { return doc_; }
  QString path() const { return path_; }
  bool save(const QString& path, QString* error = nullptr);

  // The document's problem as the parser states it, empty when it is valid.
  QString validationError() const { return error_; }
  // The last valid parse (the previews' source).
  const std::optional<experiment::ExperimentSpec>& spec() const { return spec_; }

  // The extension run the form and previews show.
  void setCurrentRun(int index);
  int currentRun() const { return run_; }

  // Training throughput (FLOP/s) for the time estimate, and where it comes
  // from (e.g. a finished run in the store); 0: no time estimate.
  void setThroughput(double flopsPerSecond, const QString& source);

  // For tests: a field by key ("run.chunks", "run.rope.factor",
  // "base_model.train_len", ...) and the label under it that shows its error.
  QWidget* field(const QString& key) const { return fields_.value(key).widget; }
  QLabel* fieldError(const QString& key) const { return fields_.value(key).error; }
  QLabel* generalError() const { return generalError_; }
  pose::widgets::CoveragePlot* coveragePlot() const { return coverage_; }
  pose::widgets::SampleLayoutView* sampleLayout() const { return layout_; }
  pose::widgets::RopeSpectrumView* ropeSpectrum() const { return spectrum_; }
  QTableWidget* costTable() const { return cost_; }
  pose::widgets::JsonTreeView* jsonView() const { return json_; }
  QComboBox* runCombo() const { return runCombo_; }
  // Recomputes the previews now (they normally follow edits after a short delay).
  void refreshPreviews();

 signals:
  void startRequested(const QString& specPath);
  void saved(const QString& path);

 private:
  struct Field {
    QWidget* widget = nullptr;
    QLabel* error = nullptr;
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
  void populate();
  void updateRunCombo();
  nlohmann::json& runObject();
  void addRun();
  void removeRun();
  void saveAs();
  void openFile();

  nlohmann::json doc_ = nlohmann::json::object();
  QString path_;
  std::optional<experiment::ExperimentSpec> spec_;
  QString error_;
  int run_ = 0;
  bool populating_ = false;
  double flopsPerSecond_ = 0;
  QString throughputSource_;

  QMap<QString, Field> fields_;
  QLabel* generalError_;
  QComboBox* runCombo_;
  QCheckBox* autoFactor_;
  QComboBox* device_;
  pose::widgets::CoveragePlot* coverage_;
  pose::widgets::SampleLayoutView* layout_;
  pose::widgets::RopeSpectrumView* spectrum_;
  QTableWidget* cost_;
  QLabel* costNote_;
  pose::widgets::JsonTreeView* json_;
  QTimer* previewTimer_;
};

}  // namespace pose::studio
