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

  // A spec as a researcher formats it by hand: a run on one line longer than
  // the writer's own width, an object wrapped two keys to a line, numbers
  // spelled 3e-3 and 1.0, no newline at the end.
  static std::string handFormatted(const std::string& steps) {
    return "{ \"name\": \"micro\",\n"
           "  \"train\": {\"lr\": 3e-3, \"steps\": " + steps + ",\n"
           "            \"warmup\": 1.0,  \"batch\": 4},\n"
           "  \"extend\": [\n"
           "    {\"name\": \"pose-linear\", \"rope\": {\"method\": \"linear\", \"factor\": 8.0}, \"strategy\": \"pose\", "
           "\"chunks\": 2, \"lr\": 2E-5},\n"
           "    {\"name\": \"full\",   \"strategy\": \"full\"}\n"
           "  ]\n"
           "}";
  }

  // An untouched value comes back with the file's characters; only the edited
  // value is written anew, so the diff is that value alone.
  void keepsTheTextOfWhatWasNotEdited() {
    const std::string original = handFormatted("200");
    nlohmann::json doc = nlohmann::json::parse(original);
    QCOMPARE(pose::format_json_like(doc, original), original);

    doc["train"]["steps"] = 300;
    QCOMPARE(pose::format_json_like(doc, original), handFormatted("300"));

    // An edited number is spelled anew; its neighbours keep their spelling.
    doc["train"]["steps"] = 200;
    doc["extend"][0]["rope"]["factor"] = 16;
    std::string expected = original;
    expected.replace(expected.find("8.0"), 3, "16");
    QCOMPARE(pose::format_json_like(doc, original), expected);
  }

  // Removing a run from the middle and adding one at the end leaves the other
  // runs' lines as they were; the new run takes the list's layout.
  void removedAndAddedItemsLeaveTheRestAlone() {
    const std::string original =
        "{\n"
        "  \"extend\": [\n"
        "    {\"name\": \"a\", \"lr\": 1e-4},\n"
        "    {\"name\": \"b\", \"lr\": 2e-4},\n"
        "    {\"name\": \"c\",\n"
        "     \"lr\": 3e-4}\n"
        "  ],\n"
        "  \"seed\": 1, \"tags\": [1.0, 2.0]\n"
        "}\n";
    nlohmann::json doc = nlohmann::json::parse(original);
    doc["extend"].erase(1);
    doc["extend"].push_back({{"name", "d"}, {"lr", 0.5}});
    doc["tags"].push_back(3);
    doc.erase("seed");
    const std::string expected =
        "{\n"
        "  \"extend\": [\n"
        "    {\"name\": \"a\", \"lr\": 1e-4},\n"
        "    {\"name\": \"c\",\n"
        "     \"lr\": 3e-4},\n"
        "    {\"lr\": 0.5, \"name\": \"d\"}\n"
        "  ],\n"
        "  \"tags\": [1.0, 2.0, 3]\n"
        "}\n";
    QCOMPARE(pose::format_json_like(doc, original), expected);
    QCOMPARE(nlohmann::json::parse(pose::format_json_like(doc, original)), doc);
  }

  // A value of another kind than the file's, or a container that was empty,
  // is laid out by the writer's own rules at its place.
  void aNewShapeIsLaidOutAfresh() {
    const std::string original = "{\n  \"evaluation\": {},\n  \"rope\": \"none\"\n}\n";
    nlohmann::json doc = nlohmann::json::parse(original);
    doc["evaluation"] = {{"ppl", {{"lengths", {256, 512}}}}};
    doc["rope"] = {{"method", "yarn"}, {"factor", 4}};
    const std::string expected =
        "{\n  \"evaluation\": {\"ppl\": {\"lengths\": [256, 512]}},\n  \"rope\": {\"factor\": 4, \"method\": \"yarn\"}\n}\n";
    QCOMPARE(pose::format_json_like(doc, original), expected);
  }
};

QTEST_APPLESS_MAIN(TestJsonFile)
#include "test_json_file.moc"
