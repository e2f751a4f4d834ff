// The workbench window: menus, the experiment workspace, the log panel and the
// status bar. It wires widgets together; engine work arrives in later layers.
#pragma once

#include <QMainWindow>
#include <QMessageBox>
#include <QStringList>

#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QStackedWidget;
class QTabWidget;

namespace pose::widgets {
class ExperimentBrowser;
class JsonTreeView;
class LogPanel;
}  // namespace pose::widgets

namespace pose::studio {

class CompareWorkspace;
class EvaluateWorkspace;
class LogBridge;
class QtLogSink;
class DesignWorkspace;
class RunController;
class TrainWorkspace;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Loads an experiment spec (JSON). On failure shows nothing new and returns
  // false with a message naming the problem in *error.
  bool openExperiment(const QString& path, QString* error = nullptr);
  QString experimentPath() const { return experimentPath_; }
  QStringList recentExperiments() const;

  pose::widgets::LogPanel* logPanel() const { return logPanel_; }
  QTabWidget* workspaces() const { return workspaces_; }
  // Brings the tab holding this workspace (Design page, Train, ...) forward:
  // the tabs hold each workspace in a scroll area.
  void showWorkspace(QWidget* workspace);
  DesignWorkspace* designWorkspace() const { return design_; }
  // A dropped Hugging Face model directory becomes the base model of the open
  // design (or of a new one from the default experiment). False with *error
  // when the directory holds no config.json.
  bool designFromHfDirectory(const QString& dir, QString* error = nullptr);
  TrainWorkspace* trainWorkspace() const { return train_; }
  EvaluateWorkspace* evaluateWorkspace() const { return evaluate_; }
  CompareWorkspace* compareWorkspace() const { return compare_; }
  pose::widgets::ExperimentBrowser* experimentBrowser() const { return browser_; }

  // Re-reads the experiment browser from the store.
  void refreshBrowser();
  // Writes the current experiment's report (format from the extension);
  // false with *error naming the problem.
  bool exportReport(const QString& path, QString* error = nullptr);
  RunController* runController() const { return controller_; }

  // The experiment store the workspaces read and runs write (remembered in
  // QSettings; default: the data directory's store.sqlite, shared with `pose`).
  void setStoreFile(const QString& file);
  QString storeFile() const { return storeFile_; }

  // Starts the open design as the Design form shows it (Run ▸ Start, the Train
  // workspace's Start): refused while the form has an error; unsaved edits are
  // saved first, after asking when `ask` is true. False with *error (empty
  // when the user chose not to start).
  bool startDesign(bool ask, QString* error = nullptr);
  // Saves the open design to its file (or a chosen one); the other workspaces
  // then show what was saved.
  bool saveDesign(QString* error = nullptr);

  // How the window asks and warns: a message box by default; tests answer
  // without a modal loop. Returns the button chosen.
  using MessageHandler = std::function<QMessageBox::StandardButton(
      QMessageBox::Icon icon, const QString& title, const QString& text, QMessageBox::StandardButtons buttons)>;
  void setMessageHandler(MessageHandler handler) { message_ = std::move(handler); }

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private slots:
  void chooseExperiment();
  void chooseStore();
  void chooseReportFile();
  void showAbout();
  void setLanguage(const QString& language);

 private:
  void createMenus();
  void createWorkspaces();
  void createLogDock();
  void createBrowserDock();
  void showStoredExperiment(const QString& name);
  void rememberRecent(const QString& path);
  void rebuildRecentMenu();
  void showExperiment(const nlohmann::json& spec);
  // The other workspaces, the title and the run list follow the design as it
  // was last opened or saved.
  void followSavedDesign();
  void updateTitle();
  void updateRunActions();
  void updateDesignThroughput();
  // Unsaved design edits before they would be lost (quit, opening another
  // spec): save, discard or cancel. True when it may go on.
  bool settleUnsavedDesign();
  QMessageBox::StandardButton ask(QMessageBox::Icon icon, const QString& title, const QString& text,
                                  QMessageBox::StandardButtons buttons);
  void warn(const QString& title, const QString& text);

  QTabWidget* workspaces_ = nullptr;
  QStackedWidget* experimentPage_ = nullptr;
  QLabel* experimentTitle_ = nullptr;
  pose::widgets::JsonTreeView* specView_ = nullptr;  // the design's JSON tab
  DesignWorkspace* design_ = nullptr;
  pose::widgets::LogPanel* logPanel_ = nullptr;
  QDockWidget* logDock_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  QLabel* deviceLabel_ = nullptr;
  QString experimentPath_;
  QString storeFile_;

  RunController* controller_ = nullptr;
  TrainWorkspace* train_ = nullptr;
  EvaluateWorkspace* evaluate_ = nullptr;
  CompareWorkspace* compare_ = nullptr;
  pose::widgets::ExperimentBrowser* browser_ = nullptr;
  QDockWidget* browserDock_ = nullptr;
  QString specExperimentName_;  // the name in the opened spec file
  QString shownExperiment_;     // the experiment the workspaces show
  QStringList trainRuns_;       // run names of the opened spec, in creation order
  QAction* startAction_ = nullptr;
  QAction* pauseAction_ = nullptr;
  QAction* stopAction_ = nullptr;

  MessageHandler message_;
  LogBridge* logBridge_ = nullptr;
  std::shared_ptr<QtLogSink> logSink_;
};

}  // namespace pose::studio
