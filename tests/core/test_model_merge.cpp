// `pose model merge`: a PEFT adapter merged into its base model gives a plain
// HF directory whose outputs are the adapted model's, in the base's dtype, with
// the base's tokenizer and the RoPE the adapter was trained with; inputs that
// do not fit are refused with what to do.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "common/json_file.h"
#include "model_io/hf_checkpoint.h"
#include "lora/lora.h"
#include "model/model_init.h"
#include "model_io/safetensors.h"
#include "pose_cli_runner.h"
#include "tiny_training_fixture.h"

using namespace pose;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

model::LlamaForCausalLM tiny_model(const model::ModelConfig& config, uint64_t seed) {
  model::LlamaForCausalLM m(config);
  model::init_weights(m, seed);
  return m;
}

model::LoraConfig lora_config() {
  model::LoraConfig c;
  c.rank = 4;
  c.alpha = 8;
  c.targets = model::all_lora_targets();
  c.train_norms = true;
  return c;
}

// Attaches `config`'s adapters with random B (a zero B would merge to the base).
void attach_trained_lora(model::LlamaForCausalLM& m, const model::LoraConfig& config) {
  model::attach_lora(m, config, 3);
  torch::NoGradGuard no_grad;
  for (auto& p : model::trainable_parameters(m)) p.add_(torch::randn(p.sizes()) * 0.05);
}

torch::Tensor logits_of(model::LlamaForCausalLM& m) {
  torch::NoGradGuard no_grad;
  m->eval();
  const torch::Tensor ids = torch::arange(3, 3 + 24, torch::kLong).remainder(60).view({1, 24});
  return m->forward(ids, model::contiguous_positions(1, 24));
}

// `pose model merge ARGS...`: exit code, stdout and stderr.
struct Result {
  int code;
  std::string out;
  std::string err;
};
Result merge(std::vector<std::string> args) {
  args.insert(args.begin(), {"pose", "--log-level", "off", "--threads", "2", "model", "merge"});
  std::ostringstream out, err;
  const int code = cli::run_cli(args, out, err);
  return {code, out.str(), err.str()};
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A base model directory with a tokenizer.model and an adapter trained on it.
struct Inputs {
  QTemporaryDir tmp;
  fs::path root, base, adapter;
  torch::Tensor adapted;  // the adapted model's logits
  model::LlamaForCausalLM m{nullptr};

  explicit Inputs(model::WeightDtype base_dtype = model::WeightDtype::Float32, const json& extra = json::object()) {
    root = tmp.path().toStdString();
    base = root / "base";
    adapter = root / "adapter";
    const fs::path tok = root / "tok.model";
    { std::ofstream(tok) << "sentencepiece bytes"; }
    m = tiny_model(tiny_training_config(), 1);
    model::SaveOptions save;
    save.dtype = base_dtype;
    save.tokenizer_model = tok;
    model::save_hf_model(m, base, save);
    m = model::load_hf_model(base).model;  // the base as stored, in fp32
    attach_trained_lora(m, lora_config());
    adapted = logits_of(m);
    model::save_peft_adapter(m, lora_config(), adapter, base.string(), extra);
  }
};

}  // namespace

class TestModelMerge : public QObject {
  Q_OBJECT
 private slots:
  // The merged directory loads as a plain model with the adapted model's
  // logits, and `pose model logits` / `generate` run on it.
  void mergedModelGivesTheAdaptedOutputs() {
    Inputs in;
    const fs::path out_dir = in.root / "merged";
    const Result r = merge({in.base.string(), in.adapter.string(), out_dir.string(), "--dtype", "fp32"});
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY2(contains(r.out, "LoRA rank 4, alpha 8 (scaling 2)"), r.out.c_str());
    QVERIFY2(contains(r.out, "targets q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj"), r.out.c_str());
    QVERIFY2(contains(r.out, "14 adapted projections; norms taken from the adapter"), r.out.c_str());
    QVERIFY2(contains(r.out, "wrote " + out_dir.string()), r.out.c_str());
    QVERIFY2(!contains(r.out, "note:"), r.out.c_str());  // the adapter names this base

    const model::HfCheckpoint ck = model::read_hf_checkpoint(out_dir);
    for (const auto& [name, entry] : ck.tensors) QVERIFY2(!contains(name, "lora_"), name.c_str());
    QCOMPARE(ck.dtypes, std::set<std::string>{"F32"});
    QVERIFY(ck.tokenizer_model.has_value());
    QCOMPARE(fs::file_size(*ck.tokenizer_model), fs::file_size(in.base / model::kTokenizerFile));
    auto merged = model::load_hf_model(out_dir).model;
    const torch::Tensor logits = logits_of(merged);
    QVERIFY2(torch::allclose(logits, in.adapted, 1e-4, 1e-5),
             std::to_string((logits - in.adapted).abs().max().item<double>()).c_str());
    // Without the adapter the base differs by far more than the tolerance.
    auto base = model::load_hf_model(in.base).model;
    QVERIFY((logits_of(base) - in.adapted).abs().max().item<double>() > 1e-3);

    std::string text;
    QCOMPARE(run_pose({"model", "logits", out_dir.string(), "--ids", "1,2,3", "--out", (in.root / "l.json").string()}), 0);
    QCOMPARE(run_pose({"model", "generate", out_dir.string(), "--ids", "1,2,3", "--new", "4"}, &text), 0);
    QCOMPARE(std::count(text.begin(), text.end(), ','), std::ptrdiff_t{3});
  }

  // auto keeps a bf16 base in bf16, each weight rounded once from W + (α/r)BA
  // in fp32; fp32 writes the merge unrounded.
  void dtypeFollowsTheBase() {
    Inputs in(model::WeightDtype::BFloat16);
    // The reference: the stored base in fp32 (exact), the adapter merged.
    auto ref = model::load_hf_model(in.base).model;
    model::load_peft_adapter(ref, in.adapter);
    model::merge_lora(ref);

    const fs::path auto_dir = in.root / "auto", fp32_dir = in.root / "fp32";
    Result r = merge({in.base.string(), in.adapter.string(), auto_dir.string()});
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY2(contains(r.out, "bfloat16"), r.out.c_str());
    r = merge({in.base.string(), in.adapter.string(), fp32_dir.string(), "--dtype", "fp32"});
    QVERIFY2(r.code == 0, r.err.c_str());

    const model::SafetensorsFile bf16(auto_dir / model::kSingleWeightsFile), fp32(fp32_dir / model::kSingleWeightsFile);
    const auto expected = ref->named_parameters();
    QCOMPARE(bf16.entries().size(), expected.size());
    for (const auto& item : expected) {
      const torch::Tensor b = bf16.tensor(item.key()), f = fp32.tensor(item.key());
      QCOMPARE(b.scalar_type(), torch::kBFloat16);
      QVERIFY2(torch::equal(b, item.value().to(torch::kBFloat16)), item.key().c_str());
      QVERIFY2(torch::equal(f, item.value()), item.key().c_str());
    }
  }

  // A pose run's adapter names the config of the RoPE it was trained with: the
  // merged model takes it; --rope-from chooses another.
  void ropeIsTheAdaptersTrainingRope() {
    QTemporaryDir cfg_dir;
    const fs::path run_config = cfg_dir.path().toStdString() + "/config.json";
    json cfg = model::config_to_hf_json(tiny_training_config());
    cfg["rope_scaling"] = {{"rope_type", "linear"}, {"factor", 4.0}};
    cfg["max_position_embeddings"] = 256;
    write_json_file(run_config, cfg);
    Inputs in(model::WeightDtype::Float32, {{"pose_studio", {{"run", "linear-4x"}, {"rope_scaling_in", run_config.string()}}}});

    const fs::path out_dir = in.root / "merged";
    Result r = merge({in.base.string(), in.adapter.string(), out_dir.string()});
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY2(contains(r.out, "linear factor 4"), r.out.c_str());
    QVERIFY2(contains(r.out, "the adapter's training RoPE, from " + run_config.string()), r.out.c_str());
    json written = read_json_file(out_dir / model::kConfigFile);
    QCOMPARE(written.at("rope_scaling").at("factor").get<double>(), 4.0);
    QCOMPARE(written.at("max_position_embeddings").get<int64_t>(), int64_t{256});

    r = merge({in.base.string(), in.adapter.string(), out_dir.string(), "--force", "--rope-from", in.base.string()});
    QVERIFY2(r.code == 0, r.err.c_str());
    written = read_json_file(out_dir / model::kConfigFile);
    QVERIFY(written.at("rope_scaling").is_null());
    QCOMPARE(written.at("max_position_embeddings").get<int64_t>(), int64_t{64});

    // A config of another model shape is refused.
    cfg["hidden_size"] = 64;
    write_json_file(run_config, cfg);
    r = merge({in.base.string(), in.adapter.string(), out_dir.string(), "--force", "--rope-from", run_config.string()});
    QCOMPARE(r.code, 2);
    QVERIFY2(contains(r.err, "describes a model of another shape"), r.err.c_str());
  }

  void refusals() {
    Inputs in;
    const std::string base = in.base.string(), adapter = in.adapter.string();
    const fs::path out_dir = in.root / "out";

    Result r = merge({(in.root / "nope").string(), adapter, out_dir.string()});
    QCOMPARE(r.code, 2);
    QVERIFY2(contains(r.err, "BASE_DIR " + (in.root / "nope").string() + ": no such directory"), r.err.c_str());
    r = merge({base, (in.root / "nope").string(), out_dir.string()});
    QCOMPARE(r.code, 2);
    QVERIFY2(contains(r.err, "ADAPTER_DIR " + (in.root / "nope").string() + ": no such directory"), r.err.c_str());
    r = merge({base, adapter});
    QCOMPARE(r.code, 2);
    QVERIFY2(contains(r.err, "needs BASE_DIR ADAPTER_DIR OUT_DIR"), r.err.c_str());

    // The inputs are never written, --force or not; an existing directory needs --force.
    r = merge({base, adapter, base, "--force"});
    QCOMPARE(r.code, 2);
    QVERIFY2(contains(r.err, "is BASE_DIR"), r.err.c_str());
    r = merge({base, adapter, adapter, "--force"});
    QCOMPARE(r.code, 2);
    QVERIFY2(contains(r.err, "is ADAPTER_DIR"), r.err.c_str());
    fs::create_directories(out_dir);
    { std::ofstream(out_dir / "notes.txt") << "mine"; }
    r = merge({base, adapter, out_dir.string()});
    QCOMPARE(r.code, 2);
    QVERIFY2(contains(r.err, "exists and is not empty") && contains(r.err, "--force"), r.err.c_str());
    QVERIFY(!fs::exists(out_dir / model::kConfigFile));

    // PEFT variants computed otherwise are refused, naming the field.
    const fs::path dora = in.root / "dora";
    fs::copy(in.adapter, dora);
    json j = read_json_file(dora / model::kPeftConfigFile);
    j["use_dora"] = true;
    write_json_file(dora / model::kPeftConfigFile, j);
    r = merge({base, dora.string(), (in.root / "o2").string()});
    QCOMPARE(r.code, 2);
    QVERIFY2(contains(r.err, "use_dora is true"), r.err.c_str());
    QVERIFY(!fs::exists(in.root / "o2"));

    // An adapter trained on a wider model names the tensor and both shapes.
    json wide = model::config_to_hf_json(tiny_training_config());
    wide["hidden_size"] = 64;
    auto other = tiny_model(model::config_from_hf_json(wide), 2);
    attach_trained_lora(other, lora_config());
    const fs::path wide_adapter = in.root / "wide";
    model::save_peft_adapter(other, lora_config(), wide_adapter, base);
    r = merge({base, wide_adapter.string(), (in.root / "o3").string()});
    QCOMPARE(r.code, 2);
    QVERIFY2(contains(r.err, "has shape") && contains(r.err, "the model's is") && contains(r.err, "another size"), r.err.c_str());

    // ... and one trained on a model with fewer layers names what is missing.
    json shallow = model::config_to_hf_json(tiny_training_config());
    shallow["num_hidden_layers"] = 1;
    auto one_layer = tiny_model(model::config_from_hf_json(shallow), 2);
    attach_trained_lora(one_layer, lora_config());
    const fs::path shallow_adapter = in.root / "shallow";
    model::save_peft_adapter(one_layer, lora_config(), shallow_adapter, base);
    r = merge({base, shallow_adapter.string(), (in.root / "o4").string()});
    QCOMPARE(r.code, 2);
    QVERIFY2(contains(r.err, "no tensor for model.layers.1.") && contains(r.err, "fewer layers"), r.err.c_str());

    // An adapter naming another base is merged as asked, with a note.
    j = read_json_file(in.adapter / model::kPeftConfigFile);
    j["base_model_name_or_path"] = "meta-llama/Llama-2-7b-hf";
    write_json_file(in.adapter / model::kPeftConfigFile, j);
    r = merge({base, adapter, out_dir.string(), "--force"});
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY2(contains(r.out, "note: the adapter names base_model_name_or_path 'meta-llama/Llama-2-7b-hf'"), r.out.c_str());
    QVERIFY(fs::exists(out_dir / "notes.txt"));
    QVERIFY(fs::exists(out_dir / model::kConfigFile));
  }
};

QTEST_APPLESS_MAIN(TestModelMerge)
#include "test_model_merge.moc"
