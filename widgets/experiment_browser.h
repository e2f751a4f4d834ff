// The experiment browser dock: experiments → runs → evaluations from the
// store as a tree, each run's name beside a swatch of its colour and a status dot, a filter
// on run names above. It takes plain data (the caller reads the store) and
// may be refreshed every few seconds while a run trains: expansion, the
// current item and the scroll position survive a refresh, matched by ids.
#pragma once

#include <QColor>
#include <QHash>
#include <QIcon>
#include <QString>
#include <QVector>
#include <QWidget>

class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace pose::widgets {

struct BrowserEvaluation {
  qint64 id = 0;
  QString kind;       // "perplexity", "passkey", ...
  QString summary;    // e.g. "ppl@2048 37.4" or "passkey 4 lengths × 5 depths"
  qint64 step = -1;   // training step evaluated; -1: not known
  QString createdAt;
};

struct BrowserRun {
  qint64 id = 0;
  QString name, kind, status, message;  // status: running, done, failed, cancelled, pending
  int colorIndex = 0;                   // into run_color()
  QString startedAt, finishedAt;
  QVector<BrowserEvaluation> evaluations;
};

struct BrowserExperiment {
  qint64 id = 0;
  QString name;
  QString updatedAt;
  QVector<BrowserRun> runs;
};

// The colour of a run status's dot: running blue, done green, failed red,
// cancelled orange, pending (and anything unknown) gray.
QColor run_status_color(const QString& status);

class ExperimentBrowser : public QWidget {
  Q_OBJECT
 public:
  enum Column { NameColumn = 0, StatusColumn = 1, DetailColumn = 2 };

  explicit ExperimentBrowser(QWidget* parent = nullptr);

  // Wide enough for the runs' names and their status whole (the dock's
  // default width, where the window has room); Detail takes what is left.
  QSize sizeHint() const override;

  // Replaces the content, in the order given. Expansion, the current item
  // (matched by experiment/run/evaluation ids; when it is gone, its run or
  // experiment instead) and the scroll position are kept. Emits the signals
  // below only if what is current changed by name.
  void setExperiments(const QVector<BrowserExperiment>& experiments);
  // Makes the experiment current and expands it. If the current item is
  // already that experiment or inside it, it stays current. A name not (yet)
  // shown is remembered and applied by the next setExperiments.
  void setCurrentExperiment(const QString& name);
  // Of the current item, also when a run or evaluation is current; empty if none.
  QString currentExperiment() const;
  QString currentRun() const;  // empty unless a run or evaluation is current

  QTreeWidget* tree() const { return tree_; }
  QLineEdit* filterEdit() const { return filter_; }

  // The Status column of a run as displayed; with an empty run, the
  // experiment's summary ("6 runs · 1 running"). Empty if not shown.
  QString statusText(const QString& experiment, const QString& run) const;
  // The tree item of an experiment (empty run) or a run; nullptr if absent.
  QTreeWidgetItem* itemFor(const QString& experiment, const QString& run = {}) const;

 signals:
  // The current item changed to another experiment or anything inside it, or
  // to an experiment's own row (not when moving between runs of one experiment).
  void experimentActivated(const QString& experiment);
  // A run or one of its evaluations became current, and it is another run
  // than before (moving between a run and its evaluations does not repeat it).
  void runActivated(const QString& experiment, const QString& run);

 private:
  void applyFilter();
  void announce();
  QIcon dot(const QString& status);
  QIcon swatch(const QColor& color);  // a run's plot colour beside its name

  QLineEdit* filter_;
  QTreeWidget* tree_;
  QHash<QString, QTreeWidgetItem*> byKey_;  // "e<id>", "r<id>/<id>", "v<id>/<id>/<id>"
  QHash<QRgb, QIcon> dots_;  // status dots by colour
  QHash<QRgb, QIcon> swatches_;  // run colours
  QString pendingExperiment_;
  QString lastKey_, lastExperiment_, lastRun_;  // what was last announced
  bool rebuilding_ = false;
  bool sized_ = false;
};

}  // namespace pose::widgets
