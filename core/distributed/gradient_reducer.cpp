#include "distributed/gradient_reducer.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <stdexcept>

namespace pose::distributed {

struct GradientReducer::State {
  struct Bucket {
    std::vector<std::size_t> params;  // indices into `parameters`
    std::vector<int64_t> offsets;     // where each gradient starts in `flat`
    int64_t numel = 0;                // gradient elements; one flag per parameter follows
    torch::TensorOptions options;
    // Per step:
    std::vector<char> copied;
    std::size_t ready = 0;
    torch::Tensor flat;
    ProcessGroup::Pending pending;
  };

  ProcessGroup* group = nullptr;
  Options options;
  std::vector<torch::Tensor> parameters;
  std::vector<Bucket> buckets;
  std::vector<std::size_t> bucket_of, slot_of;  // per parameter
  // The accumulators carry the hooks; holding them keeps the same node (and
  // hook) for every backward pass, since a parameter only refers to its
  // accumulator weakly.
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;
  std::vector<uintptr_t> hook_keys;

  bool armed = false;
  std::string what;
  std::size_t next_to_start = 0;
  int64_t started_in_backward = 0;
  std::string defect;  // a gradient that changed after its bucket was copied

  std::string bucket_what(std::size_t k) const {
    return what + "summing gradients (bucket " + std::to_string(k + 1) + " of " + std::to_string(buckets.size()) + ")";
  }

  void prepare(Bucket& b) {
    if (b.flat.defined()) return;
    b.flat = torch::empty({b.numel + static_cast<int64_t>(b.params.size())}, b.options);
    b.flat.narrow(0, b.numel, static_cast<int64_t>(b.params.size())).zero_();
    b.copied.assign(b.params.size(), 0);
    b.ready = 0;
  }

  // This rank's gradient of parameter `slot` of bucket `b` into its flat
  // buffer, with its flag; zeros and flag 0 where it has none.
  void copy_in(Bucket& b, std::size_t slot) {
    const torch::Tensor& p = parameters[b.params[slot]];
    const int64_t n = p.numel();
    auto dst = b.flat.narrow(0, b.offsets[slot], n);
    const auto& g = p.grad();
    if (g.defined()) {
      dst.copy_(g.reshape({-1}));
      b.flat.narrow(0, b.numel + static_cast<int64_t>(slot), 1).fill_(1);
    } else {
      dst.zero_();
    }
    b.copied[slot] = 1;
    ++b.ready;
  }

  void start(std::size_t k) {
    Bucket& b = buckets[k];
    b.pending = group->start_all_reduce_sum(b.flat, bucket_what(k));
  }

  // Starts complete buckets in order; on Gloo one at a time, as Gloo runs
  // collectives in flight together slower than in turn.
  void start_ready_buckets(bool during_backward) {
    while (next_to_start < buckets.size()) {
      Bucket& b = buckets[next_to_start];
      if (!b.flat.defined() || b.ready != b.params.size()) return;
      if (group->prefers_collectives_in_turn() && next_to_start > 0 &&
          !buckets[next_to_start - 1].pending.completed()) {
        return;
      }
      start(next_to_start);
      if (during_backward) ++started_in_backward;
      ++next_to_start;
    }
  }

  void on_gradient(std::size_t index) {
    if (!armed || !options.overlap) return;
    Bucket& b = buckets[bucket_of[index]];
    prepare(b);
    const std::size_t slot = slot_of[index];
    if (b.copied[slot]) {
      defect = "the gradient of parameter " + std::to_string(index) + " was completed twice in one backward pass";
      return;
    }
    copy_in(b, slot);
    start_ready_buckets(true);
  }
};

namespace {

class GradientReadyHook : public torch::autograd::FunctionPostHook {
 public:
  GradientReadyHook(std::weak_ptr<GradientReducer::State> state, std::size_t index)
      : state_(std::move(state)), index_(index) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list& /*inputs*/) override {
    if (auto s = state_.lock()) s->on_gradient(index_);
    return outputs;
  }

 private:
  std::weak_ptr<GradientReducer::State> state_;
  std::size_t index_;
};

}  // namespace

GradientReducer::GradientReducer(ProcessGroup& group, std::vector<torch::Tensor> parameters, Options options)
    : state_(std::make_shared<State>()) {
  State& s = *state_;
  s.group = &group;
  s.options = options;
  s.parameters = std::move(parameters);
  s.bucket_of.resize(s.parameters.size());
  s.slot_of.resize(s.parameters.size());

  // Buckets in reverse parameter order: a model's last layers get their
  // gradients first. A bucket holds one dtype on one device.
  int64_t bytes = 0;
  for (std::size_t r = s.parameters.size(); r-- > 0;) {
    const torch::Tensor& p = s.parameters[r];
    const auto opts = torch::TensorOptions().dtype(p.scalar_type()).device(p.device());
    const bool same_kind = !s.buckets.empty() && s.buckets.back().options.dtype() == opts.dtype() &&
                           s.buckets.back().options.device() == opts.device();
    const int64_t cap = s.buckets.size() == 1 ? options.first_bucket_bytes : options.bucket_bytes;
    if (!same_kind || bytes >= cap) {
      s.buckets.emplace_back();
      s.buckets.back().options = opts;
      bytes = 0;
    }
    State::Bucket& b = s.buckets.back();
    s.bucket_of[r] = s.buckets.size() - 1;
    s.slot_of[r] = b.params.size();
    b.params.push_back(r);
    b.offsets.push_back(b.numel);
    b.numel += p.numel();
    bytes += p.numel() * static_cast<int64_t>(p.element_size());
  }

  if (options.overlap) {
    const std::weak_ptr<State> weak = state_;
    for (std::size_t i = 0; i < s.parameters.size(); ++i) {
      auto acc = torch::autograd::impl::grad_accumulator(s.parameters[i]);
      if (!acc) throw std::logic_error("GradientReducer: a parameter without a gradient accumulator");
      s.hook_keys.push_back(acc->add_post_hook(std::make_unique<GradientReadyHook>(weak, i)));
      s.accumulators.push_back(std::move(acc));
    }
  }
}

GradientReducer::~GradientReducer() {
  for (std::size_t i = 0; i < state_->accumulators.size(); ++i) state_->accumulators[i]->del_post_hook(state_->hook_keys[i]);
}

void GradientReducer::arm(const std::string& what) {
  State& s = *state_;
  s.armed = true;
  s.what = what;
  s.next_to_start = 0;
  s.started_in_backward = 0;
  s.defect.clear();
  for (auto& b : s.buckets) b.flat = torch::Tensor();
}

void GradientReducer::finish(const std::string& what) {
  torch::NoGradGuard no_grad;
  State& s = *state_;
  if (!s.armed) {
    // No backward pass on this rank this step (or no overlap): every bucket
    // starts here.
    arm(what);
  }
  s.armed = false;
  if (!s.defect.empty()) throw std::logic_error("GradientReducer: " + s.defect);
  for (std::size_t k = s.next_to_start; k < s.buckets.size(); ++k) {
    State::Bucket& b = s.buckets[k];
    s.prepare(b);
    for (std::size_t slot = 0; slot < b.params.size(); ++slot) {
      if (!b.copied[slot]) s.copy_in(b, slot);
    }
    if (s.group->prefers_collectives_in_turn() && k > 0) s.buckets[k - 1].pending.wait();
    s.start(k);
  }
  s.next_to_start = s.buckets.size();
  for (auto& b : s.buckets) {
    b.pending.wait();
    const auto flags = b.flat.narrow(0, b.numel, static_cast<int64_t>(b.params.size())).to(torch::kCPU, torch::kFloat64);
    const auto any = flags.accessor<double, 1>();
    for (std::size_t slot = 0; slot < b.params.size(); ++slot) {
      if (any[static_cast<int64_t>(slot)] < 0.5) continue;  // no rank had a gradient
      torch::Tensor p = s.parameters[b.params[slot]];  // a handle: the same parameter
      const auto sum = b.flat.narrow(0, b.offsets[slot], p.numel()).view(p.sizes());
      if (p.grad().defined()) {
        p.mutable_grad().copy_(sum);
      } else {
        p.mutable_grad() = sum.clone();
      }
    }
    b.flat = torch::Tensor();
  }
}

int64_t GradientReducer::bucket_count() const { return static_cast<int64_t>(state_->buckets.size()); }
int64_t GradientReducer::started_during_backward() const { return state_->started_in_backward; }

}  // namespace pose::distributed
