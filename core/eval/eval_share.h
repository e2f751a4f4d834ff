// One rank's share of an evaluation that data-parallel ranks divide: work item
// k (a batch of windows, say) is this rank's when k % count == index, and
// `sum` adds up a vector of partial results over every rank, in place, so
// that each rank ends with the totals one process would have. The default is
// the whole evaluation in one process.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace pose::eval {

struct EvalShare {
  int index = 0;
  int count = 1;
  std::function<void(std::vector<double>& values)> sum;  // required when count > 1

  bool mine(int64_t item) const { return count <= 1 || item % count == index; }
};

}  // namespace pose::eval
