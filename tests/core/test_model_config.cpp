// ModelConfig from and to HF config.json: both RoPE styles round-trip, family
// specifics (Qwen2 qkv bias, Mistral window, Llama-3 eos lists), validation
// errors that name the field.
#include <QtTest>

#include "common/error.h"
#include "common/json_file.h"
#include "model/model_config.h"

#include <nlohmann/json.hpp>

using namespace pose::model;
using nlohmann::json;
using pose::rope::HfRopeStyle;
using pose::rope::RopeMethod;

namespace {

json fixture(const char* name) { return pose::read_json_file(std::string(POSE_TEST_DATA_DIR) + "/model/" + name); }

// The error text of reading `j`, or "" when it reads.
std::string read_error(const json& j) {
  try {
    config_from_hf_json(j);
  } catch (const pose::UserError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

class TestModelConfig : public QObject {
  Q_OBJECT
 private slots:
  void ropeScalingStyleRoundTrips() {
    const json source = fixture("tiny_llama_yarn.json");
    const ModelConfig c = config_from_hf_json(source);
    QCOMPARE(c.family, ModelFamily::Llama);
    QCOMPARE(c.head_dim, int64_t{8});
    QCOMPARE(c.num_key_value_heads, int64_t{2});
    QCOMPARE(c.rope.style, HfRopeStyle::RopeScaling);
    QCOMPARE(c.rope_params().method, RopeMethod::Yarn);
    QCOMPARE(c.rope_params().factor, 4.0);
    QCOMPARE(c.rope_params().original_max_position.value(), 64);
    QCOMPARE(c.rope_params().max_position.value(), 256);
    QCOMPARE(c.eos_token_ids, std::vector<int64_t>{2});

    const json written = config_to_hf_json(c);
    QCOMPARE(written.at("rope_theta").get<double>(), 10000.0);
    QCOMPARE(written.at("rope_scaling").at("rope_type").get<std::string>(), std::string("yarn"));
    QVERIFY(!written.contains("rope_parameters"));
    QCOMPARE(written.at("transformers_version").get<std::string>(), std::string("4.46.0"));  // kept
    QCOMPARE(written.at("architectures")[0].get<std::string>(), std::string("LlamaForCausalLM"));

    const ModelConfig back = config_from_hf_json(written);
    QCOMPARE(back.rope_params().method, RopeMethod::Yarn);
    QCOMPARE(back.rope_params().factor, 4.0);
    QCOMPARE(back.rope_params().original_max_position.value(), 64);
    QCOMPARE(back.rope_params().beta_fast, c.rope_params().beta_fast);
    QCOMPARE(config_to_hf_json(back), written);  // a fixed point
  }

  void ropeParametersStyleRoundTrips() {
    const ModelConfig c = config_from_hf_json(fixture("tiny_qwen2_llama3_rope_parameters.json"));
    QCOMPARE(c.family, ModelFamily::Qwen2);
    QVERIFY(c.qkv_bias);
    QVERIFY(!c.o_proj_bias);
    QVERIFY(c.tie_word_embeddings);
    QCOMPARE(c.torch_dtype, WeightDtype::BFloat16);  // read from v5's "dtype"
    QCOMPARE(c.eos_token_ids, (std::vector<int64_t>{2, 3}));
    QCOMPARE(c.rope.style, HfRopeStyle::RopeParameters);
    QCOMPARE(c.rope_params().method, RopeMethod::Llama3);
    QCOMPARE(c.rope_params().base, 500000.0);

    const json written = config_to_hf_json(c);
    QVERIFY(!written.contains("rope_scaling"));
    QVERIFY(!written.contains("rope_theta"));
    QCOMPARE(written.at("rope_parameters").at("rope_theta").get<double>(), 500000.0);
    QCOMPARE(written.at("eos_token_id"), json({2, 3}));
    const ModelConfig back = config_from_hf_json(written);
    QCOMPARE(back.rope_params().method, RopeMethod::Llama3);
    QCOMPARE(back.rope_params().factor, 8.0);
    QCOMPARE(back.rope_params().high_freq_factor, 4.0);

    // Written in the other style on request, readable as the same parameters.
    const json legacy = config_to_hf_json(c, HfRopeStyle::RopeScaling);
    QVERIFY(!legacy.contains("rope_parameters"));
    QCOMPARE(legacy.at("rope_theta").get<double>(), 500000.0);
    const ModelConfig legacy_back = config_from_hf_json(legacy);
    QCOMPARE(legacy_back.rope_params().method, RopeMethod::Llama3);
    QCOMPARE(legacy_back.rope_params().base, 500000.0);
    QCOMPARE(legacy_back.rope.style, HfRopeStyle::RopeScaling);
  }

  void mistralWindowAndExplicitHeadDim() {
    const ModelConfig c = config_from_hf_json(fixture("tiny_mistral_window.json"));
    QCOMPARE(c.family, ModelFamily::Mistral);
    QCOMPARE(c.sliding_window.value(), int64_t{4});
    QCOMPARE(c.head_dim, int64_t{16});  // not hidden / heads = 8
    QCOMPARE(c.rope_params().head_dim, 16);
    QCOMPARE(c.rope_params().method, RopeMethod::None);
    const json written = config_to_hf_json(c);
    QCOMPARE(written.at("head_dim").get<int64_t>(), int64_t{16});
    QVERIFY(written.at("rope_scaling").is_null());
  }

  void parameterCountByHand() {
    ModelConfig c = config_from_hf_json(fixture("tiny_llama_yarn.json"));
    // embed 96*32, per layer: q 32*32, k,v 2*32*16, o 32*32, mlp 3*32*80, norms 64; final norm 32; lm_head 96*32
    const int64_t layer = 32 * 32 + 2 * 32 * 16 + 32 * 32 + 3 * 32 * 80 + 64;
    QCOMPARE(c.parameter_count(), 96 * 32 + 2 * layer + 32 + 96 * 32);
  }

  void validationNamesTheField() {
    const json good = fixture("tiny_llama_yarn.json");
    json j = good;
    j["num_attention_heads"] = 5;  // 32 % 5 != 0, no head_dim given
    QVERIFY2(contains(read_error(j), "num_attention_heads 5 does not divide hidden_size 32"), read_error(j).c_str());
    j = good;
    j["num_key_value_heads"] = 3;
    QVERIFY2(contains(read_error(j), "num_key_value_heads: 3 does not divide num_attention_heads 4"), read_error(j).c_str());
    j = good;
    j["vocab_size"] = 0;
    QVERIFY2(contains(read_error(j), "vocab_size: 0"), read_error(j).c_str());
    j = good;
    j.erase("intermediate_size");
    QVERIFY2(contains(read_error(j), "intermediate_size is missing"), read_error(j).c_str());
    j = good;
    j["hidden_size"] = "32";
    QVERIFY2(contains(read_error(j), "hidden_size"), read_error(j).c_str());
    j = good;
    j["model_type"] = "gpt2";
    QVERIFY2(contains(read_error(j), "'gpt2' is not supported") && contains(read_error(j), "llama, mistral or qwen2"),
             read_error(j).c_str());
    j = good;
    j["hidden_act"] = "gelu";
    QVERIFY2(contains(read_error(j), "hidden_act"), read_error(j).c_str());
    j = good;
    j["rope_scaling"]["rope_type"] = "warp";
    QVERIFY2(contains(read_error(j), "rope_type 'warp'"), read_error(j).c_str());
    j = good;
    j["rms_norm_eps"] = -1.0;
    QVERIFY2(contains(read_error(j), "rms_norm_eps"), read_error(j).c_str());
    j = good;
    j["torch_dtype"] = "int4";
    QVERIFY2(contains(read_error(j), "torch_dtype"), read_error(j).c_str());
    QVERIFY(read_error(good).empty());
  }
};

QTEST_APPLESS_MAIN(TestModelConfig)
#include "test_model_config.moc"
