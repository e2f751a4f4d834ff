// Logging: level names, the data directory rules, and the rotating file sink.
#include <QtTest>

#include "common/logging.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

class TestLogging : public QObject {
  Q_OBJECT
 private slots:
  void parsesLevelNames() {
    QCOMPARE(pose::logging::parse_level("debug").value(), spdlog::level::debug);
    QCOMPARE(pose::logging::parse_level("warning").value(), spdlog::level::warn);
    QVERIFY(!pose::logging::parse_level("loud").has_value());
  }

  void dataDirFollowsEnvironment() {
    qputenv("POSE_DATA_DIR", "/tmp/pose-a");
    QCOMPARE(QString::fromStdString(pose::logging::default_data_dir().string()), QString("/tmp/pose-a"));
    qunsetenv("POSE_DATA_DIR");
    qputenv("XDG_DATA_HOME", "/tmp/xdg");
    QCOMPARE(QString::fromStdString(pose::logging::default_log_dir().string()),
             QString("/tmp/xdg/pose-studio/logs"));
  }

  void writesFileAtTheChosenLevel() {
    QTemporaryDir dir;
    pose::logging::Options o;
    o.directory = dir.path().toStdString();
    o.console = false;
    o.level = spdlog::level::info;
    auto file = pose::logging::init(o);
    QVERIFY(!file.empty());
    spdlog::debug("hidden-debug-line");
    spdlog::info("visible-info-line");
    spdlog::default_logger()->flush();
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    QVERIFY(text.str().find("visible-info-line") != std::string::npos);
    QVERIFY(text.str().find("hidden-debug-line") == std::string::npos);
  }

  void unwritableDirectoryFallsBackToConsole() {
    pose::logging::Options o;
    o.directory = "/proc/pose-cannot-write-here";
    o.console = false;
    auto file = pose::logging::init(o);
    QVERIFY(file.empty());
    spdlog::info("still logging");  // must not throw
  }
};

QTEST_APPLESS_MAIN(TestLogging)
#include "test_logging.moc"
