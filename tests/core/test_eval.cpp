// Evaluation: sliding-window perplexity scores every token exactly once and
// matches truncate mode where the two coincide; the passkey prompt has the
// published shape and exact lengths; teacher-forced passkey scoring of an
// untrained model is near chance.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <cmath>

#include "common/error.h"
#include "eval/passkey_eval.h"
#include "eval/perplexity.h"
#include "model/model_init.h"
#include "text/passkey_prompt.h"
#include "text/tokenizer.h"

using namespace pose;

namespace {

model::LlamaForCausalLM tiny_model(int64_t vocab, int64_t max_pos) {
  nlohmann::json cfg = {{"model_type", "llama"},   {"vocab_size", vocab},         {"hidden_size", 32},
                        {"intermediate_size", 64}, {"num_hidden_layers", 2},      {"num_attention_heads", 4},
                        {"num_key_value_heads", 2}, {"max_position_embeddings", max_pos}};
  model::LlamaForCausalLM m(model::config_from_hf_json(cfg));
  model::init_weights(m, 11);
  return m;
}

std::vector<std::vector<int32_t>> documents(std::vector<int> lengths) {
  std::vector<std::vector<int32_t>> docs;
  for (std::size_t d = 0; d < lengths.size(); ++d) {
    std::vector<int32_t> doc;
    for (int t = 0; t < lengths[d]; ++t) doc.push_back(3 + static_cast<int32_t>((t * 13 + d * 5) % 50));
    docs.push_back(doc);
  }
  return docs;
}

text::Tokenizer passkey_tokenizer() {
  std::string text;
  for (int rep = 0; rep < 30; ++rep) {
    text += std::string(text::kPasskeyIntro) + "\n" + text::kPasskeyFiller + "\n" + text::kPasskeyQuestion + " " +
            std::to_string(rep * 7919 % 50000) + ".\nThe pass key is 123. Remember it. 123 is the pass key.\n";
  }
  text::TokenizerTrainOptions o;
  o.vocab_size = 400;
  return text::train_tokenizer({{"passkey", text}}, "", o);
}

}  // namespace

class TestEval : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { torch::set_num_threads(1); }

  void slidingWindowScoresEveryTokenOnce() {
    auto m = tiny_model(60, 64);
    const auto docs = documents({100, 37, 5});
    eval::PerplexitySettings s;
    s.lengths = {16, 32};
    s.stride = 4;  // heavy overlap: each window scores only its last 4 new tokens
    const auto points = eval::evaluate_perplexity(m, docs, s);
    QCOMPARE(points.size(), std::size_t(2));
    for (const auto& p : points) {
      QCOMPARE(p.tokens, int64_t(100 + 37 + 5));
      QCOMPARE(p.documents, int64_t(3));
      QVERIFY(std::isfinite(p.perplexity) && p.perplexity > 1.0);
      QCOMPARE(p.stride, int64_t(4));
    }
    // W=16 holds 15 document tokens; windows start every 4 tokens until one
    // reaches the end: doc 100 -> starts 0..88 (23), doc 37 -> 0..24 (7), doc 5 -> 1.
    QCOMPARE(points[0].windows, int64_t(23 + 7 + 1));
  }

  void nonOverlappingWindowsEqualTruncateOnAShortDocument() {
    auto m = tiny_model(60, 64);
    const auto one_window = documents({31});  // BOS + 31 tokens = one window of 32
    eval::PerplexitySettings sliding;
    sliding.lengths = {32};
    eval::PerplexitySettings truncate = sliding;
    truncate.truncate = true;
    const auto a = eval::evaluate_perplexity(m, one_window, sliding);
    const auto b = eval::evaluate_perplexity(m, one_window, truncate);
    QCOMPARE(a[0].tokens, b[0].tokens);
    QCOMPARE(a[0].perplexity, b[0].perplexity);
    // On a longer document truncate scores only the first W-1 tokens.
    const auto c = eval::evaluate_perplexity(m, documents({200}), truncate);
    QCOMPARE(c[0].tokens, int64_t(31));
    QCOMPARE(c[0].windows, int64_t(1));
  }

  void longerContextHelpsOnlyWhereTheModelCanUseIt() {
    // The same tokens scored in windows of 8 and of 64 by a model that cannot
    // use context (random weights) give nearly the same perplexity; the token
    // counts are equal, so the numbers are comparable.
    auto m = tiny_model(60, 64);
    eval::PerplexitySettings s;
    s.lengths = {8, 64};
    const auto p = eval::evaluate_perplexity(m, documents({300}), s);
    QCOMPARE(p[0].tokens, p[1].tokens);
    QVERIFY(std::abs(std::log(p[0].perplexity) - std::log(p[1].perplexity)) < 0.2);
  }

  void maxTokensAndFiltersBoundTheWork() {
    auto m = tiny_model(60, 64);
    eval::PerplexitySettings s;
    s.lengths = {16};
    s.min_document_tokens = 50;
    const auto filtered = eval::evaluate_perplexity(m, documents({100, 20, 60}), s);
    QCOMPARE(filtered[0].documents, int64_t(2));
    QCOMPARE(filtered[0].tokens, int64_t(160));
    // The token cap stops within one window of it, even when a batch could hold every window.
    s.min_document_tokens = 0;
    s.max_tokens = 40;
    const auto capped = eval::evaluate_perplexity(m, documents({100, 100, 100}), s);
    QCOMPARE(capped[0].tokens, int64_t(45));  // three windows of 15 scored tokens
    QCOMPARE(capped[0].windows, int64_t(3));
    s.max_tokens = 0;
    s.min_document_tokens = 1000;
    QVERIFY_THROWS_EXCEPTION(UserError, eval::evaluate_perplexity(m, documents({100}), s));
  }

  void passkeyPromptHasThePublishedShape() {
    const auto tok = passkey_tokenizer();
    const text::PasskeyPromptBuilder b(tok);
    for (const double depth : {0.0, 0.5, 1.0}) {
      const auto p = b.build(400, depth, 31337);
      QVERIFY(static_cast<int64_t>(p.tokens.size()) <= 400);
      QVERIFY(static_cast<int64_t>(p.tokens.size()) > 400 - 40);  // filled with filler up to the length
      QCOMPARE(p.tokens.front(), tok.bos_id());
      const std::vector<int32_t> answer(p.tokens.begin() + p.answer_begin, p.tokens.begin() + p.answer_end);
      QCOMPARE(QString::fromStdString(tok.decode(answer)).trimmed(), QStringLiteral("31337"));
      const std::string text = tok.decode(p.tokens);
      QVERIFY(text.find("There is an important info hidden") == 0);
      QVERIFY(text.find("The pass key is 31337. Remember it. 31337 is the pass key.") != std::string::npos);
      QVERIFY(text.find("What is the pass key? The pass key is 31337") != std::string::npos);
      const auto key_at = text.find("The pass key is 31337");
      const auto first_filler = text.find("The grass is green");
      if (depth == 0.0) QVERIFY(key_at < first_filler);
      if (depth == 1.0) QVERIFY(key_at > text.rfind("The grass is green"));
    }
    QVERIFY_THROWS_EXCEPTION(UserError, b.build(10, 0.5, 1));
    // Keys are drawn reproducibly from 1..50000.
    QCOMPARE(text::draw_passkey(3, 9), text::draw_passkey(3, 9));
    for (uint64_t i = 0; i < 200; ++i) {
      const auto k = text::draw_passkey(1, i);
      QVERIFY(k >= 1 && k <= 50000);
    }
  }

  void untrainedModelIsNearChanceAndShortCellsAreSkipped() {
    const auto tok = passkey_tokenizer();
    auto m = tiny_model(tok.vocab_size(), 512);
    eval::PasskeySettings s;
    s.lengths = {16, 256};
    s.depths = {0.0, 1.0};
    s.trials = 5;
    s.seed = 4;
    const auto cells = eval::evaluate_passkey(m, tok, s);
    QCOMPARE(cells.size(), std::size_t(4));
    QVERIFY(!cells[0].skipped.empty());  // 16 tokens cannot hold the prompt
    QCOMPARE(cells[0].trials, int64_t(0));
    for (std::size_t i = 2; i < 4; ++i) {
      QCOMPARE(cells[i].trials, int64_t(5));
      QCOMPARE(cells[i].correct, int64_t(0));  // a random model does not guess 5-digit keys
      QVERIFY(!cells[i].samples.empty());
      QVERIFY(cells[i].prompt_tokens <= 256);
    }
    const auto j = eval::to_json(cells);
    QCOMPARE(j[2]["trials"].get<int64_t>(), int64_t(5));
    QVERIFY(j[0].contains("skipped"));
  }
};

QTEST_APPLESS_MAIN(TestEval)
#include "test_eval.moc"
