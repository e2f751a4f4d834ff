// Helpers the evaluation suites share to build their plans (eval_suite.h):
// a setting from the command's flags, else from the run's own stored
// settings, else a default; and the suites each file defines for the registry.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "experiment/eval_suite.h"

namespace pose::experiment {

// overrides[key], else own[key], else `fallback` (either may be null or lack the key).
template <typename T>
T pick_setting(const nlohmann::json& overrides, const nlohmann::json& own, const char* key, T fallback) {
  if (overrides.is_object() && overrides.contains(key) && !overrides[key].is_null()) return overrides[key].get<T>();
  if (own.is_object() && own.contains(key) && !own[key].is_null()) return own[key].get<T>();
  return fallback;
}

// The suites of the registry, one per file (suite_*.cpp).
const EvalSuite& perplexity_suite();
const EvalSuite& passkey_suite();
const EvalSuite& kv_suite();
const EvalSuite& probe_suite();
const EvalSuite& attention_suite();
const EvalSuite& ruler_suite();

}  // namespace pose::experiment
