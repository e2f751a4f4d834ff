#include "model/weight_shell.h"

namespace pose::model {

namespace {
thread_local bool building_shell = false;
}  // namespace

WeightShellScope::WeightShellScope() : previous_(building_shell) { building_shell = true; }
WeightShellScope::~WeightShellScope() { building_shell = previous_; }

int64_t weight_dim(int64_t size) { return building_shell ? 1 : size; }

}  // namespace pose::model
