// Attention against distance: the log-spaced bins cover every distance once;
// each layer's mass sums to 1; uniform attention (q_proj zeroed) gives the
// analytic per-bin mass and beyond-window share, with and without a sliding
// window; on a random model the numbers equal a direct T×T computation whose
// probabilities reproduce the model's own attention output; query chunking does
// not change the result; document selection and errors.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <optional>

#include "common/error.h"
#include "eval/attention_distance.h"
#include "model/model_init.h"
#include "rope/rotary.h"

using namespace pose;

namespace {

model::ModelConfig tiny_config(int64_t layers = 2) {
  nlohmann::json cfg = {{"model_type", "llama"},   {"vocab_size", 60},             {"hidden_size", 32},
                        {"intermediate_size", 64}, {"num_hidden_layers", layers},  {"num_attention_heads", 4},
                        {"num_key_value_heads", 2}, {"max_position_embeddings", 64}};
  return model::config_from_hf_json(cfg);
}

model::LlamaForCausalLM tiny_model(std::optional<int64_t> sliding_window = std::nullopt) {
  model::ModelConfig c = tiny_config();
  c.sliding_window = sliding_window;
  model::LlamaForCausalLM m(c);
  model::init_weights(m, 11);
  return m;
}

// All scores 0: every query attends uniformly to the keys it may see.
void zero_queries(model::LlamaForCausalLM& m) {
  torch::NoGradGuard no_grad;
  for (auto& layer : m->model->layer_list) layer->self_attn->q_proj->weight.zero_();
}

// Random init (std 0.02) attends almost uniformly; larger q/k make it peaked.
void sharpen(model::LlamaForCausalLM& m) {
  torch::NoGradGuard no_grad;
  for (auto& layer : m->model->layer_list) {
    layer->self_attn->q_proj->weight.mul_(12.0);
    layer->self_attn->k_proj->weight.mul_(12.0);
  }
}

std::vector<std::vector<int32_t>> documents(std::vector<int> lengths) {
  std::vector<std::vector<int32_t>> docs;
  for (std::size_t d = 0; d < lengths.size(); ++d) {
    std::vector<int32_t> doc;
    for (int t = 0; t < lengths[d]; ++t) doc.push_back(3 + static_cast<int32_t>((t * 13 + d * 5 + t * t % 7) % 50));
    docs.push_back(doc);
  }
  return docs;
}

// Uniform attention over the keys j <= i with i − j < window: the expected
// per-bin mass (mean over queries) and beyond-window share, by counting.
struct Expected {
  std::vector<double> mass;
  double beyond = 0.0;
};
Expected uniform_expectation(int64_t T, const std::vector<eval::AttentionDistanceBin>& bins, int64_t Lc,
                             int64_t window) {
  Expected e;
  e.mass.assign(bins.size(), 0.0);
  int64_t beyond_queries = 0;
  for (int64_t i = 0; i < T; ++i) {
    const int64_t visible = std::min(i + 1, window);
    for (std::size_t b = 0; b < bins.size(); ++b) {
      int64_t n = 0;
      for (int64_t j = 0; j <= i; ++j) n += (i - j >= bins[b].lo && i - j <= bins[b].hi && i - j < window);
      e.mass[b] += static_cast<double>(n) / static_cast<double>(visible) / static_cast<double>(T);
    }
    if (Lc > 0 && i >= Lc) {
      int64_t n = 0;
      for (int64_t j = 0; j <= i; ++j) n += (i - j >= Lc && i - j < window);
      e.beyond += static_cast<double>(n) / static_cast<double>(visible);
      ++beyond_queries;
    }
  }
  if (beyond_queries > 0) e.beyond /= static_cast<double>(beyond_queries);
  return e;
}

double sum(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s;
}

}  // namespace

class TestAttentionDistance : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { torch::set_num_threads(1); }

  void binsArePowersOfTwoCappedAtTheLength() {
    const auto b64 = eval::attention_distance_bins(64);
    const std::vector<std::pair<int64_t, int64_t>> want = {{0, 0}, {1, 1}, {2, 3}, {4, 7}, {8, 15}, {16, 31}, {32, 63}};
    QCOMPARE(b64.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      QCOMPARE(b64[i].lo, want[i].first);
      QCOMPARE(b64[i].hi, want[i].second);
    }
    const auto b2 = eval::attention_distance_bins(2);
    QCOMPARE(b2.size(), std::size_t(2));
    QCOMPARE(b2[1].hi, int64_t(1));
    const auto b65 = eval::attention_distance_bins(65);
    QCOMPARE(b65.back().lo, int64_t(64));
    QCOMPARE(b65.back().hi, int64_t(64));
  }

  void randomModelGivesFiniteMassOverEveryDistance() {
    auto m = tiny_model();
    eval::AttentionDistanceSettings s;
    s.length = 50;  // not a power of two: the last bin is [32, 49]
    s.sequences = 2;
    s.original_window = 16;
    s.query_chunk = 16;
    const auto r = eval::evaluate_attention_distance(m, documents({80, 60}), s);
    QCOMPARE(r.sequences, int64_t(2));
    QCOMPARE(r.bins.front().lo, int64_t(0));
    for (std::size_t b = 1; b < r.bins.size(); ++b) QCOMPARE(r.bins[b].lo, r.bins[b - 1].hi + 1);
    QCOMPARE(r.bins.back().hi, int64_t(49));
    QCOMPARE(r.layers.size(), std::size_t(2));
    double beyond = 0.0;
    for (const auto& layer : r.layers) {
      QCOMPARE(layer.mass.size(), r.bins.size());
      for (double x : layer.mass) QVERIFY(std::isfinite(x) && x >= 0.0 && x <= 1.0);
      QVERIFY(std::abs(sum(layer.mass) - 1.0) < 1e-6);
      QVERIFY(std::isfinite(layer.beyond_window) && layer.beyond_window > 0.0 && layer.beyond_window < 1.0);
      beyond += layer.beyond_window;
    }
    QVERIFY(std::abs(r.mean_beyond_window - beyond / 2.0) < 1e-12);
  }

  void uniformAttentionMatchesTheAnalyticMass() {
    auto m = tiny_model();
    zero_queries(m);
    eval::AttentionDistanceSettings s;
    s.length = 64;
    s.sequences = 2;
    s.original_window = 16;
    s.query_chunk = 10;  // chunks that do not divide the length
    const auto r = eval::evaluate_attention_distance(m, documents({100, 70}), s);
    const Expected e = uniform_expectation(64, r.bins, 16, 64);
    for (const auto& layer : r.layers) {
      QVERIFY(std::abs(sum(layer.mass) - 1.0) < 1e-6);
      for (std::size_t b = 0; b < r.bins.size(); ++b) {
        QVERIFY2(std::abs(layer.mass[b] - e.mass[b]) < 1e-5,
                 qPrintable(QString("bin %1: %2 vs %3").arg(b).arg(layer.mass[b]).arg(e.mass[b])));
      }
      QVERIFY(std::abs(layer.beyond_window - e.beyond) < 1e-5);
    }
    // The brief's closed form for the beyond share: mean over i >= 16 of (i − 16 + 1) / (i + 1).
    double closed = 0.0;
    for (int i = 16; i < 64; ++i) closed += (i - 16 + 1) / static_cast<double>(i + 1);
    closed /= 48.0;
    QVERIFY(std::abs(r.layers[0].beyond_window - closed) < 1e-5);
    QVERIFY(std::abs(r.mean_beyond_window - closed) < 1e-5);

    // No window, or one at least the length: nothing reported.
    s.original_window = 0;
    QCOMPARE(eval::evaluate_attention_distance(m, documents({100}), s).mean_beyond_window, 0.0);
    s.original_window = 64;
    QCOMPARE(eval::evaluate_attention_distance(m, documents({100}), s).layers[1].beyond_window, 0.0);
  }

  void slidingWindowBoundsTheDistance() {
    auto m = tiny_model(8);
    zero_queries(m);
    eval::AttentionDistanceSettings s;
    s.length = 40;
    s.sequences = 1;
    s.original_window = 4;
    s.query_chunk = 7;
    const auto r = eval::evaluate_attention_distance(m, documents({100}), s);
    const Expected e = uniform_expectation(40, r.bins, 4, 8);
    for (const auto& layer : r.layers) {
      for (std::size_t b = 0; b < r.bins.size(); ++b) QVERIFY(std::abs(layer.mass[b] - e.mass[b]) < 1e-5);
      QCOMPARE(layer.mass[4], 0.0);  // [8, 15]: outside the window
      QVERIFY(std::abs(layer.beyond_window - e.beyond) < 1e-5);
    }
    s.original_window = 8;
    QCOMPARE(eval::evaluate_attention_distance(m, documents({100}), s).mean_beyond_window, 0.0);
  }

  void equalsADirectComputationOfTheModelsAttention() {
    auto m = tiny_model();
    sharpen(m);
    torch::NoGradGuard no_grad;
    m->eval();
    const int64_t T = 33, H = 4, D = 8, Lc = 5;
    const auto docs = documents({40, 50});
    eval::AttentionDistanceSettings s;
    s.length = T;
    s.sequences = 2;
    s.original_window = Lc;
    s.query_chunk = 6;
    const auto r = eval::evaluate_attention_distance(m, docs, s);

    const auto bins = eval::attention_distance_bins(T);
    const auto L = m->model->layer_list.size();
    std::vector<std::vector<double>> mass(L, std::vector<double>(bins.size(), 0.0));
    std::vector<double> beyond(L, 0.0);
    const auto positions = model::contiguous_positions(1, T);
    const auto tables = rope::rotary_tables(m->frequencies_for(T - 1), positions);
    const auto kernel = m->options().kernel;
    const auto mask = model::make_attention_mask(T, 0, std::nullopt, kernel, torch::kFloat, torch::kCPU);
    for (const auto& doc : docs) {
      std::vector<int64_t> ids_v = {1};
      for (int64_t t = 0; t < T - 1; ++t) ids_v.push_back(doc[static_cast<std::size_t>(t)]);
      const auto ids = torch::tensor(ids_v, torch::kLong).unsqueeze(0);
      torch::Tensor h = m->model->embed_tokens(ids);
      for (std::size_t li = 0; li < L; ++li) {
        auto& layer = m->model->layer_list[li];
        auto& attn = layer->self_attn;
        const auto x = layer->input_layernorm(h);
        auto q = rope::apply_rotary(attn->q_proj(x).view({1, T, H, D}).transpose(1, 2), tables.cos, tables.sin);
        auto k = rope::apply_rotary(attn->k_proj(x).view({1, T, 2, D}).transpose(1, 2), tables.cos, tables.sin);
        auto v = attn->v_proj(x).view({1, T, 2, D}).transpose(1, 2);
        k = model::repeat_kv(k, 2);
        v = model::repeat_kv(v, 2);
        const auto causal = torch::ones({T, T}, torch::kBool).triu(1);
        const auto probs = torch::softmax((torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(D)))
                                              .masked_fill(causal, -INFINITY), -1);  // [1, H, T, T]
        // These are the model's probabilities: they reproduce its attention output.
        const auto out = attn->o_proj(torch::matmul(probs, v).transpose(1, 2).reshape({1, T, H * D}));
        QVERIFY(torch::allclose(out, attn(x, tables.cos, tables.sin, mask, kernel), 1e-5, 1e-6));
        const auto p = probs.mean(1).squeeze(0).to(torch::kDouble).contiguous();
        const auto pa = p.accessor<double, 2>();
        for (int64_t i = 0; i < T; ++i) {
          for (int64_t j = 0; j <= i; ++j) {
            for (std::size_t b = 0; b < bins.size(); ++b) {
              if (i - j >= bins[b].lo && i - j <= bins[b].hi) mass[li][b] += pa[i][j] / (2.0 * T);
            }
            if (i >= Lc && i - j >= Lc) beyond[li] += pa[i][j] / (2.0 * (T - Lc));
          }
        }
        h = layer(h, tables.cos, tables.sin, mask, kernel);
      }
      // The loop above is the model's forward.
      QVERIFY(torch::allclose(m->model->norm(h), m->hidden_states(ids, positions), 1e-5, 1e-6));
    }
    const Expected uniform = uniform_expectation(T, bins, Lc, T);
    double max_from_uniform = 0.0;
    for (std::size_t li = 0; li < L; ++li) {
      for (std::size_t b = 0; b < bins.size(); ++b) {
        QVERIFY(std::abs(r.layers[li].mass[b] - mass[li][b]) < 1e-6);
        max_from_uniform = std::max(max_from_uniform, std::abs(mass[li][b] - uniform.mass[b]));
      }
      QVERIFY(std::abs(r.layers[li].beyond_window - beyond[li]) < 1e-6);
    }
    QVERIFY(max_from_uniform > 0.02);  // the comparison is not the uniform case again
  }

  void queryChunkDoesNotChangeTheResult() {
    auto m = tiny_model();
    sharpen(m);
    eval::AttentionDistanceSettings s;
    s.length = 37;
    s.sequences = 1;
    s.original_window = 9;
    std::vector<eval::AttentionDistanceResult> results;
    for (const int64_t chunk : {1, 5, 37, 1000}) {
      s.query_chunk = chunk;
      results.push_back(eval::evaluate_attention_distance(m, documents({50}), s));
    }
    for (const auto& r : results) {
      for (std::size_t li = 0; li < r.layers.size(); ++li) {
        for (std::size_t b = 0; b < r.bins.size(); ++b) {
          QVERIFY(std::abs(r.layers[li].mass[b] - results[0].layers[li].mass[b]) < 1e-6);
        }
        QVERIFY(std::abs(r.layers[li].beyond_window - results[0].layers[li].beyond_window) < 1e-6);
      }
    }
  }

  void selectsLongEnoughDocumentsAndReportsProgress() {
    auto m = tiny_model();
    eval::AttentionDistanceSettings s;
    s.length = 64;
    s.sequences = 3;
    std::vector<std::pair<int64_t, int64_t>> calls;
    const auto progress = [&](int64_t done, int64_t total) { calls.emplace_back(done, total); };
    // 63 tokens fill BOS + 63; 10 and 62 are too short.
    const auto docs = documents({10, 100, 63, 62, 200, 300});
    auto r = eval::evaluate_attention_distance(m, docs, s, progress);
    QCOMPARE(r.sequences, int64_t(3));
    QCOMPARE(calls.size(), std::size_t(3));
    QCOMPARE(calls.back(), std::make_pair(int64_t(3), int64_t(3)));
    s.sequences = 10;
    r = eval::evaluate_attention_distance(m, docs, s);
    QCOMPARE(r.sequences, int64_t(4));
  }

  void rejectsWhatCannotBeMeasured() {
    auto m = tiny_model();
    eval::AttentionDistanceSettings s;
    s.length = 64;
    try {
      eval::evaluate_attention_distance(m, documents({10, 40}), s);
      QFAIL("expected a UserError");
    } catch (const UserError& e) {
      const QString what = QString::fromStdString(e.what());
      QVERIFY2(what.contains("64") && what.contains("40"), e.what());
      QVERIFY(!e.fix().empty());
    }
    QVERIFY_THROWS_EXCEPTION(UserError, eval::evaluate_attention_distance(m, {}, s));
    s.length = 1;
    QVERIFY_THROWS_EXCEPTION(UserError, eval::evaluate_attention_distance(m, documents({100}), s));
    s.length = 16;
    s.query_chunk = 0;
    QVERIFY_THROWS_EXCEPTION(UserError, eval::evaluate_attention_distance(m, documents({100}), s));
    s.query_chunk = 8;
    s.original_window = -1;
    QVERIFY_THROWS_EXCEPTION(UserError, eval::evaluate_attention_distance(m, documents({100}), s));
    s.original_window = 0;
    s.sequences = 0;
    QVERIFY_THROWS_EXCEPTION(UserError, eval::evaluate_attention_distance(m, documents({100}), s));
    s.sequences = 1;
    QVERIFY_THROWS_EXCEPTION(UserError, eval::evaluate_attention_distance(m, {std::vector<int32_t>(20, 60)}, s));
  }

  void jsonHasBinsLayersAndTheBeyondShare() {
    auto m = tiny_model();
    eval::AttentionDistanceSettings s;
    s.length = 20;
    s.sequences = 1;
    s.original_window = 8;
    const auto r = eval::evaluate_attention_distance(m, documents({30}), s);
    const auto j = eval::to_json(r);
    QCOMPARE(j["bins"].size(), r.bins.size());
    QCOMPARE(j["bins"].back()[0].get<int64_t>(), int64_t(16));
    QCOMPARE(j["bins"].back()[1].get<int64_t>(), int64_t(19));
    QCOMPARE(j["layers"].size(), std::size_t(2));
    QCOMPARE(j["layers"][1]["layer"].get<int64_t>(), int64_t(1));
    QCOMPARE(j["layers"][1]["mass"].size(), r.bins.size());
    QCOMPARE(j["layers"][0]["beyond_window"].get<double>(), r.layers[0].beyond_window);
    QCOMPARE(j["sequences"].get<int64_t>(), int64_t(1));
    QCOMPARE(j["mean_beyond_window"].get<double>(), r.mean_beyond_window);
    const auto js = eval::to_json(s);
    QCOMPARE(js["length"].get<int64_t>(), int64_t(20));
    QCOMPARE(js["original_window"].get<int64_t>(), int64_t(8));
  }
};

QTEST_APPLESS_MAIN(TestAttentionDistance)
#include "test_attention_distance.moc"
