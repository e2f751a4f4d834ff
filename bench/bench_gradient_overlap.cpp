// Summing gradients during the backward pass against after it
// (distributed/gradient_reducer.h), run by hand: WORLD ranks (threads of this
// process, each with its own process group and one compute thread) train the
// same steps of a LLaMA model on the CPU over Gloo, or on cuda:rank over NCCL
// where this build and machine have several GPUs, in alternating blocks of
// steps with the overlap on and off. Prints the median step time of each and
// their ratio, measured in the same run.
//
//   bench_gradient_overlap [--world 2] [--hidden 512] [--layers 8] [--tokens 256]
//                          [--accum 2] [--steps 6] [--blocks 3] [--port 29517] [--cuda]
#include <torch/torch.h>

#include <cstdio>
#include <cstring>
#include <thread>

#include "bench_common.h"
#include "distributed/gradient_reducer.h"
#include "distributed/process_group.h"
#include "model/model_init.h"

using namespace pose;

namespace {

struct Args {
  int world = 2;
  int64_t hidden = 512, layers = 8, tokens = 256, accum = 2;
  int steps = 6, blocks = 3, port = 29517;
  bool cuda = false;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string("0"); };
    if (k == "--world") a.world = std::stoi(next());
    else if (k == "--hidden") a.hidden = std::stoll(next());
    else if (k == "--layers") a.layers = std::stoll(next());
    else if (k == "--tokens") a.tokens = std::stoll(next());
    else if (k == "--accum") a.accum = std::stoll(next());
    else if (k == "--steps") a.steps = std::stoi(next());
    else if (k == "--blocks") a.blocks = std::stoi(next());
    else if (k == "--port") a.port = std::stoi(next());
    else if (k == "--cuda") a.cuda = true;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  if (!distributed::distributed_available()) {
    std::fprintf(stderr, "this build has no c10d process group\n");
    return 1;
  }
  if (a.cuda && static_cast<int>(torch::cuda::device_count()) < a.world) {
    std::fprintf(stderr, "--cuda needs %d GPUs; this machine has %d\n", a.world,
                 static_cast<int>(torch::cuda::device_count()));
    return 1;
  }
  at::set_num_threads(1);  // one compute thread per rank, as `pose run --nproc` gives each process its share
  const bench::Shape shape{"bench", a.hidden, a.hidden * 11 / 4, a.layers, 8, 8, 4096};
  const auto config = bench::config_of(shape, a.tokens);
  torch::manual_seed(1);
  std::vector<model::LlamaForCausalLM> models;
  for (int r = 0; r < a.world; ++r) {
    torch::manual_seed(1);
    models.push_back(model::make_model(config, torch::kFloat32));
    models.back()->to(a.cuda ? torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(r)) : torch::Device(torch::kCPU));
    models.back()->train();
  }
  const auto ids = torch::randint(0, shape.vocab, {1, a.tokens}, torch::kLong);
  const auto positions = torch::arange(a.tokens, torch::kLong).unsqueeze(0);
  int64_t params = 0;
  for (const auto& p : models[0]->parameters()) params += p.numel();

  // step_seconds[overlap] over every block, rank 0's view.
  std::vector<double> on, off;
  int64_t buckets = 0, early = 0;
  std::vector<std::thread> threads;
  for (int r = 0; r < a.world; ++r) {
    threads.emplace_back([&, r] {
      distributed::ProcessGroup::Options o;
      o.env.rank = r;
      o.env.world_size = a.world;
      o.env.local_rank = r;
      o.env.master_port = a.port;
      o.env.source = "bench";
      o.device = a.cuda ? torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(r)) : torch::Device(torch::kCPU);
      auto group = distributed::ProcessGroup::connect(o);
      auto& model = models[static_cast<std::size_t>(r)];
      const auto in = ids.to(o.device), pos = positions.to(o.device);
      for (int block = 0; block < 2 * a.blocks + 1; ++block) {
        const bool overlap = block % 2 == 1;  // block 0 warms up
        distributed::GradientReducer::Options ro;
        ro.overlap = overlap;
        distributed::GradientReducer reducer(*group, model->parameters(), ro);
        for (int s = 0; s < a.steps; ++s) {
          for (const auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
          group->barrier("bench: step start");
          const auto t0 = bench::Clock::now();
          for (int64_t m = 0; m < a.accum; ++m) {
            if (m + 1 == a.accum) reducer.arm("bench: ");
            model->nll_sum(in, pos, in).sum.backward();
          }
          reducer.finish("bench: ");
          if (a.cuda) torch::cuda::synchronize();
          const double t = bench::seconds_since(t0);
          if (r == 0 && block > 0) (overlap ? on : off).push_back(t);
          if (r == 0 && overlap) early = reducer.started_during_backward();
        }
        if (r == 0) buckets = reducer.bucket_count();
      }
      group->barrier("bench: end");
    });
  }
  for (auto& t : threads) t.join();

  std::printf("%d ranks on %s (%s), %.1fM parameters, %lld tokens x %lld micro-batches a step, %lld buckets "
              "(%lld started during backward)\n",
              a.world, a.cuda ? "GPUs" : "the CPU, 1 thread each", a.cuda ? "nccl" : "gloo", params / 1e6,
              static_cast<long long>(a.tokens), static_cast<long long>(a.accum), static_cast<long long>(buckets),
              static_cast<long long>(early));
  const double t_off = bench::median(off), t_on = bench::median(on);
  std::printf("%-44s %10s %8s\n", "gradients summed", "s/step", "ratio");
  std::printf("%-44s %10.3f %8.2f\n", "after the backward pass", t_off, 1.0);
  std::printf("%-44s %10.3f %8.2f\n", "during the backward pass (overlap)", t_on, t_on / t_off);
  return 0;
}
