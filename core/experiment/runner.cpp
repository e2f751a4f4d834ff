#include "experiment/runner.h"

#include <chrono>
#include <cstdio>

#include <unistd.h>

#include "common/error.h"
#include "common/json_file.h"
#include "common/logging.h"
#include "common/version.h"
#include "experiment/data_stage.h"
#include "experiment/eval_suite.h"
#include "experiment/lora_json.h"
#include "model_io/hf_checkpoint.h"
#include "lora/lora.h"
#include "model/model_init.h"
#include "results/metric_names.h"
#include "results/replicate_record.h"
#include "store/experiment_store.h"
#include "train/checkpoint.h"
#include "train/out_of_memory.h"
#include "train/precision.h"
#include "train/trainer.h"

namespace pose::experiment {

namespace fs = std::filesystem;
using nlohmann::json;
using store::ExperimentStore;
using store::RunStatus;

namespace {

using Clock = std::chrono::steady_clock;

// Buffers the trainer's events as metric series and writes them in batches
// (at most about once a second, and always before a checkpoint file is
// written, so that the store never holds fewer points than the checkpoint it
// could resume from: a kill between the two would leave a gap for good).
class StoreRecorder : public train::TrainObserver {
 public:
  StoreRecorder(ExperimentStore& store, int64_t run_id, ExperimentObserver* forward)
      : store_(store), run_id_(run_id), forward_(forward) {}
  ~StoreRecorder() override {
    try {
      flush();
    } catch (...) {
      // Destruction during an error: the points since the last checkpoint are
      // rewritten by a resumed run anyway.
    }
  }

  void on_step(const train::StepEvent& e) override {
    const auto add = [&](const char* series, double v) { pending_.push_back({series, e.step, v, e.elapsed_s}); };
    add(results::kTrainLoss, e.loss);
    add(results::kTrainLr, e.lr);
    add(results::kTrainGradNorm, e.grad_norm);
    add(results::kTrainTokensPerS, e.tokens_per_s);
    add(results::kTrainTokens, static_cast<double>(e.tokens));
    add(results::kTrainMemoryMb, e.memory_mb);
    if (e.world_size > 1 && !e.rank_tokens_per_s.empty()) {
      add(results::kTrainSlowestRank, static_cast<double>(e.slowest_rank));
      add(results::kTrainSlowestRankTokensPerS, e.rank_tokens_per_s[static_cast<std::size_t>(e.slowest_rank)]);
    }
    if (std::chrono::duration<double>(Clock::now() - last_flush_).count() > 1.0) flush();
    if (forward_) forward_->on_step(e);
  }
  void before_checkpoint(const std::string& /*run*/, int64_t /*step*/) override { flush(); }
  void on_checkpoint(const std::string& run, int64_t step, const std::string& path) override {
    if (forward_) forward_->on_checkpoint(run, step, path);
  }
  void on_log(const std::string& line) override {
    spdlog::info("{}", line);
    if (forward_) forward_->on_log(line);
  }
  void flush() {
    if (!pending_.empty()) store_.append_metrics(run_id_, pending_);
    pending_.clear();
    last_flush_ = Clock::now();
  }

 private:
  ExperimentStore& store_;
  int64_t run_id_;
  ExperimentObserver* forward_;
  std::vector<store::MetricPoint> pending_;
  Clock::time_point last_flush_ = Clock::now();
};

// Periodic evaluations of one run (evaluation.periodic): called by the trainer
// at step boundaries, evaluates the scheduled steps not stored yet, stores each
// evaluation's parts and metric points in one transaction and streams it.
class PeriodicEvaluator {
 public:
  // With a group, every rank has one: the ranks divide each evaluation
  // (PeriodicContext::share) and rank 0 decides whether it runs, stores it
  // and streams it.
  PeriodicEvaluator(ExperimentStore& store, int64_t run_id, const ExtendRunSpec& run, PeriodicPlan plan,
                    PeriodicContext context, ExperimentObserver* observer, std::function<void(const std::string&)> log,
                    distributed::ProcessGroup* group)
      : group_(group),
        store_(store),
        run_id_(run_id),
        run_(run),
        plan_(std::move(plan)),
        context_(std::move(context)),
        observer_(observer),
        log_(std::move(log)),
        total_steps_(run.fine_tunes() ? run.training.steps : 0) {
    for (const auto& r : store_.eval_results(run_id_, kPeriodicPerplexityKind)) stored_.push_back(r.checkpoint_step.value_or(-1));
    for (const auto& r : store_.eval_results(run_id_, kPeriodicPasskeyKind)) stored_.push_back(r.checkpoint_step.value_or(-1));
    for (const auto& r : store_.eval_results(run_id_, kPeriodicAttentionKind)) stored_.push_back(r.checkpoint_step.value_or(-1));
  }

  // The store dropped the evaluations after `step` (a resume): they are due again.
  void forget_after(int64_t step) {
    stored_.erase(std::remove_if(stored_.begin(), stored_.end(), [step](int64_t s) { return s > step; }),
                  stored_.end());
  }

  void at_step(model::LlamaForCausalLM& model, int64_t step) {
    if (!periodic_due(plan_, step, total_steps_)) return;  // the same answer on every rank
    const bool leader = !group_ || group_->is_leader();
    bool go = leader && wanted_at(step);
    if (group_) {
      go = group_->share_from_leader(go ? 1 : 0, run_.name + ": whether to evaluate at step " + std::to_string(step)) == 1;
    }
    if (!go) return;
    const double train_s = std::chrono::duration<double>(Clock::now() - created_).count() - eval_s_;
    log_(run_.name + ": step " + std::to_string(step) + ": periodic evaluation");
    std::optional<PeriodicResult> result;
    try {
      result = run_periodic_evaluation(model, plan_, context_, step);
    } catch (const UserError& e) {
      if (group_) throw;  // ranks that went on without it would wait in its collectives
      disabled_ = true;
      log_(run_.name + ": periodic evaluation stopped for this run: " + e.what());
      return;
    }
    if (!result) {
      log_(run_.name + ": step " + std::to_string(step) + ": periodic evaluation cancelled; nothing stored for this step");
      return;
    }
    eval_s_ += result->wall_s;
    if (!leader) return;
    store(*result);
    stored_.push_back(step);
    const double share = train_s > 0 ? eval_s_ / train_s : 0.0;
    log_(run_.name + ": step " + std::to_string(step) + "/" + std::to_string(total_steps_) + ": " + describe(*result));
    if (observer_) observer_->on_periodic_eval(make_periodic_event(run_.name, total_steps_, *result, share));
  }

 private:
  // Rank 0's decision: not stopped, not stored yet (a resume), and within
  // max_share of the training time.
  bool wanted_at(int64_t step) {
    if (disabled_ || std::find(stored_.begin(), stored_.end(), step) != stored_.end()) return false;
    const double train_s = std::chrono::duration<double>(Clock::now() - created_).count() - eval_s_;
    if (plan_.max_share > 0 && periodic_skippable(plan_, step, total_steps_) && eval_s_ > plan_.max_share * train_s) {
      log_(run_.name + ": step " + std::to_string(step) + ": periodic evaluation skipped (it has taken " +
           std::to_string(static_cast<int>(100 * eval_s_ / std::max(train_s, 1e-9))) + "% of the training time, max_share " +
           std::to_string(static_cast<int>(100 * plan_.max_share)) + "%)");
      return false;
    }
    return true;
  }

  void store(const PeriodicResult& r) {
    json common = {{"origin", "periodic"}, {"every", plan_.every}, {"rope", to_json(run_)["rope"]}, {"wall_s", r.wall_s}};
    const auto with = [&](json settings) {
      settings.update(common);
      return settings;
    };
    std::vector<store::EvalRecord> records;
    if (!r.perplexity.empty()) {
      records.push_back({0, run_id_, kPeriodicPerplexityKind, with(r.perplexity_settings), eval::to_json(r.perplexity), r.step, {}});
    }
    if (!r.passkey.empty()) {
      records.push_back({0, run_id_, kPeriodicPasskeyKind, with(r.passkey_settings), eval::to_json(r.passkey), r.step, {}});
    }
    if (r.attention) {
      records.push_back({0, run_id_, kPeriodicAttentionKind, with(r.attention_settings), eval::to_json(*r.attention), r.step, {}});
    }
    for (const auto& suite : r.suites) {
      records.push_back({0, run_id_, std::string(kPeriodicKindPrefix) + suite.kind, with(suite.settings), suite.results,
                         r.step, {}});
    }
    std::vector<store::MetricPoint> points;
    for (const auto& [series, value] : periodic_headline(r)) points.push_back({series, r.step, value, 0.0});
    store_.add_evaluation(run_id_, records, points);
  }

  distributed::ProcessGroup* group_;
  ExperimentStore& store_;
  int64_t run_id_;
  const ExtendRunSpec& run_;
  PeriodicPlan plan_;
  PeriodicContext context_;
  ExperimentObserver* observer_;
  std::function<void(const std::string&)> log_;
  int64_t total_steps_;
  std::vector<int64_t> stored_;
  bool disabled_ = false;
  double eval_s_ = 0.0;  // this session's periodic evaluation time
  Clock::time_point created_ = Clock::now();
};

std::string fingerprint_of(const json& j) {
  const std::string text = j.dump();
  return store::sha256_hex(text.data(), text.size());
}

void copy_parameters(model::LlamaForCausalLM& from, model::LlamaForCausalLM& to) {
  torch::NoGradGuard no_grad;
  auto src = from->named_parameters();
  for (auto& p : to->named_parameters()) p.value().copy_(src[p.key()]);
}

// The model config a run trains and exports: the base model with the run's
// RoPE method. max_position_embeddings becomes Lt, except for dynamic NTK, whose
// scaling starts beyond max_position_embeddings and so keeps L0.
model::ModelConfig extended_config(const model::ModelConfig& base, int64_t original_window, const ExtendRunSpec& run) {
  model::ModelConfig c = base;
  const auto base_rope = base.rope_params();
  c.rope.params = rope_params_for(run.rope, original_window, static_cast<int>(base.head_dim), base_rope.base);
  c.rope.params.partial_rotary_factor = base_rope.partial_rotary_factor;
  const bool grows = run.rope.method != rope::RopeMethod::None && run.rope.method != rope::RopeMethod::Dynamic;
  c.max_position_embeddings = grows ? run.target_len : original_window;
  c.rope.params.max_position = static_cast<int>(c.max_position_embeddings);
  c.validate();
  return c;
}

// Ranks other than 0 keep their records in a store of their own that nobody
// reads, so that every rank runs the same code; it is removed at the end.
fs::path scratch_store_file(const RunnerOptions& o) {
  return fs::temp_directory_path() /
         ("pose-rank" + std::to_string(o.group->rank()) + "-" + std::to_string(::getpid()) + ".sqlite");
}

fs::path store_file_of(const RunnerOptions& o) {
  if (!o.group || o.group->is_leader()) return o.store_file;
  const auto file = scratch_store_file(o);
  std::error_code ec;
  fs::remove(file, ec);
  return file;
}

class Runner {
 public:
  Runner(const ExperimentSpec& spec, const RunnerOptions& options)
      : spec_(spec), o_(options), store_(ExperimentStore::open(store_file_of(options))) {}
  ~Runner() {
    if (!leader()) {
      std::error_code ec;
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(scratch_store_file(o_).string() + suffix, ec);
    }
  }

  RunnerSummary run() {
    const auto start = Clock::now();
    summary_.experiment_id = store_.upsert_experiment(spec_.name, stored_source());
    log("experiment " + spec_.name + ": store " + o_.store_file.string() + ", files " + o_.work_dir.string());
    for (const auto& r : store_.settle_interrupted_runs()) {
      log(r.experiment_name + "/" + r.name + ": " + r.message);
    }
    fs::create_directories(o_.work_dir);
    if (leader()) write_spec_copy();
    if (!data_stage() || !base_stage()) return finish(start);
    for (const auto& run : spec_.extend) {
      if (!o_.only_runs.empty() &&
          std::find(o_.only_runs.begin(), o_.only_runs.end(), run.name) == o_.only_runs.end()) {
        continue;
      }
      if (!extend_stage(run)) break;
    }
    return finish(start);
  }

 private:
  RunnerSummary finish(Clock::time_point start) {
    // Rank 0 serves the rendezvous: it stays until every rank has read its last word.
    if (o_.group) o_.group->barrier("finishing the job");
    summary_.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
    return summary_;
  }

  void log(const std::string& line) {
    spdlog::info("{}", line);
    if (o_.observer) o_.observer->on_log(line);
  }
  bool cancelled() const { return o_.control && o_.control->cancel_requested(); }

  // What a run records as its device: "cpu", or "cpu x 2 ranks (gloo)" for a data-parallel job.
  std::string run_device() const {
    const std::string device = device_description(o_.device);
    if (!o_.group) return device;
    return device + " x " + std::to_string(o_.group->world_size()) + " ranks (" + o_.group->backend_name() + ")";
  }

  // Data parallelism: whether this process is rank 0 (always, alone).
  bool leader() const { return !o_.group || o_.group->is_leader(); }
  // Rank 0's answer on every rank (the others ignore theirs).
  bool from_leader(bool value, const std::string& what) {
    return o_.group ? o_.group->share_from_leader(value ? 1 : 0, what) == 1 : value;
  }
  // The other ranks wait here until rank 0 passes the same point.
  void meet_leader(const std::string& what) {
    if (!o_.group) return;
    if (leader()) {
      o_.group->publish();
    } else {
      o_.group->await_leader(what);
    }
  }

  // The spec as written, with Lc made explicit where the spec left it to an
  // HF base's config.json (max_position_embeddings): readers of the store
  // (`pose runs`, the report, the GUI) take Lc from the stored spec and have
  // no model directory to ask.
  json stored_source() const {
    json source = spec_.source;
    if (source.is_object() && source["base_model"].is_object() && !source["base_model"].contains("train_len")) {
      source["base_model"]["train_len"] = spec_.base_model.train_len;
    }
    // Readers group replicates by the seed each ran with (results/replicate_record.h).
    if (source.is_object() && !source.contains(results::kSeedKey)) source[results::kSeedKey] = spec_.seed;
    return source;
  }

  void write_spec_copy() {
    const auto file = o_.work_dir / "spec.json";
    json j = to_json(spec_);
    write_json_file(file, j);
  }

  // Returns the run id and whether it can be skipped (done before with the same settings).
  // `outputs`: files a finished run must still have to be skipped; nullopt: the
  // stage always runs (it has its own cache, or nothing to redo).
  std::pair<int64_t, bool> begin_run(const std::string& name, const std::string& kind, const json& settings,
                                     const std::optional<std::vector<fs::path>>& outputs) {
    const auto existing = store_.find_run(summary_.experiment_id, name);
    bool skip = false;
    if (outputs && existing && o_.resume && existing->status == RunStatus::Done && existing->spec == settings) {
      skip = true;
      for (const auto& f : *outputs) skip = skip && fs::exists(f);
    }
    skip = from_leader(skip, "whether " + name + " runs");
    const int64_t id = store_.ensure_run(summary_.experiment_id, name, kind, settings);
    if (skip) {
      summary_.skipped.push_back(name);
      log(name + ": done earlier with the same settings, skipped");
      if (o_.observer) o_.observer->on_run_finished(name, "skipped", "");
      return {id, true};
    }
    if (!o_.resume || (existing && existing->spec != settings)) store_.reset_run(id);
    store_.mark_running(id, run_device(), versions_json());
    if (o_.observer) o_.observer->on_run_started(name, kind);
    return {id, false};
  }

  void end_run(int64_t id, const std::string& name, RunStatus status, const std::string& message = {}) {
    store_.finish_run(id, status, message);
    (status == RunStatus::Done ? summary_.done : summary_.failed).push_back(name);
    if (status == RunStatus::Cancelled) {
      summary_.failed.pop_back();
      summary_.cancelled = true;
    }
    if (o_.observer) o_.observer->on_run_finished(name, store::to_string(status), message);
  }

  bool data_stage() {
    const json settings = {{"corpus", to_json(spec_)["data"]}, {"seed", spec_.seed}};
    // The data stage has its own cache: it always runs and reuses what it can.
    const int64_t id = begin_run("data", "data", settings, std::nullopt).first;
    try {
      std::optional<fs::path> base_tokenizer;
      if (spec_.base_model.kind == "hf") base_tokenizer = base_model_dir() / model::kTokenizerFile;
      if (base_tokenizer && !fs::exists(*base_tokenizer)) base_tokenizer.reset();
      // Rank 0 prepares the data; the others then read what it cached.
      if (!leader()) meet_leader("rank 0 preparing the data");
      data_ = prepare_data(spec_, o_.work_dir, [&](const std::string& l) { log(l); }, base_tokenizer);
      store_.reset_run(id);
      store_.mark_running(id, run_device(), versions_json());
      store_.add_artifact(id, "tokenizer", data_.tokenizer_file);
      store_.add_artifact(id, "tokens", data_.dir / "train.tok");
      store_.add_artifact(id, "tokens", data_.dir / "validation.tok");
      store_.add_artifact(id, "tokens", data_.dir / "test.tok");
      store_.add_eval_result({0, id, "data-summary", settings, data_.summary, std::nullopt, {}});
      end_run(id, "data", RunStatus::Done);
      if (leader()) meet_leader("");
      return true;
    } catch (const std::exception& e) {
      end_run(id, "data", RunStatus::Failed, e.what());
      throw;
    }
  }

  fs::path base_model_dir() const {
    const fs::path p(spec_.base_model.path);
    return p.is_absolute() ? p : spec_.base_dir / p;
  }

  bool base_stage() {
    const auto& b = spec_.base_model;
    json settings = to_json(spec_)["base_model"];
    const fs::path run_dir = o_.work_dir / "runs" / "base";
    const fs::path export_dir = run_dir / "model";
    if (b.kind == "hf") {
      const int64_t id = begin_run("base", "base", settings, std::nullopt).first;
      auto loaded = model::load_hf_model(base_model_dir(), {o_.device, std::nullopt, {}});
      base_ = loaded.model;
      base_config_ = loaded.checkpoint.config;
      original_window_ = b.train_len > 0 ? b.train_len : base_config_.max_position_embeddings;
      end_run(id, "base", RunStatus::Done);
      return true;
    }
    original_window_ = b.train_len;
    json cfg = b.config;
    cfg["model_type"] = cfg.value("model_type", "llama");
    cfg["vocab_size"] = data_.tokenizer->vocab_size();
    cfg["max_position_embeddings"] = b.train_len;
    cfg["bos_token_id"] = data_.tokenizer->bos_id();
    cfg["eos_token_id"] = data_.tokenizer->eos_id();
    base_config_ = model::config_from_hf_json(cfg, "base_model.config");
    settings["resolved_config"] = model::config_to_hf_json(base_config_);

    const auto [id, skip] = begin_run("base", "base", settings, std::vector<fs::path>{export_dir / model::kConfigFile});
    if (skip) {
      base_ = model::load_hf_model(export_dir, {o_.device, std::nullopt, {}}).model;
      return true;
    }
    try {
      base_ = model::LlamaForCausalLM(base_config_);
      base_->options().activation_checkpointing = b.training.activation_checkpointing;
      model::init_weights(base_, b.training.seed);
      base_->to(o_.device);
      log("base: " + std::to_string(base_config_.parameter_count()) + " parameters, training at Lc = " +
          std::to_string(b.train_len) + " for " + std::to_string(b.training.steps) + " steps");
      const text::PasskeyPromptBuilder passkey(*data_.tokenizer);
      train::BatchSourceOptions so;
      so.design = positions::make_design(positions::Strategy::None, b.train_len, b.train_len);
      so.segment_len = b.train_len;
      so.batch_size = b.training.batch_size;
      so.grad_accum = b.training.grad_accum;
      so.seed = b.training.seed;
      so.bos_id = data_.tokenizer->bos_id();
      so.passkey_share = spec_.data.passkey_share;
      train::BatchSource source(data_.train, so, &passkey);
      if (!train_run(id, "base", base_, source, b.training, settings, run_dir)) return false;
      if (leader()) export_model(id, base_, export_dir, std::nullopt);
      end_run(id, "base", RunStatus::Done);
      meet_leader("rank 0 exporting the base model");
      return true;
    } catch (const std::exception& e) {
      const auto oom = train::out_of_memory_message(e, {"base", device_description(o_.device), b.train_len,
                                                        b.training.batch_size, b.training.grad_accum});
      end_run(id, "base", RunStatus::Failed, oom.value_or(e.what()));
      if (oom) throw UserError(*oom, "");
      throw;
    }
  }

  // Trains (or resumes) one run. False when cancelled.
  bool train_run(int64_t id, const std::string& name, model::LlamaForCausalLM& model, const train::BatchSource& source,
                 const TrainingSettings& t, const json& settings, const fs::path& run_dir,
                 PeriodicEvaluator* periodic = nullptr) {
    train::TrainerOptions to;
    to.run_name = name;
    to.settings = t;
    to.checkpoint_file = run_dir / "checkpoint.pt";
    to.resume = o_.resume;
    to.fingerprint = fingerprint_of(settings);
    to.control = o_.control;
    to.group = o_.group;
    to.shard_optimizer = o_.shard_optimizer;
    if (o_.resume && !fs::exists(to.checkpoint_file)) {
      // Interrupted before its first checkpoint: it starts again from step 0.
      store_.truncate_metrics_after(id, 0);
      store_.delete_eval_results_after(id, 0, "periodic-");
      if (periodic) periodic->forget_after(0);
    }
    if (o_.resume && fs::exists(to.checkpoint_file)) {
      const auto state = train::read_checkpoint_state(to.checkpoint_file);
      if (state.run == name && state.fingerprint == to.fingerprint) {
        // A resumed run rewrites the points (and periodic evaluations) after its checkpoint exactly.
        store_.truncate_metrics_after(id, state.step);
        store_.delete_eval_results_after(id, state.step, "periodic-");
        if (periodic) periodic->forget_after(state.step);
      } else {
        // The spec changed since this checkpoint: begin_run already reset the
        // run's records, so the run starts again (the old checkpoint is replaced).
        log(name + ": settings changed since its checkpoint; starting it from the beginning");
        to.resume = false;
      }
    }
    StoreRecorder recorder(store_, id, o_.observer);
    to.observer = &recorder;
    if (periodic) {
      to.at_step_boundary = [&](int64_t step) {
        recorder.flush();  // the store holds the training points up to this step first
        periodic->at_step(model, step);
      };
    }
    const auto result = train::train_model(model, source, to);
    recorder.flush();
    if (result.cancelled) {
      end_run(id, name, RunStatus::Cancelled, "cancelled at step " + std::to_string(result.steps));
      return false;
    }
    // Rank 0 writes the checkpoint (and may still be writing it here).
    if (leader()) store_.add_artifact(id, "checkpoint", to.checkpoint_file, result.steps);
    store_.append_metrics(id, {{results::kRunWallS, result.steps, result.elapsed_s, result.elapsed_s},
                               {results::kRunTokensPerS, result.steps, result.tokens_per_s, result.elapsed_s},
                               {results::kRunWorldSize, result.steps, static_cast<double>(result.world_size),
                                result.elapsed_s}});
    log(name + ": " + std::to_string(result.steps) + " steps, final loss " + std::to_string(result.last_loss) + ", " +
        std::to_string(static_cast<int64_t>(result.tokens_per_s)) + " tokens/s");
    return true;
  }

  void export_model(int64_t id, model::LlamaForCausalLM& model, const fs::path& dir,
                    const std::optional<rope::HfRopeConfig>& rope) {
    model::SaveOptions so;
    so.rope = rope;
    so.tokenizer_model = data_.tokenizer_file;
    model::save_hf_model(model, dir, so);
    store_.add_artifact(id, "hf-export", dir);
  }

  bool extend_stage(const ExtendRunSpec& run) {
    if (from_leader(cancelled(), "whether " + run.name + " starts")) return false;
    const json settings = to_json(run);
    const fs::path run_dir = o_.work_dir / "runs" / run.name;
    const fs::path export_dir = run_dir / "model";
    const auto [id, skip] = begin_run(run.name, "extend", settings, std::vector<fs::path>{export_dir / model::kConfigFile});
    if (skip) return true;
    try {
      const auto config = extended_config(base_config_, original_window_, run);
      const bool lora = run.fine_tunes() && run.training.lora;
      // LoRA: the frozen weights are the base's own tensors, so the device
      // holds the base once and nothing of the model's size is allocated on
      // the way. Otherwise every weight trains and gets its own copy.
      model::LlamaForCausalLM model = lora ? model::make_model_sharing(base_, config) : model::LlamaForCausalLM(config);
      if (!lora) {
        model->to(o_.device);
        copy_parameters(base_, model);
      }
      model->options().activation_checkpointing = run.training.activation_checkpointing;
      std::optional<model::ParameterCounts> lora_counts;
      if (lora) lora_counts = prepare_lora(run, model);
      log(run.name + ": rope " + rope::to_string(run.rope.method) + " x" + std::to_string(run.rope.factor) + ", " +
          (run.fine_tunes() ? positions::describe(run.design()) + ", " + std::to_string(run.training.steps) + " steps"
                            : std::string("no fine-tuning")));
      std::unique_ptr<PeriodicEvaluator> periodic = make_periodic(id, run, config);
      if (!run.fine_tunes() && periodic) periodic->at_step(model, 0);
      if (run.fine_tunes()) {
        train::BatchSourceOptions so;
        so.design = run.design();
        so.segment_len = run.target_len;
        so.batch_size = run.training.batch_size;
        so.grad_accum = run.training.grad_accum;
        so.seed = run.training.seed;
        so.bos_id = data_.tokenizer->bos_id();
        so.passkey_share = run.passkey_share;
        const text::PasskeyPromptBuilder passkey(*data_.tokenizer);
        train::BatchSource source(data_.train, so, &passkey);
        if (!train_run(id, run.name, model, source, run.training, settings, run_dir, periodic.get())) return false;
        if (lora_counts) {
          const int64_t steps = run.training.steps;
          store_.append_metrics(id, {{results::kRunParameters, steps, static_cast<double>(lora_counts->total), 0.0},
                                     {results::kRunTrainableParameters, steps,
                                      static_cast<double>(lora_counts->trainable), 0.0}});
        }
      }
      if (model::has_lora(model)) {
        // The adapter alone in PEFT's layout (rank 0), then merged for the plain
        // HF export (every rank: they evaluate together).
        if (leader()) {
          const fs::path adapter_dir = run_dir / "adapter";
          model::save_peft_adapter(model, *run.training.lora, adapter_dir, base_model_reference(),
                                   {{"pose_studio", {{"run", run.name}, {"rope_scaling_in", (export_dir / model::kConfigFile).string()}}}});
          store_.add_artifact(id, "peft-adapter", adapter_dir);
        }
        model::merge_lora(model);
      }
      if (leader()) export_model(id, model, export_dir, config.rope);
      if (from_leader(cancelled(), "whether " + run.name + " is evaluated")) {
        end_run(id, run.name, RunStatus::Cancelled, "cancelled before evaluation");
        return false;
      }
      evaluate(id, run, model, run.fine_tunes() ? run.training.steps : 0);
      end_run(id, run.name, RunStatus::Done);
      meet_leader("rank 0 finishing " + run.name);
      return true;
    } catch (const std::exception& e) {
      const std::string message =
          train::out_of_memory_message(e, {run.name, device_description(o_.device), run.train_len,
                                           run.training.batch_size, run.training.grad_accum})
              .value_or(e.what());
      log(run.name + ": failed: " + message);
      end_run(id, run.name, RunStatus::Failed, message);
      // The ranks cannot agree on going on: the job ends here.
      if (o_.group) throw UserError(message, "");
      return !cancelled();
    }
  }

  // Adapters on the run's copy of the base; under bf16 the frozen projections
  // are stored in bf16 (their GEMMs read them so anyway). The parameter counts
  // are stored as metrics once the run has trained.
  model::ParameterCounts prepare_lora(const ExtendRunSpec& run, model::LlamaForCausalLM& model) {
    const model::LoraConfig& lora = *run.training.lora;
    model::attach_lora(model, lora, run.training.seed);
    {
      // The shared base stays as it is: what trains (embeddings, norms) gets its own tensors.
      torch::NoGradGuard no_grad;
      for (auto& p : model::trainable_parameters(model)) p.set_data(p.detach().clone());
    }
    if (train::resolve_precision(run.training.precision, o_.device) == Precision::Bf16) {
      model::store_frozen_projections_as(model, torch::kBFloat16);
    }
    const auto counts = model::count_parameters(model);
    char share[32];
    std::snprintf(share, sizeof share, "%.3g%%", 100.0 * static_cast<double>(counts.trainable) / static_cast<double>(counts.total));
    log(run.name + ": " + describe(lora) + ": " + std::to_string(counts.trainable) + " of " +
        std::to_string(counts.total) + " parameters train (" + share + ")");
    return counts;
  }

  // What a PEFT adapter names as its base: the HF directory the experiment
  // extends, or the base model this experiment trained and exported.
  std::string base_model_reference() const {
    if (spec_.base_model.kind == "hf") return fs::absolute(base_model_dir()).string();
    return (o_.work_dir / "runs" / "base" / "model").string();
  }

  std::unique_ptr<PeriodicEvaluator> make_periodic(int64_t id, const ExtendRunSpec& run, const model::ModelConfig& config) {
    if (!spec_.evaluation.periodic) return nullptr;
    const PeriodicPlan plan = resolve_periodic_plan(*spec_.evaluation.periodic, original_window_, run.target_len);
    const auto& documents = data_.split(plan.split);
    int64_t held_out_tokens = 0;
    for (const auto& d : documents) held_out_tokens += static_cast<int64_t>(d.size());
    const auto cost = estimate_periodic_cost(plan, config, run, held_out_tokens);
    std::string steps;
    for (const auto s : periodic_steps(plan, run.fine_tunes() ? run.training.steps : 0)) {
      steps += (steps.empty() ? "" : ", ") + std::to_string(s);
    }
    std::string share = run.fine_tunes() ? ", estimated " + std::to_string(static_cast<int>(100 * cost.share() + 0.5)) +
                                               "% of the training compute" : "";
    if (plan.max_share > 0) share += " (bounded at " + std::to_string(static_cast<int>(100 * plan.max_share + 0.5)) + "% of training time)";
    log(run.name + ": periodic evaluation at step " + steps + share);
    PeriodicContext context;
    context.documents = &documents;
    context.tokenizer = data_.tokenizer.get();
    context.original_window = original_window_;
    context.target_len = run.target_len;
    if (o_.group) {
      // Ranks divide each evaluation; a stop comes between training steps,
      // where every rank agrees on it, not in the middle of one.
      context.share.index = o_.group->rank();
      context.share.count = o_.group->world_size();
      context.share.sum = [this, name = run.name](std::vector<double>& values) {
        o_.group->sum_over_ranks(values, name + ": summing the ranks' periodic evaluation");
      };
    } else {
      context.cancelled = [this] { return cancelled(); };
    }
    return std::make_unique<PeriodicEvaluator>(store_, id, run, plan, context, o_.observer,
                                               [this](const std::string& line) { log(line); }, o_.group);
  }

  // One evaluation's record: its settings (with the run's RoPE and the wall
  // time) and results replace any earlier ones of that kind; headline numbers
  // become metric points so `pose runs` and the GUI read them without parsing.
  void record_eval(int64_t id, const ExtendRunSpec& run, const std::string& kind, json settings, const json& results,
                   int64_t step, Clock::time_point started, const std::vector<std::pair<std::string, double>>& headline) {
    settings["rope"] = to_json(run)["rope"];
    settings["wall_s"] = std::chrono::duration<double>(Clock::now() - started).count();
    store_.delete_eval_results(id, kind);
    store_.add_eval_result({0, id, kind, settings, results, step, {}});
    std::vector<store::MetricPoint> points;
    for (const auto& [series, value] : headline) points.push_back({series, step, value, 0.0});
    store_.append_metrics(id, points);
    if (o_.observer) o_.observer->on_eval_result(run.name, kind, results);
  }

  // What every suite measures with on this run: the experiment's tokenizer and
  // held-out splits, Lc and the run's Lt.
  SuiteInputs suite_inputs(const ExtendRunSpec& run) const {
    SuiteInputs in;
    in.tokenizer = data_.tokenizer.get();
    in.documents = [this](const std::string& split) -> const TokenDocuments& { return data_.split(split); };
    in.documents_source = [this](const std::string& split) {
      return json(split == "test" ? data_.test_ids : data_.validation_ids);
    };
    in.original_window = original_window_;
    in.target_len = run.target_len;
    return in;
  }

  // The experiment's evaluation plan: each registered suite it asks for, in
  // the registry's order (experiment/eval_suite.h). Data-parallel ranks divide
  // the suites that can divide their work and sum their parts; the others run
  // on rank 0 while the rest wait. Rank 0 records.
  void evaluate(int64_t id, const ExtendRunSpec& run, model::LlamaForCausalLM& model, int64_t step) {
    for (const auto* suite : eval_suites()) {
      const auto plan = suite->planned(spec_.evaluation);
      if (!plan) continue;
      const std::string name = suite->info().name;
      const bool together = o_.group != nullptr && suite->info().divides_work;
      if (o_.group && !together && !leader()) {
        meet_leader("rank 0 evaluating " + run.name + ": " + name);
        continue;
      }
      SuiteInputs in = suite_inputs(run);
      in.progress = [&](int64_t done, int64_t total) {
        log(run.name + ": " + name + " " + std::to_string(done) + "/" + std::to_string(total));
      };
      if (together) {
        in.share.index = o_.group->rank();
        in.share.count = o_.group->world_size();
        in.share.sum = [this, &run, &name](std::vector<double>& values) {
          o_.group->sum_over_ranks(values, run.name + ": summing the ranks' " + name);
        };
      }
      const auto t0 = Clock::now();
      const auto result = suite->run(model, *plan, in, results::EvalPhase::Final);
      if (leader()) record_eval(id, run, suite->info().kind, result.settings, result.results, step, t0, result.headline);
      if (o_.group && !together) meet_leader("");
    }
  }

  const ExperimentSpec& spec_;
  const RunnerOptions& o_;
  ExperimentStore store_;
  RunnerSummary summary_;
  PreparedData data_;
  model::LlamaForCausalLM base_{nullptr};
  model::ModelConfig base_config_;
  int64_t original_window_ = 0;
};

}  // namespace

std::string device_description(const torch::Device& device) {
  if (!device.is_cuda()) return "cpu";
  const auto info = device_info();
  return device.str() + (info.device_name.empty() ? "" : " (" + info.device_name + ")");
}

json versions_json() {
  return {{"pose", product_version()}, {"libtorch", torch_version()}, {"build", build_description()}};
}

RunnerSummary run_experiment(const ExperimentSpec& spec, const RunnerOptions& options) {
  Runner runner(spec, options);
  return runner.run();
}

fs::path default_work_dir(const ExperimentSpec& spec) { return logging::default_data_dir() / "experiments" / spec.name; }

fs::path default_store_file() { return store::default_store_file(); }

torch::Device parse_device(const std::string& name) {
  torch::Device device(torch::kCPU);
  try {
    device = torch::Device(name);
  } catch (const c10::Error&) {
    throw UserError("--device " + name + " is not a device name", "use cpu, cuda or cuda:N");
  }
  if (device.is_cuda() && !torch::cuda::is_available()) {
    throw UserError("--device " + name + ": no CUDA device is available in this build or on this machine",
                    "run with --device cpu, or use a build of PoSE Studio against a CUDA LibTorch");
  }
  if (!device.is_cpu() && !device.is_cuda()) {
    throw UserError("--device " + name + " is not supported", "use cpu or cuda");
  }
  return device;
}

}  // namespace pose::experiment
