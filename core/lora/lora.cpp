#include "lora/lora.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <set>

#include "common/error.h"
#include "common/json_file.h"
#include "model/autocast_state.h"
#include "model/parameter_names.h"
#include "kernels/pool_gemm.h"
#include "model_io/safetensors.h"

namespace pose::model {

namespace {

constexpr const char* kFactorA = "lora_A";
constexpr const char* kFactorB = "lora_B";
// PEFT's prefix for the wrapped model's own parameter names.
constexpr const char* kPeftPrefix = "base_model.model.";

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

bool is_adapter_parameter(const std::string& name) {
  return contains(name, std::string(".") + kFactorA + ".") || contains(name, std::string(".") + kFactorB + ".");
}

// What a LoRA run with this config trains (and its PEFT file holds).
bool trains_under(const LoraConfig& config, const std::string& name) {
  return is_adapter_parameter(name) || (config.train_embeddings && is_embedding_weight(name)) ||
         (config.train_norms && is_norm_weight(name));
}

// Each projection of a layer with its adapter slot, in LoraTarget order.
struct Slot {
  LoraTarget target;
  torch::nn::Linear* projection;
  LoraAdapter* adapter;
};
std::vector<Slot> slots_of(DecoderLayerImpl& layer) {
  auto& attn = *layer.self_attn;
  auto& mlp = *layer.mlp;
  return {{LoraTarget::Q, &attn.q_proj, &attn.lora[0]},     {LoraTarget::K, &attn.k_proj, &attn.lora[1]},
          {LoraTarget::V, &attn.v_proj, &attn.lora[2]},     {LoraTarget::O, &attn.o_proj, &attn.lora[3]},
          {LoraTarget::Gate, &mlp.gate_proj, &mlp.lora[0]}, {LoraTarget::Up, &mlp.up_proj, &mlp.lora[1]},
          {LoraTarget::Down, &mlp.down_proj, &mlp.lora[2]}};
}

torch::Device device_of(LlamaForCausalLM& model) {
  const auto params = model->parameters();
  return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}

}  // namespace

torch::Tensor adapted_projection(const torch::nn::Linear& layer, const LoraAdapter& adapter, const torch::Tensor& x,
                                 bool training) {
  torch::Tensor y = project(layer, x);
  if (!adapter.attached()) return y;
  torch::Tensor in = adapter.dropout > 0 && training ? torch::dropout(x, adapter.dropout, /*train=*/true) : x;
  // Outside autocast the factors' dtype (fp32) decides; under autocast the
  // GEMMs cast for themselves.
  const AutocastState autocast = current_autocast();
  const torch::Tensor& a = adapter.a->weight;
  if (in.scalar_type() != a.scalar_type() && !(in.is_cuda() ? autocast.cuda : autocast.cpu)) in = in.to(a.scalar_type());
  const torch::Tensor update = pool_linear(pool_linear(in, a, {}), adapter.b->weight, {}).mul(adapter.scaling);
  return y + (update.scalar_type() == y.scalar_type() ? update : update.to(y.scalar_type()));
}

bool has_lora(LlamaForCausalLM& model) {
  for (auto& layer : model->model->layer_list) {
    for (const auto& slot : slots_of(*layer)) {
      if (slot.adapter->attached()) return true;
    }
  }
  return false;
}

void attach_lora(LlamaForCausalLM& model, const LoraConfig& config, uint64_t seed) {
  if (has_lora(model)) {
    throw UserError("LoRA adapters are attached to this model already", "merge them (merge_lora) before attaching new ones");
  }
  if (config.rank < 1 || !(config.alpha > 0) || !(config.dropout >= 0 && config.dropout < 1) || config.targets.empty()) {
    throw UserError("LoRA: rank " + std::to_string(config.rank) + ", alpha " + std::to_string(config.alpha) +
                        ", dropout " + std::to_string(config.dropout) + ", " + std::to_string(config.targets.size()) +
                        " targets is not a usable adapter",
                    "use rank >= 1, alpha > 0, dropout in [0, 1) and at least one target");
  }
  torch::NoGradGuard no_grad;
  const torch::Device device = device_of(model);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (auto& layer : model->model->layer_list) {
    for (const auto& slot : slots_of(*layer)) {
      if (!config.targets_contain(slot.target)) continue;
      torch::nn::Linear& projection = *slot.projection;
      const int64_t in = projection->weight.size(1), out = projection->weight.size(0);
      if (config.rank > std::min(in, out)) {
        throw UserError("LoRA rank " + std::to_string(config.rank) + " exceeds " + lora_target_name(slot.target) +
                            "'s smaller side (" + std::to_string(std::min(in, out)) + ")",
                        "lower lora.rank to at most " + std::to_string(std::min(in, out)));
      }
      LoraAdapter& adapter = *slot.adapter;
      // Built with explicit fp32 options: the factors train in fp32 whatever
      // the frozen weights are stored in.
      adapter.a = torch::nn::Linear(torch::nn::LinearOptions(in, config.rank).bias(false));
      adapter.b = torch::nn::Linear(torch::nn::LinearOptions(config.rank, out).bias(false));
      const double bound = 1.0 / std::sqrt(static_cast<double>(in));
      const torch::Tensor a = torch::empty({config.rank, in}, torch::kFloat).uniform_(-bound, bound, generator);
      adapter.a->weight.set_data(a.to(device));
      adapter.b->weight.set_data(torch::zeros({out, config.rank}, torch::TensorOptions(device).dtype(torch::kFloat)));
      adapter.scaling = config.scaling();
      adapter.dropout = config.dropout;
      projection->register_module(kFactorA, adapter.a);
      projection->register_module(kFactorB, adapter.b);
      adapter.a->train(projection->is_training());
      adapter.b->train(projection->is_training());
    }
  }
  for (auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    item.value().set_requires_grad(trains_under(config, name));
  }
}

std::vector<torch::Tensor> trainable_parameters(LlamaForCausalLM& model) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model->parameters()) {
    if (p.requires_grad()) out.push_back(p);
  }
  return out;
}

torch::OrderedDict<std::string, torch::Tensor> named_trainable_parameters(LlamaForCausalLM& model) {
  torch::OrderedDict<std::string, torch::Tensor> out;
  for (const auto& item : model->named_parameters()) {
    if (item.value().requires_grad()) out.insert(item.key(), item.value());
  }
  return out;
}

ParameterCounts count_parameters(LlamaForCausalLM& model) {
  ParameterCounts c;
  for (const auto& item : model->named_parameters()) {
    const int64_t n = item.value().numel();
    c.total += n;
    if (item.value().requires_grad()) c.trainable += n;
    if (is_adapter_parameter(item.key())) c.adapters += n;
  }
  return c;
}

void store_frozen_projections_as(LlamaForCausalLM& model, torch::ScalarType dtype) {
  torch::NoGradGuard no_grad;
  for (auto& layer : model->model->layer_list) {
    for (const auto& slot : slots_of(*layer)) {
      torch::Tensor& w = (*slot.projection)->weight;
      if (!w.requires_grad() && w.scalar_type() != dtype) w.set_data(w.to(dtype));
    }
  }
}

void merge_lora(LlamaForCausalLM& model) {
  torch::NoGradGuard no_grad;
  for (auto& layer : model->model->layer_list) {
    for (const auto& slot : slots_of(*layer)) {
      LoraAdapter& adapter = *slot.adapter;
      if (!adapter.attached()) continue;
      torch::nn::Linear& projection = *slot.projection;
      torch::Tensor& w = projection->weight;
      // One [out, in] fp32 product at a time.
      const torch::Tensor delta =
          torch::mm(adapter.b->weight.to(torch::kFloat), adapter.a->weight.to(torch::kFloat)).mul_(adapter.scaling);
      // A new tensor, not an update in place: a frozen weight may be another
      // model's (a LoRA run shares the base's).
      w.set_data(w.scalar_type() == torch::kFloat ? w.detach() + delta : (w.to(torch::kFloat) + delta).to(w.scalar_type()));
      projection->unregister_module(kFactorA);
      projection->unregister_module(kFactorB);
      adapter = LoraAdapter{};
    }
  }
  for (auto& p : model->parameters()) p.set_requires_grad(true);
}

std::vector<std::pair<std::string, torch::Tensor>> peft_adapter_tensors(LlamaForCausalLM& model, const LoraConfig& config) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    if (trains_under(config, name)) out.emplace_back(kPeftPrefix + name, item.value().detach());
  }
  return out;
}

void save_peft_adapter(LlamaForCausalLM& model, const LoraConfig& config, const std::filesystem::path& dir,
                       const std::string& base_model_name_or_path, const nlohmann::json& extra) {
  if (!has_lora(model)) throw UserError("the model has no LoRA adapters to save", "attach adapters (training.lora) first");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UserError(dir.string() + ": cannot be created (" + ec.message() + ")", "choose a writable location");
  nlohmann::json targets = nlohmann::json::array();
  for (const auto t : config.targets) targets.push_back(lora_target_name(t));
  nlohmann::json modules_to_save = nlohmann::json::array();
  if (config.train_embeddings) {
    modules_to_save.push_back("embed_tokens");
    if (model->lm_head) modules_to_save.push_back("lm_head");
  }
  if (config.train_norms) {
    for (const char* n : {"input_layernorm", "post_attention_layernorm", "norm"}) modules_to_save.push_back(n);
  }
  nlohmann::json j = {{"peft_type", "LORA"},
                      {"task_type", "CAUSAL_LM"},
                      {"r", config.rank},
                      {"lora_alpha", config.alpha},
                      {"lora_dropout", config.dropout},
                      {"target_modules", targets},
                      {"bias", "none"},
                      {"fan_in_fan_out", false},
                      {"inference_mode", true},
                      {"init_lora_weights", true},
                      {"use_rslora", false},
                      {"modules_to_save", modules_to_save.empty() ? nlohmann::json(nullptr) : modules_to_save},
                      {"base_model_name_or_path", base_model_name_or_path}};
  j.update(extra);
  write_safetensors(dir / kPeftWeightsFile, peft_adapter_tensors(model, config));
  write_json_file(dir / kPeftConfigFile, j);
}

namespace {

[[noreturn]] void bad_peft(const std::filesystem::path& file, const std::string& what, const std::string& fix) {
  throw UserError(file.string() + ": " + what, fix);
}

}  // namespace

LoraConfig read_peft_config(const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / kPeftConfigFile;
  if (!std::filesystem::exists(file)) {
    throw UserError(dir.string() + ": no " + kPeftConfigFile, "give a PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors)");
  }
  const nlohmann::json j = read_json_file(file);
  if (!j.is_object()) bad_peft(file, "not a JSON object", "write the adapter again");
  const std::string type = j.value("peft_type", std::string());
  if (type != "LORA") bad_peft(file, "peft_type is \"" + type + "\"", "only LoRA adapters (peft_type LORA) can be loaded");
  LoraConfig c;
  try {
    c.rank = j.at("r").get<int64_t>();
    c.alpha = j.value("lora_alpha", static_cast<double>(c.rank));
    c.dropout = j.value("lora_dropout", 0.0);
  } catch (const nlohmann::json::exception& e) {
    bad_peft(file, std::string("r, lora_alpha or lora_dropout unreadable (") + e.what() + ")", "write the adapter again");
  }
  if (j.value("use_rslora", false)) bad_peft(file, "use_rslora is true", "rsLoRA's alpha/sqrt(r) scaling is not supported; merge the adapter with PEFT first");
  if (j.value("use_dora", false)) bad_peft(file, "use_dora is true", "DoRA adapters are not supported; merge the adapter with PEFT first");
  if (j.value("fan_in_fan_out", false)) bad_peft(file, "fan_in_fan_out is true", "this is for GPT-2 style Conv1D layers, which LLaMA-family models do not have");
  if (j.value("bias", std::string("none")) != "none") bad_peft(file, "bias is \"" + j.value("bias", std::string()) + "\"", "only adapters without trained biases (bias \"none\") are supported");
  const auto targets = j.find("target_modules");
  if (targets == j.end() || !targets->is_array() || targets->empty()) {
    bad_peft(file, "target_modules is not a list of module names", "list the adapted projections, e.g. [\"q_proj\", \"v_proj\"]");
  }
  c.targets.clear();
  for (const auto& t : *targets) {
    LoraTarget target;
    if (!t.is_string() || !parse_lora_target(t.get<std::string>(), target)) {
      bad_peft(file, "target_modules names " + t.dump() + ", not a projection of this decoder", "targets are " + lora_target_names());
    }
    if (!c.targets_contain(target)) c.targets.push_back(target);
  }
  if (const auto m = j.find("modules_to_save"); m != j.end() && m->is_array()) {
    for (const auto& name : *m) {
      const std::string n = name.is_string() ? name.get<std::string>() : std::string();
      if (n == "embed_tokens" || n == "lm_head") {
        c.train_embeddings = true;
      } else if (name_ends_with(n, "norm")) {
        c.train_norms = true;
      } else {
        bad_peft(file, "modules_to_save names " + name.dump(), "only embed_tokens, lm_head and the norms can be saved whole");
      }
    }
  }
  if (c.rank < 1 || !(c.alpha > 0) || !(c.dropout >= 0 && c.dropout < 1)) {
    bad_peft(file, "r " + std::to_string(c.rank) + ", lora_alpha " + std::to_string(c.alpha) + " or lora_dropout " + std::to_string(c.dropout) + " out of range", "write the adapter again");
  }
  return c;
}

LoraConfig load_peft_adapter(LlamaForCausalLM& model, const std::filesystem::path& dir) {
  const LoraConfig config = read_peft_config(dir);
  const std::filesystem::path weights = dir / kPeftWeightsFile;
  const SafetensorsFile file(weights);
  attach_lora(model, config, 0);
  auto params = model->named_parameters();
  std::set<std::string> loaded;
  torch::NoGradGuard no_grad;
  for (const auto& e : file.entries()) {
    std::string name = e.name;
    if (name.rfind(kPeftPrefix, 0) == 0) name = name.substr(std::string(kPeftPrefix).size());
    // PEFT keeps the adapter's name ("default") in memory; saved files usually drop it.
    for (const std::string tag : {".default.", ".modules_to_save.default."}) {
      if (const auto at = name.find(tag); at != std::string::npos) name.replace(at, tag.size(), ".");
    }
    if (!params.contains(name)) {
      throw UserError(weights.string() + ": tensor '" + e.name + "' matches no parameter of the model (as " + name + ")",
                      "the adapter was trained on another model or with other target_modules than adapter_config.json says");
    }
    torch::Tensor& p = params[name];
    if (e.shape != p.sizes().vec()) {
      throw UserError(weights.string() + ": tensor '" + e.name + "' has shape " + c10::str(e.shape) + ", the model's is " + c10::str(p.sizes()),
                      "the adapter was trained on a model of another size");
    }
    p.copy_(file.tensor(e.name).to(p.device(), p.scalar_type()));
    loaded.insert(name);
  }
  for (const auto& item : params) {
    if (is_adapter_parameter(item.key()) && !loaded.count(item.key())) {
      throw UserError(weights.string() + ": no tensor for " + item.key(),
                      "the adapter was trained on a model with fewer layers, or its file is incomplete: use the "
                      "model it was trained on, or write the adapter again");
    }
  }
  return config;
}

}  // namespace pose::model
