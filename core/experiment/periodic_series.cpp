#include "experiment/periodic_series.h"

#include <cstdint>
#include <string>

namespace pose::experiment {

bool stored_run_trains(const nlohmann::json& spec) {
  if (!spec.is_object()) return false;
  return spec.value("strategy", std::string()) != "none" && spec.value("steps", int64_t(0)) > 0;
}

bool stored_run_is_original_model(const nlohmann::json& spec) {
  if (!spec.is_object() || stored_run_trains(spec)) return false;
  return spec.value("/rope/method"_json_pointer, std::string()) == "none";
}

}  // namespace pose::experiment
