// GradientReducer: two ranks (threads of this process over Gloo) sum their
// gradients while the backward pass runs, and end with the gradients one
// process gets from all their rows: with several buckets started during the
// backward pass, with activation checkpointing, with a rank that has no rows
// this step, and for a parameter no rank reached (which keeps no gradient).
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <functional>
#include <thread>

#include "distributed/gradient_reducer.h"
#include "distributed/process_group.h"
#include "local_launcher.h"
#include "model/model_init.h"
#include "tiny_training_fixture.h"

using pose::distributed::GradientReducer;
using pose::distributed::LaunchEnv;
using pose::distributed::ProcessGroup;

namespace {

// Runs `body(group)` on `world` ranks, each a thread with its own process
// group; rethrows the first rank's failure.
void on_ranks(int world, const std::function<void(ProcessGroup&)>& body) {
  const int port = pose::cli::free_local_port();
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(world));
  std::vector<std::thread> threads;
  for (int r = 0; r < world; ++r) {
    threads.emplace_back([&, r] {
      try {
        ProcessGroup::Options o;
        o.env.rank = r;
        o.env.world_size = world;
        o.env.local_rank = r;
        o.env.master_port = port;
        o.env.source = "test";
        o.timeout = std::chrono::seconds(60);
        auto group = ProcessGroup::connect(o);
        body(*group);
        group->barrier("the end of the test");
      } catch (...) {
        errors[static_cast<std::size_t>(r)] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

pose::model::LlamaForCausalLM tiny_model(bool checkpointing) {
  torch::manual_seed(7);
  pose::model::ModelOptions mo;
  mo.activation_checkpointing = checkpointing;
  auto model = pose::model::make_model(tiny_training_config(), torch::kFloat32, mo);
  model->train();
  return model;
}

// Micro-batch `k` of the job: 2 rows of 16 tokens.
struct Rows {
  torch::Tensor ids, positions;
};
// Made before the ranks' threads start: the global generator is not theirs to share.
std::vector<Rows> all_rows() {
  torch::manual_seed(100);
  std::vector<Rows> out;
  for (int k = 0; k < 4; ++k) {
    Rows r;
    r.ids = torch::randint(0, tiny_training_config().vocab_size, {2, 16}, torch::kLong);
    r.positions = torch::arange(16, torch::kLong).unsqueeze(0).expand({2, 16}).contiguous();
    out.push_back(r);
  }
  return out;
}

void backward_on(pose::model::LlamaForCausalLM& model, const Rows& r) {
  model->nll_sum(r.ids, r.positions, r.ids).sum.backward();
}

std::vector<torch::Tensor> gradients(pose::model::LlamaForCausalLM& model) {
  std::vector<torch::Tensor> g;
  for (const auto& p : model->parameters()) g.push_back(p.grad().defined() ? p.grad().clone() : torch::Tensor());
  return g;
}

}  // namespace

class TestGradientReducer : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    if (!pose::distributed::distributed_available()) QSKIP("this build has no c10d Gloo process group");
  }

  // Rank r trains micro-batches 2r and 2r+1 (the second armed): the summed
  // gradients equal one process's over all four, with and without overlap
  // and activation checkpointing, and buckets did start during backward.
  void sumsEqualOneProcess() {
    for (const bool checkpointing : {false, true}) {
      for (const bool overlap : {true, false}) {
        const auto data = all_rows();
        auto reference = tiny_model(checkpointing);
        for (const auto& r : data) backward_on(reference, r);
        const auto expected = gradients(reference);

        std::vector<pose::model::LlamaForCausalLM> models{tiny_model(checkpointing), tiny_model(checkpointing)};
        std::vector<std::vector<torch::Tensor>> got(2);
        std::vector<int64_t> buckets(2), early(2);
        on_ranks(2, [&](ProcessGroup& group) {
          const int r = group.rank();
          auto& model = models[static_cast<std::size_t>(r)];
          GradientReducer::Options o;
          o.bucket_bytes = 8 << 10;  // several buckets even for this model
          o.first_bucket_bytes = 2 << 10;
          o.overlap = overlap;
          GradientReducer reducer(group, model->parameters(), o);
          backward_on(model, data[static_cast<std::size_t>(2 * r)]);
          reducer.arm("test: ");
          backward_on(model, data[static_cast<std::size_t>(2 * r + 1)]);
          reducer.finish("test: ");
          got[static_cast<std::size_t>(r)] = gradients(model);
          buckets[static_cast<std::size_t>(r)] = reducer.bucket_count();
          early[static_cast<std::size_t>(r)] = reducer.started_during_backward();
        });
        QVERIFY2(buckets[0] >= 4, qPrintable(QString::number(buckets[0])));
        if (overlap) {
          // Gloo starts a bucket while the previous one is in flight only
          // once that one completed, so at least the first starts early.
          QVERIFY2(early[0] >= 1 && early[1] >= 1, qPrintable(QString("%1 %2").arg(early[0]).arg(early[1])));
        } else {
          QCOMPARE(early[0], int64_t{0});
        }
        for (int r = 0; r < 2; ++r) {
          const auto& g = got[static_cast<std::size_t>(r)];
          QCOMPARE(g.size(), expected.size());
          for (std::size_t i = 0; i < g.size(); ++i) {
            QVERIFY(g[i].defined());
            QVERIFY2(torch::allclose(g[i], expected[i], 1e-4, 1e-6),
                     qPrintable(QString("rank %1, parameter %2, checkpointing %3, overlap %4: largest difference %5")
                                    .arg(r)
                                    .arg(i)
                                    .arg(checkpointing)
                                    .arg(overlap)
                                    .arg((g[i] - expected[i]).abs().max().item<double>())));
          }
        }
      }
    }
  }

  // Rank 1 has no rows this step; parameter c is reached by no rank.
  void aRankWithoutRowsAndAnUnreachedParameter() {
    std::vector<std::vector<torch::Tensor>> got(2);
    on_ranks(2, [&](ProcessGroup& group) {
      auto a = torch::ones({3}).requires_grad_(true);
      auto b = torch::ones({2, 2}).requires_grad_(true);
      auto c = torch::ones({4}).requires_grad_(true);
      GradientReducer::Options o;
      o.first_bucket_bytes = 1;  // one parameter per bucket
      o.bucket_bytes = 1;
      GradientReducer reducer(group, {a, b, c}, o);
      if (group.rank() == 0) {
        reducer.arm("test: ");
        ((a * 2).sum() + (b * 3).sum()).backward();
      }
      reducer.finish("test: ");
      got[static_cast<std::size_t>(group.rank())] = {a.grad(), b.grad(), c.grad()};
    });
    for (int r = 0; r < 2; ++r) {
      const auto& g = got[static_cast<std::size_t>(r)];
      QVERIFY(g[0].defined() && g[1].defined());
      QVERIFY(torch::equal(g[0], torch::full({3}, 2.0)));
      QVERIFY(torch::equal(g[1], torch::full({2, 2}, 3.0)));
      QVERIFY2(!g[2].defined(), "a parameter no rank reached keeps no gradient, as in one process");
    }
  }

  // Gradients of steps before arm() are accumulated, not sent: the sum is of
  // the completed gradients, and a reducer gone removes its hooks.
  void hooksStayQuietUntilArmedAndGoWithTheReducer() {
    std::vector<int64_t> before_arm(2), after_arm(2);
    std::vector<torch::Tensor> summed(2), local(2);
    on_ranks(2, [&](ProcessGroup& group) {
      const auto r = static_cast<std::size_t>(group.rank());
      auto a = torch::ones({3}).requires_grad_(true);
      {
        GradientReducer reducer(group, {a});
        (a * 1).sum().backward();  // not armed: nothing starts
        before_arm[r] = reducer.started_during_backward();
        reducer.arm("test: ");
        (a * 2).sum().backward();
        after_arm[r] = reducer.started_during_backward();
        reducer.finish("test: ");
        summed[r] = a.grad().clone();
      }
      a.mutable_grad() = torch::Tensor();
      (a * 5).sum().backward();  // the reducer is gone: a plain local gradient
      local[r] = a.grad().clone();
    });
    for (std::size_t r = 0; r < 2; ++r) {
      QCOMPARE(before_arm[r], int64_t{0});
      QCOMPARE(after_arm[r], int64_t{1});
      QVERIFY(torch::equal(summed[r], torch::full({3}, 6.0)));  // (1 + 2) on each of 2 ranks
      QVERIFY(torch::equal(local[r], torch::full({3}, 5.0)));
    }
  }
};

QTEST_GUILESS_MAIN(TestGradientReducer)
#include "test_gradient_reducer.moc"
