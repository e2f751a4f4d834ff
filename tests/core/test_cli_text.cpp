// `pose tokenizer` and `pose corpus` end to end, in process.
#include <QtTest>

#include "commands.h"
#include "text/token_file.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace {
int run(const std::vector<std::string>& argv, std::string* out, std::string* err = nullptr) {
  std::ostringstream o, e;
  int rc = pose::cli::run_cli(argv, o, e);
  *out = o.str();
  if (err) *err = e.str();
  return rc;
}
}  // namespace

class TestCliText : public QObject {
  Q_OBJECT
 private slots:
  void corpusInfoShowsTheKjvSplit() {
    std::string out;
    QCOMPARE(run({"pose", "corpus", "info", "bible-kjv", "--validation", "4", "--test", "4", "--json"}, &out), 0);
    auto j = nlohmann::json::parse(out);
    QCOMPARE(j["documents"].get<int>(), 66);
    QCOMPARE(j["split"]["train"].get<int>(), 58);
    QCOMPARE(j["split"]["test"].size(), std::size_t(4));
  }

  void trainEncodeAndPretokenize() {
    QTemporaryDir dir;
    const std::string base = dir.path().toStdString();
    {
      std::ofstream f(base + "/c.txt");
      for (int i = 0; i < 200; ++i) f << "The pass key is " << (i * 7919 % 99991) << ". Remember it.\n===\nThe grass is green.\n===\n";
    }
    std::string out, err;
    QCOMPARE(run({"pose", "tokenizer", "train", "--corpus", base + "/c.txt", "--separator", "===", "--vocab", "400",
                  "--out", base + "/t.model"}, &out, &err), 0);
    QVERIFY2(out.find("trained bpe tokenizer, vocabulary 3") != std::string::npos, out.c_str());  // at most 400: the small corpus runs out of merges
    QCOMPARE(run({"pose", "tokenizer", "encode", "--model", base + "/t.model", "--text", "key 42", "--bos", "--json"}, &out), 0);
    auto j = nlohmann::json::parse(out);
    QCOMPARE(j["ids"][0].get<int>(), 1);  // BOS
    QCOMPARE(j["pieces"].back().get<std::string>(), std::string("2"));
    QCOMPARE(run({"pose", "corpus", "pretokenize", base + "/c.txt", "--separator", "===", "--tokenizer",
                  base + "/t.model", "--out", base + "/c.bin"}, &out), 0);
    auto tokens = pose::text::read_token_file(base + "/c.bin");
    QCOMPARE(tokens.document_count(), std::size_t(400));
    QCOMPARE(tokens.document(0).front(), 1);
  }

  void badInputsExitWithTwo() {
    std::string out, err;
    QCOMPARE(run({"pose", "tokenizer", "train", "--corpus", "/nonexistent.txt", "--out", "/tmp/x.model"}, &out, &err), 2);
    QVERIFY(err.find("/nonexistent.txt") != std::string::npos);
    QCOMPARE(run({"pose", "corpus", "shuffle"}, &out, &err), 2);
    QCOMPARE(run({"pose", "tokenizer", "train", "--corpus", "kjv", "--vocab", "10", "--out", "/tmp/x.model"}, &out, &err), 2);
    QVERIFY(err.find("below 260") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestCliText)
#include "test_cli_text.moc"
