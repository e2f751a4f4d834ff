// `pose estimate`, run in process: the figures are the cost estimate's own
// for every run that trains, the verdict follows the device's memory, the
// paper's LLaMA-7B spec estimates from the shipped config.json alone, and
// every error names the problem and the fix.
#include <QtTest>

#include "commands.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "experiment/cost_estimate.h"
#include "experiment/experiment_spec.h"

namespace {

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result run(std::vector<std::string> args) {
  args.insert(args.begin(), {"pose", "--log-level", "off", "estimate"});
  std::ostringstream out, err;
  const int code = pose::cli::run_cli(args, out, err);
  return {code, out.str(), err.str()};
}

const std::string kMicro = std::string(POSE_SOURCE_DIR) + "/experiments/micro-pose.json";
const std::string kPaper = std::string(POSE_SOURCE_DIR) + "/experiments/paper-llama7b-16k.json";
const std::string kLlamaConfig = std::string(POSE_SOURCE_DIR) + "/experiments/llama-7b-config";

}  // namespace

class TestEstimateCli : public QObject {
  Q_OBJECT
 private slots:
  // Every spec shipped in experiments/ parses with each of its presets, and
  // the paper's specs estimate from the shipped LLaMA-7B config.json alone.
  void everyShippedSpecParsesAndEstimates() {
    std::size_t specs = 0;
    for (const auto& entry : std::filesystem::directory_iterator(std::string(POSE_SOURCE_DIR) + "/experiments")) {
      if (entry.path().extension() != ".json") continue;
      ++specs;
      const std::string file = entry.path().string();
      const auto doc = nlohmann::json::parse(std::ifstream(file));
      std::vector<std::string> presets = {""};
      if (doc.contains("presets")) {
        for (const auto& [name, value] : doc["presets"].items()) presets.push_back(name);
      }
      for (const auto& preset : presets) {
        try {
          pose::experiment::load_experiment_spec(file, preset);
        } catch (const std::exception& e) {
          QFAIL((file + " --preset " + preset + ": " + e.what()).c_str());
        }
      }
      if (doc["base_model"].value("kind", std::string()) == "hf") {
        const auto r = run({file, "--config", kLlamaConfig, "--device", "cuda", "--device-memory", "80GiB", "--json"});
        QVERIFY2(r.code == 0, (file + ": " + r.err).c_str());
        QVERIFY2(!nlohmann::json::parse(r.out)["runs"].empty(), file.c_str());
      }
    }
    QVERIFY(specs >= 4);  // micro-pose and the paper's 16k, 32k and 128k
  }

  void listedInHelp() {
    std::ostringstream out, err;
    QCOMPARE(pose::cli::run_cli({"pose", "--help"}, out, err), 0);
    QVERIFY(out.str().find("estimate") != std::string::npos);
  }

  void everyTrainingRunWithTheEstimatesOwnFigures() {
    const auto r = run({kMicro, "--device", "cpu", "--device-memory", "1GiB", "--json"});
    QCOMPARE(r.code, 0);
    const auto j = nlohmann::json::parse(r.out);
    QCOMPARE(j["device"].get<std::string>(), std::string("cpu"));
    QCOMPARE(j["device_memory_bytes"].get<double>(), 1024.0 * 1024 * 1024);
    const auto spec = pose::experiment::load_experiment_spec(kMicro);
    const auto base = pose::experiment::base_model_config(spec);
    std::size_t training = 0;
    for (const auto& run : spec.extend) training += run.fine_tunes() ? 1 : 0;
    QCOMPARE(j["runs"].size(), training);
    for (const auto& entry : j["runs"]) {
      const auto& run = *std::find_if(spec.extend.begin(), spec.extend.end(),
                                      [&](const auto& x) { return x.name == entry["name"].get<std::string>(); });
      const auto o = pose::experiment::engine_cost_options(base, run.training, pose::experiment::CostDevice::Cpu);
      const auto d = pose::experiment::estimate_design_cost(spec, run, base, o);
      QCOMPARE(entry["design"]["memory_bytes"]["total"].get<double>(), d.design.memory.total());
      QCOMPARE(entry["full_length"]["memory_bytes"]["total"].get<double>(), d.full_length.memory.total());
      QCOMPARE(entry["design"]["trainable_parameters"].get<int64_t>(), base.parameter_count());
      QVERIFY(entry["design_fit"]["fits"].get<bool>());  // a small model in 1 GiB
    }
  }

  void theTextSaysWhatFitsAndWhatToChange() {
    // 80 GiB: LLaMA-7B's full fine-tuning at 16k does not fit, and the
    // suggestion that does is marked.
    const auto r = run({kPaper, "--config", kLlamaConfig, "--device", "cuda", "--device-memory", "80GiB",
                        "--attention", "efficient", "--runs", "full-length-16k,pose-linear"});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.find("6.74B parameters") != std::string::npos, r.out.c_str());
    QVERIFY2(r.out.find("design: does not fit") != std::string::npos, r.out.c_str());
    QVERIFY2(r.out.find("* ") != std::string::npos, r.out.c_str());
    QVERIFY2(r.out.find("(fits)") != std::string::npos, r.out.c_str());

    // LongLoRA's setting with checkpointing fits 80 GiB at 16k as PoSE and as Full-length.
    const auto lora = run({kPaper, "--config", kLlamaConfig, "--device", "cuda", "--device-memory", "80GiB",
                           "--attention", "efficient", "--preset", "longlora-checkpointing", "--json"});
    QCOMPARE(lora.code, 0);
    const auto j = nlohmann::json::parse(lora.out);
    QCOMPARE(j["runs"].size(), std::size_t(5));  // the original model does not train
    for (const auto& entry : j["runs"]) {
      QVERIFY(entry["design_fit"]["fits"].get<bool>());
      QVERIFY(entry["full_length_fit"]["fits"].get<bool>());
      QVERIFY(entry["design"]["trainable_parameters"].get<int64_t>() < entry["design"]["parameters"].get<int64_t>());
    }
  }

  void errorsNameTheFix() {
    auto r = run({kMicro, "--runs", "pose-linaer"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.find("no run 'pose-linaer'") != std::string::npos && r.err.find("pose-linear") != std::string::npos,
             r.err.c_str());
    r = run({kMicro, "--device-memory", "lots"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.find("--device-memory: 'lots' is not a memory size") != std::string::npos, r.err.c_str());
    r = run({kMicro, "--device", "tpu"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.find("use cpu or cuda") != std::string::npos, r.err.c_str());
    // The paper's spec points at a LLaMA-7B directory the user supplies.
    r = run({kPaper, "--device", "cuda"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.find("--config") != std::string::npos, r.err.c_str());
    r = run({});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.find("expected one spec file") != std::string::npos, r.err.c_str());
  }
};

QTEST_APPLESS_MAIN(TestEstimateCli)
#include "test_estimate_cli.moc"
