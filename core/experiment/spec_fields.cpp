#include "experiment/spec_fields.h"

#include "common/printable.h"

#include "common/suggest.h"

#include <cmath>
#include <sstream>

namespace pose::experiment {

namespace {

using nlohmann::json;

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

}  // namespace

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string item_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string key_of(const std::string& path) {
  const std::size_t dot = path.rfind('.');
  std::string key = dot == std::string::npos ? path : path.substr(dot + 1);
  return key.substr(0, key.find('['));
}

std::string show_json(const json& value) {
  constexpr std::size_t kMaxChars = 60;
  std::string text = value.dump();
  if (text.size() > kMaxChars) text = text.substr(0, kMaxChars - 3) + "...";
  return text;
}

std::string show_number(double value) {
  std::ostringstream s;
  s << value;
  return s.str();
}

void fail(const std::string& path, const std::string& problem, const std::string& fix) {
  // Paths, values and names in these messages come from the spec's text: made
  // printable here, once, rather than at each place that quotes one. The
  // messages themselves have no control characters to lose.
  throw FieldError(printable(path), printable(path.empty() ? problem : path + ": " + problem), printable(fix));
}

void rethrow_at(const UserError& error, const std::string& prefix) {
  std::string problem = error.problem();
  for (const char* name : {"train-len", "target-len", "text-skip"}) {
    std::string spec_name = name;
    spec_name[spec_name.find('-')] = '_';
    problem = replace_all(problem, name, spec_name);
  }
  // RopeParams holds longrope's lists under plural names; the spec uses HF's keys.
  problem = replace_all(problem, "short_factors", "short_factor");
  problem = replace_all(problem, "long_factors", "long_factor");
  // The field: the prefix names it ("base_model.path: "), or the parameter the
  // validator named completes it ("extend[2]." + "chunks").
  std::string path;
  if (prefix.size() >= 2 && prefix.compare(prefix.size() - 2, 2, ": ") == 0) {
    path = prefix.substr(0, prefix.size() - 2);
  } else {
    const auto colon = problem.find(": ");
    const std::string parameter = colon == std::string::npos ? std::string() : problem.substr(0, colon);
    const bool is_name = !parameter.empty() && parameter.find(' ') == std::string::npos;
    path = is_name ? prefix + parameter : (prefix.empty() || prefix.back() != '.' ? prefix : prefix.substr(0, prefix.size() - 1));
  }
  throw FieldError(printable(path), printable(prefix + problem), printable(error.fix()));
}

void require_object(const json& value, const std::string& path) {
  if (!value.is_object()) {
    fail(path, "expected an object, got " + show_json(value), "write it as { \"key\": value, ... }");
  }
}

void require_array(const json& value, const std::string& path) {
  if (!value.is_array()) fail(path, "expected a list, got " + show_json(value), "write it as [ ... ]");
}

void reject_unknown_keys(const json& object, const std::string& path, const std::vector<std::string>& known) {
  for (const auto& item : object.items()) {
    const std::string& key = item.key();
    bool found = false;
    for (const auto& k : known) found = found || k == key;
    if (found) continue;
    const std::string near = closest_match(key, known);
    // The key as the file spells it may hold anything: quoted printable, so a
    // NUL or an escape sequence cannot cut or drive the message.
    fail(child_path(path, printable(key)), "unknown key",
         near.empty() ? "the keys here are " + join_names(known) : "did you mean \"" + near + "\"?");
  }
}

std::int64_t read_whole(const json& value, const std::string& path) {
  const std::string fix = "write " + key_of(path) + " as a whole number, without quotes";
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(INT64_MAX)) fail(path, show_json(value) + " is too large", fix);
    return static_cast<std::int64_t>(v);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) {
    // 3.0 is what a JSON writer may produce for an integer; 3.5 is a mistake.
    const double v = value.get<double>();
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.2e18) return static_cast<std::int64_t>(v);
  }
  fail(path, "expected a whole number, got " + show_json(value), fix);
}

std::uint64_t read_unsigned(const json& value, const std::string& path) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  const std::int64_t v = read_whole(value, path);
  if (v < 0) fail(path, std::to_string(v) + " is negative", "set " + key_of(path) + " to 0 or more");
  return static_cast<std::uint64_t>(v);
}

double read_number(const json& value, const std::string& path) {
  if (!value.is_number()) {
    fail(path, "expected a number, got " + show_json(value),
         "write " + key_of(path) + " as a number, without quotes");
  }
  const double v = value.get<double>();
  if (!std::isfinite(v)) fail(path, "not a finite number", "write a finite number");
  return v;
}

std::string read_string(const json& value, const std::string& path) {
  if (!value.is_string()) {
    fail(path, "expected a string, got " + show_json(value), "write " + key_of(path) + " in double quotes");
  }
  return value.get<std::string>();
}

bool read_bool(const json& value, const std::string& path) {
  if (!value.is_boolean()) fail(path, "expected true or false, got " + show_json(value), "write true or false");
  return value.get<bool>();
}

std::string read_choice(const json& value, const std::string& path, const std::vector<std::string>& choices,
                        const std::string& what) {
  const std::string name = read_string(value, path);
  for (const auto& c : choices) {
    if (c == name) return name;
  }
  const std::string near = closest_match(name, choices);
  fail(path, "unknown " + what + " \"" + name + "\"",
       (near.empty() ? "" : "did you mean \"" + near + "\"? ") + "use one of " + join_names(choices, "\""));
}

void require_at_least(std::int64_t value, std::int64_t min, const std::string& path) {
  if (value < min) {
    fail(path, std::to_string(value) + " is below " + std::to_string(min),
         "set " + key_of(path) + " to " + std::to_string(min) + " or more");
  }
}

void require_between(std::int64_t value, std::int64_t min, std::int64_t max, const std::string& path) {
  if (value < min || value > max) {
    fail(path, std::to_string(value) + " is outside " + std::to_string(min) + ".." + std::to_string(max),
         "set " + key_of(path) + " to a value from " + std::to_string(min) + " to " + std::to_string(max));
  }
}

void require_above_zero(double value, const std::string& path) {
  if (!(value > 0.0)) {
    fail(path, show_number(value) + " is not above 0", "set " + key_of(path) + " to a positive number");
  }
}

void require_not_negative(double value, const std::string& path) {
  if (value < 0.0) fail(path, show_number(value) + " is negative", "set " + key_of(path) + " to 0 or more");
}

void require_within(double value, double min, double max, bool max_open, const std::string& path) {
  if (value < min || value > max || (max_open && value == max)) {
    const std::string range = "[" + show_number(min) + ", " + show_number(max) + (max_open ? ")" : "]");
    fail(path, show_number(value) + " is outside " + range,
         "set " + key_of(path) + " to a value in " + range);
  }
}

}  // namespace pose::experiment
