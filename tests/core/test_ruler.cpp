// RULER's synthetic tasks: a model that reads each prompt the way a reader
// would (finds the asked key's needle, follows the variable chain, counts the
// words) scores 1 on every task at every length, which shows that every prompt
// carries its answer; an untrained model scores near 0; prompts fill their
// length to within a haystack unit, are reproducible from (seed, index), and
// put the answer needle at the requested depth; RULER's scoring, the JSON
// round trip, effective length, task-name errors and skipped cells.
#include <torch/torch.h>

#include <QtTest>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "common/error.h"
#include "eval/ruler_eval.h"
#include "eval/ruler_tasks.h"
#include "eval/token_predictor.h"
#include "model/model_config.h"
#include "model/model_init.h"
#include "text/passkey_prompt.h"
#include "text/tokenizer.h"

using namespace pose;
namespace fs = std::filesystem;

namespace {

// Held-out "documents" for the essay haystack: plain prose, several sentences each.
const char* const kEssays[] = {
    "Most people who start a company think the hard part will be the idea. It rarely is. The hard part is the "
    "long middle, when the first excitement has worn off and the product still does not work well. Founders who "
    "survive that stretch tend to be the ones who keep talking to users. They notice what people actually do, "
    "not what they say they would do. Over time those small observations add up to a product that fits.",
    "A river changes its course slowly. Every flood moves a little sand from the outside of a bend to the inside "
    "of the next one. After a few hundred years the loops grow so wide that the water cuts straight across and "
    "leaves a quiet lake behind. Farmers who live near such rivers learn to read the banks. They plant where the "
    "soil is new and leave the old channels to the birds.",
    "Learning to cook is mostly learning to pay attention. A recipe tells you how long to leave the onions in the "
    "pan, but the onions do not read recipes. The smell changes first, then the colour, then the sound. Good cooks "
    "taste constantly and adjust. They also clean as they go, which sounds dull but keeps the kitchen calm when "
    "three things need doing at once.",
    "The first computers filled whole rooms and needed teams of people to keep them running. Programs were written "
    "on paper and punched into cards. A single mistake could cost a day of waiting. Today a phone holds more power "
    "than all of those machines together. What has not changed is that someone still has to think clearly about "
    "what the machine should do.",
    "Old maps are full of blank spaces and guesses. Some show islands that were never there and mountains in the "
    "wrong place. Yet sailors trusted them because nothing better existed. Each voyage corrected a few lines. Slowly "
    "the guesses gave way to measurements, and the blank spaces filled with names that people still use.",
};

const fs::path& scratch() {
  static const fs::path dir = fs::path(POSE_BINARY_DIR) / "test-data" / "ruler";
  return dir;
}

text::Tokenizer train_tokenizer() {
  std::string text;
  for (int rep = 0; rep < 4; ++rep) {
    for (const char* e : kEssays) text += std::string(e) + "\n";
    text += std::string(text::kPasskeyFiller) + "\n";
    for (const auto& w : eval::ruler_words()) text += w + " ";
    text += "\nQuestion: which special numbers for the key does the text above give? Answer: the special number is\n";
    text += "VAR ABCDE = VAR FGHIJ. 1. word 2. word 3. word coded words occur most often in the list above\n";
  }
  text::TokenizerTrainOptions o;
  o.vocab_size = 700;
  fs::create_directories(scratch());
  return text::train_tokenizer({{"ruler", text}}, scratch() / "tokenizer.model", o);
}

model::LlamaForCausalLM tiny_model(int64_t vocab, int64_t max_pos) {
  nlohmann::json cfg = {{"model_type", "llama"},   {"vocab_size", vocab},         {"hidden_size", 32},
                        {"intermediate_size", 64}, {"num_hidden_layers", 2},      {"num_attention_heads", 4},
                        {"num_key_value_heads", 2}, {"max_position_embeddings", max_pos}};
  model::LlamaForCausalLM m(model::config_from_hf_json(cfg));
  model::init_weights(m, 5);
  return m;
}

std::vector<std::string> words_of(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The text between the last `from` and the last `to` after it.
std::string section(const std::string& text, const std::string& from, const std::string& to) {
  const auto b = text.rfind(from);
  if (b == std::string::npos) return {};
  const auto e = text.rfind(to);
  return text.substr(b + from.size(), e == std::string::npos || e < b ? std::string::npos : e - b - from.size());
}

// The `n` most frequent of the counted words; ties in order of first appearance.
std::vector<std::string> most_frequent(const std::vector<std::string>& sequence, std::size_t n) {
  std::map<std::string, int> count;
  std::vector<std::string> order;
  for (const auto& w : sequence) {
    if (count[w]++ == 0) order.push_back(w);
  }
  std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) { return count[a] > count[b]; });
  order.resize(std::min(n, order.size()));
  return order;
}

// Answers every task by reading the decoded prompt, as a careful reader would;
// it is never told the expected answer.
class ReadingPredictor : public eval::TokenPredictor {
 public:
  explicit ReadingPredictor(const text::Tokenizer& tok) : tok_(tok) {}

  std::vector<eval::SpanPrediction> predict(const torch::Tensor&, const std::vector<eval::Span>&) override {
    throw std::logic_error("RULER decodes; it never asks for teacher-forced predictions");
  }

  std::vector<int32_t> generate(const std::vector<int32_t>& prompt, int64_t max_new) override {
    const std::string text = tok_.decode(prompt);
    std::string answer;
    if (contains(text, "coded words that occur most often")) {
      answer = join(frequent_words(text), ", ");
    } else if (contains(text, "numbered list of words")) {
      answer = join(common_words(text), ", ");
    } else if (contains(text, "chain of variable assignments")) {
      answer = join(chain(text), " ");
    } else {
      answer = join(needle_values(text), ", ");
    }
    auto out = tok_.encode(" " + answer);
    if (static_cast<int64_t>(out.size()) > max_new) out.resize(static_cast<std::size_t>(max_new));
    out.push_back(tok_.eos_id());
    return out;
  }

  static std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string s;
    for (const auto& p : parts) s += (s.empty() ? "" : sep) + p;
    return s;
  }

 private:
  // The asked keys from the question, then every value stated for them.
  static std::vector<std::string> needle_values(const std::string& text) {
    const auto q = text.rfind("Question: which special");
    const auto f = text.find(" for ", q);
    const auto e = text.find(" does the text above give?", f);
    std::string query = text.substr(f + 5, e - f - 5);
    std::vector<std::string> keys;
    for (auto& w : words_of(query)) {
      if (w == "and") continue;
      if (w.back() == ',') w.pop_back();
      keys.push_back(w);
    }
    const std::string context = text.substr(0, q);
    std::vector<std::string> values;
    for (const auto& k : keys) {
      const std::string marker = "for " + k + " is ";
      for (auto p = context.find(marker); p != std::string::npos; p = context.find(marker, p + 1)) {
        std::string v;
        for (auto i = p + marker.size(); i < context.size() && (std::isalnum(static_cast<unsigned char>(context[i])) ||
                                                                 context[i] == '-');
             ++i) {
          v += context[i];
        }
        values.push_back(v);
      }
    }
    return values;
  }

  // Every variable that ends up holding the asked value.
  static std::vector<std::string> chain(const std::string& text) {
    const auto q = text.rfind("which variables hold the value ");
    const std::string value = words_of(text.substr(q + 31)).at(0);
    const auto w = words_of(section(text, "The text below hides a chain of variable assignments", "Question:"));
    std::map<std::string, std::string> from;  // name -> "VAR X" or a number
    for (std::size_t i = 0; i + 3 < w.size(); ++i) {
      if (w[i] != "VAR" || w[i + 2] != "=") continue;
      from[w[i + 1]] = w[i + 3] == "VAR" && i + 4 < w.size() ? "VAR " + w[i + 4] : w[i + 3];
    }
    std::vector<std::string> holders;
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& [name, rhs] : from) {
        if (std::find(holders.begin(), holders.end(), name) != holders.end()) continue;
        const bool direct = rhs == value;
        const bool via = rhs.rfind("VAR ", 0) == 0 &&
                         std::find(holders.begin(), holders.end(), rhs.substr(4)) != holders.end();
        if (direct || via) {
          holders.push_back(name);
          grew = true;
        }
      }
    }
    return holders;
  }

  // The ten most frequent entries of the last numbered list.
  static std::vector<std::string> common_words(const std::string& text) {
    const auto w = words_of(section(text, "Below is a numbered list of words.", "Question:"));
    std::vector<std::string> entries;
    for (std::size_t i = 0; i + 1 < w.size(); ++i) {
      const auto& label = w[i];
      const bool is_label = label.size() > 1 && label.back() == '.' &&
                            std::all_of(label.begin(), label.end() - 1, [](char c) { return std::isdigit(c); });
      if (is_label) entries.push_back(w[i + 1]);
    }
    return most_frequent(entries, 10);
  }

  // The three most frequent coded words, the dots left out.
  static std::vector<std::string> frequent_words(const std::string& text) {
    const auto w = words_of(section(text, "coded words that occur most often.", "Question:"));
    std::vector<std::string> coded;
    for (const auto& x : w) {
      if (x != "...") coded.push_back(x);
    }
    return most_frequent(coded, 3);
  }

  const text::Tokenizer& tok_;
};

}  // namespace

class TestRuler : public QObject {
  Q_OBJECT

  std::optional<text::Tokenizer> tok_;
  std::vector<std::vector<int32_t>> documents_;

  eval::RulerCell cell(const std::string& task, int64_t length, int64_t trials, double score_sum,
                       const std::string& skipped = {}) {
    eval::RulerCell c;
    c.task = task;
    c.length = length;
    c.depth = 0.5;
    c.trials = trials;
    c.score_sum = score_sum;
    c.skipped = skipped;
    return c;
  }

 private slots:
  void initTestCase() {
    torch::set_num_threads(1);
    tok_ = train_tokenizer();
    // With BOS and EOS, as a test split is stored: the haystack must drop them.
    for (const char* e : kEssays) documents_.push_back(tok_->encode(e, true, true));
  }

  void registryIsRulersSyntheticSet() {
    const std::vector<std::string> names = {"niah_single_1",   "niah_single_2",   "niah_single_3", "niah_multikey_1",
                                            "niah_multikey_2", "niah_multikey_3", "niah_multivalue",
                                            "niah_multiquery", "vt",              "cwe",           "fwe"};
    QCOMPARE(eval::ruler_tasks().size(), names.size());
    for (std::size_t i = 0; i < names.size(); ++i) QCOMPARE(eval::ruler_tasks()[i].name, names[i]);
    QCOMPARE(eval::ruler_task("niah_single_1").max_new_tokens, int64_t(128));
    QCOMPARE(eval::ruler_task("vt").max_new_tokens, int64_t(30));
    QCOMPARE(eval::ruler_task("cwe").max_new_tokens, int64_t(120));
    QCOMPARE(eval::ruler_task("fwe").max_new_tokens, int64_t(50));
    QVERIFY(eval::ruler_task("niah_multikey_1").uses_depth);
    QVERIFY(!eval::ruler_task("vt").uses_depth);
    QVERIFY(eval::ruler_task("niah_single_2").needs_documents);
    QVERIFY(!eval::ruler_task("niah_multikey_2").needs_documents);

    QCOMPARE(eval::parse_ruler_tasks("").size(), names.size());
    QCOMPARE(eval::parse_ruler_tasks("all"), names);
    QCOMPARE(eval::parse_ruler_tasks(" vt, cwe ,vt"), (std::vector<std::string>{"vt", "cwe"}));
    try {
      eval::parse_ruler_tasks("vt,niah_multikee_2");
      QFAIL("an unknown task was accepted");
    } catch (const UserError& e) {
      QVERIFY2(contains(e.what(), "did you mean \"niah_multikey_2\""), e.what());
    }
    try {
      eval::ruler_task("qa_1");
      QFAIL("qa_1 was accepted");
    } catch (const UserError& e) {
      QVERIFY2(contains(e.what(), "SQuAD"), e.what());
    }
    // Word lists: none holds another, so substring scoring credits the right word.
    const auto& words = eval::ruler_words();
    QVERIFY(words.size() > 150);
    for (const auto& a : words) {
      for (const auto& b : words) QVERIFY2(a == b || !contains(a, b), (a + " holds " + b).c_str());
    }
  }

  void promptsFillTheirLengthAndAreReproducible() {
    for (const auto& task : eval::ruler_tasks()) {
      for (const int64_t L : {1536, 2048, 3000}) {
        const int64_t need = eval::ruler_minimum_length(task, *tok_, L);
        QVERIFY2(need < L, (task.name + " needs " + std::to_string(need)).c_str());
        const auto s = eval::build_ruler_sample(task, *tok_, documents_, L, 0.3, 7, 11);
        const auto n = static_cast<int64_t>(s.prompt.size());
        const std::string at = task.name + " at " + std::to_string(L) + ": " + std::to_string(n) + " tokens";
        QVERIFY2(n <= L, at.c_str());
        QVERIFY2(n >= L - 16, at.c_str());  // filled to within one haystack unit
        QCOMPARE(s.prompt.front(), int32_t(tok_->bos_id()));
        QVERIFY2(std::count(s.prompt.begin(), s.prompt.end(), tok_->bos_id()) == 1, at.c_str());
        QVERIFY(std::count(s.prompt.begin(), s.prompt.end(), tok_->eos_id()) == 0);
        QVERIFY(!s.expected.empty());
        QVERIFY(s.context_begin > 0 && s.context_begin < s.context_end && s.context_end < n);
        // The answers are in the prompt (cwe's as repeated words, the others as written).
        const std::string text = tok_->decode(s.prompt);
        for (const auto& e : s.expected) QVERIFY2(contains(text, e), (at + ": " + e).c_str());
        // Same (seed, index): the same prompt; another index or seed: another answer.
        QCOMPARE(eval::build_ruler_sample(task, *tok_, documents_, L, 0.3, 7, 11).prompt, s.prompt);
        QVERIFY(eval::build_ruler_sample(task, *tok_, documents_, L, 0.3, 7, 12).expected != s.expected);
        QVERIFY(eval::build_ruler_sample(task, *tok_, documents_, L, 0.3, 8, 11).expected != s.expected);
      }
      // The minimum always builds; far below it, a UserError names the need.
      const int64_t need = eval::ruler_minimum_length(task, *tok_, 2048);
      for (uint64_t i = 0; i < 8; ++i) {
        QVERIFY(static_cast<int64_t>(eval::build_ruler_sample(task, *tok_, documents_, need, 0.5, 1, i).prompt.size()) <=
                need);
      }
      QVERIFY_EXCEPTION_THROWN(eval::build_ruler_sample(task, *tok_, documents_, 20, 0.5, 1, 0), UserError);
    }
    // cwe follows RULER's switch to 30 / 3 repeats at 4096 tokens.
    QVERIFY(eval::ruler_minimum_length(eval::ruler_task("cwe"), *tok_, 4096) >
            2 * eval::ruler_minimum_length(eval::ruler_task("cwe"), *tok_, 4095));
    // Essay tasks need documents.
    QVERIFY_EXCEPTION_THROWN(eval::build_ruler_sample(eval::ruler_task("niah_single_2"), *tok_, {}, 1024, 0.5, 1, 0),
                             UserError);
  }

  void longContextsUseRulersLongShapes() {
    // From 4096 tokens cwe repeats its common words 30 times among words seen
    // 3 times; past the word list, rare words are pairs of listed words.
    ReadingPredictor reader(*tok_);
    for (const auto& task : eval::ruler_tasks()) {
      const int64_t L = 8192;
      const auto s = eval::build_ruler_sample(task, *tok_, documents_, L, 0.7, 2, 3);
      const auto n = static_cast<int64_t>(s.prompt.size());
      QVERIFY2(n <= L && n >= L - 48, (task.name + ": " + std::to_string(n)).c_str());
      const std::string answer = tok_->decode(reader.generate(s.prompt, task.max_new_tokens));
      QCOMPARE(eval::ruler_score(task.scoring, s.expected, answer), 1.0);
    }
    const auto s = eval::build_ruler_sample(eval::ruler_task("cwe"), *tok_, documents_, 16384, 0.5, 2, 3);
    const auto list = words_of(section(tok_->decode(s.prompt), "Below is a numbered list of words.", "Question:"));
    std::map<std::string, int> count;
    for (std::size_t i = 0; i + 1 < list.size(); ++i) {
      const bool label = !list[i].empty() && list[i].back() == '.' && std::isdigit(static_cast<unsigned char>(list[i][0]));
      if (label) ++count[list[i + 1]];
    }
    for (const auto& w : s.expected) QCOMPARE(count[w], 30);
    int pairs = 0;
    std::size_t rare = 0;
    for (const auto& [w, c] : count) {
      if (std::find(s.expected.begin(), s.expected.end(), w) != s.expected.end()) continue;
      QCOMPARE(c, 3);
      ++rare;
      pairs += contains(w, "-") ? 1 : 0;
    }
    // "word-word" pairs exactly when the list has run out: how many rare words
    // fit depends on how finely the tokenizer splits them (SentencePiece's
    // version trains a different one), so the test asks for the rule.
    const std::size_t listed = eval::ruler_words().size() - s.expected.size();
    if (rare > listed) {
      QVERIFY2(pairs > 0, std::to_string(rare).c_str());
    } else {
      QCOMPARE(pairs, 0);
    }
  }

  void needleSitsAtTheRequestedDepth() {
    for (const auto& task : eval::ruler_tasks()) {
      if (!task.uses_depth) continue;
      for (const double depth : {0.0, 0.25, 0.5, 0.75, 1.0}) {
        const auto s = eval::build_ruler_sample(task, *tok_, documents_, 2048, depth, 3, 5);
        QVERIFY(s.needle_begin >= s.context_begin && s.needle_begin < s.context_end);
        const double at = static_cast<double>(s.needle_begin - s.context_begin) /
                          static_cast<double>(s.context_end - s.context_begin);
        const std::string msg = task.name + " depth " + std::to_string(depth) + " at " + std::to_string(at);
        QVERIFY2(std::abs(at - depth) < 0.1, msg.c_str());
        // The needle there holds the first answer.
        const auto end = std::min(s.prompt.size(), static_cast<std::size_t>(s.needle_begin) + 200);
        const std::string needle = tok_->decode({s.prompt.begin() + s.needle_begin, s.prompt.begin() + end});
        QVERIFY2(needle.find("A special") <= 1 && contains(needle, s.expected.front()), (msg + ": " + needle).c_str());
      }
    }
  }

  void aReadingModelScoresOneEverywhere() {
    ReadingPredictor reader(*tok_);
    eval::RulerSettings s;
    s.lengths = {1536, 3072};
    s.depths = {0.0, 0.5, 1.0};
    s.trials = 2;
    s.seed = 4;
    int64_t last_done = 0, last_total = 0;
    const auto r = eval::evaluate_ruler(reader, *tok_, documents_, s, [&](int64_t done, int64_t total) {
      QVERIFY(done > last_done);
      last_done = done;
      last_total = total;
    });
    QCOMPARE(last_done, last_total);
    QCOMPARE(last_total, int64_t(11 * 2 * 3 * 2));
    QCOMPARE(r.cells.size(), std::size_t(8 * 2 * 3 + 3 * 2));
    for (const auto& c : r.cells) {
      QVERIFY2(c.skipped.empty(), c.skipped.c_str());
      QCOMPARE(c.trials, int64_t(c.depth == eval::kNoDepth ? 6 : 2));
      const std::string msg = c.task + " at " + std::to_string(c.length) + ": expected " +
                              c.samples.front().expected_joined + ", got " + c.samples.front().generated;
      QVERIFY2(c.accuracy() == 1.0, msg.c_str());
      QVERIFY(c.prompt_tokens <= c.length && c.prompt_tokens > c.length - 16);
    }
    QCOMPARE(r.lengths(), (std::vector<int64_t>{1536, 3072}));
    QCOMPARE(*r.average(3072), 1.0);
    QCOMPARE(*eval::effective_length(r, eval::kRulerThreshold), int64_t(3072));
  }

  void anUntrainedModelScoresNearZero() {
    auto m = tiny_model(tok_->vocab_size(), 2048);
    eval::ModelPredictor predictor(m);
    eval::RulerSettings s;
    s.lengths = {1536};
    s.depths = {0.5};
    s.trials = 2;
    const auto r = eval::evaluate_ruler(predictor, *tok_, documents_, s);
    QCOMPARE(r.cells.size(), std::size_t(11));
    for (const auto& c : r.cells) {
      QVERIFY2(c.skipped.empty(), c.skipped.c_str());
      QCOMPARE(c.trials, int64_t(2));
      QVERIFY2(c.accuracy() < 0.5, (c.task + ": " + c.samples.front().generated).c_str());
    }
    QVERIFY(*r.average(1536) < 0.2);
    QVERIFY(!eval::effective_length(r, eval::kRulerThreshold));
    // The result survives its JSON.
    const auto j = eval::to_json(r);
    QCOMPARE(eval::to_json(eval::ruler_result_from_json(j)), j);
    QVERIFY(j["effective_length"]["length"].is_null());
  }

  void scoringIsRulersSubstringMatch() {
    const std::vector<std::string> expected = {"4821931", "Amber-River"};
    using eval::RulerScoring;
    QCOMPARE(eval::ruler_score(RulerScoring::All, expected, "the numbers are 4821931 and amber-river."), 1.0);
    QCOMPARE(eval::ruler_score(RulerScoring::All, expected, "4821931 only"), 0.5);
    QCOMPARE(eval::ruler_score(RulerScoring::All, expected, "nothing"), 0.0);
    QCOMPARE(eval::ruler_score(RulerScoring::Part, expected, "AMBER-RIVER"), 1.0);
    QCOMPARE(eval::ruler_score(RulerScoring::Part, expected, "482193"), 0.0);
    QCOMPARE(eval::ruler_score(RulerScoring::All, {}, "anything"), 0.0);
  }

  void jsonRoundTripsAndNamesBadFields() {
    eval::RulerResult r;
    r.cells.push_back(cell("niah_single_1", 1024, 4, 3.5));
    r.cells.back().samples.push_back({"1234567", "1234567.", 1.0});
    r.cells.push_back(cell("vt", 1024, 8, 2.0));
    r.cells.back().depth = eval::kNoDepth;
    r.cells.push_back(cell("cwe", 512, 0, 0.0, "length 512 cannot hold the cwe prompt"));
    const auto j = eval::to_json(r);
    QVERIFY(j["cells"][1]["depth"].is_null());
    const auto back = eval::ruler_result_from_json(j);
    QCOMPARE(back.cells.size(), std::size_t(3));
    QCOMPARE(back.cells[0].score_sum, 3.5);
    QCOMPARE(back.cells[0].samples.front().generated, std::string("1234567."));
    QCOMPARE(back.cells[1].depth, eval::kNoDepth);
    QCOMPARE(back.cells[2].skipped, r.cells[2].skipped);
    QCOMPARE(eval::to_json(back), j);
    QCOMPARE(j["per_length"][1]["average"].get<double>(), (3.5 / 4 + 2.0 / 8) / 2);

    auto expect_field = [](const nlohmann::json& doc, const std::string& field) {
      try {
        eval::ruler_result_from_json(doc);
        QFAIL(("accepted a document with a bad " + field).c_str());
      } catch (const UserError& e) {
        QVERIFY2(contains(e.what(), field), e.what());
      }
    };
    expect_field(nlohmann::json::object(), "cells");
    auto bad = j;
    bad["cells"][1]["trials"] = "eight";
    expect_field(bad, "cells[1].trials");
    bad = j;
    bad["cells"][0].erase("score_sum");
    expect_field(bad, "cells[0].score_sum");
    bad = j;
    bad["cells"][0]["score_sum"] = 9.0;
    expect_field(bad, "cells[0].score_sum");

    eval::RulerSettings s;
    s.tasks = {"niah_single_1", "fwe"};
    s.lengths = {1024, 4096};
    s.depths = {0.0, 1.0};
    s.trials = 3;
    s.seed = 12;
    s.max_new_tokens = 40;
    const auto sj = eval::to_json(s);
    QCOMPARE(sj["task_settings"][1]["scoring"].get<std::string>(), std::string("string_match_all"));
    QCOMPARE(sj["task_settings"][1]["max_new_tokens"].get<int64_t>(), int64_t(40));
    const auto sb = eval::ruler_settings_from_json(sj);
    QCOMPARE(sb.tasks, s.tasks);
    QCOMPARE(sb.lengths, s.lengths);
    QCOMPARE(sb.depths, s.depths);
    QCOMPARE(sb.seed, s.seed);
    QCOMPARE(*sb.max_new_tokens, int64_t(40));
    s.max_new_tokens.reset();
    QVERIFY(!eval::ruler_settings_from_json(eval::to_json(s)).max_new_tokens);
  }

  void effectiveLengthIsTheLastLengthOfAnUnbrokenRun() {
    auto result = [&](const std::vector<std::pair<int64_t, double>>& points) {
      eval::RulerResult r;
      for (const auto& [L, a] : points) {
        r.cells.push_back(cell("niah_single_1", L, 10, 10 * a));
        r.cells.push_back(cell("vt", L, 10, 10 * a));
      }
      return r;
    };
    // Monotone decline.
    QCOMPARE(*eval::effective_length(result({{4096, 0.95}, {8192, 0.9}, {16384, 0.7}})), int64_t(8192));
    // A dip ends it even when a longer length recovers.
    QCOMPARE(*eval::effective_length(result({{4096, 0.9}, {8192, 0.8}, {16384, 0.9}})), int64_t(4096));
    // Everything above: the longest.
    QCOMPARE(*eval::effective_length(result({{4096, 0.9}, {8192, 0.86}})), int64_t(8192));
    // Below at the shortest: none.
    QVERIFY(!eval::effective_length(result({{4096, 0.5}, {8192, 0.95}})));
    QVERIFY(!eval::effective_length(eval::RulerResult{}));
    // The threshold is inclusive, and the average is over tasks.
    auto r = result({{4096, 1.0}});
    r.cells[1].score_sum = 5.0;  // vt at 0.5: the average is (1 + 0.5) / 2
    QCOMPARE(*eval::effective_length(r, 0.75), int64_t(4096));
    QVERIFY(!eval::effective_length(r, 0.7501));
    // A length where every task was skipped neither extends nor ends the run.
    auto s = result({{4096, 0.9}, {16384, 0.9}});
    s.cells.push_back(cell("niah_single_1", 8192, 0, 0.0, "skipped"));
    QCOMPARE(*eval::effective_length(s), int64_t(16384));
    QVERIFY(!s.average(8192));
    QVERIFY(!s.accuracy("niah_single_1", 8192));
  }

  void cellsThatCannotBeBuiltAreSkippedWithAReason() {
    ReadingPredictor reader(*tok_);
    eval::RulerSettings s;
    s.tasks = {"niah_single_1", "niah_single_2", "fwe"};
    s.lengths = {60, 1024};
    s.depths = {0.5};
    s.trials = 1;
    const auto r = eval::evaluate_ruler(reader, *tok_, {}, s);
    QCOMPARE(r.cells.size(), std::size_t(6));
    for (const auto& c : r.cells) {
      const bool essay = c.task == "niah_single_2";
      if (essay) {
        QVERIFY2(contains(c.skipped, "documents"), c.skipped.c_str());
      } else if (c.length == 60) {
        QVERIFY2(contains(c.skipped, "cannot hold") && contains(c.skipped, "tokens without filler"), c.skipped.c_str());
      } else {
        QVERIFY2(c.skipped.empty(), c.skipped.c_str());
        QCOMPARE(c.accuracy(), 1.0);
      }
      if (!c.skipped.empty()) QCOMPARE(c.trials, int64_t(0));
    }
    QVERIFY(!r.average(60));
    QCOMPARE(*r.average(1024), 1.0);  // over the two tasks evaluated there
    QVERIFY_EXCEPTION_THROWN(eval::parse_ruler_tasks("cwe,fwee,xx"), UserError);
    s.depths = {1.5};
    QVERIFY_EXCEPTION_THROWN(eval::evaluate_ruler(reader, *tok_, {}, s), UserError);
  }
};

QTEST_GUILESS_MAIN(TestRuler)
#include "test_ruler.moc"
