// Typed reads of a user-written JSON document in which every error starts with
// the path of the value at fault ("extend[2].chunks: 0 is below 1"), so that a
// researcher can find the field in a long spec without reading the parser.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace pose::experiment {

// "extend[2]" + "chunks" -> "extend[2].chunks"; an empty parent is the top level.
std::string child_path(const std::string& parent, const std::string& key);
// "extend" + 2 -> "extend[2]".
std::string item_path(const std::string& parent, std::size_t index);
// The last key of a path, without indices: "base_model.betas[1]" -> "betas".
std::string key_of(const std::string& path);

// A value as the user wrote it, shortened for a one-line message.
std::string show_json(const nlohmann::json& value);
// A double the way a person writes it: 2e-05, 0.5, 8.
std::string show_number(double value);

// An error about one field of a spec: what() and problem() read as every
// UserError does ("extend[2].chunks: 0 is below 1 — ..."), and path() gives the
// field's path as data, so that a reader (the Design form) puts the message at
// its field without parsing the text.
class FieldError : public UserError {
 public:
  FieldError(std::string path, const std::string& problem, const std::string& fix)
      : UserError(problem, fix), path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Throws FieldError.
[[noreturn]] void fail(const std::string& path, const std::string& problem, const std::string& fix);

// Validators of other modules name bare parameters ("chunks: ...", "factor: ...");
// this puts the spec path in front ("extend[2]." + "chunks: ...") and spells the
// CLI's hyphenated names (train-len) and RopeParams' field names (short_factors)
// the way the spec does (train_len, short_factor). Throws FieldError whose path
// is the prefix with the parameter's name ("extend[2].chunks"); a prefix that
// ends in ": " names the field itself (an error from reading the file it names).
[[noreturn]] void rethrow_at(const UserError& error, const std::string& prefix);

void require_object(const nlohmann::json& value, const std::string& path);
void require_array(const nlohmann::json& value, const std::string& path);
// Throws for the first key not in `known`, with a did-you-mean hint when one is near.
void reject_unknown_keys(const nlohmann::json& object, const std::string& path,
                         const std::vector<std::string>& known);

// Whole numbers may be written 3 or 3.0, never 3.5 or "3".
std::int64_t read_whole(const nlohmann::json& value, const std::string& path);
std::uint64_t read_unsigned(const nlohmann::json& value, const std::string& path);
double read_number(const nlohmann::json& value, const std::string& path);
std::string read_string(const nlohmann::json& value, const std::string& path);
bool read_bool(const nlohmann::json& value, const std::string& path);
// One of `choices`; `what` names the kind of value in the message ("corpus kind").
std::string read_choice(const nlohmann::json& value, const std::string& path,
                        const std::vector<std::string>& choices, const std::string& what);

void require_at_least(std::int64_t value, std::int64_t min, const std::string& path);
void require_between(std::int64_t value, std::int64_t min, std::int64_t max, const std::string& path);
void require_above_zero(double value, const std::string& path);
void require_not_negative(double value, const std::string& path);
// value in [min, max], or [min, max) when max_open.
void require_within(double value, double min, double max, bool max_open, const std::string& path);

}  // namespace pose::experiment
