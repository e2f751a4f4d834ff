// Replicates: the spec's replicate_seeds (and the errors that name the field),
// the micro-pose "seeds" preset, each replicate as the whole experiment with
// its seed replaced and what replicates are recorded with, and --seeds lists.
#include <QtTest>

#include "common/error.h"
#include "common/json_file.h"
#include "experiment/experiment_spec.h"
#include "experiment/replicates.h"
#include "results/replicate_record.h"

using nlohmann::json;
using namespace pose::experiment;

namespace {

std::filesystem::path micro_pose_path() {
  return std::filesystem::path(POSE_SOURCE_DIR) / "experiments/micro-pose.json";
}

json small_spec() {
  return json::parse(R"({
    "name": "small", "seed": 7,
    "base_model": {
      "config": {"hidden_size": 64, "intermediate_size": 176, "num_hidden_layers": 2, "num_attention_heads": 4},
      "train_len": 256, "steps": 10
    },
    "target_len": 1024,
    "extend": [
      {"name": "none", "rope": {"method": "none"}, "strategy": "none"},
      {"name": "pose", "rope": {"method": "linear", "factor": 4}, "strategy": "pose", "seed": 99}
    ],
    "evaluation": {"passkey": {"lengths": [256, 1024]}}
  })");
}

std::string parse_error(const json& doc) {
  try {
    parse_experiment_spec(doc);
  } catch (const pose::UserError& e) {
    return e.what();
  }
  return {};
}

std::string seed_list_error(const std::string& text) {
  try {
    parse_seed_list(text, "--seeds");
  } catch (const pose::UserError& e) {
    return e.what();
  }
  return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const ExtendRunSpec& run_named(const ExperimentSpec& spec, const std::string& name) {
  for (const auto& r : spec.extend) {
    if (r.name == name) return r;
  }
  throw std::runtime_error("no run " + name);
}

}  // namespace

class TestReplicates : public QObject {
  Q_OBJECT
 private slots:
  void replicateSeedsAreReadAndWrittenCanonically() {
    json doc = small_spec();
    doc["replicate_seeds"] = {1, 2};
    const auto spec = parse_experiment_spec(doc);
    QCOMPARE(spec.replicate_seeds, (std::vector<uint64_t>{1, 2}));
    QVERIFY(spec.replicate_of.empty());
    const json canonical = to_json(spec);
    QCOMPARE(canonical["replicate_seeds"], json({1, 2}));
    QVERIFY(!canonical.contains("replicate_of"));
    QCOMPARE(to_json(parse_experiment_spec(canonical)), canonical);
    // Without the key the canonical form has none (an existing spec is unchanged).
    QVERIFY(!to_json(parse_experiment_spec(small_spec())).contains("replicate_seeds"));
    QVERIFY(parse_experiment_spec(small_spec()).replicate_seeds.empty());
  }

  void badReplicateSeedsNameTheFieldAndTheFix() {
    json doc = small_spec();
    doc["replicate_seeds"] = {1, 2, 1};
    std::string msg = parse_error(doc);
    QVERIFY2(contains(msg, "replicate_seeds[2]: 1 is already replicate_seeds[0]") && contains(msg, "list each seed once"),
             msg.c_str());
    doc["replicate_seeds"] = {1, 7};
    msg = parse_error(doc);
    QVERIFY2(contains(msg, "replicate_seeds[1]: 7 is the experiment's own seed") && contains(msg, "leave it out"),
             msg.c_str());
    doc["replicate_seeds"] = json::array({1, 2.5});
    msg = parse_error(doc);
    QVERIFY2(contains(msg, "replicate_seeds[1]"), msg.c_str());
    doc["replicate_seeds"] = json::array({"3"});
    msg = parse_error(doc);
    QVERIFY2(contains(msg, "replicate_seeds[0]"), msg.c_str());
    doc["replicate_seeds"] = json::array({-1});
    msg = parse_error(doc);
    QVERIFY2(contains(msg, "replicate_seeds[0]"), msg.c_str());
    doc["replicate_seeds"] = 3;
    msg = parse_error(doc);
    QVERIFY2(contains(msg, "replicate_seeds"), msg.c_str());
    doc["replicate_seeds"] = {1};
    doc["replicate_of"] = "other";
    msg = parse_error(doc);
    QVERIFY2(contains(msg, "replicate_seeds: a replicate (replicate_of \"other\") runs its own seed only"), msg.c_str());
    doc.erase("replicate_seeds");
    doc["replicate_of"] = "small";
    msg = parse_error(doc);
    QVERIFY2(contains(msg, "replicate_of: names the experiment itself"), msg.c_str());
    doc["replicate_of"] = "bad name";
    msg = parse_error(doc);
    QVERIFY2(contains(msg, "replicate_of"), msg.c_str());
    // A typo is caught as any unknown key is.
    doc.erase("replicate_of");
    doc["replicate_seed"] = {1};
    msg = parse_error(doc);
    QVERIFY2(contains(msg, "did you mean \"replicate_seeds\"?"), msg.c_str());
  }

  void microPoseSeedsPresetRunsTheDefaultOverThreeSeeds() {
    const auto plain = load_experiment_spec(micro_pose_path());
    const auto seeds = load_experiment_spec(micro_pose_path(), "seeds");
    QVERIFY(plain.replicate_seeds.empty());  // the default experiment stays one seed
    QCOMPARE(seeds.seed, uint64_t(1234));
    QCOMPARE(seeds.replicate_seeds, (std::vector<uint64_t>{1, 2}));
    // Otherwise the default experiment itself.
    json a = to_json(plain), b = to_json(seeds);
    b.erase("replicate_seeds");
    a.erase("description");
    b.erase("description");
    QCOMPARE(b, a);
    const auto experiments = replicate_experiments(seeds);
    QCOMPARE(experiments.size(), std::size_t(3));
    QCOMPARE(experiments[0].name, std::string("micro-pose"));
    QCOMPARE(experiments[1].name, std::string("micro-pose.seed-1"));
    QCOMPARE(experiments[2].name, std::string("micro-pose.seed-2"));
    QCOMPARE(experiments[2].seed, uint64_t(2));
    QCOMPARE(experiments[2].preset, std::string("seeds"));
  }

  void aReplicateIsTheWholeExperimentWithItsSeed() {
    json doc = small_spec();
    doc["replicate_seeds"] = {1};
    const auto spec = parse_experiment_spec(doc);
    const auto r = replicate_spec(spec, 1);
    QCOMPARE(r.name, std::string("small.seed-1"));
    QCOMPARE(r.name, pose::results::replicate_experiment_name("small", 1));
    QCOMPARE(r.seed, uint64_t(1));
    QCOMPARE(r.replicate_of, std::string("small"));
    QVERIFY(r.replicate_seeds.empty());
    // Everything that defaults to the seed follows it ...
    QCOMPARE(r.base_model.training.seed, uint64_t(1));
    QCOMPARE(run_named(r, "none").training.seed, uint64_t(1));
    QCOMPARE(r.evaluation.passkey->seed, uint64_t(1));
    QCOMPARE(spec.base_model.training.seed, uint64_t(7));
    // ... a seed the spec sets on a stage stays as written.
    QCOMPARE(run_named(r, "pose").training.seed, uint64_t(99));
    // The rest is the experiment itself.
    json a = to_json(spec), b = to_json(r);
    for (json* j : {&a, &b}) {
      for (const char* key : {"name", "seed", "replicate_seeds", "replicate_of"}) j->erase(key);
      (*j)["base_model"].erase("seed");
      (*j)["extend"][0].erase("seed");
      (*j)["evaluation"]["passkey"].erase("seed");
    }
    QCOMPARE(b, a);
    // What the store records with it, as readers read it back.
    QCOMPARE(pose::results::replicate_of(r.source), std::optional<std::string>("small"));
    QCOMPARE(pose::results::experiment_seed(r.source), std::optional<uint64_t>(1));
    QCOMPARE(pose::results::replicate_group(r.name, r.source), std::string("small"));
    QCOMPARE(pose::results::replicate_group(spec.name, spec.source), std::string("small"));
    QCOMPARE(to_json(parse_experiment_spec(to_json(r))), to_json(r));
    // A replicate is not repeated again.
    QVERIFY_THROWS_EXCEPTION(pose::UserError, replicate_spec(r, 5));
    // The experiment's own seed is the experiment, its replicate seeds dropped.
    QCOMPARE(replicate_spec(spec, 7).name, std::string("small"));
    QVERIFY(replicate_spec(spec, 7).replicate_seeds.empty());
  }

  void seedListsChooseTheExperimentsToRun() {
    const auto spec = parse_experiment_spec(small_spec());
    auto experiments = replicate_experiments(spec, {7, 3});
    QCOMPARE(experiments.size(), std::size_t(2));
    QCOMPARE(experiments[0].name, std::string("small"));
    QCOMPARE(experiments[0].replicate_seeds, (std::vector<uint64_t>{3}));  // recorded with the experiment
    QCOMPARE(experiments[1].name, std::string("small.seed-3"));
    QCOMPARE(experiments[1].replicate_of, std::string("small"));
    // The spec's own seed left out: only the replicates run.
    experiments = replicate_experiments(spec, {3, 4});
    QCOMPARE(experiments.size(), std::size_t(2));
    QCOMPARE(experiments[0].name, std::string("small.seed-3"));
    QCOMPARE(experiments[1].seed, uint64_t(4));
    // One seed, the spec's own: the spec alone.
    experiments = replicate_experiments(spec, {7});
    QCOMPARE(experiments.size(), std::size_t(1));
    QCOMPARE(to_json(experiments[0]), to_json(spec));

    QCOMPARE(parse_seed_list("1234,1,2", "--seeds"), (std::vector<uint64_t>{1234, 1, 2}));
    QCOMPARE(parse_seed_list(" 5 , 0", "--seeds"), (std::vector<uint64_t>{5, 0}));
    std::string msg = seed_list_error("1,2,1");
    QVERIFY2(contains(msg, "--seeds: 1 is listed twice") && contains(msg, "list each seed once"), msg.c_str());
    msg = seed_list_error("1,x");
    QVERIFY2(contains(msg, "--seeds: \"x\" is not a seed") && contains(msg, "e.g. --seeds 1234,1,2"), msg.c_str());
    QVERIFY2(contains(seed_list_error("1.5"), "\"1.5\" is not a seed"), seed_list_error("1.5").c_str());
    QVERIFY2(contains(seed_list_error("-1"), "\"-1\" is not a seed"), seed_list_error("-1").c_str());
    QVERIFY2(contains(seed_list_error(""), "\"\" is not a seed"), seed_list_error("").c_str());
    QVERIFY2(contains(seed_list_error("1,,2"), "\"\" is not a seed"), seed_list_error("1,,2").c_str());
    QVERIFY2(contains(seed_list_error("99999999999999999999999"), "is not a seed"), "overflow accepted");
  }
};

QTEST_APPLESS_MAIN(TestReplicates)
#include "test_replicates.moc"
