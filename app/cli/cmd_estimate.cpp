// `pose estimate`: what each extension run of a spec will need before it
// runs — parameters (trainable and in all), memory by category for the design
// and for Full-length at Lt, whether each fits the device's memory, and what
// to change when it does not (experiment/cost_estimate.h).
#include "commands.h"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/device_memory.h"
#include "common/error.h"
#include "experiment/cost_estimate.h"
#include "experiment/experiment_spec.h"
#include "positions/sampler_types.h"

namespace pose::cli {

namespace {

using nlohmann::json;
using namespace pose::experiment;

std::string count_text(double n) {
  char buffer[32];
  if (n >= 1e15) std::snprintf(buffer, sizeof buffer, "%.2fP", n / 1e15);
  else if (n >= 1e12) std::snprintf(buffer, sizeof buffer, "%.2fT", n / 1e12);
  else if (n >= 1e9) std::snprintf(buffer, sizeof buffer, "%.2fB", n / 1e9);
  else if (n >= 1e6) std::snprintf(buffer, sizeof buffer, "%.2fM", n / 1e6);
  else if (n >= 1e3) std::snprintf(buffer, sizeof buffer, "%.1fK", n / 1e3);
  else std::snprintf(buffer, sizeof buffer, "%.0f", n);
  return buffer;
}

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> names;
  std::stringstream in(text);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

json memory_json(const MemoryEstimate& m) {
  const auto& a = m.activation_parts;
  return {{"total", m.total()},
          {"weights", m.weights},
          {"weight_copies", m.weight_copies},
          {"gradients", m.gradients},
          {"optimizer", m.optimizer},
          {"activations", m.activations},
          {"activation_parts",
           {{"layers", a.layers},
            {"adapters", a.adapters},
            {"inputs", a.inputs},
            {"loss", a.loss},
            {"recompute", a.recompute},
            {"backward_peak", a.backward_peak}}}};
}

json cost_json(const TrainingCost& t) {
  return {{"train_len", t.train_len},
          {"batch_size", t.batch_size},
          {"grad_accum", t.grad_accum},
          {"parameters", t.parameters},
          {"trainable_parameters", t.trainable_parameters},
          {"tokens_per_step", t.tokens_per_step},
          {"flops_per_step", t.flops_per_step},
          {"memory_bytes", memory_json(t.memory)}};
}

json change_json(const SettingChange& c) {
  switch (c.kind) {
    case SettingChange::Kind::ActivationCheckpointing: return {{"activation_checkpointing", true}};
    case SettingChange::Kind::BatchSize: return {{"batch_size", c.value}, {"grad_accum", c.accum}};
    case SettingChange::Kind::Lora:
      return {{"lora", {{"rank", c.value}, {"alpha", 2 * c.value}, {"targets", {"q_proj", "k_proj", "v_proj", "o_proj"}}}}};
    case SettingChange::Kind::Bf16: return {{"precision", "bf16"}};
  }
  return json::object();
}

json verdict_json(const FitVerdict& v) {
  json suggestions = json::array();
  for (const auto& s : v.suggestions) {
    json settings = json::object();
    for (const auto& c : s.changes) settings.update(change_json(c));
    suggestions.push_back({{"change", describe(s.changes)}, {"settings", settings}, {"bytes", s.bytes}, {"fits", s.fits}});
  }
  json j = {{"needed_bytes", v.needed}, {"usable_bytes", v.available}, {"fits", v.fits}, {"suggestions", suggestions}};
  if (const auto top = v.top()) j["top"] = describe(top->changes);
  return j;
}

std::string what_trains(const TrainingSettings& t) {
  std::string text;
  if (!t.lora) {
    text = "full fine-tuning";
  } else {
    const auto& l = *t.lora;
    text = "LoRA rank " + std::to_string(l.rank) + " on ";
    for (std::size_t i = 0; i < l.targets.size(); ++i) text += (i ? "," : "") + model::lora_target_name(l.targets[i]);
    if (l.train_embeddings) text += " + embeddings";
    if (l.train_norms) text += " + norms";
  }
  if (t.activation_checkpointing) text += ", activation checkpointing";
  return text;
}

void print_verdict(const FitVerdict& v, const std::string& label, std::ostream& out) {
  out << "  " << label << ": " << (v.fits ? "fits" : "does not fit") << " (" << format_bytes(v.needed) << " of "
      << format_bytes(v.available) << ")\n";
  if (v.fits) return;
  const auto top = v.top();
  for (const auto& s : v.suggestions) {
    const bool is_top = top && describe(top->changes) == describe(s.changes);
    out << "    " << (is_top ? "* " : "  ") << describe(s.changes) << ": " << format_bytes(v.needed) << " -> "
        << format_bytes(s.bytes) << (s.fits ? " (fits)" : " (does not fit)") << "\n";
  }
  if (!top) out << "    nothing listed fits: a larger device, a shorter train_len, or several devices\n";
}

// The memory table of one run: the design beside Full-length.
void print_costs(const TrainingCost& d, const TrainingCost& f, std::ostream& out) {
  const auto row = [&](const std::string& name, const std::string& a, const std::string& b) {
    out << "  " << name << std::string(name.size() < 26 ? 26 - name.size() : 1, ' ') << a
        << std::string(a.size() < 22 ? 22 - a.size() : 1, ' ') << b << "\n";
  };
  const auto bytes = [](double v) { return format_bytes(v); };
  row("", "design (" + std::to_string(d.train_len) + ")", "full-length (" + std::to_string(f.train_len) + ")");
  row("parameters trained / all", count_text(double(d.trainable_parameters)) + " / " + count_text(double(d.parameters)),
      count_text(double(f.trainable_parameters)) + " / " + count_text(double(f.parameters)));
  row("tokens per step", count_text(double(d.tokens_per_step)), count_text(double(f.tokens_per_step)));
  row("compute per step (FLOP)", count_text(d.flops_per_step), count_text(f.flops_per_step));
  row("weights", bytes(d.memory.weights), bytes(f.memory.weights));
  if (d.memory.weight_copies > 0 || f.memory.weight_copies > 0) {
    row("bf16 weight copies", bytes(d.memory.weight_copies), bytes(f.memory.weight_copies));
  }
  row("gradients", bytes(d.memory.gradients), bytes(f.memory.gradients));
  row("AdamW state", bytes(d.memory.optimizer), bytes(f.memory.optimizer));
  row("activations", bytes(d.memory.activations), bytes(f.memory.activations));
  const auto& a = d.memory.activation_parts;
  const auto& b = f.memory.activation_parts;
  row("  saved by the layers", bytes(a.layers), bytes(b.layers));
  if (a.adapters > 0 || b.adapters > 0) row("  LoRA adapters", bytes(a.adapters), bytes(b.adapters));
  if (a.recompute > 0 || b.recompute > 0) row("  recomputed layer", bytes(a.recompute), bytes(b.recompute));
  row("  loss", bytes(a.loss), bytes(b.loss));
  row("  inputs, RoPE, mask", bytes(a.inputs), bytes(b.inputs));
  row("  backward working set", bytes(a.backward_peak), bytes(b.backward_peak));
  row("total", bytes(d.memory.total()), bytes(f.memory.total()));
}

}  // namespace

Command estimate_command() {
  Command c;
  c.name = "estimate";
  c.summary = "parameters, memory and whether a spec's runs fit a device, before running them";
  c.usage =
      "Usage: pose estimate SPEC.json [--preset NAME] [--runs A,B] [--config DIR]\n"
      "                     [--device cpu|cuda] [--device-memory SIZE] [--precision auto|fp32|bf16]\n"
      "                     [--attention auto|eager|efficient] [--json]\n\n"
      "For every extension run that trains: parameters (trainable / all), memory by category\n"
      "(weights, bf16 weight copies, gradients, AdamW state, activations and their parts) for the\n"
      "run as designed and for Full-length at its target length with the same settings, whether\n"
      "each fits the device, and the changes that would make it fit, each estimated the same way.\n"
      "Memory is the peak of one optimizer step's tensors; the framework, the allocator's cache,\n"
      "the CUDA context and libraries' workspaces are not in it, so a run fits when it needs at\n"
      "most 90% of the device (docs/PERFORMANCE.md compares the estimate with measured peaks).\n\n"
      "  --preset NAME        apply the spec's named preset first\n"
      "  --runs A,B           only these runs (default: every run that trains)\n"
      "  --config DIR         take the base model's shape from DIR/config.json (an hf base model\n"
      "                       whose directory is not here; experiments/llama-7b-config has LLaMA-7B's)\n"
      "  --device             cpu or cuda (default: cuda when LibTorch sees one, else cpu): decides\n"
      "                       the kernels, attention and what precision auto means\n"
      "  --device-memory SIZE e.g. 80GiB, 80GB (10^9 bytes), 24G; a bare number is GiB\n"
      "                       (default: the CUDA device's memory, the host's for cpu, 80GiB for cuda\n"
      "                       without a device here)\n"
      "  --precision P        every run's precision instead of its own\n"
      "  --attention A        eager: the T x T probabilities are kept; efficient: a flash /\n"
      "                       memory-efficient kernel (SDPA on LibTorch 2.x GPUs, the CPU kernel);\n"
      "                       auto (default): what this build's engine does on the device\n"
      "  --json               one object: {experiment, device, device_memory_bytes, usable_bytes,\n"
      "                       runs: [{name, strategy, design, full_length, design_fit,\n"
      "                       full_length_fit}]}, bytes as numbers\n";
  c.run = [](Args& args, std::ostream& out, std::ostream&) {
    const std::string preset = args.get_or("preset", "");
    const auto runs_option = args.get("runs");
    const auto config_dir = args.get("config");
    const auto device_name = args.get("device");
    const auto memory_text = args.get("device-memory");
    const auto precision_name = args.get("precision");
    const std::string attention_name = args.get_or("attention", "auto");
    const bool as_json = args.flag("json");
    args.reject_unknown();
    if (args.positionals().size() != 1) {
      throw UserError("pose estimate: expected one spec file", "e.g. pose estimate experiments/micro-pose.json");
    }

    CostDevice device = cuda_device_available() ? CostDevice::Cuda : CostDevice::Cpu;
    if (device_name) {
      if (*device_name == "cpu") device = CostDevice::Cpu;
      else if (*device_name == "cuda") device = CostDevice::Cuda;
      else throw UserError("--device: unknown device '" + *device_name + "'", "use cpu or cuda");
    }
    AttentionMemory attention = AttentionMemory::Auto;
    if (attention_name == "eager") attention = AttentionMemory::Materialized;
    else if (attention_name == "efficient") attention = AttentionMemory::RowStatistics;
    else if (attention_name != "auto") {
      throw UserError("--attention: unknown choice '" + attention_name + "'", "use auto, eager or efficient");
    }
    std::optional<Precision> precision;
    if (precision_name) {
      if (*precision_name == "auto") precision = Precision::Auto;
      else if (*precision_name == "fp32") precision = Precision::Fp32;
      else if (*precision_name == "bf16") precision = Precision::Bf16;
      else throw UserError("--precision: unknown precision '" + *precision_name + "'", "use auto, fp32 or bf16");
    }
    std::string memory_source;
    double device_bytes = 0;
    if (memory_text) {
      device_bytes = parse_memory_size(*memory_text, "--device-memory");
      memory_source = "given";
    } else if (device == CostDevice::Cuda) {
      if (const auto bytes = cuda_memory_bytes()) {
        device_bytes = *bytes;
        memory_source = "this CUDA device's";
      } else {
        device_bytes = parse_memory_size("80GiB", "--device-memory");
        memory_source = "no CUDA device here: assumed; give --device-memory";
      }
    } else {
      const auto bytes = host_memory_bytes();
      if (!bytes) {
        throw UserError("the host's memory is unknown (no /proc/meminfo)", "give --device-memory, e.g. 32GiB");
      }
      device_bytes = *bytes;
      memory_source = "this host's";
    }

    const auto spec = load_experiment_spec(args.positionals()[0], preset);
    const model::ModelConfig base = base_model_config(spec, config_dir ? std::filesystem::path(*config_dir) : "");
    std::vector<const ExtendRunSpec*> runs;
    if (runs_option) {
      for (const auto& name : split_names(*runs_option)) {
        const auto it = std::find_if(spec.extend.begin(), spec.extend.end(), [&](const auto& r) { return r.name == name; });
        if (it == spec.extend.end()) {
          std::string known;
          for (const auto& r : spec.extend) known += (known.empty() ? "" : ", ") + r.name;
          throw UserError("--runs: the spec has no run '" + name + "'", "use one of " + known);
        }
        runs.push_back(&*it);
      }
    } else {
      for (const auto& r : spec.extend) {
        if (r.fine_tunes()) runs.push_back(&r);
      }
    }

    json report = {{"experiment", spec.name},
                   {"device", to_string(device)},
                   {"device_memory_bytes", device_bytes},
                   {"usable_bytes", device_bytes * (1 - kMemoryHeadroom)},
                   {"headroom", kMemoryHeadroom},
                   {"base_model",
                    {{"parameters", base.parameter_count()},
                     {"hidden_size", base.hidden_size},
                     {"num_hidden_layers", base.num_hidden_layers},
                     {"vocab_size", base.vocab_size}}},
                   {"runs", json::array()}};
    if (!as_json) {
      out << "experiment " << spec.name << ": base model " << count_text(double(base.parameter_count()))
          << " parameters (hidden " << base.hidden_size << ", " << base.num_hidden_layers << " layers, vocabulary "
          << base.vocab_size << ")\n"
          << "device " << to_string(device) << ", " << format_bytes(device_bytes) << " (" << memory_source << "), "
          << format_bytes(device_bytes * (1 - kMemoryHeadroom)) << " usable: "
          << static_cast<int>(kMemoryHeadroom * 100) << "% kept for what the estimate leaves out\n";
      if (runs.empty()) out << "no run trains: nothing to estimate\n";
    }
    for (const ExtendRunSpec* r : runs) {
      ExtendRunSpec run = *r;
      if (precision) run.training.precision = *precision;
      const CostOptions o = engine_cost_options(base, run.training, device, attention);
      const DesignCost cost = estimate_design_cost(spec, run, base, o);
      const DesignFit fit = fit_design(spec, run, base, device_bytes, device, attention);
      const std::string attention_text =
          o.materialized_attention ? "eager (T x T probabilities kept)"
                                   : (o.cpu_kernels ? "CPU kernel (row statistics)" : "flash / memory-efficient (row statistics)");
      report["runs"].push_back({{"name", run.name},
                                {"strategy", positions::strategy_name(run.strategy)},
                                {"target_len", run.target_len},
                                {"trains", what_trains(run.training)},
                                {"precision", o.bf16 ? "bf16" : "fp32"},
                                {"attention", o.materialized_attention ? "eager" : "efficient"},
                                {"design", cost_json(cost.design)},
                                {"full_length", cost_json(cost.full_length)},
                                {"design_fit", verdict_json(fit.design)},
                                {"full_length_fit", verdict_json(fit.full_length)}});
      if (as_json) continue;
      out << "\nrun " << run.name << ": " << positions::strategy_name(run.strategy) << ", Lc " << run.train_len
          << " -> Lt " << run.target_len << ", batch " << run.training.batch_size << " x grad_accum "
          << run.training.grad_accum << ", " << what_trains(run.training) << ", "
          << (o.bf16 ? "bf16 autocast" : "fp32") << ", attention " << attention_text << "\n";
      if (!r->fine_tunes()) out << "  (does not train: the figures are what training it would need)\n";
      print_costs(cost.design, cost.full_length, out);
      print_verdict(fit.design, "design", out);
      print_verdict(fit.full_length, "full-length at Lt", out);
    }
    if (as_json) out << report.dump(2) << "\n";
    return 0;
  };
  return c;
}

}  // namespace pose::cli
