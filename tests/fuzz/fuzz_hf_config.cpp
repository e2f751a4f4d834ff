// Fuzzes the HF config.json reader: the input is the file's text, parsed the way
// read_json_file parses it (parse_json_text), then config_from_hf_json must
// return a config; either may throw UserError, and anything else escaping aborts
// (libFuzzer records the input). An accepted config is used the way
// `pose model info` uses one (parameter count, rope parameters) and must
// round-trip: writing it back as config.json and reading that again gives the
// same config.json. Error messages are printable (UTF-8, no controls). The nesting
// depth parse_json_text scans for (to refuse stack-overflowing documents) must
// not be below the parsed value's.
#include "common/error.h"
#include "common/json_file.h"
#include "model/model_config.h"
#include "fuzz_message_check.h"
#include "text/utf8.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

namespace {

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "fuzz_hf_config: %s\n", what.c_str());
  __builtin_trap();
}

// Nesting of a parsed value, for checking json_nesting_depth's scan of the text.
std::size_t depth_of(const nlohmann::json& j) {
  if (!j.is_structured()) return 0;
  std::size_t deepest = 0;
  for (const auto& v : j) deepest = std::max(deepest, depth_of(v));
  return deepest + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nlohmann::json;
  const std::string text(reinterpret_cast<const char*>(data), size);
  pose::model::ModelConfig config;
  try {
    const json input = pose::parse_json_text(text, "config.json");
    // An upper bound (exact unless a duplicate key drops a deeper value).
    if (depth_of(input) > pose::json_nesting_depth(text)) broken("json_nesting_depth is below the parsed depth");
    config = pose::model::config_from_hf_json(input, "config.json");
  } catch (const pose::UserError& e) {
    if (e.problem().empty()) broken("empty error message");
    if (pose::fuzz::unprintable(e.problem() + e.fix())) broken("unprintable message: " + e.problem());
    return 0;
  }
  (void)config.parameter_count();
  (void)config.rope_params();

  const json written = pose::model::config_to_hf_json(config);
  pose::model::ModelConfig again;
  try {
    again = pose::model::config_from_hf_json(json::parse(written.dump()), "written config.json");
  } catch (const pose::UserError& e) {
    broken(std::string("an accepted config does not read back: ") + e.what() + "\nwritten: " + written.dump());
  }
  const json rewritten = pose::model::config_to_hf_json(again);
  if (rewritten != written) {
    broken("config.json does not round-trip\nfirst:  " + written.dump() + "\nsecond: " + rewritten.dump());
  }
  return 0;
}
