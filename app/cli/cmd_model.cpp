// `pose model`: inspect, create and run LLaMA-family checkpoints in HF layout.
//   info DIR [--json]
//   init --config JSON --out DIR [--seed N] [--dtype fp32|bf16] [...]
//   logits DIR --ids 1,2,3 [--positions 0,1,2] --out FILE.json [--dtype fp32|bf16|auto]
//   generate DIR (--prompt TEXT | --ids 1,2,3) [--new N] [--dtype fp32|bf16|auto]
//   merge BASE_DIR ADAPTER_DIR OUT_DIR [--dtype fp32|bf16|fp16|auto] [--rope-from CONFIG] [--force]
#include "commands.h"

#include "common/error.h"
#include "common/json_file.h"
#include "model/generate.h"
#include "model_io/hf_checkpoint.h"
#include "lora/lora.h"
#include "model/model_init.h"
#include "text/tokenizer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <torch/version.h>

#include <cmath>
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace pose::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr long long kDefaultSeed = 0;
constexpr long long kDefaultNewTokens = 16;

const char* const kUsage =
    "Usage: pose model info DIR [--json]\n"
    "       pose model init --config CONFIG.json --out DIR [--seed N] [--dtype fp32|bf16]\n"
    "                       [--tokenizer tokenizer.model] [--rope-style rope_scaling|rope_parameters]\n"
    "                       [--max-shard-bytes N]\n"
    "       pose model logits DIR --ids 1,2,3 [--positions 0,1,2] --out LOGITS.json [--kernel eager|sdpa]\n"
    "                       [--dtype fp32|bf16|auto]\n"
    "       pose model generate DIR (--prompt TEXT | --ids 1,2,3 [--positions ...]) [--new N]\n"
    "                       [--dtype fp32|bf16|auto]\n"
    "       pose model merge BASE_DIR ADAPTER_DIR OUT_DIR [--dtype fp32|bf16|fp16|auto]\n"
    "                       [--rope-from CONFIG.json] [--force]\n\n"
    "LLaMA-family models (model_type llama, mistral, qwen2) in HF checkpoint layout:\n"
    "config.json + model.safetensors (or shards + model.safetensors.index.json).\n\n"
    "  info      config, parameter count, RoPE scaling, dtype, tensor count and bytes.\n"
    "            --json prints one object.\n"
    "  init      a randomly initialised model (HF's init: normal std initializer_range,\n"
    "            seeded) from an HF-style config.json, written in HF layout. The config's\n"
    "            rope_scaling / rope_parameters is kept in the style it uses (--rope-style\n"
    "            overrides). --max-shard-bytes splits weights above that size (default 5e9).\n"
    "  logits    runs the model on the CPU on one sequence and writes\n"
    "            {\"ids\", \"position_ids\", \"dtype\", \"logits\" [T][V]} for comparison with HF\n"
    "            transformers (tools/hf_compare/compare_logits.py).\n"
    "  generate  greedy continuation with the KV cache. --prompt TEXT is encoded with the\n"
    "            directory's tokenizer.model (BOS first) and the continuation printed as text;\n"
    "            --ids prints the new token ids.\n"
    "  merge     merges a PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors,\n"
    "            as pose run or PEFT's save_pretrained writes it) into the base model's\n"
    "            weights, W + (alpha/r)·BA, and writes a plain HF directory with the base's\n"
    "            tokenizer.model. Its RoPE: --rope-from CONFIG.json (a config.json or a model\n"
    "            directory), else the config the adapter names as the one it was trained\n"
    "            with (pose run's adapters do), else the base's. --dtype: the dtype the\n"
    "            merged weights are written in, auto (default) as the base stores them;\n"
    "            each update is added in fp32 and rounded once. OUT_DIR must be new or\n"
    "            empty unless --force (its config, weights and tokenizer.model are then\n"
    "            replaced); it is never BASE_DIR or ADAPTER_DIR.\n"
    "  --dtype   the dtype the weights are loaded and computed in (logits, generate):\n"
    "            fp32 (default), bf16, or auto: bf16 when the checkpoint stores bf16,\n"
    "            else fp32.\n"
    "            The weights are read into place tensor by tensor, so loading needs about\n"
    "            the model's size in that dtype.\n";

std::string subcommand(Args& args) {
  if (args.positionals().empty()) throw UserError("pose model: missing subcommand", "use info, init, logits, generate or merge");
  return args.positionals()[0];
}

fs::path model_dir(Args& args, const std::string& sub) {
  if (args.positionals().size() < 2) {
    throw UserError("pose model " + sub + ": missing model directory", "give the HF model directory, e.g. pose model " + sub + " runs/tiny");
  }
  if (args.positionals().size() > 2) {
    throw UserError("pose model " + sub + ": unexpected argument '" + args.positionals()[2] + "'", "give one model directory");
  }
  return args.positionals()[1];
}

std::vector<int64_t> int_list(Args& args, const std::string& name, bool required) {
  auto values = args.get_double_list(name);
  if (!values) {
    if (required) throw UserError("--" + name + " is missing", "give comma-separated token ids, e.g. --" + name + " 1,2,3");
    return {};
  }
  std::vector<int64_t> out;
  for (double v : *values) {
    if (v != std::floor(v) || v < 0) {
      throw UserError("--" + name + ": " + std::to_string(v) + " is not a non-negative whole number", "give integer ids, e.g. 1,2,3");
    }
    out.push_back(static_cast<int64_t>(v));
  }
  if (out.empty()) throw UserError("--" + name + " is empty", "give at least one id");
  return out;
}

std::string group_thousands(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

std::string describe_rope(const rope::RopeParams& p) {
  std::ostringstream s;
  s << rope::to_string(p.method);
  if (p.method != rope::RopeMethod::None) s << " factor " << p.factor;
  if (p.original_max_position) s << ", original window " << *p.original_max_position;
  s << ", theta " << p.base;
  return s.str();
}

const char* style_name(rope::HfRopeStyle style) {
  return style == rope::HfRopeStyle::RopeScaling ? "rope_scaling" : "rope_parameters";
}

model::AttentionKernel parse_kernel(const std::string& name) {
  if (name == "auto") return model::AttentionKernel::Auto;
  if (name == "eager") return model::AttentionKernel::Eager;
  if (name == "sdpa") return model::AttentionKernel::Sdpa;
  throw UserError("--kernel: '" + name + "' is not a kernel", "use auto, eager or sdpa");
}

// --dtype of logits and generate, which compute on the CPU in fp32 or bf16:
// fp32 unless asked; auto: as the checkpoint stores its weights when that is one
// of the two, else fp32 (which holds fp16 weights exactly).
void read_load_dtype(Args& args, const fs::path& dir, model::LoadOptions& load) {
  const std::string name = args.get_or("dtype", "fp32");
  if (name == "auto") {
    const torch::ScalarType stored = model::stored_dtype(model::read_hf_checkpoint(dir));
    if (stored == torch::kBFloat16 || stored == torch::kFloat) {
      load.dtype_as_stored = true;
    } else {
      load.dtype = torch::kFloat;
    }
    return;
  }
  const model::WeightDtype dtype = model::parse_weight_dtype(name, "--dtype");
  if (dtype == model::WeightDtype::Float16) {
    throw UserError("--dtype " + name + ": the CPU path computes in fp32 or bf16",
                    "use --dtype fp32 (fp16 weights load into it exactly), bf16 or auto");
  }
  load.dtype = model::to_torch_dtype(dtype);
}

// HF's name of the dtype the model computed in.
std::string dtype_name(torch::ScalarType dtype) {
  const auto d = model::to_weight_dtype(dtype);
  return d ? model::to_hf_dtype_name(*d) : std::string(c10::toString(dtype));
}

int run_info(Args& args, std::ostream& out) {
  const bool as_json = args.flag("json");
  const fs::path dir = model_dir(args, "info");
  args.reject_unknown();
  const model::HfCheckpoint ck = model::read_hf_checkpoint(dir);
  const model::ModelConfig& c = ck.config;
  const rope::RopeParams rope = c.rope_params();
  if (as_json) {
    json files = json::array();
    for (const auto& f : ck.weight_files) files.push_back(f.filename().string());
    json j = {
        {"dir", dir.string()},
        {"model_type", model::to_string(c.family)},
        {"parameter_count", c.parameter_count()},
        {"rope", {{"method", rope::to_string(rope.method)},
                  {"factor", rope.factor},
                  {"base", rope.base},
                  {"original_max_position_embeddings", rope.original_max_position ? json(*rope.original_max_position) : json(nullptr)},
                  {"max_position_embeddings", c.max_position_embeddings},
                  {"style", style_name(c.rope.style)}}},
        {"torch_dtype", model::to_hf_dtype_name(c.torch_dtype)},
        {"tensor_count", ck.tensors.size()},
        {"tensor_bytes", ck.tensor_bytes},
        {"tensor_dtypes", ck.dtypes},
        {"sharded", ck.sharded},
        {"weight_files", files},
        {"tokenizer_model", ck.tokenizer_model ? json(ck.tokenizer_model->string()) : json(nullptr)},
        {"config", model::config_to_hf_json(c)},
    };
    out << j.dump(2) << "\n";
    return 0;
  }
  std::string dtypes;
  for (const auto& d : ck.dtypes) dtypes += (dtypes.empty() ? "" : ", ") + d;
  out << dir.string() << "\n"
      << "  model_type     " << model::to_string(c.family) << "\n"
      << "  shape          " << c.num_hidden_layers << " layers, hidden " << c.hidden_size << ", intermediate "
      << c.intermediate_size << ", heads " << c.num_attention_heads << " (kv " << c.num_key_value_heads << "), head_dim "
      << c.head_dim << ", vocab " << c.vocab_size << (c.tie_word_embeddings ? ", tied embeddings" : "") << "\n"
      << "  parameters     " << group_thousands(static_cast<uint64_t>(c.parameter_count())) << "\n"
      << "  rope           " << describe_rope(rope) << " (" << style_name(c.rope.style) << " style)\n"
      << "  max positions  " << c.max_position_embeddings << "\n"
      << "  dtype          " << model::to_hf_dtype_name(c.torch_dtype) << " (config); tensors " << dtypes << "\n"
      << "  tensors        " << ck.tensors.size() << " in " << ck.weight_files.size() << " file(s), "
      << group_thousands(ck.tensor_bytes) << " bytes\n"
      << "  tokenizer      " << (ck.tokenizer_model ? ck.tokenizer_model->string() : std::string("none")) << "\n";
  return 0;
}

int run_init(Args& args, std::ostream& out) {
  const fs::path config_path = args.require("config");
  const fs::path out_dir = args.require("out");
  const long long seed = args.get_int("seed").value_or(kDefaultSeed);
  const model::WeightDtype dtype = model::parse_weight_dtype(args.get_or("dtype", "fp32"), "--dtype");
  const auto tokenizer = args.get("tokenizer");
  const auto style = args.get("rope-style");
  const auto shard = args.get_int("max-shard-bytes");
  args.reject_unknown();
  if (args.positionals().size() > 1) {
    throw UserError("pose model init: unexpected argument '" + args.positionals()[1] + "'", "give the output with --out DIR");
  }
  if (seed < 0) throw UserError("--seed: " + std::to_string(seed) + " is negative", "give a seed of 0 or more");
  if (shard && *shard <= 0) throw UserError("--max-shard-bytes: not positive", "give a size in bytes, e.g. 5000000000");

  const model::ModelConfig config = model::config_from_hf_json(read_json_file(config_path), config_path.string());
  // Built in the dtype it is written in, initialised one fp32 tensor at a time:
  // no fp32 model and no converted copy of it exist.
  model::LlamaForCausalLM m = model::make_model(config, model::to_torch_dtype(dtype));
  model::init_weights(m, static_cast<uint64_t>(seed));

  model::SaveOptions save;
  save.dtype = dtype;
  if (shard) save.max_shard_bytes = static_cast<uint64_t>(*shard);
  if (tokenizer) save.tokenizer_model = fs::path(*tokenizer);
  if (style) {
    if (*style == "rope_scaling") {
      save.rope_style = rope::HfRopeStyle::RopeScaling;
    } else if (*style == "rope_parameters") {
      save.rope_style = rope::HfRopeStyle::RopeParameters;
    } else {
      throw UserError("--rope-style: '" + *style + "' is not a style", "use rope_scaling or rope_parameters");
    }
  }
  model::save_hf_model(m, out_dir, save);
  out << "wrote " << out_dir.string() << ": " << model::to_string(config.family) << ", "
      << group_thousands(static_cast<uint64_t>(config.parameter_count())) << " parameters, "
      << model::to_hf_dtype_name(dtype) << ", seed " << seed << "\n";
  return 0;
}

struct SequenceInput {
  torch::Tensor ids;        // [1, T]
  torch::Tensor positions;  // [1, T]
  std::vector<int64_t> id_list;
  std::vector<int64_t> position_list;
};

SequenceInput read_sequence(Args& args) {
  SequenceInput s;
  s.id_list = int_list(args, "ids", true);
  s.position_list = int_list(args, "positions", false);
  if (s.position_list.empty()) {
    for (std::size_t i = 0; i < s.id_list.size(); ++i) s.position_list.push_back(static_cast<int64_t>(i));
  }
  if (s.position_list.size() != s.id_list.size()) {
    throw UserError("--positions: " + std::to_string(s.position_list.size()) + " ids for " + std::to_string(s.id_list.size()) + " tokens",
                    "give one position id per token");
  }
  s.ids = torch::tensor(s.id_list, torch::kLong).unsqueeze(0);
  s.positions = torch::tensor(s.position_list, torch::kLong).unsqueeze(0);
  return s;
}

int run_logits(Args& args, std::ostream& out) {
  const fs::path dir = model_dir(args, "logits");
  const SequenceInput s = read_sequence(args);
  const fs::path out_path = args.require("out");
  model::LoadOptions load;
  load.model_options.kernel = parse_kernel(args.get_or("kernel", "auto"));
  read_load_dtype(args, dir, load);
  args.reject_unknown();

  model::LoadedModel loaded = model::load_hf_model(dir, load);
  loaded.model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor logits = loaded.model->forward(s.ids, s.positions).squeeze(0).to(torch::kDouble).contiguous();
  json rows = json::array();
  const double* data = logits.data_ptr<double>();
  for (int64_t t = 0; t < logits.size(0); ++t) {
    rows.push_back(std::vector<double>(data + t * logits.size(1), data + (t + 1) * logits.size(1)));
  }
  write_json_file(out_path, json{{"model", dir.string()},
                                 {"ids", s.id_list},
                                 {"position_ids", s.position_list},
                                 {"dtype", dtype_name(loaded.dtype)},
                                 {"torch_version", TORCH_VERSION},
                                 {"logits", rows}},
                  /*indent=*/-1);
  out << "wrote " << out_path.string() << ": logits [" << logits.size(0) << ", " << logits.size(1) << "], "
      << dtype_name(loaded.dtype) << "\n";
  return 0;
}

// The model directory's own tokenizer.model, or a UserError saying how to do without.
text::Tokenizer model_tokenizer(const fs::path& dir) {
  const fs::path file = dir / model::kTokenizerFile;
  if (!fs::exists(file)) {
    throw UserError(dir.string() + " has no " + model::kTokenizerFile + ", so --prompt cannot be encoded",
                    "copy the model's SentencePiece tokenizer.model into the directory (pose model init "
                    "--tokenizer FILE does), or give token ids with --ids");
  }
  return text::Tokenizer::load(file);
}

int run_generate(Args& args, std::ostream& out) {
  const fs::path dir = model_dir(args, "generate");
  const std::optional<std::string> prompt = args.get("prompt");
  if (prompt && args.get("ids")) {
    throw UserError("--prompt and --ids both given", "give the prompt as text (--prompt) or as token ids (--ids)");
  }
  if (prompt && args.get("positions")) {
    throw UserError("--positions needs --ids", "give token ids with --ids to place them at chosen positions");
  }
  const long long n_new = args.get_int("new").value_or(kDefaultNewTokens);
  model::LoadOptions load;
  read_load_dtype(args, dir, load);
  std::optional<text::Tokenizer> tokenizer;
  SequenceInput s;
  if (prompt) {
    if (prompt->empty()) throw UserError("--prompt is empty", "give the text to continue, e.g. --prompt \"Once upon\"");
    tokenizer = model_tokenizer(dir);
    // LLaMA's convention: the prompt starts with BOS when the tokenizer has one.
    for (const int32_t id : tokenizer->encode(*prompt, /*add_bos=*/tokenizer->bos_id() >= 0)) {
      s.id_list.push_back(id);
      s.position_list.push_back(static_cast<int64_t>(s.position_list.size()));
    }
  } else {
    s = read_sequence(args);
  }
  args.reject_unknown();
  if (n_new < 1) throw UserError("--new: below 1", "give the number of tokens to generate, e.g. 16");
  model::LoadedModel loaded = model::load_hf_model(dir, load);
  loaded.model->eval();
  model::GenerateOptions options;
  options.max_new_tokens = n_new;
  options.prompt_positions = s.position_list;
  const std::vector<int64_t> tokens = model::generate_greedy(loaded.model, s.id_list, options);
  if (tokenizer) {
    // The continuation as text: the prompt's decoding, then the whole sequence's,
    // minus its start (SentencePiece joins pieces across the boundary).
    std::vector<int32_t> prompt_ids(s.id_list.begin(), s.id_list.end());
    std::vector<int32_t> all_ids = prompt_ids;
    for (const int64_t t : tokens) {
      if (t < 0 || t >= tokenizer->vocab_size()) {
        throw UserError("the model generated token " + std::to_string(t) + ", outside the tokenizer's " +
                            std::to_string(tokenizer->vocab_size()) + " pieces",
                        "use the tokenizer.model the model was trained with");
      }
      all_ids.push_back(static_cast<int32_t>(t));
    }
    const std::string head = tokenizer->decode(prompt_ids);
    const std::string whole = tokenizer->decode(all_ids);
    if (whole.compare(0, head.size(), head) == 0) {
      out << whole.substr(head.size()) << "\n";
    } else {  // the boundary changed the prompt's text: the new tokens alone
      out << tokenizer->decode({all_ids.begin() + static_cast<std::ptrdiff_t>(prompt_ids.size()), all_ids.end()})
          << "\n";
    }
    return 0;
  }
  for (std::size_t i = 0; i < tokens.size(); ++i) out << (i ? "," : "") << tokens[i];
  out << "\n";
  return 0;
}

// The dtype the merged weights are held in while merging and the one they are
// written in. Held in fp32 and rounded once, when written, except a bf16 base
// written as bf16: held as stored (exact), merge_lora adds each update in fp32
// and rounds once. So no weight is rounded twice, and a bf16 base needs no fp32
// copy of itself.
struct MergeDtypes {
  torch::ScalarType hold = torch::kFloat;
  model::WeightDtype write = model::WeightDtype::Float32;
};

MergeDtypes merge_dtypes(const std::string& name, const model::HfCheckpoint& base) {
  const torch::ScalarType stored = model::stored_dtype(base);
  MergeDtypes d;
  d.write = name == "auto" ? model::to_weight_dtype(stored).value_or(model::WeightDtype::Float32)
                           : model::parse_weight_dtype(name, "--dtype");
  if (d.write == model::WeightDtype::BFloat16 && stored == torch::kBFloat16) d.hold = torch::kBFloat16;
  return d;
}

// `key` of a JSON object when it is a string, else "" (PEFT writes null for
// an unknown base).
std::string string_field(const json& j, const char* key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool same_directory(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec) && !ec;
}

// A config.json, or a model directory holding one.
fs::path config_file(const fs::path& path) { return fs::is_directory(path) ? path / model::kConfigFile : path; }

// The RoPE of `config_path` (scaling, theta and max_position_embeddings) for a
// model of `base`'s shape, in the style that file uses.
rope::HfRopeConfig rope_of(const fs::path& config_path, const model::ModelConfig& base) {
  if (!fs::is_regular_file(config_path)) {
    throw UserError(config_path.string() + ": no such config file", "give a config.json or a model directory holding one");
  }
  const model::ModelConfig c = model::config_from_hf_json(read_json_file(config_path), config_path.string());
  if (c.hidden_size != base.hidden_size || c.num_hidden_layers != base.num_hidden_layers ||
      c.num_attention_heads != base.num_attention_heads || c.num_key_value_heads != base.num_key_value_heads ||
      c.head_dim != base.head_dim) {
    throw UserError(config_path.string() + " describes a model of another shape than the base (hidden " +
                        std::to_string(c.hidden_size) + ", " + std::to_string(c.num_hidden_layers) + " layers, heads " +
                        std::to_string(c.num_attention_heads) + ", head_dim " + std::to_string(c.head_dim) + "; the base: hidden " +
                        std::to_string(base.hidden_size) + ", " + std::to_string(base.num_hidden_layers) + " layers, heads " +
                        std::to_string(base.num_attention_heads) + ", head_dim " + std::to_string(base.head_dim) + ")",
                    "take the RoPE from the config of the model the adapter was trained in");
  }
  rope::HfRopeConfig r = c.rope;
  r.params = c.rope_params();  // with its max_position_embeddings, which save_hf_model writes
  return r;
}

// Refuses an OUT_DIR that would overwrite an input or another directory's files.
void check_merge_output(const fs::path& out_dir, const fs::path& base_dir, const fs::path& adapter_dir, bool force) {
  if (!fs::exists(out_dir)) return;
  if (!fs::is_directory(out_dir)) {
    throw UserError("OUT_DIR " + out_dir.string() + " is a file", "give a new directory for the merged model");
  }
  for (const auto& [input, what] : {std::pair{base_dir, "BASE_DIR"}, std::pair{adapter_dir, "ADAPTER_DIR"}}) {
    if (same_directory(out_dir, input)) {
      throw UserError(std::string("OUT_DIR ") + out_dir.string() + " is " + what + " (" + input.string() + ")",
                      "write the merged model to a directory of its own; the inputs are never written");
    }
  }
  if (!force && fs::directory_iterator(out_dir) != fs::directory_iterator()) {
    throw UserError("OUT_DIR " + out_dir.string() + " exists and is not empty",
                    "give a new directory, or add --force to replace the model in it");
  }
}

int run_merge(Args& args, std::ostream& out) {
  const std::string dtype_name_arg = args.get_or("dtype", "auto");
  const std::optional<std::string> rope_from = args.get("rope-from");
  const bool force = args.flag("force");
  args.reject_unknown();
  const auto& pos = args.positionals();
  if (pos.size() < 4) {
    throw UserError("pose model merge: needs BASE_DIR ADAPTER_DIR OUT_DIR",
                    "e.g. pose model merge runs/base/model runs/pose-4x/adapter merged");
  }
  if (pos.size() > 4) throw UserError("pose model merge: unexpected argument '" + pos[4] + "'", "give BASE_DIR ADAPTER_DIR OUT_DIR");
  const fs::path base_dir = pos[1], adapter_dir = pos[2], out_dir = pos[3];
  if (!fs::is_directory(base_dir)) {
    throw UserError("BASE_DIR " + base_dir.string() + ": no such directory", "give the base model's HF directory (config.json + model.safetensors)");
  }
  if (!fs::is_directory(adapter_dir)) {
    throw UserError("ADAPTER_DIR " + adapter_dir.string() + ": no such directory",
                    "give the PEFT adapter's directory (adapter_config.json + adapter_model.safetensors)");
  }
  check_merge_output(out_dir, base_dir, adapter_dir, force);

  // Everything that can be refused without the weights is checked before they load.
  const model::LoraConfig lora = model::read_peft_config(adapter_dir);
  if (!fs::exists(adapter_dir / model::kPeftWeightsFile)) {
    throw UserError(adapter_dir.string() + ": no " + model::kPeftWeightsFile,
                    "give the adapter directory as PEFT saves it (adapter_config.json + adapter_model.safetensors)");
  }
  const json adapter_json = read_json_file(adapter_dir / model::kPeftConfigFile);
  const model::HfCheckpoint base = model::read_hf_checkpoint(base_dir);
  const MergeDtypes dtypes = merge_dtypes(dtype_name_arg, base);

  model::SaveOptions save;
  save.dtype = dtypes.write;
  std::string rope_origin = "the base's";
  // A pose run's adapter names the config holding the RoPE it was trained with
  // (its merged export's): without it the merged model would rotate as the base.
  std::optional<fs::path> rope_config = rope_from ? std::optional<fs::path>(config_file(*rope_from)) : std::nullopt;
  if (!rope_config) {
    const auto studio = adapter_json.find("pose_studio");
    const std::string named = studio != adapter_json.end() ? string_field(*studio, "rope_scaling_in") : std::string();
    if (!named.empty() && fs::is_regular_file(named)) {
      rope_config = fs::path(named);
      rope_origin = "the adapter's training RoPE, from " + named;
    } else if (!named.empty()) {
      out << "note: the adapter was trained with the RoPE in " << named
          << ", which no longer exists; the merged model keeps the base's (give --rope-from CONFIG.json to set it)\n";
    }
  } else {
    rope_origin = "from " + rope_config->string();
  }
  if (rope_config) {
    const rope::HfRopeConfig r = rope_of(*rope_config, base.config);
    save.rope = r;
    save.rope_style = r.style;
  }
  if (base.tokenizer_model) save.tokenizer_model = *base.tokenizer_model;

  const std::string named_base = string_field(adapter_json, "base_model_name_or_path");
  if (!named_base.empty() && !same_directory(named_base, base_dir)) {
    out << "note: the adapter names base_model_name_or_path '" << named_base << "', not " << base_dir.string()
        << "; merging into " << base_dir.string() << " as asked\n";
  }

  model::LoadOptions load;
  load.dtype = dtypes.hold;
  model::LoadedModel loaded = model::load_hf_model(base_dir, load);
  model::load_peft_adapter(loaded.model, adapter_dir);
  int64_t adapted = 0;
  for (const auto& item : loaded.model->named_parameters()) {
    const std::string& name = item.key();
    const std::string suffix = ".lora_A.weight";
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) ++adapted;
  }
  model::merge_lora(loaded.model);

  // A tokenizer.model left by an earlier model would pair another vocabulary
  // with these weights.
  if (!save.tokenizer_model && fs::exists(out_dir / model::kTokenizerFile)) fs::remove(out_dir / model::kTokenizerFile);
  model::save_hf_model(loaded.model, out_dir, save);

  std::string targets;
  for (const auto t : lora.targets) targets += (targets.empty() ? "" : ", ") + model::lora_target_name(t);
  std::string whole;
  if (lora.train_embeddings) whole = "embeddings";
  if (lora.train_norms) whole += std::string(whole.empty() ? "" : " and ") + "norms";
  const model::ModelConfig& c = loaded.model->config();
  out << "merged " << adapter_dir.string() << " into " << base_dir.string() << ": LoRA rank " << lora.rank << ", alpha "
      << lora.alpha << " (scaling " << lora.scaling() << "), targets " << targets << "; " << adapted
      << " adapted projections" << (whole.empty() ? "" : "; " + whole + " taken from the adapter") << "\n"
      << "  rope       " << describe_rope(save.rope ? save.rope->params : c.rope_params()) << " (" << rope_origin << ")\n"
      << "  tokenizer  " << (save.tokenizer_model ? save.tokenizer_model->string() : std::string("none")) << "\n"
      << "wrote " << out_dir.string() << ": " << model::to_string(c.family) << ", "
      << group_thousands(static_cast<uint64_t>(c.parameter_count())) << " parameters, "
      << model::to_hf_dtype_name(dtypes.write) << "\n";
  return 0;
}

}  // namespace

Command model_command() {
  Command c;
  c.name = "model";
  c.summary = "inspect, create and run LLaMA-family checkpoints (HF layout)";
  c.usage = kUsage;
  c.run = [](Args& args, std::ostream& out, std::ostream&) {
    const std::string sub = subcommand(args);
    if (sub == "info") return run_info(args, out);
    if (sub == "init") return run_init(args, out);
    if (sub == "logits") return run_logits(args, out);
    if (sub == "generate") return run_generate(args, out);
    if (sub == "merge") return run_merge(args, out);
    throw UserError("pose model: unknown subcommand '" + sub + "'", "use info, init, logits, generate or merge");
  };
  return c;
}

}  // namespace pose::cli
