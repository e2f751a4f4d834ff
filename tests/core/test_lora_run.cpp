// LoRA end to end through `pose run`: a LoRA PoSE run of the default
// experiment's model with dropout and activation checkpointing trains, is
// SIGKILLed mid-training and resumed with the uninterrupted losses, writes a
// PEFT adapter and a merged export whose logits equal base + adapter (and
// which `pose model merge` of base and adapter writes byte for byte); and a
// LoRA run extends an HF-directory base model.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <signal.h>

#include <fstream>
#include <iterator>

#include "common/json_file.h"
#include "experiment/cost_estimate.h"
#include "model_io/hf_checkpoint.h"
#include "lora/lora.h"
#include "pose_cli_runner.h"
#include "results/metric_names.h"
#include "store/experiment_store.h"

using nlohmann::json;
namespace fs = std::filesystem;
using pose::store::ExperimentStore;

namespace {

const std::string kSpec = std::string(POSE_SOURCE_DIR) + "/experiments/micro-pose.json";
const std::string kRun = "pose-lora";

// The quick preset's model and base stage, one LoRA PoSE run, a short
// perplexity evaluation.
json lora_spec() {
  json spec = pose::read_json_file(kSpec);
  spec["name"] = "micro-lora";
  spec["presets"]["quick"].erase("evaluation");
  spec["evaluation"] = {{"perplexity", {{"lengths", {256, 1024}}, {"max_tokens", 1024}}}};
  json run = spec["extend"][4];  // pose-linear
  run["name"] = kRun;
  run["steps"] = 12;
  run["checkpoint_every"] = 3;
  run["lr"] = 0.003;
  run["activation_checkpointing"] = true;
  run["lora"] = {{"rank", 4}, {"alpha", 8}, {"dropout", 0.05},
                 {"targets", {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}},
                 {"train_norms", true}};
  spec["extend"] = json::array({run});
  return spec;
}

std::vector<pose::store::MetricPoint> series(const std::string& store_file, const std::string& experiment,
                                             const std::string& run, const std::string& name) {
  auto st = ExperimentStore::open(store_file, ExperimentStore::Mode::ReadOnly);
  const auto e = st.find_experiment(experiment);
  if (!e) return {};
  const auto r = st.find_run(e->id, run);
  if (!r) return {};
  return st.metric_series(r->id, name);
}

std::vector<double> losses(const std::string& store, const std::string& experiment, const std::string& run) {
  std::vector<double> v;
  for (const auto& p : series(store, experiment, run, pose::results::kTrainLoss)) v.push_back(p.value);
  return v;
}

std::string status_of(const std::string& store, const std::string& experiment, const std::string& run) {
  auto st = ExperimentStore::open(store, ExperimentStore::Mode::ReadOnly);
  const auto e = st.find_experiment(experiment);
  const auto r = e ? st.find_run(e->id, run) : std::nullopt;
  return r ? pose::store::to_string(r->status) : "absent";
}

torch::Tensor logits_of(pose::model::LlamaForCausalLM& m, int64_t tokens) {
  torch::NoGradGuard no_grad;
  m->eval();
  const torch::Tensor ids = (torch::arange(tokens, torch::kLong) * 7 + 5).remainder(m->config().vocab_size).view({1, tokens});
  return m->forward(ids, pose::model::contiguous_positions(1, tokens));
}

// The LoRA run's training settings as the spec parser resolves them.
pose::train::TrainingSettings spec_run_settings() {
  const auto spec = pose::experiment::parse_experiment_spec(lora_spec(), {}, "quick");
  return spec.extend.at(0).training;
}

}  // namespace

class TestLoraRun : public QObject {
  Q_OBJECT
 private slots:
  void killedLoraRunResumesAndExportsTheMergedModel() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    pose::write_json_file(d + "/spec.json", lora_spec());
    const std::string ref_store = d + "/ref.sqlite", ref_work = d + "/ref";
    QCOMPARE(run_pose({"run", d + "/spec.json", "--preset", "quick", "--store", ref_store, "--work-dir", ref_work}), 0);
    QCOMPARE(QString::fromStdString(status_of(ref_store, "micro-lora", kRun)), QStringLiteral("done"));
    const auto reference = losses(ref_store, "micro-lora", kRun);
    QCOMPARE(reference.size(), std::size_t(12));
    const double first = (reference[0] + reference[1] + reference[2]) / 3, last = (reference[9] + reference[10] + reference[11]) / 3;
    QVERIFY2(last < first, (std::to_string(first) + " -> " + std::to_string(last)).c_str());

    // The adapter alone and the merged model: base + adapter gives the merged model's logits.
    const fs::path run_dir = fs::path(ref_work) / "runs" / kRun;
    QVERIFY(fs::exists(run_dir / "adapter" / pose::model::kPeftConfigFile));
    QVERIFY(fs::exists(run_dir / "adapter" / pose::model::kPeftWeightsFile));
    auto merged = pose::model::load_hf_model(run_dir / "model").model;
    for (const auto& item : merged->named_parameters()) QVERIFY2(item.key().find("lora") == std::string::npos, item.key().c_str());
    // The base's weights under the run's RoPE (the merged config), then the adapter.
    pose::model::LlamaForCausalLM adapted(merged->config());
    pose::model::load_hf_weights(adapted, pose::model::read_hf_checkpoint(fs::path(ref_work) / "runs" / "base" / "model"));
    const auto config = pose::model::load_peft_adapter(adapted, run_dir / "adapter");
    QCOMPARE(config.rank, int64_t{4});
    QVERIFY(config.train_norms);
    const torch::Tensor a = logits_of(adapted, 600), m = logits_of(merged, 600);  // beyond Lc = 256
    QVERIFY2(torch::allclose(a, m, 1e-4, 1e-4), std::to_string((a - m).abs().max().item<double>()).c_str());
    // `pose model merge` of the base and the adapter writes the run's export:
    // the adapter names the config of its RoPE, and the weights are the same bytes.
    const fs::path cli_merged = fs::path(d) / "cli-merged";
    QCOMPARE(run_pose({"model", "merge", (fs::path(ref_work) / "runs" / "base" / "model").string(),
                       (run_dir / "adapter").string(), cli_merged.string()}),
             0);
    QCOMPARE(pose::read_json_file(cli_merged / pose::model::kConfigFile),
             pose::read_json_file(run_dir / "model" / pose::model::kConfigFile));
    const auto bytes = [](const fs::path& file) {
      std::ifstream in(file, std::ios::binary);
      return std::string(std::istreambuf_iterator<char>(in), {});
    };
    QVERIFY(bytes(cli_merged / pose::model::kSingleWeightsFile) == bytes(run_dir / "model" / pose::model::kSingleWeightsFile));
    // The stored counts are the adapted model's.
    const auto counts = pose::model::count_parameters(adapted);
    const auto trainable = series(ref_store, "micro-lora", kRun, pose::results::kRunTrainableParameters);
    const auto total = series(ref_store, "micro-lora", kRun, pose::results::kRunParameters);
    QCOMPARE(trainable.size(), std::size_t(1));
    QCOMPARE(static_cast<int64_t>(trainable[0].value), counts.trainable);
    QCOMPARE(static_cast<int64_t>(total[0].value), counts.total);
    QVERIFY(counts.trainable < counts.total / 4);
    // ... and the cost estimate's: trainable parameters, and AdamW's two fp32 moments for them alone.
    const auto estimate = pose::experiment::estimate_training_cost(
        adapted->config(), 256, 2, 1, pose::experiment::engine_cost_options(adapted->config(), spec_run_settings(), pose::experiment::CostDevice::Cpu));
    QCOMPARE(estimate.trainable_parameters, counts.trainable);
    QCOMPARE(estimate.parameters, counts.total);
    QCOMPARE(estimate.memory.optimizer, 8.0 * static_cast<double>(counts.trainable));

    // The same run in a child process, killed once the LoRA run has a checkpoint.
    const std::string store = d + "/kill.sqlite", work = d + "/kill";
    QProcess child;
    child.start(QStringLiteral(POSE_BINARY_DIR "/bin/pose"),
                {"--log-level", "warn", "--threads", "2", "run", QString::fromStdString(d + "/spec.json"), "--preset",
                 "quick", "--store", QString::fromStdString(store), "--work-dir", QString::fromStdString(work)});
    QVERIFY(child.waitForStarted());
    const fs::path checkpoint = fs::path(work) / "runs" / kRun / "checkpoint.pt";
    QElapsedTimer timer;
    timer.start();
    while (!fs::exists(checkpoint) && timer.elapsed() < 300000 && child.state() == QProcess::Running) QTest::qWait(10);
    QVERIFY2(fs::exists(checkpoint), child.readAllStandardError().constData());
    QCOMPARE(child.state(), QProcess::Running);
    ::kill(static_cast<pid_t>(child.processId()), SIGKILL);
    QVERIFY(child.waitForFinished());
    QVERIFY2(losses(store, "micro-lora", kRun).size() < 12, "the run ended before it could be killed");

    QCOMPARE(run_pose({"run", d + "/spec.json", "--preset", "quick", "--store", store, "--work-dir", work, "--resume"}), 0);
    QCOMPARE(QString::fromStdString(status_of(store, "micro-lora", kRun)), QStringLiteral("done"));
    const auto resumed = losses(store, "micro-lora", kRun);
    QCOMPARE(resumed.size(), reference.size());
    for (std::size_t i = 0; i < reference.size(); ++i) QCOMPARE(resumed[i], reference[i]);  // bit-exact

    // A LoRA run of an HF-directory base: the base this experiment exported.
    json hf = lora_spec();
    hf["name"] = "hf-lora";
    // No train_len: Lc is the directory's max_position_embeddings (256).
    hf["base_model"] = {{"kind", "hf"}, {"path", (fs::path(ref_work) / "runs" / "base" / "model").string()}};
    hf["extend"].push_back({{"name", "original"}, {"rope", {{"method", "none"}}}, {"strategy", "none"}});
    hf["data"].erase("tokenizer");
    hf["data"].erase("passkey_share");
    hf["presets"]["quick"].erase("base_model");
    hf["presets"]["quick"]["data"].erase("tokenizer");
    hf["extend"][0]["steps"] = 6;
    hf["extend"][0]["lora"]["train_embeddings"] = true;
    pose::write_json_file(d + "/hf.json", hf);
    QCOMPARE(run_pose({"run", d + "/hf.json", "--preset", "quick", "--store", ref_store, "--work-dir", d + "/hf"}), 0);
    QCOMPARE(QString::fromStdString(status_of(ref_store, "hf-lora", kRun)), QStringLiteral("done"));
    const auto hf_losses = losses(ref_store, "hf-lora", kRun);
    QCOMPARE(hf_losses.size(), std::size_t(6));
    QVERIFY2(hf_losses.back() < hf_losses.front(), (std::to_string(hf_losses.front()) + " -> " + std::to_string(hf_losses.back())).c_str());
    QVERIFY(fs::exists(fs::path(d) / "hf" / "runs" / kRun / "adapter" / pose::model::kPeftWeightsFile));
    // `pose runs` knows Lc for an HF base: the headline columns at Lc are filled.
    std::string out;
    QCOMPARE(run_pose({"runs", "--store", ref_store, "--experiment", "hf-lora", "--json"}, &out), 0);
    const json runs = json::parse(out);
    int extension_runs = 0;
    for (const auto& r : runs) {
      if (r["run"] != kRun && r["run"] != "original") continue;
      ++extension_runs;
      QVERIFY2(r["ppl_at_lc"].is_number(), r.dump().c_str());
      QCOMPARE(r["lc"].get<int64_t>(), int64_t{256});
    }
    QCOMPARE(extension_runs, 2);
  }
};

QTEST_APPLESS_MAIN(TestLoraRun)
#include "test_lora_run.moc"
