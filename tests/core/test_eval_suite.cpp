// The evaluation suite beyond perplexity: the retrieval grid scores a model
// that copies the answer (an induction rule) at accuracy 1 and a random model
// at chance, for passkey and key-value prompts, by teacher forcing and by
// greedy generation; the key-value prompt's layout; the custom probe passes
// only where the answer is inside the window; RoPE overrides; and `pose eval`
// on a checkpoint directory stores every setting beside its results.
#include <torch/torch.h>

#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands.h"
#include "common/error.h"
#include "eval/kv_retrieval.h"
#include "eval/passkey_eval.h"
#include "eval/probe.h"
#include "eval/retrieval_grid.h"
#include "eval/rope_override.h"
#include "model_io/hf_checkpoint.h"
#include "model/model_config.h"
#include "model/model_init.h"
#include "store/experiment_store.h"
#include "text/kv_prompt.h"
#include "text/passkey_prompt.h"
#include "text/tokenizer.h"

using namespace pose;
namespace fs = std::filesystem;

namespace {

// Predicts, at each position, the token that followed the most recent earlier
// occurrence of the longest suffix ending there (an induction head written as
// a rule): it answers retrieval prompts by copying, and never sees the future.
class InductionPredictor : public eval::TokenPredictor {
 public:
  static int32_t next_after(const std::vector<int32_t>& seq, std::size_t t) {
    std::size_t best_len = 0;
    int32_t best = 0;
    for (std::size_t j = t; j-- > 0;) {
      std::size_t k = 0;
      while (k < 48 && k <= j && seq[j - k] == seq[t - k]) ++k;
      if (k > best_len) {
        best_len = k;
        best = seq[j + 1];
      }
    }
    return best;
  }
  std::vector<eval::SpanPrediction> predict(const torch::Tensor& ids, const std::vector<eval::Span>& spans) override {
    std::vector<eval::SpanPrediction> out;
    for (int64_t r = 0; r < ids.size(0); ++r) {
      std::vector<int32_t> seq;
      for (int64_t t = 0; t < ids.size(1); ++t) seq.push_back(static_cast<int32_t>(ids[r][t].item<int64_t>()));
      eval::SpanPrediction p;
      for (int64_t t = spans[static_cast<std::size_t>(r)].begin; t < spans[static_cast<std::size_t>(r)].end; ++t) {
        const int32_t next = next_after(seq, static_cast<std::size_t>(t));
        p.argmax.push_back(next);
        p.nll_sum += next == seq[static_cast<std::size_t>(t) + 1] ? 0.0 : 10.0;
      }
      out.push_back(p);
    }
    return out;
  }
  std::vector<int32_t> generate(const std::vector<int32_t>& prompt, int64_t max_new) override {
    std::vector<int32_t> seq = prompt, out;
    for (int64_t i = 0; i < max_new; ++i) {
      out.push_back(next_after(seq, seq.size() - 1));
      seq.push_back(out.back());
    }
    return out;
  }
};

const fs::path& scratch() {
  static const fs::path dir = fs::path(POSE_BINARY_DIR) / "test-data" / "eval-suite";
  return dir;
}

text::Tokenizer tokenizer() {
  std::string text;
  for (int rep = 0; rep < 30; ++rep) {
    text += std::string(text::kPasskeyIntro) + "\n" + text::kPasskeyFiller + "\n" + text::kPasskeyQuestion + " " +
            std::to_string(rep * 7919 % 50000) + ".\nThe pass key is 123. Remember it. 123 is the pass key.\n" +
            text::kKvIntro + "\nWhat is the value of the key? The title of this text is\n";
  }
  text::TokenizerTrainOptions o;
  o.vocab_size = 400;
  fs::create_directories(scratch());
  return text::train_tokenizer({{"eval", text}}, scratch() / "tokenizer.model", o);
}

model::LlamaForCausalLM tiny_model(int64_t vocab, int64_t max_pos) {
  nlohmann::json cfg = {{"model_type", "llama"},   {"vocab_size", vocab},         {"hidden_size", 32},
                        {"intermediate_size", 64}, {"num_hidden_layers", 2},      {"num_attention_heads", 4},
                        {"num_key_value_heads", 2}, {"max_position_embeddings", max_pos}};
  model::LlamaForCausalLM m(model::config_from_hf_json(cfg));
  model::init_weights(m, 5);
  return m;
}

eval::RetrievalSettings grid(bool generate) {
  eval::RetrievalSettings s;
  s.lengths = {200, 400};
  s.depths = {0.0, 0.5, 1.0};
  s.trials = 3;
  s.seed = 9;
  s.generate = generate;
  return s;
}

}  // namespace

class TestEvalSuite : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { torch::set_num_threads(1); }

  void aCopyingModelRetrievesEveryKeyAndValue() {
    const auto tok = tokenizer();
    InductionPredictor copier;
    for (const auto& format : {eval::passkey_format(tok), eval::kv_retrieval_format(tok)}) {
      const auto cells = eval::evaluate_retrieval(copier, tok, format, grid(true));
      QCOMPARE(cells.size(), std::size_t(6));
      for (const auto& c : cells) {
        QVERIFY2(c.skipped.empty(), c.skipped.c_str());
        QCOMPARE(c.trials, int64_t(3));
        QVERIFY2(c.correct == 3, (format.name + " at " + std::to_string(c.length) + "/" + std::to_string(c.depth) +
                                  ": " + c.samples.front().expected + " vs " + c.samples.front().predicted)
                                     .c_str());
        QCOMPARE(c.generated_correct, int64_t(3));
        QVERIFY(c.prompt_tokens <= c.length);
        QVERIFY(c.samples.front().generated.find(c.samples.front().expected) != std::string::npos);
      }
    }
  }

  void aRandomModelIsAtChance() {
    const auto tok = tokenizer();
    auto m = tiny_model(tok.vocab_size(), 512);
    eval::ModelPredictor predictor(m);
    for (const auto& format : {eval::passkey_format(tok), eval::kv_retrieval_format(tok)}) {
      const auto cells = eval::evaluate_retrieval(predictor, tok, format, grid(true));
      for (const auto& c : cells) {
        QCOMPARE(c.trials, int64_t(3));
        QCOMPARE(c.correct, int64_t(0));  // 5-digit keys and 4-hex values are not guessed
        QCOMPARE(c.generated_correct, int64_t(0));
      }
      const auto j = eval::to_json(cells);
      QCOMPARE(j[0]["samples"][0].count("generated"), std::size_t(1));
      const auto settings = eval::to_json(grid(true), format);
      QCOMPARE(settings["format"].get<std::string>(), format.name);
      QCOMPARE(settings["generate"].get<bool>(), true);
    }
  }

  void modelPredictorAgreesWithTheFullForward() {
    const auto tok = tokenizer();
    auto m = tiny_model(tok.vocab_size(), 512);
    eval::ModelPredictor predictor(m);
    auto ids = torch::randint(3, tok.vocab_size(), {2, 40}, torch::kInt64);
    const auto pred = predictor.predict(ids, {{5, 12}, {30, 39}});
    torch::NoGradGuard ng;
    const auto logits = m->forward(ids, model::contiguous_positions(2, 40));
    const auto argmax = logits.argmax(-1);
    const auto logp = torch::log_softmax(logits, -1);
    double nll = 0.0;
    for (int64_t t = 5; t < 12; ++t) {
      QCOMPARE(pred[0].argmax[static_cast<std::size_t>(t - 5)], static_cast<int32_t>(argmax[0][t].item<int64_t>()));
      nll -= logp[0][t][ids[0][t + 1].item<int64_t>()].item<double>();
    }
    QVERIFY(std::abs(pred[0].nll_sum - nll) < 1e-3);
    QCOMPARE(pred[1].argmax.size(), std::size_t(9));
  }

  void kvPromptHasItsLayout() {
    const auto tok = tokenizer();
    const text::KvPromptBuilder b(tok);
    for (const double depth : {0.0, 0.5, 1.0}) {
      const auto p = b.build(300, depth, 1, 7);
      QVERIFY(static_cast<int64_t>(p.tokens.size()) <= 300);
      QVERIFY(static_cast<int64_t>(p.tokens.size()) > 300 - 40);  // filled up to the last line that fits
      QCOMPARE(p.answer_end, static_cast<int64_t>(p.tokens.size()));
      QCOMPARE(p.key.size(), std::size_t(8));
      QCOMPARE(p.value.size(), std::size_t(4));
      QCOMPARE(tok.decode({p.tokens.begin() + p.answer_begin, p.tokens.end()}), p.value);
      const std::string text = tok.decode(p.tokens);
      QVERIFY2(text.find(text::kv_line(p.key, p.value)) != std::string::npos, text.substr(0, 400).c_str());
      QVERIFY(text.find(text::kv_question(p.key)) != std::string::npos);
      // The secret line sits at the requested depth of the distractors.
      const double at = static_cast<double>(p.secret_line_begin) / static_cast<double>(p.answer_begin);
      QVERIFY2(std::abs(at - depth) < 0.2, std::to_string(at).c_str());
      QVERIFY(p.pairs > 5);
    }
    // Same (seed, index): same prompt; another index: another secret.
    QCOMPARE(b.build(300, 0.5, 1, 7).tokens, b.build(300, 0.5, 1, 7).tokens);
    QVERIFY(b.build(300, 0.5, 1, 8).key != b.build(300, 0.5, 1, 7).key);
    QVERIFY_EXCEPTION_THROWN(b.build(b.minimum_length() - 1, 0.5, 1, 7), pose::UserError);
    QVERIFY(static_cast<int64_t>(b.build(b.minimum_length(), 0.5, 1, 7).tokens.size()) <= b.minimum_length());
  }

  void probePassesOnlyWhereTheAnswerIsInTheWindow() {
    const auto tok = tokenizer();
    std::string document;
    for (int i = 0; i < 40; ++i) document += std::string(text::kPasskeyFiller) + "\n";
    document += "The title of this text is Genesis.\n";
    for (int i = 0; i < 5; ++i) document += std::string(text::kPasskeyFiller) + "\n";
    eval::ProbeSettings s;
    s.document = document;
    s.question = "The title of this text is";
    s.answer = "Genesis";
    s.lengths = {4, 128, 2048};
    s.source = "test";
    InductionPredictor copier;
    const auto points = eval::evaluate_probe(copier, tok, s);
    QCOMPARE(points.size(), std::size_t(3));
    QVERIFY(!points[0].skipped.empty());  // 4 tokens cannot hold question and answer
    QVERIFY(!points[1].document_complete);
    QVERIFY(!points[1].passed);  // the title is beyond the first 128 tokens
    QVERIFY(points[1].prompt_tokens <= 128);
    QVERIFY(points[2].document_complete);
    QVERIFY2(points[2].passed, points[2].generated.c_str());
    QVERIFY(points[2].answer_exact);
    QCOMPARE(points[2].answer_nll, 0.0);
    QVERIFY(points[1].answer_nll > 0.0);
    const auto j = eval::to_json(s);
    QCOMPARE(j["document_bytes"].get<std::size_t>(), document.size());
    QCOMPARE(j["document_sha256"].get<std::string>().size(), std::size_t(64));
  }

  void ropeOverridesReplaceTheMethodAndShareTheWeights() {
    const auto list = eval::parse_rope_overrides("none,linear:2,dynamic:2,yarn:4");
    QCOMPARE(list.size(), std::size_t(4));
    QCOMPARE(list[1].text(), std::string("linear:2"));
    QVERIFY_EXCEPTION_THROWN(eval::parse_rope_overrides("linear"), pose::UserError);
    QVERIFY_EXCEPTION_THROWN(eval::parse_rope_overrides("linear:0.5"), pose::UserError);
    QVERIFY_EXCEPTION_THROWN(eval::parse_rope_overrides("liner:2"), pose::UserError);
    QVERIFY_EXCEPTION_THROWN(eval::parse_rope_overrides("none:2"), pose::UserError);

    auto m = tiny_model(64, 128);
    QCOMPARE(eval::original_window_of(m->config()), int64_t(128));
    const auto linear = eval::config_with_rope(m->config(), list[1]);
    QCOMPARE(linear.max_position_embeddings, int64_t(256));
    QCOMPARE(*linear.rope.params.original_max_position, 128);
    QCOMPARE(eval::original_window_of(linear), int64_t(128));  // an override of an override stays relative to L0
    QCOMPARE(eval::config_with_rope(m->config(), list[2]).max_position_embeddings, int64_t(128));

    auto same = eval::model_with_rope(m, list[0]);
    auto scaled = eval::model_with_rope(m, list[1]);
    QCOMPARE(scaled->model->embed_tokens->weight.data_ptr(), m->model->embed_tokens->weight.data_ptr());
    torch::NoGradGuard ng;
    m->eval();
    const auto ids = torch::randint(3, 64, {1, 32}, torch::kInt64);
    const auto pos = model::contiguous_positions(1, 32);
    QVERIFY(torch::equal(same->forward(ids, pos), m->forward(ids, pos)));
    QVERIFY(!torch::allclose(scaled->forward(ids, pos), m->forward(ids, pos)));
    // Linear factor 2 at positions 2p equals no scaling at positions p.
    const auto doubled = model::contiguous_positions(1, 32) * 2;
    QVERIFY(torch::allclose(scaled->forward(ids, doubled), m->forward(ids, pos), 1e-4, 1e-5));
  }

  void poseEvalOnACheckpointStoresEverySetting() {
    const auto tok = tokenizer();
    auto m = tiny_model(tok.vocab_size(), 128);
    const fs::path dir = scratch() / "model";
    model::SaveOptions so;
    so.tokenizer_model = scratch() / "tokenizer.model";
    model::save_hf_model(m, dir, so);
    const fs::path corpus = scratch() / "corpus.txt";
    {
      std::ofstream out(corpus);
      for (int i = 0; i < 60; ++i) out << text::kPasskeyFiller << " " << text::kPasskeyIntro << "\n";
    }
    const fs::path store_file = scratch() / "store.sqlite";
    fs::remove(store_file);
    std::ostringstream out, err;
    const int rc = cli::run_cli({"pose", "eval", "--checkpoint", dir.string(), "--suite", "ppl,passkey,kv,attention",
                                 "--lengths", "64,256", "--rope", "none,linear:2", "--corpus", corpus.string(),
                                 "--trials", "2", "--depths", "0,1", "--store", store_file.string(), "--json"},
                                out, err);
    QVERIFY2(rc == 0, err.str().c_str());
    const auto report = nlohmann::json::parse(out.str());
    QCOMPARE(report["evaluations"].size(), std::size_t(8));  // 4 suites x 2 ropes
    const auto st = store::ExperimentStore::open(store_file, store::ExperimentStore::Mode::ReadOnly);
    const auto run = st.run(report["run_id"].get<int64_t>());
    QVERIFY(run.has_value());
    QCOMPARE(run->status, store::RunStatus::Done);
    QCOMPARE(run->experiment_name, std::string("checkpoints"));
    const auto stored = st.eval_results(run->id);
    QCOMPARE(stored.size(), std::size_t(8));
    for (const auto& e : report["evaluations"]) {
      bool found = false;
      for (const auto& s : stored) {
        if (s.id != e["record_id"].get<int64_t>()) continue;
        found = true;
        QCOMPARE(s.kind, e["kind"].get<std::string>());
        QCOMPARE(s.settings, e["settings"]);  // every setting round-trips through the store
        QCOMPARE(s.results, e["results"]);
      }
      QVERIFY(found);
      QVERIFY(e["settings"].contains("rope"));
      QVERIFY(e["settings"].contains("model_dir"));
    }
    const auto& ppl = report["evaluations"][0];
    QCOMPARE(ppl["kind"].get<std::string>(), std::string("perplexity"));
    QCOMPARE(ppl["settings"]["lengths"], nlohmann::json({64, 256}));
    QCOMPARE(ppl["settings"]["documents"]["corpus"].get<std::string>(), corpus.string());
    QCOMPARE(report["evaluations"][4]["settings"]["rope"]["override"].get<std::string>(), std::string("linear:2"));
    QCOMPARE(report["evaluations"][4]["settings"]["rope"]["config"]["max_position_embeddings"].get<int64_t>(),
             int64_t(256));

    // A second evaluation of the same directory is stored under the same run.
    std::ostringstream out2, err2;
    QCOMPARE(cli::run_cli({"pose", "eval", "--checkpoint", dir.string(), "--suite", "ppl", "--lengths", "64",
                           "--corpus", corpus.string(), "--store", store_file.string()},
                          out2, err2),
             0);
    QVERIFY(out2.str().find("perplexity [rope own]") != std::string::npos);
    QCOMPARE(st.eval_results(run->id).size(), std::size_t(9));

    // Bad input is named.
    std::ostringstream out3, err3;
    QCOMPARE(cli::run_cli({"pose", "eval", "--checkpoint", dir.string(), "--suite", "ppl,pasky"}, out3, err3), 2);
    QVERIFY2(err3.str().find("did you mean passkey") != std::string::npos, err3.str().c_str());
    QCOMPARE(cli::run_cli({"pose", "eval", "--suite", "ppl"}, out3, err3), 2);
  }
};

QTEST_APPLESS_MAIN(TestEvalSuite)
#include "test_eval_suite.moc"
