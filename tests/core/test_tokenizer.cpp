// SentencePiece tokenizer: training a small BPE model, LLaMA's special ids,
// round trips, digits split one per token, and clear errors.
// LibTorch before Qt: Qt's `slots` keyword macro breaks torch headers.
#include <torch/torch.h>

#include <QtTest>

#include "common/error.h"
#include "text/tokenizer.h"

#include <fstream>

namespace {
std::vector<pose::text::Document> sample_corpus() {
  std::vector<pose::text::Document> docs;
  std::string text;
  const char* lines[] = {"In the beginning God created the heaven and the earth.",
                         "And the earth was without form, and void; and darkness was upon the face of the deep.",
                         "And God said, Let there be light: and there was light.",
                         "The pass key is 48213. Remember it. 48213 is the pass key.",
                         "The grass is green. The sky is blue. The sun is yellow. Here we go."};
  for (int rep = 0; rep < 40; ++rep)
    for (const char* l : lines) text += std::string(l) + " " + std::to_string(rep * 7919 % 100000) + "\n";
  docs.push_back({"doc", text});
  return docs;
}
}  // namespace

class TestTokenizer : public QObject {
  Q_OBJECT
 private slots:
  // LibTorch (with the system protobuf) and SentencePiece (with its embedded one)
  // work in the same process: the trap the separate module exists for.
  void coexistsWithLibTorch() {
    QCOMPARE(torch::ones({3}).sum().item<float>(), 3.0f);
    auto tok = pose::text::train_tokenizer(sample_corpus(), "", {});
    QVERIFY(tok.vocab_size() > 260);
    QCOMPARE(torch::tensor(tok.encode("light", true)).size(0), static_cast<int64_t>(tok.encode("light", true).size()));
  }

  void trainsLoadsAndRoundTrips() {
    QTemporaryDir dir;
    std::filesystem::path model = dir.path().toStdString() + "/tok.model";
    pose::text::TokenizerTrainOptions o;
    o.vocab_size = 400;
    auto tok = pose::text::train_tokenizer(sample_corpus(), model, o);
    QVERIFY(std::filesystem::exists(model));
    QCOMPARE(tok.vocab_size(), 400);
    QCOMPARE(tok.unk_id(), 0);
    QCOMPARE(tok.bos_id(), 1);
    QCOMPARE(tok.eos_id(), 2);

    auto loaded = pose::text::Tokenizer::load(model);
    const std::string text = "And God said, Let there be light.";
    auto ids = loaded.encode(text, true, true);
    QCOMPARE(ids.front(), 1);
    QCOMPARE(ids.back(), 2);
    QCOMPARE(ids, tok.encode(text, true, true));  // the written file is the trained model
    QCOMPARE(loaded.decode(ids), text);

    // Digits are split one per token, so a passkey is read digit by digit.
    auto digits = loaded.encode("31415");
    std::string joined;
    for (auto id : digits) joined += loaded.piece(id) + "|";
    QCOMPARE(static_cast<int>(digits.size()), 6);  // "▁" + five digits
    QVERIFY2(joined.find("3|1|4|1|5|") != std::string::npos, joined.c_str());

    // Byte fallback: text outside the training alphabet still round-trips.
    QCOMPARE(loaded.decode(loaded.encode("汉字")), std::string("汉字"));
  }

  void rejectsBadInputs() {
    QTemporaryDir dir;
    pose::text::TokenizerTrainOptions o;
    o.vocab_size = 100;
    QVERIFY_THROWS_EXCEPTION(pose::UserError, pose::text::train_tokenizer(sample_corpus(), "", o));
    QVERIFY_THROWS_EXCEPTION(pose::UserError, pose::text::train_tokenizer({}, "", {}));
    std::filesystem::path junk = dir.path().toStdString() + "/junk.model";
    std::ofstream(junk) << "this is not a model";
    try {
      pose::text::Tokenizer::load(junk);
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      QVERIFY(std::string(e.what()).find("junk.model") != std::string::npos);
    }
  }
};

QTEST_APPLESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
