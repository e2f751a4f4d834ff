// A small argument reader for the `pose` subcommands: --name value, --name=value,
// boolean --flag, and positionals. Each getter records the option as known, so a
// command can reject options it never read ("unknown option --seqlen; did you mean
// --seq-len?").
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pose::cli {

class Args {
 public:
  // `tokens` excludes the program name and the subcommand itself.
  explicit Args(std::vector<std::string> tokens);

  bool flag(const std::string& name);                       // --name present without value
  std::optional<std::string> get(const std::string& name);  // --name value
  std::string get_or(const std::string& name, const std::string& fallback);
  // Numeric getters throw UserError naming the option when the value is malformed.
  std::optional<double> get_double(const std::string& name);
  std::optional<long long> get_int(const std::string& name);
  // --name as a whole number of at least min_value; fallback when absent. Throws
  // UserError naming the option and the bound otherwise.
  long long get_int_at_least(const std::string& name, long long fallback, long long min_value);
  std::optional<std::vector<double>> get_double_list(const std::string& name);  // "1,2.5,3"
  std::string require(const std::string& name);             // throws UserError when missing

  const std::vector<std::string>& positionals() const { return positionals_; }
  // The tokens as given (for passing a command line on, e.g. to child processes).
  const std::vector<std::string>& tokens() const { return tokens_; }

  // Throws UserError for options given but never asked for.
  void reject_unknown() const;

 private:
  std::map<std::string, std::optional<std::string>> options_;
  std::vector<std::string> positionals_;
  std::vector<std::string> tokens_;
  mutable std::set<std::string> known_;
};

}  // namespace pose::cli
