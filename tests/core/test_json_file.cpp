// JSON files a user wrote: clear errors with line and column; atomic writes.
#include <QtTest>

#include "common/error.h"
#include "common/json_file.h"

#include <fstream>

class TestJsonFile : public QObject {
  Q_OBJECT
 private slots:
  void roundTrips() {
    QTemporaryDir dir;
    std::filesystem::path p = dir.path().toStdString() + "/spec.json";
    nlohmann::json j = {{"name", "micro"}, {"lc", 256}, {"factors", {1.5, 2.0}}};
    pose::write_json_file(p, j);
    QCOMPARE(pose::read_json_file(p), j);
    QVERIFY(!std::filesystem::exists(p.string() + ".tmp"));
  }

  void syntaxErrorNamesLineAndColumn() {
    QTemporaryDir dir;
    std::filesystem::path p = dir.path().toStdString() + "/bad.json";
    std::ofstream(p) << "{\n  \"a\": 1,\n  \"b\": ]\n}\n";
    try {
      pose::read_json_file(p);
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("bad.json:3:") != std::string::npos, msg.c_str());
    }
  }

  void missingFileIsNamed() {
    try {
      pose::read_json_file("/nonexistent/spec.json");
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      QVERIFY(std::string(e.what()).find("/nonexistent/spec.json: no such file") != std::string::npos);
    }
  }
};

QTEST_APPLESS_MAIN(TestJsonFile)
#include "test_json_file.moc"
