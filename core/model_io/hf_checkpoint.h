// HF transformers checkpoint directories, in and out:
//   config.json                         model_type llama, mistral or qwen2
//   model.safetensors                   or, sharded:
//   model-00001-of-0000N.safetensors    + model.safetensors.index.json
//                                         {"metadata": {"total_size"}, "weight_map": {tensor: file}}
//   tokenizer.model                     (sentencepiece), when present
// Tensor names are HF's (model.embed_tokens.weight, model.layers.N.self_attn.
// q_proj.weight, ..., lm_head.weight), which are LlamaForCausalLM's own
// parameter names, so the mapping is one to one and every mismatch is named.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/llama_model.h"
#include "model/model_config.h"
#include "model_io/safetensors.h"

namespace pose::model {

// HF's default max_shard_size ("5GB" = 5·10⁹ bytes): a model up to this size is
// one model.safetensors, a larger one is split into shards of at most this size.
constexpr uint64_t kDefaultMaxShardBytes = 5'000'000'000ULL;

inline constexpr const char* kConfigFile = "config.json";
inline constexpr const char* kSingleWeightsFile = "model.safetensors";
inline constexpr const char* kWeightsIndexFile = "model.safetensors.index.json";
inline constexpr const char* kTokenizerFile = "tokenizer.model";

struct HfCheckpoint {
  std::filesystem::path dir;
  ModelConfig config;
  bool sharded = false;
  std::vector<std::filesystem::path> weight_files;           // in shard order
  std::map<std::string, std::filesystem::path> weight_map;   // tensor name -> file
  std::map<std::string, SafetensorsEntry> tensors;           // validated headers
  std::optional<std::filesystem::path> tokenizer_model;
  uint64_t tensor_bytes = 0;
  std::set<std::string> dtypes;                               // safetensors dtypes present
};

// Reads config.json, the index (if sharded) and every safetensors header
// (validated); no tensor data. Throws UserError naming the file and what to do.
HfCheckpoint read_hf_checkpoint(const std::filesystem::path& dir);

// The LibTorch dtype of a checkpoint dtype, and back (nullopt: none of the three).
torch::ScalarType to_torch_dtype(WeightDtype dtype);
std::optional<WeightDtype> to_weight_dtype(torch::ScalarType dtype);

// The dtype the checkpoint's weights are stored in: the one floating-point dtype
// of its tensors (F32, BF16, F16 or F64), or config.json's torch_dtype when they
// mix dtypes or use one LibTorch cannot compute in.
torch::ScalarType stored_dtype(const HfCheckpoint& checkpoint);

// Copies the checkpoint's tensors into `model`'s parameters in place (converting
// to the parameters' dtype and device piece by piece; see
// SafetensorsFile::read_into), one shard open at a time. Every expected tensor
// must be present with the right shape and nothing unexpected may be left over;
// the error lists the names. Ignored: rotary_emb.inv_freq buffers some
// checkpoints carry, and lm_head.weight when the embeddings are tied (as HF does).
void load_hf_weights(LlamaForCausalLM& model, const HfCheckpoint& checkpoint);

struct LoadOptions {
  torch::Device device = torch::kCPU;
  // Parameter dtype; nullopt: float32 (the engine's CPU precision). Use
  // kBFloat16 for bf16 weights on GPU.
  std::optional<torch::ScalarType> dtype;
  ModelOptions model_options;
  // Overrides `dtype`: the parameters take the checkpoint's stored_dtype().
  bool dtype_as_stored = false;
};

struct LoadedModel {
  LlamaForCausalLM model{nullptr};
  HfCheckpoint checkpoint;
  torch::ScalarType dtype = torch::kFloat;  // the parameters' dtype
};

// Builds the model directly in the requested dtype (no fp32 model first) and
// fills its parameters from the files: besides the parameters themselves, at
// most one staging piece and the mapped pages of one piece are held.
LoadedModel load_hf_model(const std::filesystem::path& dir, const LoadOptions& options = {});

struct SaveOptions {
  WeightDtype dtype = WeightDtype::Float32;
  uint64_t max_shard_bytes = kDefaultMaxShardBytes;
  // The run's RoPE (method and parameters) for config.json; nullopt: the model's own.
  std::optional<rope::HfRopeConfig> rope;
  // rope_scaling (+ rope_theta beside it, readable by older transformers) or
  // rope_parameters; nullopt: the style the model's config was read in.
  std::optional<rope::HfRopeStyle> rope_style;
  std::optional<std::filesystem::path> tokenizer_model;  // copied as tokenizer.model
};

// Writes config.json and the weights (one file, or shards + index), creating
// `dir`. Each parameter is converted to options.dtype just before it is written
// (no converted copy of the model). Weight files of another layout left in
// `dir` by an earlier save are removed so the directory reads back as what was
// written.
void save_hf_model(LlamaForCausalLM& model, const std::filesystem::path& dir, const SaveOptions& options = {});

// Shard file name as HF writes it: model-00001-of-00003.safetensors.
std::string shard_file_name(std::size_t index, std::size_t count);

}  // namespace pose::model
