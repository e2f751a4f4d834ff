// Reading and writing the RoPE keys of HF config.json in both styles.
#include <QtTest>

#include "common/error.h"
#include "rope/hf_rope_config.h"

#include <cmath>

using namespace pose::rope;
using nlohmann::json;

namespace {

// Every RopeParams field that lives in a config (seq_len is a runtime value).
void compare_params(const RopeParams& a, const RopeParams& b) {
  QCOMPARE(a.method, b.method);
  QCOMPARE(a.head_dim, b.head_dim);
  QCOMPARE(a.partial_rotary_factor, b.partial_rotary_factor);
  QCOMPARE(a.base, b.base);
  QCOMPARE(a.factor, b.factor);
  QCOMPARE(a.original_max_position, b.original_max_position);
  QCOMPARE(a.max_position, b.max_position);
  QCOMPARE(a.beta_fast, b.beta_fast);
  QCOMPARE(a.beta_slow, b.beta_slow);
  QCOMPARE(a.truncate, b.truncate);
  QCOMPARE(a.mscale, b.mscale);
  QCOMPARE(a.mscale_all_dim, b.mscale_all_dim);
  QCOMPARE(a.attention_factor, b.attention_factor);
  QCOMPARE(a.low_freq_factor, b.low_freq_factor);
  QCOMPARE(a.high_freq_factor, b.high_freq_factor);
  QCOMPARE(a.short_factors, b.short_factors);
  QCOMPARE(a.long_factors, b.long_factors);
}

json llama2_yarn_old_style() {
  return json::parse(R"({
    "architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "num_attention_heads": 32,
    "max_position_embeddings": 65536, "rope_theta": 10000.0,
    "rope_scaling": {"type": "yarn", "factor": 16.0, "original_max_position_embeddings": 4096,
                     "finetuned": true}
  })");
}

json llama31_new_style() {
  return json::parse(R"({
    "hidden_size": 4096, "num_attention_heads": 32, "head_dim": 128, "max_position_embeddings": 131072,
    "rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
                        "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                        "original_max_position_embeddings": 8192}
  })");
}

json phi3_longrope() {
  json c = json::parse(R"({
    "hidden_size": 3072, "num_attention_heads": 32, "max_position_embeddings": 131072,
    "original_max_position_embeddings": 4096, "rope_theta": 10000.0, "partial_rotary_factor": 1.0,
    "rope_scaling": {"type": "longrope"}
  })");
  std::vector<double> short_factor, long_factor;
  for (int i = 0; i < 48; ++i) {
    short_factor.push_back(1.0 + 0.01 * i);
    long_factor.push_back(1.0 + 1.5 * i);
  }
  c["rope_scaling"]["short_factor"] = short_factor;
  c["rope_scaling"]["long_factor"] = long_factor;
  return c;
}

json deepseek_yarn_partial() {
  return json::parse(R"({
    "head_dim": 64, "partial_rotary_factor": 0.5, "max_position_embeddings": 163840,
    "rope_scaling": {"rope_type": "yarn", "factor": 40, "original_max_position_embeddings": 4096,
                     "beta_fast": 32, "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0,
                     "truncate": false, "rope_theta_note": "kept"},
    "rope_theta": 10000
  })");
}

}  // namespace

class TestHfRopeConfig : public QObject {
  Q_OBJECT
 private slots:
  void readsOldStyle() {
    const HfRopeConfig r = read_hf_rope_config(llama2_yarn_old_style());
    QCOMPARE(r.style, HfRopeStyle::RopeScaling);
    QVERIFY(r.legacy_type_key);
    QCOMPARE(r.params.method, RopeMethod::Yarn);
    QCOMPARE(r.params.head_dim, 128);  // 4096 / 32
    QCOMPARE(r.params.base, 10000.0);
    QCOMPARE(r.params.factor, 16.0);
    QCOMPARE(r.params.original_max_position.value(), 4096);
    QCOMPARE(r.params.max_position.value(), 65536);
    QCOMPARE(r.params.beta_fast, 32.0);
    QCOMPARE(r.extra_keys.at("finetuned"), json(true));
  }

  void readsNewStyle() {
    const HfRopeConfig r = read_hf_rope_config(llama31_new_style());
    QCOMPARE(r.style, HfRopeStyle::RopeParameters);
    QCOMPARE(r.params.method, RopeMethod::Llama3);
    QCOMPARE(r.params.base, 500000.0);
    QCOMPARE(r.params.factor, 8.0);
    QCOMPARE(r.params.original_max_position.value(), 8192);
    QCOMPARE(r.params.low_freq_factor, 1.0);
    QCOMPARE(r.params.high_freq_factor, 4.0);
    QVERIFY(r.extra_keys.empty());
  }

  void readsPlainRope() {
    json old_style = json::parse(R"({"head_dim": 64, "rope_theta": 1000000.0, "rope_scaling": null})");
    QCOMPARE(read_hf_rope_config(old_style).params.method, RopeMethod::None);
    QCOMPARE(read_hf_rope_config(old_style).params.base, 1e6);
    json no_theta = json::parse(R"({"head_dim": 64})");
    QCOMPARE(read_hf_rope_config(no_theta).params.base, 10000.0);  // HF default_theta
    json new_style = json::parse(R"({"head_dim": 64, "rope_parameters": {"rope_type": "default", "rope_theta": 5e5}})");
    const HfRopeConfig r = read_hf_rope_config(new_style);
    QCOMPARE(r.params.method, RopeMethod::None);
    QCOMPARE(r.params.base, 5e5);
  }

  // Phi-3: no factor, the original window at the top level; HF derives
  // factor = max_position_embeddings / original_max_position_embeddings.
  void readsPhi3Longrope() {
    const HfRopeConfig r = read_hf_rope_config(phi3_longrope());
    QCOMPARE(r.params.method, RopeMethod::LongRope);
    QCOMPARE(r.params.head_dim, 96);
    QCOMPARE(r.params.factor, 32.0);
    QCOMPARE(r.params.original_max_position.value(), 4096);
    QVERIFY(r.original_window_at_top_level);
    QCOMPARE(r.params.short_factors.size(), std::size_t(48));
    QCOMPARE(r.params.long_factors[2], 4.0);
  }

  void roundTripsInBothStyles_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("llama2 yarn old style") << "yarn";
    QTest::newRow("llama3.1 new style") << "llama3";
    QTest::newRow("phi3 longrope") << "longrope";
    QTest::newRow("deepseek yarn partial") << "deepseek";
    QTest::newRow("plain") << "plain";
  }
  void roundTripsInBothStyles() {
    QFETCH(QString, name);
    json source = name == "yarn"       ? llama2_yarn_old_style()
                  : name == "llama3"   ? llama31_new_style()
                  : name == "longrope" ? phi3_longrope()
                  : name == "deepseek" ? deepseek_yarn_partial()
                                       : json::parse(R"({"head_dim": 128, "rope_theta": 10000.0})");
    const HfRopeConfig first = read_hf_rope_config(source);
    for (HfRopeStyle style : {HfRopeStyle::RopeScaling, HfRopeStyle::RopeParameters}) {
      json written = source;
      write_hf_rope_config(first, style, written);
      QCOMPARE(written.contains("rope_scaling"), style == HfRopeStyle::RopeScaling);
      QCOMPARE(written.contains("rope_parameters"), style == HfRopeStyle::RopeParameters);
      const HfRopeConfig second = read_hf_rope_config(written);
      compare_params(first.params, second.params);
      QCOMPARE(second.extra_keys, first.extra_keys);
      QCOMPARE(second.original_window_at_top_level, first.original_window_at_top_level);
      // Model keys outside RoPE are untouched.
      if (source.contains("architectures")) QCOMPARE(written.at("architectures"), source.at("architectures"));
      // And writing once more changes nothing.
      json again = written;
      write_hf_rope_config(second, style, again);
      QCOMPARE(again, written);
    }
  }

  void writesHfShapedKeys() {
    const HfRopeConfig yarn = read_hf_rope_config(llama2_yarn_old_style());
    json old_style = json::object();
    write_hf_rope_config(yarn, HfRopeStyle::RopeScaling, old_style);
    QCOMPARE(old_style.at("rope_theta"), json(10000.0));
    QCOMPARE(old_style.at("rope_scaling").at("type"), json("yarn"));  // the source's key name is kept
    QCOMPARE(old_style.at("rope_scaling").at("factor"), json(16.0));
    QCOMPARE(old_style.at("rope_scaling").at("original_max_position_embeddings"), json(4096));
    QCOMPARE(old_style.at("rope_scaling").at("finetuned"), json(true));
    QCOMPARE(old_style.at("head_dim"), json(128));  // no hidden_size here to imply it

    json new_style = llama2_yarn_old_style();
    write_hf_rope_config(yarn, HfRopeStyle::RopeParameters, new_style);
    QVERIFY(!new_style.contains("rope_theta"));
    QVERIFY(!new_style.contains("head_dim"));  // 4096 / 32 already gives 128
    QCOMPARE(new_style.at("rope_parameters").at("rope_theta"), json(10000.0));

    HfRopeConfig plain;
    plain.params.head_dim = 64;
    json none_old = json::object();
    write_hf_rope_config(plain, HfRopeStyle::RopeScaling, none_old);
    QVERIFY(none_old.at("rope_scaling").is_null());
    json none_new = json::object();
    write_hf_rope_config(plain, HfRopeStyle::RopeParameters, none_new);
    QCOMPARE(none_new.at("rope_parameters").at("rope_type"), json("default"));
  }

  void malformedValuesNameTheKey_data() {
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("key");
    QTest::newRow("factor as string") << R"({"head_dim":128,"rope_scaling":{"rope_type":"linear","factor":"2"}})"
                                      << "rope_scaling.factor";
    QTest::newRow("negative factor") << R"({"head_dim":128,"rope_scaling":{"rope_type":"linear","factor":-2.0}})"
                                     << "factor";
    QTest::newRow("missing factor") << R"({"head_dim":128,"rope_scaling":{"rope_type":"linear"}})"
                                    << "rope_scaling.factor";
    QTest::newRow("negative window")
        << R"({"head_dim":128,"rope_scaling":{"rope_type":"yarn","factor":4.0,"original_max_position_embeddings":-4096}})"
        << "rope_scaling.original_max_position_embeddings";
    QTest::newRow("fractional window") << R"({"head_dim":128,"max_position_embeddings":4096.5})"
                                       << "max_position_embeddings";
    QTest::newRow("unknown type") << R"({"head_dim":128,"rope_parameters":{"rope_type":"xpos","rope_theta":1e4}})"
                                  << "rope_parameters.rope_type";
    QTest::newRow("theta as string") << R"({"head_dim":128,"rope_theta":"1e4"})" << "rope_theta";
    QTest::newRow("beta as list")
        << R"({"head_dim":128,"rope_scaling":{"rope_type":"yarn","factor":4.0,"beta_fast":[32],"original_max_position_embeddings":4096}})"
        << "rope_scaling.beta_fast";
    QTest::newRow("factor list entry")
        << R"({"head_dim":4,"original_max_position_embeddings":8,"rope_scaling":{"rope_type":"longrope","factor":2.0,"short_factor":[1,"x"],"long_factor":[1,2]}})"
        << "rope_scaling.short_factor[1]";
    QTest::newRow("no head dim") << R"({"rope_theta":1e4})" << "head_dim";
    QTest::newRow("truncate as string")
        << R"({"head_dim":128,"rope_scaling":{"rope_type":"yarn","factor":4.0,"truncate":"no","original_max_position_embeddings":4096}})"
        << "rope_scaling.truncate";
  }
  void malformedValuesNameTheKey() {
    QFETCH(QString, config);
    QFETCH(QString, key);
    try {
      read_hf_rope_config(json::parse(config.toStdString()));
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      QVERIFY2(std::string(e.what()).find(key.toStdString()) != std::string::npos, e.what());
    }
  }
};

QTEST_APPLESS_MAIN(TestHfRopeConfig)
#include "test_hf_rope_config.moc"
