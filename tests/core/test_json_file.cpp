// JSON files a user wrote: clear errors with line and column; atomic writes.
#include <QtTest>

#include "common/error.h"
#include "common/json_file.h"
#include "common/json_layout.h"

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

  // A changed document keeps the file's key order, its short one-line objects
  // and arrays, and adds new keys after the old ones; the values are the new ones.
  void writesAChangedDocumentInTheFilesLayout() {
    const std::string original =
        "{\n"
        "  \"name\": \"micro\",\n"
        "  \"seed\": 7,\n"
        "  \"extend\": [\n"
        "    {\"name\": \"pi\", \"rope\": {\"method\": \"linear\", \"factor\": 8}, \"strategy\": \"none\"},\n"
        "    {\"name\": \"pose\", \"strategy\": \"pose\", \"chunks\": 2}\n"
        "  ],\n"
        "  \"data\": {\"corpus\": {\"kind\": \"bible-kjv\"}}\n"
        "}\n";
    nlohmann::json doc = nlohmann::json::parse(original);  // sorted keys, as the workbench holds it
    doc["extend"][1]["chunks"] = 3;
    doc["target_len"] = 2048;
    const std::string expected =
        "{\n"
        "  \"name\": \"micro\",\n"
        "  \"seed\": 7,\n"
        "  \"extend\": [\n"
        "    {\"name\": \"pi\", \"rope\": {\"method\": \"linear\", \"factor\": 8}, \"strategy\": \"none\"},\n"
        "    {\"name\": \"pose\", \"strategy\": \"pose\", \"chunks\": 3}\n"
        "  ],\n"
        "  \"data\": {\"corpus\": {\"kind\": \"bible-kjv\"}},\n"
        "  \"target_len\": 2048\n"
        "}\n";
    QCOMPARE(pose::format_json_like(doc, original), expected);

    QTemporaryDir dir;
    const std::filesystem::path p = dir.path().toStdString() + "/spec.json";
    { std::ofstream(p) << original; }
    pose::write_json_file_like_before(p, doc);
    std::ifstream in(p);
    const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    QCOMPARE(written, expected);
    QCOMPARE(pose::read_json_file(p), doc);
    QVERIFY(!std::filesystem::exists(p.string() + ".tmp"));
  }
};

QTEST_APPLESS_MAIN(TestJsonFile)
#include "test_json_file.moc"
