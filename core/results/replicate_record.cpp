#include "results/replicate_record.h"

namespace pose::results {

std::string replicate_experiment_name(const std::string& experiment, uint64_t seed) {
  return experiment + ".seed-" + std::to_string(seed);
}

std::optional<std::string> replicate_of(const nlohmann::json& experiment_spec) {
  if (!experiment_spec.is_object()) return std::nullopt;
  const auto it = experiment_spec.find(kReplicateOfKey);
  if (it == experiment_spec.end() || !it->is_string() || it->get<std::string>().empty()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<uint64_t> experiment_seed(const nlohmann::json& experiment_spec) {
  if (!experiment_spec.is_object()) return std::nullopt;
  const auto it = experiment_spec.find(kSeedKey);
  if (it == experiment_spec.end() || !it->is_number_unsigned()) {
    // A seed written 3.0 is read as 3 by the spec parser; the stored source keeps the user's text.
    if (it != experiment_spec.end() && it->is_number() && it->get<double>() >= 0) {
      return static_cast<uint64_t>(it->get<double>());
    }
    return std::nullopt;
  }
  return it->get<uint64_t>();
}

std::string replicate_group(const std::string& experiment_name, const nlohmann::json& experiment_spec) {
  return replicate_of(experiment_spec).value_or(experiment_name);
}

}  // namespace pose::results
