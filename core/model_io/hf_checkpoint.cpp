#include "model_io/hf_checkpoint.h"

#include "common/error.h"
#include "common/json_file.h"
#include "model/model_init.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <regex>

namespace pose::model {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// At most this many names are listed in one error message.
constexpr std::size_t kMaxNamesInMessage = 8;

std::string name_list(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < kMaxNamesInMessage; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > kMaxNamesInMessage) s += " and " + std::to_string(names.size() - kMaxNamesInMessage) + " more";
  return s;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Tensors HF itself skips on load: rotary buffers from older checkpoints.
bool ignored_on_load(const std::string& name) { return ends_with(name, "rotary_emb.inv_freq"); }

const std::regex& shard_pattern() {
  static const std::regex pattern(R"(model-\d{5}-of-\d{5}\.safetensors)");
  return pattern;
}

void read_index(HfCheckpoint& ck) {
  const fs::path index_path = ck.dir / kWeightsIndexFile;
  const json index = read_json_file(index_path);
  auto map = index.find("weight_map");
  if (!index.is_object() || map == index.end() || !map->is_object() || map->empty()) {
    throw UserError(index_path.string() + ": weight_map is missing or empty",
                    "the index must map every tensor name to its shard file; re-save the model");
  }
  std::set<fs::path> seen_files;
  for (const auto& [name, file] : map->items()) {
    if (!file.is_string()) throw UserError(index_path.string() + ": weight_map['" + name + "'] is not a file name", "re-save the model");
    const fs::path shard = ck.dir / file.get<std::string>();
    ck.weight_map[name] = shard;
    if (seen_files.insert(shard).second) ck.weight_files.push_back(shard);
  }
  std::sort(ck.weight_files.begin(), ck.weight_files.end());
  for (const auto& f : ck.weight_files) {
    if (!fs::exists(f)) {
      throw UserError(index_path.string() + " names shard " + f.filename().string() + ", which is missing",
                      "copy every shard listed in the index into " + ck.dir.string());
    }
  }
}

}  // namespace

torch::ScalarType to_torch_dtype(WeightDtype d) {
  switch (d) {
    case WeightDtype::Float32: return torch::kFloat;
    case WeightDtype::BFloat16: return torch::kBFloat16;
    case WeightDtype::Float16: return torch::kHalf;
  }
  return torch::kFloat;
}

std::optional<WeightDtype> to_weight_dtype(torch::ScalarType d) {
  switch (d) {
    case torch::kFloat: return WeightDtype::Float32;
    case torch::kBFloat16: return WeightDtype::BFloat16;
    case torch::kHalf: return WeightDtype::Float16;
    default: return std::nullopt;
  }
}

torch::ScalarType stored_dtype(const HfCheckpoint& ck) {
  static const std::map<std::string, torch::ScalarType> computable = {
      {"F32", torch::kFloat}, {"BF16", torch::kBFloat16}, {"F16", torch::kHalf}, {"F64", torch::kDouble}};
  std::set<std::string> floating;
  for (const auto& [name, e] : ck.tensors) {
    if (ignored_on_load(name)) continue;
    const bool is_float = e.dtype[0] == 'F' || e.dtype == "BF16";
    if (is_float) floating.insert(e.dtype);
  }
  if (floating.size() == 1) {
    auto it = computable.find(*floating.begin());
    if (it != computable.end()) return it->second;
  }
  return to_torch_dtype(ck.config.torch_dtype);
}

std::string shard_file_name(std::size_t index, std::size_t count) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "model-%05zu-of-%05zu.safetensors", index, count);
  return buffer;
}

HfCheckpoint read_hf_checkpoint(const fs::path& dir) {
  HfCheckpoint ck;
  ck.dir = dir;
  if (!fs::is_directory(dir)) {
    throw UserError(dir.string() + ": not a directory", "give an HF model directory (config.json + *.safetensors)");
  }
  const fs::path config_path = dir / kConfigFile;
  if (!fs::exists(config_path)) {
    throw UserError(dir.string() + ": no config.json", "give an HF model directory (config.json + *.safetensors)");
  }
  ck.config = config_from_hf_json(read_json_file(config_path), config_path.string());

  if (fs::exists(dir / kWeightsIndexFile)) {
    ck.sharded = true;
    read_index(ck);
  } else if (fs::exists(dir / kSingleWeightsFile)) {
    ck.weight_files.push_back(dir / kSingleWeightsFile);
  } else if (fs::exists(dir / "pytorch_model.bin") || fs::exists(dir / "pytorch_model.bin.index.json")) {
    throw UserError(dir.string() + " holds PyTorch .bin weights, which PoSE Studio does not read (pickle)",
                    "convert them with transformers: model.save_pretrained(dir, safe_serialization=True)");
  } else {
    throw UserError(dir.string() + ": no model.safetensors or model.safetensors.index.json",
                    "give an HF model directory with safetensors weights");
  }

  for (const auto& file : ck.weight_files) {
    const SafetensorsFile st(file);
    for (const auto& e : st.entries()) {
      if (ck.sharded) {
        auto it = ck.weight_map.find(e.name);
        if (it == ck.weight_map.end()) {
          throw UserError(file.string() + ": tensor '" + e.name + "' is not listed in " + kWeightsIndexFile,
                          "re-save the model so that index and shards agree");
        }
        if (it->second != file) {
          throw UserError(file.string() + ": tensor '" + e.name + "' is listed in " + kWeightsIndexFile + " under " +
                              it->second.filename().string(),
                          "re-save the model so that index and shards agree");
        }
      } else {
        ck.weight_map[e.name] = file;
      }
      if (!ck.tensors.emplace(e.name, e).second) {
        throw UserError(file.string() + ": tensor '" + e.name + "' appears in two shards", "re-save the model");
      }
      ck.tensor_bytes += e.bytes();
      ck.dtypes.insert(e.dtype);
    }
  }
  for (const auto& [name, file] : ck.weight_map) {
    if (!ck.tensors.count(name)) {
      throw UserError(fs::path(dir / kWeightsIndexFile).string() + " lists tensor '" + name + "' in " +
                          file.filename().string() + ", which does not contain it",
                      "re-save the model so that index and shards agree");
    }
  }
  if (fs::exists(dir / kTokenizerFile)) ck.tokenizer_model = dir / kTokenizerFile;
  return ck;
}

void load_hf_weights(LlamaForCausalLM& model, const HfCheckpoint& ck) {
  torch::NoGradGuard no_grad;
  auto params = model->named_parameters();
  std::vector<std::string> missing, unexpected, wrong_shape;
  for (const auto& item : params) {
    auto it = ck.tensors.find(item.key());
    if (it == ck.tensors.end()) {
      missing.push_back(item.key());
    } else if (it->second.shape != item.value().sizes().vec()) {
      wrong_shape.push_back(item.key() + " " + shape_string(it->second.shape) + " (expected " +
                            shape_string(item.value().sizes().vec()) + ")");
    }
  }
  for (const auto& [name, entry] : ck.tensors) {
    if (params.contains(name) || ignored_on_load(name)) continue;
    if (name == "lm_head.weight" && model->config().tie_word_embeddings) {
      spdlog::debug("{}: lm_head.weight ignored: tie_word_embeddings is set", ck.dir.string());
      continue;
    }
    unexpected.push_back(name);
  }
  const std::string where = ck.dir.string() + ": ";
  if (!missing.empty()) {
    throw UserError(where + std::to_string(missing.size()) + " tensor(s) missing: " + name_list(missing),
                    "the checkpoint does not match config.json (layers, tie_word_embeddings, biases); check both");
  }
  if (!wrong_shape.empty()) {
    throw UserError(where + "tensor(s) with the wrong shape: " + name_list(wrong_shape),
                    "config.json's sizes (hidden, heads, kv heads, head_dim, vocab) do not match the weights");
  }
  if (!unexpected.empty()) {
    throw UserError(where + std::to_string(unexpected.size()) + " unexpected tensor(s): " + name_list(unexpected),
                    "this is not a " + to_string(model->config().family) + " checkpoint matching config.json");
  }

  // One shard open at a time; each tensor read into its parameter's storage.
  for (const auto& file : ck.weight_files) {
    const SafetensorsFile st(file);
    for (const auto& e : st.entries()) {
      if (params.contains(e.name)) st.read_into(e.name, params[e.name]);
    }
  }
}

LoadedModel load_hf_model(const fs::path& dir, const LoadOptions& options) {
  LoadedModel out;
  out.checkpoint = read_hf_checkpoint(dir);
  out.dtype = options.dtype_as_stored ? stored_dtype(out.checkpoint) : options.dtype.value_or(torch::kFloat);
  // Built on the CPU (LibTorch's C++ API has no default device), then moved once;
  // the values are overwritten by the files, so the modules' own init is spent.
  out.model = make_model(out.checkpoint.config, out.dtype, options.model_options);
  if (options.device != torch::kCPU) out.model->to(options.device);
  load_hf_weights(out.model, out.checkpoint);
  return out;
}

void save_hf_model(LlamaForCausalLM& model, const fs::path& dir, const SaveOptions& options) {
  if (options.max_shard_bytes == 0) throw UserError("max_shard_bytes: 0", "use a positive shard size, e.g. 5 GB");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw UserError(dir.string() + ": cannot be created (" + ec.message() + ")", "choose a writable location");

  ModelConfig config = model->config();
  config.torch_dtype = options.dtype;
  if (options.rope) {
    config.rope = *options.rope;
    config.rope.params.head_dim = static_cast<int>(config.head_dim);
    if (options.rope->params.max_position) config.max_position_embeddings = *options.rope->params.max_position;
    config.validate();
  }

  // Tensors in parameter order (HF's state-dict order), as they are: each is
  // converted to the dtype by write_safetensors just before it is written, so
  // sizes come from the target's element size.
  const torch::ScalarType dtype = to_torch_dtype(options.dtype);
  const uint64_t element = c10::elementSize(dtype);
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  uint64_t total = 0;
  for (const auto& item : model->named_parameters()) {
    tensors.emplace_back(item.key(), item.value().detach());
    total += static_cast<uint64_t>(item.value().numel()) * element;
  }

  // Greedy sharding as HF: start a new shard when the next tensor would overflow
  // the current one (a tensor larger than the limit gets a shard of its own).
  std::vector<std::vector<std::pair<std::string, torch::Tensor>>> shards(1);
  uint64_t shard_bytes = 0;
  for (auto& entry : tensors) {
    const uint64_t bytes = static_cast<uint64_t>(entry.second.numel()) * element;
    if (!shards.back().empty() && shard_bytes + bytes > options.max_shard_bytes) {
      shards.emplace_back();
      shard_bytes = 0;
    }
    shards.back().push_back(std::move(entry));
    shard_bytes += bytes;
  }

  // Remove the weights of the other layout (an earlier save) first.
  const bool sharded = shards.size() > 1;
  for (const auto& f : fs::directory_iterator(dir, ec)) {
    const std::string name = f.path().filename().string();
    const bool old_shard = std::regex_match(name, shard_pattern());
    if (old_shard || (sharded && name == kSingleWeightsFile) || (!sharded && name == kWeightsIndexFile)) {
      fs::remove(f.path(), ec);
    }
  }

  if (!sharded) {
    write_safetensors(dir / kSingleWeightsFile, shards.front(), {}, dtype);
  } else {
    json weight_map = json::object();
    for (std::size_t i = 0; i < shards.size(); ++i) {
      const std::string file = shard_file_name(i + 1, shards.size());
      for (const auto& entry : shards[i]) weight_map[entry.first] = file;
      write_safetensors(dir / file, shards[i], {}, dtype);
    }
    write_json_file(dir / kWeightsIndexFile, json{{"metadata", {{"total_size", total}}}, {"weight_map", weight_map}});
  }
  // The style of the model's own config unless asked otherwise (an override's
  // HfRopeConfig carries a default style, not the input's).
  write_json_file(dir / kConfigFile, config_to_hf_json(config, options.rope_style.value_or(model->config().rope.style)));

  if (options.tokenizer_model) {
    if (!fs::exists(*options.tokenizer_model)) {
      throw UserError(options.tokenizer_model->string() + ": no such tokenizer file", "give the path of a tokenizer.model");
    }
    const fs::path target = dir / kTokenizerFile;
    if (fs::absolute(*options.tokenizer_model) != fs::absolute(target)) {
      fs::copy_file(*options.tokenizer_model, target, fs::copy_options::overwrite_existing, ec);
      if (ec) throw UserError(target.string() + ": cannot be written (" + ec.message() + ")", "check the directory");
    }
  }
}

}  // namespace pose::model
