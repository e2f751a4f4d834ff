// Loading and exporting without whole-model copies: models built in their
// dtype (DefaultDtypeScope, make_model), tensors read into their parameters'
// storage piece by piece (SafetensorsFile::read_into), conversion while loading
// equal to conversion afterwards, write_safetensors converting per tensor,
// sharded bf16 round trips, seeded init equal in every dtype up to rounding, and
// `pose model logits/generate --dtype`.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include "commands.h"
#include "common/error.h"
#include "common/json_file.h"
#include "model/default_dtype_scope.h"
#include "model/generate.h"
#include "model_io/hf_checkpoint.h"
#include "model/model_init.h"

#include <fstream>
#include <iterator>
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
  return rc;
}

ModelConfig llama_config() { return config_from_hf_json(pose::read_json_file(kLlamaFixture)); }

// A model built the plain way (fp32, LibTorch's default) and initialised.
LlamaForCausalLM reference_model(const ModelConfig& config, uint64_t seed) {
  LlamaForCausalLM m(config);
  init_weights(m, seed);
  return m;
}

// Equal bit for bit (torch::equal compares values; a 16-bit view compares bits).
bool same_bits(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
  const torch::ScalarType as_int = a.element_size() == 2 ? torch::kShort : a.element_size() == 4 ? torch::kInt : torch::kLong;
  return torch::equal(a.contiguous().view(as_int), b.contiguous().view(as_int));
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

torch::Tensor sample_ids() { return torch::tensor(std::vector<int64_t>{1, 5, 9, 33, 2, 70, 11, 4}, torch::kLong).unsqueeze(0); }

}  // namespace

class TestModelLeanIo : public QObject {
  Q_OBJECT
 private slots:
  void defaultDtypeScopeSetsAndRestores() {
    QCOMPARE(c10::get_default_dtype_as_scalartype(), torch::kFloat);
    {
      const DefaultDtypeScope outer(torch::kBFloat16);
      QCOMPARE(torch::ones({2}).scalar_type(), torch::kBFloat16);
      {
        const DefaultDtypeScope inner(torch::kHalf);
        QCOMPARE(torch::ones({2}).scalar_type(), torch::kHalf);
      }
      QCOMPARE(torch::ones({2}).scalar_type(), torch::kBFloat16);
      const DefaultDtypeScope same(torch::kBFloat16);  // no change, nothing to restore
    }
    QCOMPARE(c10::get_default_dtype_as_scalartype(), torch::kFloat);
    QVERIFY_THROWS_EXCEPTION(pose::UserError, DefaultDtypeScope(torch::kLong));
    QCOMPARE(c10::get_default_dtype_as_scalartype(), torch::kFloat);
  }

  void makeModelAllocatesInTheTargetDtype() {
    for (const torch::ScalarType dtype : {torch::kBFloat16, torch::kFloat, torch::kHalf}) {
      LlamaForCausalLM m = make_model(llama_config(), dtype);
      for (const auto& item : m->named_parameters()) QVERIFY2(item.value().scalar_type() == dtype, item.key().c_str());
    }
    QCOMPARE(c10::get_default_dtype_as_scalartype(), torch::kFloat);
  }

  // A bf16 checkpoint is read straight into bf16 parameters: the parameters keep
  // their storage (nothing replaced by a converted copy) and hold the file's bits.
  void bf16CheckpointLoadsIntoPlaceWithTheFilesBits() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString() + "/bf16";
    LlamaForCausalLM source = reference_model(llama_config(), 4);
    SaveOptions save;
    save.dtype = WeightDtype::BFloat16;
    save_hf_model(source, dir, save);
    const HfCheckpoint ck = read_hf_checkpoint(dir);
    QCOMPARE(stored_dtype(ck), torch::kBFloat16);

    LlamaForCausalLM m = make_model(ck.config, torch::kBFloat16);
    std::map<std::string, void*> storage;
    for (const auto& item : m->named_parameters()) storage[item.key()] = item.value().data_ptr();
    load_hf_weights(m, ck);
    const SafetensorsFile file(dir / kSingleWeightsFile);
    for (const auto& item : m->named_parameters()) {
      const char* name = item.key().c_str();
      QVERIFY2(item.value().scalar_type() == torch::kBFloat16, name);
      QVERIFY2(item.value().data_ptr() == storage[item.key()], name);
      QVERIFY2(same_bits(item.value(), file.tensor(item.key())), name);
    }

    LoadOptions as_stored;
    as_stored.dtype_as_stored = true;
    const LoadedModel loaded = load_hf_model(dir, as_stored);
    QCOMPARE(loaded.dtype, torch::kBFloat16);
    auto params = source->named_parameters();
    for (const auto& item : loaded.model->named_parameters()) {
      QVERIFY2(same_bits(item.value(), params[item.key()].to(torch::kBFloat16)), item.key().c_str());
    }
    QCOMPARE(c10::get_default_dtype_as_scalartype(), torch::kFloat);
  }

  void conversionWhileLoadingEqualsConvertingAfterwards() {
    QTemporaryDir tmp;
    const fs::path fp32_dir = tmp.path().toStdString() + "/fp32";
    const fs::path bf16_dir = tmp.path().toStdString() + "/bf16";
    LlamaForCausalLM source = reference_model(llama_config(), 8);
    save_hf_model(source, fp32_dir);
    SaveOptions save;
    save.dtype = WeightDtype::BFloat16;
    save_hf_model(source, bf16_dir, save);

    // fp32 file -> bf16 parameters, and the default (fp32) unchanged.
    LoadOptions to_bf16;
    to_bf16.dtype = torch::kBFloat16;
    const LoadedModel narrowed = load_hf_model(fp32_dir, to_bf16);
    const LoadedModel plain = load_hf_model(fp32_dir);
    QCOMPARE(plain.dtype, torch::kFloat);
    auto plain_params = plain.model->named_parameters();
    for (const auto& item : narrowed.model->named_parameters()) {
      QVERIFY2(same_bits(item.value(), plain_params[item.key()].to(torch::kBFloat16)), item.key().c_str());
      QVERIFY2(same_bits(plain_params[item.key()], source->named_parameters()[item.key()]), item.key().c_str());
    }
    // bf16 file -> fp32 parameters (the default): the file's values widened.
    const LoadedModel widened = load_hf_model(bf16_dir);
    QCOMPARE(widened.dtype, torch::kFloat);
    const SafetensorsFile file(bf16_dir / kSingleWeightsFile);
    for (const auto& item : widened.model->named_parameters()) {
      QVERIFY2(same_bits(item.value(), file.tensor(item.key()).to(torch::kFloat)), item.key().c_str());
    }
  }

  // Pieces of any size (down to one element), sources at offsets that are not
  // aligned for their element type, other dtypes and non-contiguous targets.
  void readIntoInPiecesAtAnyAlignment() {
    QTemporaryDir tmp;
    const fs::path p = fs::path(tmp.path().toStdString()) / "t.safetensors";
    torch::manual_seed(3);
    // "a" is 6 bytes, so "b" (fp32) and "c" (bf16) start at offsets not a multiple of 4.
    write_safetensors(p, {{"a", torch::randn({3}).to(torch::kHalf)},
                          {"b", torch::randn({37, 5})},
                          {"c", torch::randn({101}).to(torch::kBFloat16)}});
    const SafetensorsFile f(p);
    QCOMPARE(f.find("b")->begin % 4, uint64_t{2});
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{6}, std::size_t{64}, kSafetensorsCopyChunkBytes}) {
      const std::string at = "chunk " + std::to_string(chunk);
      for (const char* name : {"a", "b", "c"}) {
        const torch::Tensor expected = f.tensor(name);
        const torch::Tensor same = torch::full(expected.sizes(), 7.0, expected.options());
        f.read_into(name, same, chunk);
        QVERIFY2(same_bits(same, expected), (at + " " + name).c_str());
        const torch::Tensor wide = torch::zeros(expected.sizes(), torch::kDouble);
        f.read_into(name, wide, chunk);
        QVERIFY2(torch::equal(wide, expected.to(torch::kDouble)), (at + " " + name).c_str());
      }
      const torch::Tensor strided = torch::zeros({5, 37}).t();  // shape [37, 5], not contiguous
      f.read_into("b", strided, chunk);
      QVERIFY2(torch::equal(strided, f.tensor("b")), at.c_str());
    }
    try {
      f.read_into("b", torch::zeros({5, 37}));
      QFAIL("expected a shape error");
    } catch (const pose::UserError& e) {
      QVERIFY2(contains(e.what(), "'b'") && contains(e.what(), "[37, 5]"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(pose::UserError, f.read_into("missing", torch::zeros({1})));
  }

  // With a target dtype the file is the same, byte for byte, as one written from
  // tensors converted beforehand; integer tensors are left as they are.
  void writeWithTargetDtypeEqualsWritingConvertedTensors() {
    QTemporaryDir tmp;
    const fs::path direct = fs::path(tmp.path().toStdString()) / "direct.safetensors";
    const fs::path converted = fs::path(tmp.path().toStdString()) / "converted.safetensors";
    torch::manual_seed(5);
    const std::vector<std::pair<std::string, torch::Tensor>> tensors = {
        {"w", torch::randn({33, 7})},
        {"h", torch::randn({3}).to(torch::kHalf)},
        {"d", torch::randn({4, 2}, torch::kDouble).t()},  // non-contiguous
        {"n", torch::arange(9)},
        {"s", torch::tensor(1.5)},
    };
    write_safetensors(direct, tensors, {{"k", "v"}}, torch::kBFloat16);
    std::vector<std::pair<std::string, torch::Tensor>> before;
    for (const auto& [name, t] : tensors) {
      before.emplace_back(name, t.is_floating_point() ? t.to(torch::kBFloat16) : t);
    }
    write_safetensors(converted, before, {{"k", "v"}});

    const SafetensorsFile f(direct);
    for (const auto& [name, t] : before) {
      QCOMPARE(f.find(name)->dtype, safetensors_dtype_name(t.scalar_type()));
      QVERIFY2(same_bits(f.tensor(name), t.contiguous()), name.c_str());
    }
    QCOMPARE(f.find("n")->dtype, std::string("I64"));
    std::ifstream a(direct, std::ios::binary), b(converted, std::ios::binary);
    const std::string bytes_a((std::istreambuf_iterator<char>(a)), {}), bytes_b((std::istreambuf_iterator<char>(b)), {});
    QVERIFY(bytes_a == bytes_b);

    QVERIFY_THROWS_EXCEPTION(pose::UserError, write_safetensors(direct, tensors, {}, torch::kLong));
  }

  void shardedBf16SaveAndLoadRoundTrip() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString() + "/sharded";
    LlamaForCausalLM m = reference_model(llama_config(), 9);
    SaveOptions options;
    options.dtype = WeightDtype::BFloat16;
    options.max_shard_bytes = 10000;  // the tiny model is ~43 kB in bf16
    save_hf_model(m, dir, options);

    const HfCheckpoint ck = read_hf_checkpoint(dir);
    QVERIFY(ck.sharded);
    QVERIFY(ck.weight_files.size() >= 4);
    QCOMPARE(ck.dtypes, std::set<std::string>{"BF16"});
    QCOMPARE(static_cast<int64_t>(ck.tensor_bytes), ck.config.parameter_count() * 2);
    const json index = pose::read_json_file(dir / kWeightsIndexFile);
    QCOMPARE(index.at("metadata").at("total_size").get<uint64_t>(), ck.tensor_bytes);
    for (const auto& f : ck.weight_files) QVERIFY(fs::file_size(f) <= 10000 + 4096);
    // Shards are cut by the sizes written (bf16), not the parameters' (fp32).
    const fs::path fp32_dir = tmp.path().toStdString() + "/sharded_fp32";
    options.dtype = WeightDtype::Float32;
    save_hf_model(m, fp32_dir, options);
    QVERIFY(read_hf_checkpoint(fp32_dir).weight_files.size() > ck.weight_files.size() + 2);

    LoadOptions as_stored;
    as_stored.dtype_as_stored = true;
    const LoadedModel loaded = load_hf_model(dir, as_stored);
    QCOMPARE(loaded.dtype, torch::kBFloat16);
    auto params = m->named_parameters();
    for (const auto& item : loaded.model->named_parameters()) {
      QVERIFY2(same_bits(item.value(), params[item.key()].to(torch::kBFloat16)), item.key().c_str());
    }
  }

  // The seed gives the reference model's weights exactly in fp32, and the same
  // weights rounded to bf16 when written in bf16 — built directly in bf16.
  void initWithASeedGivesTheSameWeightsInEveryDtype() {
    QTemporaryDir tmp;
    const std::string fp32_dir = tmp.path().toStdString() + "/fp32";
    const std::string bf16_dir = tmp.path().toStdString() + "/bf16";
    QCOMPARE(cli({"model", "init", "--config", kQwenFixture, "--out", fp32_dir, "--seed", "7"}), 0);
    QCOMPARE(cli({"model", "init", "--config", kQwenFixture, "--out", bf16_dir, "--seed", "7", "--dtype", "bf16"}), 0);
    QCOMPARE(c10::get_default_dtype_as_scalartype(), torch::kFloat);

    const ModelConfig config = config_from_hf_json(pose::read_json_file(kQwenFixture));
    LlamaForCausalLM reference = reference_model(config, 7);
    LlamaForCausalLM built_bf16 = make_model(config, torch::kBFloat16);
    init_weights(built_bf16, 7);
    auto bf16_params = built_bf16->named_parameters();
    const SafetensorsFile fp32_file(fs::path(fp32_dir) / kSingleWeightsFile);
    const SafetensorsFile bf16_file(fs::path(bf16_dir) / kSingleWeightsFile);
    QCOMPARE(bf16_file.entries().size(), reference->named_parameters().size());
    for (const auto& item : reference->named_parameters()) {
      const char* name = item.key().c_str();
      const torch::Tensor rounded = item.value().to(torch::kBFloat16);
      QVERIFY2(same_bits(fp32_file.tensor(item.key()), item.value()), name);
      QVERIFY2(same_bits(bf16_file.tensor(item.key()), rounded), name);
      QVERIFY2(same_bits(bf16_params[item.key()], rounded), name);
    }
  }

  void logitsAndGenerateTakeADtype() {
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString() + "/bf16";
    const std::string out = tmp.path().toStdString() + "/logits.json";
    QCOMPARE(cli({"model", "init", "--config", kLlamaFixture, "--out", dir, "--seed", "3", "--dtype", "bf16"}), 0);
    const std::string ids = "1,5,9,33,2,70,11,4";

    LoadOptions as_stored;
    as_stored.dtype_as_stored = true;
    LoadedModel bf16 = load_hf_model(dir, as_stored);
    LoadedModel fp32 = load_hf_model(dir);
    torch::Tensor expected_bf16, expected_fp32;
    {
      torch::NoGradGuard no_grad;
      bf16.model->eval();
      fp32.model->eval();
      expected_bf16 = bf16.model->forward(sample_ids(), contiguous_positions(1, 8))[0].to(torch::kDouble);
      expected_fp32 = fp32.model->forward(sample_ids(), contiguous_positions(1, 8))[0].to(torch::kDouble);
    }
    QCOMPARE(expected_bf16.scalar_type(), torch::kDouble);

    for (const std::string dtype : {"auto", "bf16", "fp32", ""}) {
      std::vector<std::string> args = {"model", "logits", dir, "--ids", ids, "--out", out};
      if (!dtype.empty()) args.insert(args.end(), {"--dtype", dtype});
      std::string err;
      QCOMPARE(cli(args, nullptr, &err), 0);
      const json j = pose::read_json_file(out);
      const bool narrow = dtype == "auto" || dtype == "bf16";
      QCOMPARE(j.at("dtype").get<std::string>(), std::string(narrow ? "bfloat16" : "float32"));
      const torch::Tensor& expected = narrow ? expected_bf16 : expected_fp32;
      for (int64_t t = 0; t < 8; ++t) {
        for (int64_t v = 0; v < 96; v += 5) {
          QCOMPARE(j.at("logits")[t][v].get<double>(), expected[t][v].item<double>());
        }
      }
    }
    // bf16 computation stays within bf16's tolerance of the fp32 path.
    const double scale = expected_fp32.abs().max().item<double>();
    const double worst = (expected_bf16 - expected_fp32).abs().max().item<double>();
    QVERIFY2(worst <= 0.05 * scale, (std::to_string(worst) + " vs " + std::to_string(scale)).c_str());

    std::string err;
    QCOMPARE(cli({"model", "logits", dir, "--ids", ids, "--out", out, "--dtype", "int8"}, nullptr, &err), 2);
    QVERIFY2(contains(err, "--dtype"), err.c_str());
    // The CPU computes in fp32 or bf16: fp16 is refused, and auto reads fp16 weights into fp32.
    QCOMPARE(cli({"model", "logits", dir, "--ids", ids, "--out", out, "--dtype", "fp16"}, nullptr, &err), 2);
    QVERIFY2(contains(err, "fp32 or bf16"), err.c_str());
    const std::string fp16_dir = tmp.path().toStdString() + "/fp16";
    QCOMPARE(cli({"model", "init", "--config", kLlamaFixture, "--out", fp16_dir, "--dtype", "fp16"}), 0);
    QCOMPARE(stored_dtype(read_hf_checkpoint(fp16_dir)), torch::kHalf);
    QCOMPARE(cli({"model", "logits", fp16_dir, "--ids", ids, "--out", out, "--dtype", "auto"}), 0);
    QCOMPARE(pose::read_json_file(out).at("dtype").get<std::string>(), std::string("float32"));

    std::string tokens;
    QCOMPARE(cli({"model", "generate", dir, "--ids", ids, "--new", "3", "--dtype", "auto"}, &tokens), 0);
    GenerateOptions options;
    options.max_new_tokens = 3;
    const std::vector<int64_t> expected_tokens = generate_greedy(bf16.model, {1, 5, 9, 33, 2, 70, 11, 4}, options);
    std::string expected_text;
    for (std::size_t i = 0; i < expected_tokens.size(); ++i) expected_text += (i ? "," : "") + std::to_string(expected_tokens[i]);
    QCOMPARE(QString::fromStdString(tokens), QString::fromStdString(expected_text + "\n"));
  }
};

QTEST_APPLESS_MAIN(TestModelLeanIo)
#include "test_model_lean_io.moc"
