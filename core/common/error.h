// Errors a user can act on. Every message says what is wrong and how to fix it,
// e.g. "extend[2].chunks: 0 is below 1 — set chunks to 1 or more".
#pragma once

#include <stdexcept>
#include <string>

namespace pose {

class UserError : public std::runtime_error {
 public:
  UserError(const std::string& problem, const std::string& fix)
      : std::runtime_error(fix.empty() ? problem : problem + " — " + fix),
        problem_(problem), fix_(fix) {}
  const std::string& problem() const { return problem_; }
  const std::string& fix() const { return fix_; }

 private:
  std::string problem_;
  std::string fix_;
};

}  // namespace pose
