// HF checkpoint directories: `pose model init` output reads back to identical
// logits, bf16 storage, sharding with an index, tokenizer copy, and errors that
// name missing, unexpected and wrong-shape tensors.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include "commands.h"
#include "common/error.h"
#include "common/json_file.h"
#include "model_io/hf_checkpoint.h"
#include "model/model_init.h"
#include "text/tokenizer.h"

#include <fstream>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

using namespace pose::model;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kLlamaFixture = std::string(POSE_TEST_DATA_DIR) + "/model/tiny_llama_yarn.json";
const std::string kQwenFixture = std::string(POSE_TEST_DATA_DIR) + "/model/tiny_qwen2_llama3_rope_parameters.json";

int cli(const std::vector<std::string>& args, std::string* out_text = nullptr, std::string* err_text = nullptr) {
  std::vector<std::string> argv = {"pose", "--log-level", "warn"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::ostringstream out, err;
  const int rc = pose::cli::run_cli(argv, out, err);
  if (out_text) *out_text = out.str();
  if (err_text) *err_text = err.str();
  if (rc != 0) qWarning("pose %s: %s", args.empty() ? "" : args[0].c_str(), err.str().c_str());
  return rc;
}

torch::Tensor sample_ids() { return torch::tensor(std::vector<int64_t>{1, 5, 9, 33, 2, 70, 11, 4}, torch::kLong).unsqueeze(0); }

torch::Tensor logits_of(LlamaForCausalLM& m) {
  torch::NoGradGuard no_grad;
  m->eval();
  return m->forward(sample_ids(), contiguous_positions(1, 8) * 5);
}

// Rewrites model.safetensors through `edit`.
void edit_weights(const fs::path& dir, const std::function<void(std::vector<std::pair<std::string, torch::Tensor>>&)>& edit) {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  {
    const SafetensorsFile f(dir / kSingleWeightsFile);
    for (const auto& e : f.entries()) tensors.emplace_back(e.name, f.tensor(e.name));
  }
  edit(tensors);
  write_safetensors(dir / kSingleWeightsFile, tensors);
}

std::string load_error(const fs::path& dir) {
  try {
    load_hf_model(dir);
  } catch (const pose::UserError& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

class TestModelCheckpoint : public QObject {
  Q_OBJECT
 private slots:
  void initThenLoadGivesBitIdenticalLogits() {
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString() + "/tiny";
    QCOMPARE(cli({"model", "init", "--config", kLlamaFixture, "--out", dir, "--seed", "5"}), 0);
    QVERIFY(fs::exists(fs::path(dir) / "config.json"));
    QVERIFY(fs::exists(fs::path(dir) / "model.safetensors"));

    LoadedModel loaded = load_hf_model(dir);
    const ModelConfig config = config_from_hf_json(pose::read_json_file(kLlamaFixture));
    LlamaForCausalLM fresh(config);
    init_weights(fresh, 5);
    QVERIFY(torch::equal(logits_of(loaded.model), logits_of(fresh)));
    // The seed matters.
    LlamaForCausalLM other(config);
    init_weights(other, 6);
    QVERIFY(!torch::equal(logits_of(loaded.model), logits_of(other)));

    // HF init: norms 1, weights ~ N(0, 0.02).
    auto params = loaded.model->named_parameters();
    QVERIFY(torch::equal(params["model.norm.weight"], torch::ones({32})));
    const double std = params["model.layers.0.mlp.up_proj.weight"].std().item<double>();
    QVERIFY2(std > 0.017 && std < 0.023, std::to_string(std).c_str());

    std::string text;
    QCOMPARE(cli({"model", "info", dir, "--json"}, &text), 0);
    const json info = json::parse(text);
    QCOMPARE(info.at("parameter_count").get<int64_t>(), config.parameter_count());
    QCOMPARE(info.at("tensor_count").get<int64_t>(), int64_t{2 * 9 + 3});
    QCOMPARE(info.at("tensor_bytes").get<int64_t>(), config.parameter_count() * 4);
    QCOMPARE(info.at("rope").at("method").get<std::string>(), std::string("yarn"));
    QCOMPARE(info.at("rope").at("style").get<std::string>(), std::string("rope_scaling"));
    QCOMPARE(info.at("tensor_dtypes"), json({"F32"}));
    QCOMPARE(cli({"model", "info", dir}, &text), 0);
    QVERIFY(contains(text, "yarn factor 4"));

    // config.json keeps the input's style, with rope_theta beside rope_scaling.
    const json written = pose::read_json_file(fs::path(dir) / "config.json");
    QCOMPARE(written.at("rope_scaling").at("factor").get<double>(), 4.0);
    QCOMPARE(written.at("rope_theta").get<double>(), 10000.0);
  }

  void logitsCommandWritesTheForward() {
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString() + "/tiny";
    const std::string out = tmp.path().toStdString() + "/logits.json";
    QCOMPARE(cli({"model", "init", "--config", kLlamaFixture, "--out", dir, "--seed", "3"}), 0);
    QCOMPARE(cli({"model", "logits", dir, "--ids", "1,5,9,33,2,70,11,4", "--positions", "0,5,10,15,20,25,30,35",
                  "--out", out}),
             0);
    const json j = pose::read_json_file(out);
    LoadedModel loaded = load_hf_model(dir);
    const torch::Tensor expected = logits_of(loaded.model)[0];
    QCOMPARE(j.at("logits").size(), std::size_t(8));
    QCOMPARE(j.at("logits")[0].size(), std::size_t(96));
    for (int64_t t = 0; t < 8; ++t) {
      for (int64_t v = 0; v < 96; v += 7) {
        QCOMPARE(static_cast<float>(j.at("logits")[t][v].get<double>()), expected[t][v].item<float>());
      }
    }
    std::string err;
    QCOMPARE(cli({"model", "logits", dir, "--ids", "1,2", "--positions", "0", "--out", out}, nullptr, &err), 2);
    QVERIFY(contains(err, "--positions"));
    QCOMPARE(cli({"model", "logits", dir, "--ids", "1,2", "--out", out, "--kernal", "eager"}, nullptr, &err), 2);
    QVERIFY(contains(err, "did you mean --kernel"));
  }

  void bfloat16CheckpointInRopeParametersStyle() {
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString() + "/qwen";
    QCOMPARE(cli({"model", "init", "--config", kQwenFixture, "--out", dir, "--seed", "1", "--dtype", "bf16"}), 0);
    const HfCheckpoint ck = read_hf_checkpoint(dir);
    QCOMPARE(ck.dtypes, std::set<std::string>{"BF16"});
    QVERIFY(!ck.tensors.count("lm_head.weight"));  // tied
    QVERIFY(ck.tensors.count("model.layers.1.self_attn.q_proj.bias"));
    QVERIFY(!ck.tensors.count("model.layers.1.self_attn.o_proj.bias"));
    const json written = pose::read_json_file(fs::path(dir) / "config.json");
    QCOMPARE(written.at("torch_dtype").get<std::string>(), std::string("bfloat16"));
    QVERIFY(written.contains("rope_parameters"));
    QVERIFY(!written.contains("rope_scaling"));

    LoadOptions bf16;
    bf16.dtype = torch::kBFloat16;
    LoadedModel loaded = load_hf_model(dir, bf16);
    LlamaForCausalLM fresh(ck.config);
    init_weights(fresh, 1);
    auto a = loaded.model->named_parameters();
    for (const auto& item : fresh->named_parameters()) {
      QVERIFY2(torch::equal(a[item.key()], item.value().to(torch::kBFloat16)), item.key().c_str());
    }
  }

  void shardedCheckpointWithIndex() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString() + "/sharded";
    const ModelConfig config = config_from_hf_json(pose::read_json_file(kLlamaFixture));
    LlamaForCausalLM m(config);
    init_weights(m, 9);
    SaveOptions options;
    options.max_shard_bytes = 20000;  // the tiny model is ~85 kB
    save_hf_model(m, dir, options);
    QVERIFY(fs::exists(dir / kWeightsIndexFile));
    QVERIFY(!fs::exists(dir / kSingleWeightsFile));

    const HfCheckpoint ck = read_hf_checkpoint(dir);
    QVERIFY(ck.sharded);
    QVERIFY(ck.weight_files.size() >= 4);
    QCOMPARE(ck.weight_files.front().filename().string(), shard_file_name(1, ck.weight_files.size()));
    const json index = pose::read_json_file(dir / kWeightsIndexFile);
    QCOMPARE(index.at("metadata").at("total_size").get<uint64_t>(), ck.tensor_bytes);
    QCOMPARE(index.at("weight_map").at("model.embed_tokens.weight").get<std::string>(), shard_file_name(1, ck.weight_files.size()));
    for (const auto& f : ck.weight_files) QVERIFY(fs::file_size(f) <= 20000 + 4096);

    LoadedModel loaded = load_hf_model(dir);
    QVERIFY(torch::equal(logits_of(loaded.model), logits_of(m)));

    // A shard named in the index but missing is named in the error.
    const fs::path moved = dir / "moved";
    fs::rename(ck.weight_files.back(), moved);
    QVERIFY2(contains(load_error(dir), ck.weight_files.back().filename().string()), load_error(dir).c_str());
    fs::rename(moved, ck.weight_files.back());

    // Saving unsharded over it leaves one consistent layout.
    save_hf_model(m, dir);
    QVERIFY(!fs::exists(dir / kWeightsIndexFile));
    QVERIFY(!fs::exists(ck.weight_files.front()));
    QVERIFY(!read_hf_checkpoint(dir).sharded);
  }

  void missingUnexpectedAndWrongShapeTensorsAreNamed() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString() + "/tiny";
    QCOMPARE(cli({"model", "init", "--config", kLlamaFixture, "--out", dir.string()}), 0);

    edit_weights(dir, [](auto& tensors) {
      tensors.erase(std::remove_if(tensors.begin(), tensors.end(),
                                   [](const auto& t) { return t.first == "model.layers.1.mlp.down_proj.weight"; }),
                    tensors.end());
    });
    std::string message = load_error(dir);
    QVERIFY2(contains(message, "missing: model.layers.1.mlp.down_proj.weight"), message.c_str());

    edit_weights(dir, [](auto& tensors) {
      tensors.emplace_back("model.layers.1.mlp.down_proj.weight", torch::zeros({32, 80}));
      tensors.emplace_back("model.layers.2.self_attn.q_proj.weight", torch::zeros({32, 32}));
      tensors.emplace_back("model.layers.0.self_attn.rotary_emb.inv_freq", torch::zeros({4}));  // ignored, as in HF
    });
    message = load_error(dir);
    QVERIFY2(contains(message, "unexpected tensor(s): model.layers.2.self_attn.q_proj.weight"), message.c_str());

    edit_weights(dir, [](auto& tensors) {
      tensors.erase(std::remove_if(tensors.begin(), tensors.end(),
                                   [](const auto& t) { return t.first.find("layers.2") != std::string::npos; }),
                    tensors.end());
      for (auto& t : tensors) {
        if (t.first == "model.layers.0.self_attn.k_proj.weight") t.second = torch::zeros({32, 32});
      }
    });
    message = load_error(dir);
    QVERIFY2(contains(message, "model.layers.0.self_attn.k_proj.weight [32, 32] (expected [16, 32])"), message.c_str());
  }

  void directoryErrors() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    QVERIFY(contains(load_error(dir / "nope"), "not a directory"));
    QVERIFY(contains(load_error(dir), "no config.json"));
    json config = pose::read_json_file(kLlamaFixture);
    pose::write_json_file(dir / "config.json", config);
    QVERIFY(contains(load_error(dir), "no model.safetensors"));
    { std::ofstream(dir / "pytorch_model.bin") << "x"; }
    QVERIFY(contains(load_error(dir), "safe_serialization=True"));
    config["model_type"] = "gemma";
    pose::write_json_file(dir / "config.json", config);
    QVERIFY(contains(load_error(dir), "model_type 'gemma' is not supported"));

    std::string err;
    QCOMPARE(cli({"model", "init", "--config", kLlamaFixture}, nullptr, &err), 2);
    QVERIFY(contains(err, "--out"));
    QCOMPARE(cli({"model", "frob"}, nullptr, &err), 2);
    QVERIFY(contains(err, "unknown subcommand 'frob'"));
  }

  void tokenizerIsCopied() {
    QTemporaryDir tmp;
    const fs::path tok = tmp.path().toStdString() + "/my.model";
    { std::ofstream(tok) << "sentencepiece bytes"; }
    const std::string dir = tmp.path().toStdString() + "/with_tok";
    QCOMPARE(cli({"model", "init", "--config", kLlamaFixture, "--out", dir, "--tokenizer", tok.string(),
                  "--rope-style", "rope_parameters"}),
             0);
    const HfCheckpoint ck = read_hf_checkpoint(dir);
    QVERIFY(ck.tokenizer_model.has_value());
    QCOMPARE(fs::file_size(*ck.tokenizer_model), fs::file_size(tok));
    QCOMPARE(ck.config.rope.style, pose::rope::HfRopeStyle::RopeParameters);
  }

  // --prompt TEXT: encoded with the directory's tokenizer.model (BOS first), the
  // continuation printed as text; the same tokens as --ids with that encoding.
  void generateTakesAPromptAsTextAndPrintsText() {
    QTemporaryDir tmp;
    const std::string root = tmp.path().toStdString();
    const std::string tok = root + "/tok.model";
    QCOMPARE(cli({"tokenizer", "train", "--corpus", "bible-kjv", "--vocab", "400", "--out", tok}), 0);
    json config = pose::read_json_file(kLlamaFixture);
    config["vocab_size"] = 400;
    pose::write_json_file(root + "/config.json", config);
    const std::string dir = root + "/with_tok";
    QCOMPARE(cli({"model", "init", "--config", root + "/config.json", "--out", dir, "--tokenizer", tok, "--seed", "3"}), 0);

    const pose::text::Tokenizer tokenizer = pose::text::Tokenizer::load(tok);
    const std::string prompt = "In the beginning God created";
    const std::vector<int32_t> prompt_ids = tokenizer.encode(prompt, /*add_bos=*/true);
    QCOMPARE(prompt_ids.front(), tokenizer.bos_id());
    std::string ids_arg;
    for (const int32_t id : prompt_ids) ids_arg += (ids_arg.empty() ? "" : ",") + std::to_string(id);

    std::string as_ids, as_text;
    QCOMPARE(cli({"model", "generate", dir, "--ids", ids_arg, "--new", "6"}, &as_ids), 0);
    QCOMPARE(cli({"model", "generate", dir, "--prompt", prompt, "--new", "6"}, &as_text), 0);
    std::vector<int32_t> all_ids = prompt_ids;
    std::stringstream list(as_ids);
    for (std::string item; std::getline(list, item, ',');) all_ids.push_back(std::stoi(item));
    QVERIFY(all_ids.size() > prompt_ids.size());
    const std::string head = tokenizer.decode(prompt_ids), whole = tokenizer.decode(all_ids);
    QVERIFY(whole.rfind(head, 0) == 0);
    QCOMPARE(QString::fromStdString(as_text), QString::fromStdString(whole.substr(head.size()) + "\n"));

    std::string err;
    QCOMPARE(cli({"model", "generate", dir, "--prompt", prompt, "--ids", "1,2"}, nullptr, &err), 2);
    QVERIFY(contains(err, "--prompt and --ids"));
    const std::string bare = root + "/no_tok";
    QCOMPARE(cli({"model", "init", "--config", root + "/config.json", "--out", bare}), 0);
    QCOMPARE(cli({"model", "generate", bare, "--prompt", prompt}, nullptr, &err), 2);
    QVERIFY(contains(err, "has no tokenizer.model"));
  }

  void runRopeIsWrittenIntoConfig() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString() + "/extended";
    const ModelConfig config = config_from_hf_json(pose::read_json_file(kLlamaFixture));
    LlamaForCausalLM m(config);
    init_weights(m, 2);
    SaveOptions options;
    pose::rope::HfRopeConfig run_rope;
    run_rope.params.method = pose::rope::RopeMethod::Linear;
    run_rope.params.factor = 8.0;
    run_rope.params.max_position = 512;
    options.rope = run_rope;
    save_hf_model(m, dir, options);
    const json written = pose::read_json_file(dir / "config.json");
    QCOMPARE(written.at("rope_scaling").at("rope_type").get<std::string>(), std::string("linear"));
    QCOMPARE(written.at("rope_scaling").at("factor").get<double>(), 8.0);
    QCOMPARE(written.at("max_position_embeddings").get<int64_t>(), int64_t{512});
    QVERIFY(written.contains("rope_theta"));
  }
};

QTEST_APPLESS_MAIN(TestModelCheckpoint)
#include "test_model_checkpoint.moc"
