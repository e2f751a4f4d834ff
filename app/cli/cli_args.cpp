#include "cli_args.h"

#include "common/error.h"
#include "common/suggest.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace pose::cli {

namespace {

bool looks_like_option(const std::string& token) {
  return token.size() > 2 && token[0] == '-' && token[1] == '-';
}

bool looks_like_number(const std::string& token) {
  if (token.empty()) return false;
  char* end = nullptr;
  std::strtod(token.c_str(), &end);
  return end && *end == '\0';
}

double parse_double(const std::string& name, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || !end || *end != '\0' || errno == ERANGE) {
    throw UserError("--" + name + ": '" + text + "' is not a number", "give a decimal number such as 1e4 or 0.5");
  }
  return v;
}

}  // namespace

Args::Args(std::vector<std::string> tokens) : tokens_(tokens) {
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (t == "--") {
      positionals_.insert(positionals_.end(), tokens.begin() + static_cast<long>(i) + 1, tokens.end());
      break;
    }
    if (!looks_like_option(t)) {
      positionals_.push_back(t);
      continue;
    }
    std::string body = t.substr(2);
    auto eq = body.find('=');
    if (eq != std::string::npos) {
      options_[body.substr(0, eq)] = body.substr(eq + 1);
    } else if (i + 1 < tokens.size() &&
               (!looks_like_option(tokens[i + 1]) || looks_like_number(tokens[i + 1]))) {
      options_[body] = tokens[++i];
    } else {
      options_[body] = std::nullopt;
    }
  }
}

bool Args::flag(const std::string& name) {
  known_.insert(name);
  auto it = options_.find(name);
  if (it == options_.end()) return false;
  if (it->second) {
    // "--json 1" style: the value belongs to the flag only when it reads as a boolean.
    const std::string& v = *it->second;
    if (v == "true" || v == "1" || v == "yes") return true;
    if (v == "false" || v == "0" || v == "no") return false;
    throw UserError("--" + name + " takes no value (got '" + v + "')",
                    "write --" + name + " alone, and put '" + v + "' elsewhere");
  }
  return true;
}

std::optional<std::string> Args::get(const std::string& name) {
  known_.insert(name);
  auto it = options_.find(name);
  if (it == options_.end()) return std::nullopt;
  if (!it->second) throw UserError("--" + name + " needs a value", "write --" + name + " VALUE");
  return it->second;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) {
  auto v = get(name);
  return v ? *v : fallback;
}

std::optional<double> Args::get_double(const std::string& name) {
  auto v = get(name);
  if (!v) return std::nullopt;
  return parse_double(name, *v);
}

std::optional<long long> Args::get_int(const std::string& name) {
  auto v = get(name);
  if (!v) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || !end || *end != '\0' || errno == ERANGE) {
    throw UserError("--" + name + ": '" + *v + "' is not a whole number", "give an integer such as 4096");
  }
  return n;
}

long long Args::get_int_at_least(const std::string& name, long long fallback, long long min_value) {
  const auto v = get_int(name);
  if (!v) return fallback;
  if (*v < min_value) {
    throw UserError("--" + name + ": " + std::to_string(*v) + " is below " + std::to_string(min_value),
                    "give a whole number of at least " + std::to_string(min_value));
  }
  return *v;
}

std::optional<std::vector<double>> Args::get_double_list(const std::string& name) {
  auto v = get(name);
  if (!v) return std::nullopt;
  std::vector<double> out;
  std::stringstream ss(*v);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(parse_double(name, item));
  if (out.empty()) throw UserError("--" + name + " is empty", "give comma-separated numbers, e.g. 1,1.5,2");
  return out;
}

std::string Args::require(const std::string& name) {
  auto v = get(name);
  if (!v) throw UserError("missing --" + name, "add --" + name + " VALUE (see --help)");
  return *v;
}

void Args::reject_unknown() const {
  for (const auto& [name, value] : options_) {
    if (known_.count(name)) continue;
    std::string hint = "see --help for the options this command takes";
    std::size_t best = 3;
    for (const auto& k : known_) {
      std::size_t d = edit_distance(name, k);
      if (d < best) {
        best = d;
        hint = "did you mean --" + k + "?";
      }
    }
    throw UserError("unknown option --" + name, hint);
  }
}

}  // namespace pose::cli
