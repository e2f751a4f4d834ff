// LoRA on a LlamaForCausalLM: attaching adapters, choosing what trains,
// merging them into the weights, and PEFT's adapter layout.
//
// The adapters live inside the model (lora/lora_adapter.h), so a LoRA run is
// the same model object with more parameters: forward, evaluation, device
// moves and train/eval need nothing special. What differs is which parameters
// train (requires_grad): the adapters, plus embeddings and norms when the
// config says so; every other weight is frozen and gets neither a gradient
// nor optimizer state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "model/llama_model.h"
#include "lora/lora_config.h"

namespace pose::model {

// Adds an adapter to each targeted projection of every layer (A drawn as
// PEFT's default, kaiming-uniform with a = sqrt(5), i.e. U(-1/sqrt(in),
// 1/sqrt(in)), from a generator seeded with `seed`, in layer order; B zero),
// on the model's device, in fp32, and marks what trains. Throws UserError when
// adapters are attached already.
void attach_lora(LlamaForCausalLM& model, const LoraConfig& config, uint64_t seed);

// Whether any adapter is attached.
bool has_lora(LlamaForCausalLM& model);

// The parameters that train, in named_parameters() order: those with
// requires_grad. Without LoRA that is every parameter.
std::vector<torch::Tensor> trainable_parameters(LlamaForCausalLM& model);
torch::OrderedDict<std::string, torch::Tensor> named_trainable_parameters(LlamaForCausalLM& model);

struct ParameterCounts {
  int64_t trainable = 0;
  int64_t total = 0;
  int64_t adapters = 0;  // of `trainable`: the LoRA factors
};
ParameterCounts count_parameters(LlamaForCausalLM& model);

// Stores the frozen projection weights (q/k/v/o, gate/up/down) in `dtype`,
// e.g. bf16 for a LoRA run under bf16 autocast, whose GEMMs read them in bf16
// anyway: half the memory of the frozen base. Adapters, embeddings, norms and
// the LM head keep their dtype. No-op for weights that train.
void store_frozen_projections_as(LlamaForCausalLM& model, torch::ScalarType dtype);

// W + scaling · B A for every adapter (computed in fp32, stored in W's dtype,
// as a new tensor: W itself, which may be shared, is not written), then removes
// the adapters: the model is a plain LLaMA-family model again,
// whose outputs equal the adapted model's up to rounding. Every parameter is
// left trainable (requires_grad) as a freshly built model's are.
void merge_lora(LlamaForCausalLM& model);

// PEFT's files for the adapter alone: adapter_config.json (peft_type LORA, r,
// lora_alpha, lora_dropout, target_modules, modules_to_save for trained
// embeddings and norms, base_model_name_or_path) and adapter_model.safetensors
// with PEFT's tensor names (base_model.model.<name>, the adapter name left out
// as PEFT does when saving). `extra` is merged into adapter_config.json.
void save_peft_adapter(LlamaForCausalLM& model, const LoraConfig& config, const std::filesystem::path& dir,
                       const std::string& base_model_name_or_path, const nlohmann::json& extra = nlohmann::json::object());

// Reads PEFT's adapter_config.json: r, lora_alpha, lora_dropout,
// target_modules (a list of this decoder's projection names) and
// modules_to_save (embed_tokens / lm_head: train_embeddings; the norms:
// train_norms). Throws UserError naming the field for what this engine does
// not compute the same way (rsLoRA or DoRA scaling, biases, fan_in_fan_out, a
// regex target).
LoraConfig read_peft_config(const std::filesystem::path& dir);

// Attaches the adapter in `dir` (PEFT's layout, as save_peft_adapter writes it
// or PEFT's save_pretrained does) to `model` and loads its tensors; trained
// embeddings and norms replace the model's. Every tensor must match a
// parameter by name and shape, and every adapter factor must be given.
LoraConfig load_peft_adapter(LlamaForCausalLM& model, const std::filesystem::path& dir);

inline constexpr const char* kPeftConfigFile = "adapter_config.json";
inline constexpr const char* kPeftWeightsFile = "adapter_model.safetensors";

// The tensors save_peft_adapter() writes, by their PEFT names.
std::vector<std::pair<std::string, torch::Tensor>> peft_adapter_tensors(LlamaForCausalLM& model, const LoraConfig& config);

}  // namespace pose::model
