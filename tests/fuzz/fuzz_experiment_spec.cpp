// Fuzzes the experiment spec parser: the input is the spec file's text, parsed
// the way load_experiment_spec parses it (parse_json_text), then
// parse_experiment_spec must return a spec; either may throw UserError, and
// anything else escaping aborts (libFuzzer records the input). A refused spec's
// message must be printable (fuzz_message_check.h). An accepted spec must
// round-trip: its canonical JSON (to_json), written as text and parsed again,
// gives a spec with the same canonical JSON — otherwise the fuzzer traps. When the spec defines presets, the first one is applied too.
//
// Relative paths resolve against a scratch directory holding model/config.json
// (a tiny LLaMA), so that base_model {"kind": "hf", "path": "model"} reads a
// real config.
#include "common/error.h"
#include "fuzz_message_check.h"
#include "common/json_file.h"
#include "experiment/experiment_spec.h"

#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

std::filesystem::path g_base_dir;

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "fuzz_experiment_spec: %s\n", what.c_str());
  __builtin_trap();
}

void remove_base_dir() {
  std::error_code ec;
  std::filesystem::remove_all(g_base_dir, ec);
}

void check_round_trip(const json& input, const std::string& preset) {
  pose::experiment::ExperimentSpec spec;
  try {
    spec = pose::experiment::parse_experiment_spec(input, g_base_dir, preset);
  } catch (const pose::UserError& e) {
    if (e.problem().empty()) broken("empty error message");
    if (pose::fuzz::unprintable(e.problem() + e.fix())) broken("unprintable message: " + e.problem());
    return;
  }
  const json canonical = pose::experiment::to_json(spec);
  json again;
  try {
    again = pose::experiment::to_json(pose::experiment::parse_experiment_spec(json::parse(canonical.dump()), g_base_dir));
  } catch (const pose::UserError& e) {
    broken(std::string("the canonical JSON of an accepted spec is refused: ") + e.what() + "\ncanonical: " + canonical.dump());
  }
  if (again != canonical) {
    broken("canonical JSON does not round-trip\nfirst:  " + canonical.dump() + "\nsecond: " + again.dump());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/pose-fuzz-spec-XXXXXX";
  if (!::mkdtemp(pattern.data())) broken("mkdtemp failed");
  g_base_dir = pattern;
  std::atexit(remove_base_dir);
  std::filesystem::create_directories(g_base_dir / "model");
  std::ofstream(g_base_dir / "model" / "config.json")
      << R"({"model_type": "llama", "hidden_act": "silu", "vocab_size": 96, "hidden_size": 32,
            "intermediate_size": 80, "num_hidden_layers": 2, "num_attention_heads": 4,
            "num_key_value_heads": 2, "max_position_embeddings": 256, "rope_theta": 10000.0})";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  json input;
  try {
    input = pose::parse_json_text(std::string(reinterpret_cast<const char*>(data), size), "spec.json");
  } catch (const pose::UserError& e) {
    if (pose::fuzz::unprintable(e.problem() + e.fix())) broken("unprintable message: " + e.problem());
    return 0;
  }
  check_round_trip(input, "");
  if (input.is_object()) {
    auto presets = input.find("presets");
    if (presets != input.end() && presets->is_object() && !presets->empty()) {
      check_round_trip(input, presets->begin().key());
    }
  }
  return 0;
}
