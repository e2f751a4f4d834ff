#include "distributed/process_group.h"

#include <torch/version.h>

#include <algorithm>
#include <thread>

#if __has_include(<gloo/algorithm.h>) && __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>)
#define POSE_HAVE_GLOO 1
// LibTorch's headers declare the Gloo process group only where asked to.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#else
#define POSE_HAVE_GLOO 0
#endif

#if POSE_HAVE_GLOO && defined(POSE_WITH_CUDA) && __has_include(<nccl.h>) && \
    __has_include(<torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>)
#define POSE_HAVE_NCCL 1
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#else
#define POSE_HAVE_NCCL 0
#endif

namespace pose::distributed {

bool distributed_available() { return POSE_HAVE_GLOO != 0; }

#if POSE_HAVE_GLOO

namespace {

// LibTorch 2.x split the process group into a front and per-device backends;
// 1.13's process groups are the backends.
#if TORCH_VERSION_MAJOR >= 2
using Backend = c10d::Backend;
#else
using Backend = c10d::ProcessGroup;
#endif

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::shared_ptr<gloo::transport::Device> gloo_device(const std::string& master_addr) {
  // GLOO_SOCKET_IFNAME picks the network interface, as it does for PyTorch.
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  }
  // One machine: the loopback device, which needs no resolvable host name.
  if (is_loopback(master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

struct ProcessGroup::Impl {
  Options options;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<Backend> backend;
  std::string backend_name;
  int64_t sequence = 0;  // publish / await_leader keys

  std::string where() const {
    return "data-parallel rank " + std::to_string(options.env.rank) + " of " + std::to_string(options.env.world_size);
  }

  [[noreturn]] void fail(const std::string& what, const std::exception& e) const {
    std::string cause = e.what();
    if (const auto nl = cause.find("\nException raised from"); nl != std::string::npos) cause.resize(nl);
    throw CollectiveFailed(where() + ": " + what + " failed (" + backend_name + ": " + cause +
                               "): another rank has stopped (it crashed, was killed or ran out of memory) or did not "
                               "answer within " + std::to_string(options.timeout.count() / 1000) + " s",
                           "the other ranks' output says which and why; the run is kept as far as its last "
                           "checkpoint, and `pose run SPEC --resume` with the same or another --nproc continues it");
  }

  template <class Launch>
  void run_all(const std::string& what, std::size_t count, Launch&& launch) {
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    works.reserve(count);
    try {
      // Gloo serves concurrent collectives on a few threads of its own and
      // runs them slower together than one after the other (5 all-reduces of
      // 25 MiB on loopback: 0.37 s in flight together, 0.12 s in turn); NCCL
      // overlaps them on the GPU.
      const bool in_turn = collectives_in_turn();
      for (std::size_t i = 0; i < count; ++i) {
        works.push_back(launch(i));
        if (in_turn) works.back()->wait(options.timeout);
      }
      for (auto& w : works) w->wait(options.timeout);
    } catch (const std::exception& e) {
      fail(what, e);
    }
  }

  bool collectives_in_turn() const { return backend_name == "gloo"; }

  std::string key(int64_t n) const { return "pose/leader/" + std::to_string(n); }
};

ProcessGroup::ProcessGroup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProcessGroup::~ProcessGroup() = default;

std::unique_ptr<ProcessGroup> ProcessGroup::connect(const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const LaunchEnv& env = options.env;
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(env.master_port);
    so.isServer = env.rank == 0;
    so.numWorkers = static_cast<std::size_t>(env.world_size);
    so.waitWorkers = true;
    so.timeout = options.timeout;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    so.useLibUV = false;  // not every LibTorch build has libuv; the classic server is enough for one store
#endif
    impl->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
  } catch (const std::exception& e) {
    std::string cause = e.what();
    if (const auto nl = cause.find("\nException raised from"); nl != std::string::npos) cause.resize(nl);
    throw UserError(env.describe() + ": the rendezvous failed (" + cause + ")",
                    env.rank == 0 ? "MASTER_PORT " + std::to_string(env.master_port) +
                                        " may be in use: choose a free port, and check that every rank starts"
                                  : "check that rank 0 runs and that MASTER_ADDR and MASTER_PORT reach it");
  }
  try {
#if POSE_HAVE_NCCL
    if (options.device.is_cuda()) {
      auto nccl = c10d::ProcessGroupNCCL::Options::create();
      nccl->timeout = options.timeout;
      impl->backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl->store, env.rank, env.world_size, nccl);
      impl->backend_name = "nccl";
    }
#endif
    if (!impl->backend) {
      auto gloo = c10d::ProcessGroupGloo::Options::create(options.timeout);
      gloo->devices.push_back(gloo_device(env.master_addr));
      impl->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, env.rank, env.world_size, gloo);
      impl->backend_name = "gloo";
    }
  } catch (const std::exception& e) {
    std::string cause = e.what();
    if (const auto nl = cause.find("\nException raised from"); nl != std::string::npos) cause.resize(nl);
    throw UserError(env.describe() + ": the process group could not be formed (" + cause + ")",
                    "check that every rank was started with the same WORLD_SIZE and can reach the others "
                    "(GLOO_SOCKET_IFNAME picks the network interface)");
  }
  return std::unique_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
}

int ProcessGroup::rank() const { return impl_->options.env.rank; }
int ProcessGroup::world_size() const { return impl_->options.env.world_size; }
const LaunchEnv& ProcessGroup::env() const { return impl_->options.env; }
std::string ProcessGroup::backend_name() const { return impl_->backend_name; }
std::chrono::milliseconds ProcessGroup::timeout() const { return impl_->options.timeout; }

void ProcessGroup::all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& what) {
  std::vector<std::vector<at::Tensor>> args(tensors.size());
  impl_->run_all(what, tensors.size(), [&](std::size_t i) {
    args[i] = {tensors[i]};
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::SUM;
    return impl_->backend->allreduce(args[i], o);
  });
}

void ProcessGroup::broadcast(std::vector<torch::Tensor>& tensors, int root, const std::string& what) {
  std::vector<std::vector<at::Tensor>> args(tensors.size());
  impl_->run_all(what, tensors.size(), [&](std::size_t i) {
    args[i] = {tensors[i]};
    c10d::BroadcastOptions o;
    o.rootRank = root;
    return impl_->backend->broadcast(args[i], o);
  });
}

std::vector<std::vector<double>> ProcessGroup::all_gather(const std::vector<double>& values, const std::string& what) {
  const auto n = static_cast<int64_t>(values.size());
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(impl_->options.device);
  std::vector<at::Tensor> input{torch::tensor(values, torch::kFloat64).to(impl_->options.device)};
  std::vector<std::vector<at::Tensor>> output(1);
  for (int r = 0; r < world_size(); ++r) output[0].push_back(torch::empty({n}, opts));
  impl_->run_all(what, 1, [&](std::size_t) { return impl_->backend->allgather(output, input); });
  std::vector<std::vector<double>> result;
  for (const auto& t : output[0]) {
    const auto cpu = t.to(torch::kCPU).contiguous();
    result.emplace_back(cpu.data_ptr<double>(), cpu.data_ptr<double>() + n);
  }
  return result;
}

void ProcessGroup::sum_over_ranks(std::vector<double>& values, const std::string& what) {
  std::vector<torch::Tensor> t{torch::tensor(values, torch::kFloat64).to(impl_->options.device)};
  all_reduce_sum(t, what);
  const auto cpu = t[0].to(torch::kCPU).contiguous();
  std::copy(cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel(), values.begin());
}

void ProcessGroup::barrier(const std::string& what) {
  impl_->run_all(what, 1, [&](std::size_t) { return impl_->backend->barrier(c10d::BarrierOptions()); });
}

struct ProcessGroup::Pending::Work {
  const Impl* impl = nullptr;
  std::string what;
  std::vector<at::Tensor> args;  // c10d keeps a reference; the vector must outlive the work
  c10::intrusive_ptr<c10d::Work> work;
};

ProcessGroup::Pending::Pending() = default;
ProcessGroup::Pending::~Pending() = default;
ProcessGroup::Pending::Pending(Pending&&) noexcept = default;
ProcessGroup::Pending& ProcessGroup::Pending::operator=(Pending&&) noexcept = default;

bool ProcessGroup::Pending::completed() const { return !work_ || !work_->work || work_->work->isCompleted(); }

void ProcessGroup::Pending::wait() {
  if (!work_ || !work_->work) return;
  try {
    work_->work->wait(work_->impl->options.timeout);
  } catch (const std::exception& e) {
    work_->impl->fail(work_->what, e);
  }
  work_->work.reset();
}

ProcessGroup::Pending ProcessGroup::start_all_reduce_sum(const torch::Tensor& tensor, const std::string& what) {
  Pending p;
  p.work_ = std::make_unique<Pending::Work>();
  p.work_->impl = impl_.get();
  p.work_->what = what;
  p.work_->args = {tensor};
  try {
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::SUM;
    p.work_->work = impl_->backend->allreduce(p.work_->args, o);
  } catch (const std::exception& e) {
    impl_->fail(what, e);
  }
  return p;
}

bool ProcessGroup::prefers_collectives_in_turn() const { return impl_->collectives_in_turn(); }

void ProcessGroup::publish(int64_t value) {
  if (!is_leader()) throw std::logic_error("ProcessGroup::publish on rank " + std::to_string(rank()));
  const std::string key = impl_->key(impl_->sequence++);
  try {
    // A counter rather than a value: add() is answered at once, while a
    // blocking get() waits some 0.2 s on LibTorch 1.13's TCPStore client.
    impl_->store->add(key, value + 1);
  } catch (const std::exception& e) {
    impl_->fail("publishing to the other ranks", e);
  }
}

int64_t ProcessGroup::await_leader(const std::string& what) {
  if (is_leader()) throw std::logic_error("ProcessGroup::await_leader on rank 0");
  const std::string key = impl_->key(impl_->sequence++);
  try {
    // No bound: the wait is for rank 0's work, however long; a dead rank 0
    // closes the connection and the poll throws. The interval grows to 20 ms
    // during long waits.
    auto pause = std::chrono::microseconds(50);
    for (;;) {
      const int64_t v = impl_->store->add(key, 0);
      if (v != 0) return v - 1;
      std::this_thread::sleep_for(pause);
      pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(20));
    }
  } catch (const std::exception& e) {
    impl_->fail("waiting for rank 0 (" + what + ")", e);
  }
}

int64_t ProcessGroup::share_from_leader(int64_t value, const std::string& what) {
  if (is_leader()) {
    publish(value);
    return value;
  }
  return await_leader(what);
}

#else  // no gloo headers: this build runs one process

struct ProcessGroup::Impl {};
ProcessGroup::ProcessGroup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProcessGroup::~ProcessGroup() = default;

std::unique_ptr<ProcessGroup> ProcessGroup::connect(const Options& options) {
  throw UserError(options.env.describe() + ": this build of PoSE Studio has no data-parallel support (its LibTorch "
                                           "came without c10d's Gloo process group or gloo's headers)",
                  "install gloo's headers (Debian: libgloo-dev, scripts/setup-deps.sh) and rebuild, or run one "
                  "process (unset WORLD_SIZE and RANK)");
}
int ProcessGroup::rank() const { return 0; }
int ProcessGroup::world_size() const { return 1; }
const LaunchEnv& ProcessGroup::env() const { static const LaunchEnv none; return none; }
std::string ProcessGroup::backend_name() const { return {}; }
std::chrono::milliseconds ProcessGroup::timeout() const { return {}; }
void ProcessGroup::all_reduce_sum(std::vector<torch::Tensor>&, const std::string&) {}
void ProcessGroup::broadcast(std::vector<torch::Tensor>&, int, const std::string&) {}
std::vector<std::vector<double>> ProcessGroup::all_gather(const std::vector<double>& v, const std::string&) { return {v}; }
void ProcessGroup::sum_over_ranks(std::vector<double>&, const std::string&) {}
void ProcessGroup::barrier(const std::string&) {}
struct ProcessGroup::Pending::Work {};
ProcessGroup::Pending::Pending() = default;
ProcessGroup::Pending::~Pending() = default;
ProcessGroup::Pending::Pending(Pending&&) noexcept = default;
ProcessGroup::Pending& ProcessGroup::Pending::operator=(Pending&&) noexcept = default;
bool ProcessGroup::Pending::completed() const { return true; }
void ProcessGroup::Pending::wait() {}
ProcessGroup::Pending ProcessGroup::start_all_reduce_sum(const torch::Tensor&, const std::string&) { return {}; }
bool ProcessGroup::prefers_collectives_in_turn() const { return true; }
void ProcessGroup::publish(int64_t) {}
int64_t ProcessGroup::await_leader(const std::string&) { return 0; }
int64_t ProcessGroup::share_from_leader(int64_t value, const std::string&) { return value; }

#endif

}  // namespace pose::distributed
