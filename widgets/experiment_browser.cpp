#include "experiment_browser.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QPainter>
#include <QPixmap>
#include <QSet>
#include <QStringList>
#include <QScrollBar>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "run_colors.h"

namespace pose::widgets {

namespace {

constexpr int kKeyRole = Qt::UserRole + 1;         // stable id key, see byKey_
constexpr int kExperimentRole = Qt::UserRole + 2;  // experiment name
constexpr int kRunRole = Qt::UserRole + 3;         // run name (runs and evaluations)
constexpr int kLevelRole = Qt::UserRole + 4;       // 0 experiment, 1 run, 2 evaluation

enum Level { kExperiment = 0, kRun = 1, kEvaluation = 2 };

QString experiment_key(qint64 e) { return QStringLiteral("e%1").arg(e); }
QString run_key(qint64 e, qint64 r) { return QStringLiteral("r%1/%2").arg(e).arg(r); }
QString evaluation_key(qint64 e, qint64 r, qint64 v) { return QStringLiteral("v%1/%2/%3").arg(e).arg(r).arg(v); }

// The key of the item's parent run or experiment: what stays current when
// the item itself is gone after a refresh.
QString parent_key(const QString& key) {
  const int slash = key.lastIndexOf(QLatin1Char('/'));
  if (key.startsWith(QLatin1Char('v'))) return QLatin1Char('r') + key.mid(1, slash - 1);
  if (key.startsWith(QLatin1Char('r'))) return QLatin1Char('e') + key.mid(1, slash - 1);
  return {};
}

bool is_status(const QString& status, const char* name) {
  return status.compare(QLatin1String(name), Qt::CaseInsensitive) == 0;
}

QString status_display(const QString& status) {
  if (is_status(status, "running")) return ExperimentBrowser::tr("running");
  if (is_status(status, "done")) return ExperimentBrowser::tr("done");
  if (is_status(status, "failed")) return ExperimentBrowser::tr("failed");
  if (is_status(status, "cancelled")) return ExperimentBrowser::tr("cancelled");
  if (is_status(status, "interrupted")) return ExperimentBrowser::tr("interrupted");
  if (is_status(status, "pending")) return ExperimentBrowser::tr("pending");
  return status;
}

QString runs_count(int n) {
  return n == 1 ? ExperimentBrowser::tr("1 run") : ExperimentBrowser::tr("%1 runs").arg(n);
}

// "6 runs · 1 running", "8 runs · all done", "7 runs · 1 failed", "no runs".
QString experiment_summary(const BrowserExperiment& e) {
  const int n = static_cast<int>(e.runs.size());
  if (n == 0) return ExperimentBrowser::tr("no runs");
  int running = 0, failed = 0, cancelled = 0, pending = 0, done = 0;
  for (const auto& r : e.runs) {
    if (is_status(r.status, "running")) ++running;
    else if (is_status(r.status, "failed")) ++failed;
    else if (is_status(r.status, "cancelled")) ++cancelled;
    else if (is_status(r.status, "pending")) ++pending;
    else if (is_status(r.status, "done")) ++done;
  }
  QStringList parts{runs_count(n)};
  if (done == n) {
    parts << ExperimentBrowser::tr("all done");
  } else {
    if (running > 0) parts << ExperimentBrowser::tr("%1 running").arg(running);
    if (failed > 0) parts << ExperimentBrowser::tr("%1 failed").arg(failed);
    if (cancelled > 0) parts << ExperimentBrowser::tr("%1 cancelled").arg(cancelled);
    if (pending > 0) parts << ExperimentBrowser::tr("%1 pending").arg(pending);
  }
  return parts.join(QStringLiteral(" · "));
}

QString run_detail(const BrowserRun& r) {
  const bool ended_badly = is_status(r.status, "failed") || is_status(r.status, "cancelled");
  if (ended_badly && !r.message.isEmpty()) return r.message;
  if (is_status(r.status, "running")) {
    return r.startedAt.isEmpty() ? QString() : ExperimentBrowser::tr("started %1").arg(r.startedAt);
  }
  return r.finishedAt;
}

QString run_tooltip(const BrowserRun& r) {
  const bool ended_badly = is_status(r.status, "failed") || is_status(r.status, "cancelled");
  if (ended_badly && !r.message.isEmpty()) return r.message;
  QStringList lines;
  if (!r.kind.isEmpty()) lines << r.kind;
  if (!r.startedAt.isEmpty()) lines << ExperimentBrowser::tr("started %1").arg(r.startedAt);
  if (!r.finishedAt.isEmpty()) lines << ExperimentBrowser::tr("finished %1").arg(r.finishedAt);
  if (!r.message.isEmpty()) lines << r.message;
  return lines.join(QLatin1Char('\n'));
}

QString evaluation_detail(const BrowserEvaluation& v) {
  QStringList parts;
  if (!v.summary.isEmpty()) parts << v.summary;
  if (v.step >= 0) parts << ExperimentBrowser::tr("step %1").arg(v.step);
  return parts.join(QStringLiteral(" · "));
}

void set_tooltip(QTreeWidgetItem* item, const QString& text) {
  for (int c = 0; c < item->columnCount(); ++c) item->setToolTip(c, text);
}

}  // namespace

QColor run_status_color(const QString& status) {
  if (is_status(status, "running")) return QColor(0x2f, 0x7e, 0xd8);    // blue
  if (is_status(status, "done")) return QColor(0x3c, 0xa5, 0x4a);       // green
  if (is_status(status, "failed")) return QColor(0xd6, 0x3a, 0x3a);     // red
  if (is_status(status, "cancelled") || is_status(status, "interrupted")) {
    return QColor(0xf0, 0x8c, 0x1e);  // orange: stopped, resumable
  }
  return QColor(0x9a, 0x9a, 0x9a);                                      // pending, unknown: gray
}

ExperimentBrowser::ExperimentBrowser(QWidget* parent)
    : QWidget(parent), filter_(new QLineEdit(this)), tree_(new QTreeWidget(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  filter_->setPlaceholderText(tr("Filter runs…"));
  filter_->setClearButtonEnabled(true);
  layout->addWidget(filter_);
  layout->addWidget(tree_);

  tree_->setColumnCount(3);
  tree_->setHeaderLabels({tr("Name"), tr("Status"), tr("Detail")});
  tree_->setUniformRowHeights(true);  // cheap layout for a few hundred runs
  tree_->setSelectionMode(QAbstractItemView::SingleSelection);
  tree_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  tree_->setAlternatingRowColors(true);
  // Runs are one level deep, evaluations two: a narrow indentation keeps the
  // names and their status within the dock's default width.
  tree_->setIndentation(12);
  tree_->header()->setStretchLastSection(true);
  // Names and statuses are short and must stay readable; Detail takes the rest.
  tree_->header()->setSectionResizeMode(NameColumn, QHeaderView::ResizeToContents);
  tree_->header()->setSectionResizeMode(StatusColumn, QHeaderView::ResizeToContents);

  connect(filter_, &QLineEdit::textChanged, this, [this] { applyFilter(); });
  connect(tree_, &QTreeWidget::currentItemChanged, this, [this] {
    if (!rebuilding_) announce();
  });
}

QSize ExperimentBrowser::sizeHint() const {
  // Both columns resize to their contents, so their sizes are what they need.
  const int columns = tree_->header()->sectionSize(NameColumn) + tree_->header()->sectionSize(StatusColumn);
  const int chrome = 2 * tree_->frameWidth() + tree_->verticalScrollBar()->sizeHint().width() + 4;
  return {std::max(minimumWidth(), columns + chrome), QWidget::sizeHint().height()};
}

namespace {

// An icon drawn by `paint` at 12 px and at 24 px (high-dpi screens), kept in
// `cache` by colour.
template <typename Paint>
QIcon cached_icon(QHash<QRgb, QIcon>& cache, const QColor& color, Paint paint) {
  auto it = cache.find(color.rgb());
  if (it != cache.end()) return *it;
  QIcon icon;
  for (const int size : {12, 24}) {
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setBrush(color);
    paint(painter, static_cast<qreal>(size));
    painter.end();
    icon.addPixmap(pixmap);
  }
  cache.insert(color.rgb(), icon);
  return icon;
}

}  // namespace

QIcon ExperimentBrowser::swatch(const QColor& color) {
  return cached_icon(swatches_, color, [](QPainter& painter, qreal size) {
    // A short thick line, as the run's curve is drawn in the plots.
    painter.setPen(Qt::NoPen);
    painter.drawRoundedRect(QRectF(0, size * 0.3, size, size * 0.4), size / 8.0, size / 8.0);
  });
}

QIcon ExperimentBrowser::dot(const QString& status) {
  const QColor color = run_status_color(status);
  return cached_icon(dots_, color, [&color](QPainter& painter, qreal size) {
    painter.setPen(color.darker(130));
    const qreal margin = size / 6.0;
    painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin));
  });
}

void ExperimentBrowser::setExperiments(const QVector<BrowserExperiment>& experiments) {
  // What to restore: expanded items and the current item (or its parents).
  // The scroll position needs nothing: the view lays out (and clamps the
  // scroll bar) only after this returns, when the rows are back.
  QSet<QString> expanded;
  for (auto it = byKey_.cbegin(); it != byKey_.cend(); ++it) {
    if (it.value()->isExpanded()) expanded.insert(it.key());
  }
  QString current;
  if (const QTreeWidgetItem* item = tree_->currentItem()) current = item->data(0, kKeyRole).toString();

  rebuilding_ = true;
  tree_->setUpdatesEnabled(false);
  tree_->clear();
  byKey_.clear();

  QList<QTreeWidgetItem*> tops;
  tops.reserve(static_cast<int>(experiments.size()));
  QFont bold = tree_->font();
  bold.setBold(true);
  for (const auto& e : experiments) {
    auto* top = new QTreeWidgetItem({e.name, QString(), experiment_summary(e)});
    const QString ekey = experiment_key(e.id);
    top->setData(0, kKeyRole, ekey);
    top->setData(0, kExperimentRole, e.name);
    top->setData(0, kLevelRole, kExperiment);
    if (!e.updatedAt.isEmpty()) set_tooltip(top, tr("updated %1").arg(e.updatedAt));
    byKey_.insert(ekey, top);

    for (const auto& r : e.runs) {
      auto* run = new QTreeWidgetItem(top, {r.name, status_display(r.status), run_detail(r)});
      const QString rkey = run_key(e.id, r.id);
      run->setData(0, kKeyRole, rkey);
      run->setData(0, kExperimentRole, e.name);
      run->setData(0, kRunRole, r.name);
      run->setData(0, kLevelRole, kRun);
      run->setFont(0, bold);
      // The name in the palette's text colour (readable in the light and the
      // dark theme alike), the run's plot colour beside it.
      run->setIcon(0, swatch(run_color(r.colorIndex)));
      run->setIcon(1, dot(r.status));
      set_tooltip(run, run_tooltip(r));
      byKey_.insert(rkey, run);

      for (const auto& v : r.evaluations) {
        auto* evaluation = new QTreeWidgetItem(run, {v.kind, QString(), evaluation_detail(v)});
        const QString vkey = evaluation_key(e.id, r.id, v.id);
        evaluation->setData(0, kKeyRole, vkey);
        evaluation->setData(0, kExperimentRole, e.name);
        evaluation->setData(0, kRunRole, r.name);
        evaluation->setData(0, kLevelRole, kEvaluation);
        QStringList tip;
        if (!v.summary.isEmpty()) tip << v.summary;
        if (v.step >= 0) tip << tr("step %1").arg(v.step);
        if (!v.createdAt.isEmpty()) tip << tr("created %1").arg(v.createdAt);
        set_tooltip(evaluation, tip.join(QLatin1Char('\n')));
        byKey_.insert(vkey, evaluation);
      }
    }
    tops << top;
  }
  tree_->addTopLevelItems(tops);

  // Expansion needs the items in the tree.
  for (const QString& key : expanded) {
    if (auto* item = byKey_.value(key)) item->setExpanded(true);
  }
  QTreeWidgetItem* restored = nullptr;
  for (QString key = current; !key.isEmpty() && !restored; key = parent_key(key)) restored = byKey_.value(key);
  if (restored) tree_->setCurrentItem(restored);
  applyFilter();

  if (!sized_ && !experiments.isEmpty()) {
    tree_->resizeColumnToContents(0);
    tree_->resizeColumnToContents(1);
    sized_ = true;  // later refreshes keep what the user dragged
  }
  tree_->setUpdatesEnabled(true);
  rebuilding_ = false;

  if (!pendingExperiment_.isEmpty() && itemFor(pendingExperiment_)) {
    const QString name = pendingExperiment_;
    pendingExperiment_.clear();
    setCurrentExperiment(name);  // announces
  } else {
    announce();
  }
}

void ExperimentBrowser::setCurrentExperiment(const QString& name) {
  QTreeWidgetItem* item = itemFor(name);
  if (!item) {
    pendingExperiment_ = name;
    return;
  }
  pendingExperiment_.clear();
  item->setExpanded(true);
  if (currentExperiment() != name) tree_->setCurrentItem(item);
  tree_->scrollToItem(tree_->currentItem());
}

QString ExperimentBrowser::currentExperiment() const {
  const QTreeWidgetItem* item = tree_->currentItem();
  return item ? item->data(0, kExperimentRole).toString() : QString();
}

QString ExperimentBrowser::currentRun() const {
  const QTreeWidgetItem* item = tree_->currentItem();
  return item ? item->data(0, kRunRole).toString() : QString();
}

QTreeWidgetItem* ExperimentBrowser::itemFor(const QString& experiment, const QString& run) const {
  for (int i = 0; i < tree_->topLevelItemCount(); ++i) {
    QTreeWidgetItem* top = tree_->topLevelItem(i);
    if (top->data(0, kExperimentRole).toString() != experiment) continue;
    if (run.isEmpty()) return top;
    for (int j = 0; j < top->childCount(); ++j) {
      if (top->child(j)->data(0, kRunRole).toString() == run) return top->child(j);
    }
  }
  return nullptr;
}

QString ExperimentBrowser::statusText(const QString& experiment, const QString& run) const {
  const QTreeWidgetItem* item = itemFor(experiment, run);
  if (!item) return {};
  return run.isEmpty() ? item->text(DetailColumn) : item->text(StatusColumn);
}

void ExperimentBrowser::applyFilter() {
  const QString text = filter_->text().trimmed();
  for (int i = 0; i < tree_->topLevelItemCount(); ++i) {
    QTreeWidgetItem* top = tree_->topLevelItem(i);
    bool anyRun = false;
    for (int j = 0; j < top->childCount(); ++j) {
      QTreeWidgetItem* run = top->child(j);
      const bool show = text.isEmpty() || run->text(NameColumn).contains(text, Qt::CaseInsensitive);
      run->setHidden(!show);
      anyRun = anyRun || show;
    }
    const bool show = text.isEmpty() || anyRun || top->text(NameColumn).contains(text, Qt::CaseInsensitive);
    top->setHidden(!show);
  }
}

void ExperimentBrowser::announce() {
  const QTreeWidgetItem* item = tree_->currentItem();
  const QString key = item ? item->data(0, kKeyRole).toString() : QString();
  if (key == lastKey_) return;
  const QString experiment = currentExperiment(), run = currentRun();
  const bool experimentRow = item && item->data(0, kLevelRole).toInt() == kExperiment;
  const bool otherExperiment = experiment != lastExperiment_;
  const bool otherRun = otherExperiment || run != lastRun_;
  lastKey_ = key;
  lastExperiment_ = experiment;
  lastRun_ = run;
  if (!item) return;
  if (otherExperiment || experimentRow) emit experimentActivated(experiment);
  if (!run.isEmpty() && otherRun) emit runActivated(experiment, run);
}

}  // namespace pose::widgets
