// The training engine: schedule, deterministic batches, token-weighted gradient
// accumulation, bit-exact resume from a checkpoint, the loss guard and cancel.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <thread>
#include <limits>

#include "common/error.h"
#include "file_size_limit.h"
#include "model/model_init.h"
#include "tiny_training_fixture.h"
#include "train/batch_source.h"
#include "train/checkpoint.h"
#include "train/lr_schedule.h"
#include "train/out_of_memory.h"
#include "train/trainer.h"
#include "text/passkey_prompt.h"
#include "text/tokenizer.h"

using namespace pose;
using train::Schedule;
using train::TrainingSettings;
namespace fs = std::filesystem;

namespace {

model::ModelConfig tiny_config() { return tiny_training_config(); }

model::LlamaForCausalLM tiny_model(uint64_t seed) {
  model::LlamaForCausalLM m(tiny_config());
  model::init_weights(m, seed);
  return m;
}

std::shared_ptr<const std::vector<std::vector<int32_t>>> documents() { return learnable_documents(); }

train::BatchSourceOptions source_options(positions::Strategy strategy, int64_t batch, int64_t accum) {
  train::BatchSourceOptions o;
  o.design = positions::make_design(strategy, 16, 64);
  o.segment_len = 64;
  o.batch_size = batch;
  o.grad_accum = accum;
  o.seed = 99;
  return o;
}

TrainingSettings settings(int64_t steps) {
  TrainingSettings s;
  s.steps = steps;
  s.lr = 3e-3;
  s.warmup_steps = 2;
  s.batch_size = 4;
  s.checkpoint_every = 0;
  s.seed = 5;
  return s;
}

// Collects losses; optionally runs an action after a given step.
class Recorder : public train::TrainObserver {
 public:
  std::vector<double> losses;
  std::vector<int64_t> checkpoints;
  std::function<void(int64_t)> after_step;
  std::function<void(int64_t)> after_checkpoint;
  std::function<void(const std::string&)> after_log;
  std::vector<train::StepEvent> events;
  void on_step(const train::StepEvent& e) override {
    losses.push_back(e.loss);
    events.push_back(e);
    if (after_step) after_step(e.step);
  }
  void on_log(const std::string& line) override {
    if (after_log) after_log(line);
  }
  void on_checkpoint(const std::string&, int64_t step, const std::string&) override {
    checkpoints.push_back(step);
    if (after_checkpoint) after_checkpoint(step);
  }
};

}  // namespace

class TestTrainer : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { torch::set_num_threads(1); }  // the same reduction order in every run

  void warmupThenLinearAndCosineDecay() {
    TrainingSettings s;
    s.lr = 1.0;
    s.steps = 12;
    s.warmup_steps = 2;
    s.min_lr_ratio = 0.1;
    s.schedule = Schedule::Linear;
    QCOMPARE(train::learning_rate_at(s, 0), 0.5);
    QCOMPARE(train::learning_rate_at(s, 1), 1.0);
    QCOMPARE(train::learning_rate_at(s, 2), 1.0);
    QVERIFY(std::abs(train::learning_rate_at(s, 11) - 0.1) < 1e-12);
    QVERIFY(std::abs(train::learning_rate_at(s, 7) - (0.1 + 0.9 * (1.0 - 5.0 / 9.0))) < 1e-12);
    s.schedule = Schedule::Cosine;
    QVERIFY(std::abs(train::learning_rate_at(s, 11) - 0.1) < 1e-12);
    s.steps = 2 + 11;  // decay over 11 steps: the middle one is at half progress
    QVERIFY(std::abs(train::learning_rate_at(s, 2 + 5) - 0.55) < 1e-12);
    s.schedule = Schedule::Constant;
    QCOMPARE(train::learning_rate_at(s, 10), 1.0);
  }

  void batchesAreAPureFunctionOfTheStep() {
    train::BatchSource a(documents(), source_options(positions::Strategy::Pose, 3, 2));
    train::BatchSource b(documents(), source_options(positions::Strategy::Pose, 3, 2));
    const auto x = a.micro_batch(5, 1), y = b.micro_batch(5, 1), z = a.micro_batch(5, 0);
    QVERIFY(torch::equal(x.input_ids, y.input_ids));
    QVERIFY(torch::equal(x.position_ids, y.position_ids));
    QVERIFY(!torch::equal(x.input_ids, z.input_ids));
    QCOMPARE(x.input_ids.sizes().vec(), (std::vector<int64_t>{3, 16}));
    // PoSE rows: increasing positions inside [0, Lt), the first at 0 (chunk 0 is not shifted), BOS first.
    for (int64_t r = 0; r < 3; ++r) {
      auto p = x.position_ids[r];
      QCOMPARE(p[0].item<int64_t>(), 0);
      QVERIFY((p.slice(0, 1) - p.slice(0, 0, -1)).min().item<int64_t>() >= 1);
      QVERIFY(p.max().item<int64_t>() <= 63);
      QCOMPARE(x.input_ids[r][0].item<int64_t>(), 1);
    }
    QVERIFY(torch::equal(x.labels, x.input_ids));
    QCOMPARE(x.tokens, 48);
  }

  void passkeyShareDecidesRows() {
    std::string text;
    for (int rep = 0; rep < 30; ++rep) {
      text += std::string(text::kPasskeyIntro) + "\n" + text::kPasskeyFiller + "\n" + text::kPasskeyQuestion + " " +
              std::to_string(rep * 7919 % 50000) + ".\n";
    }
    text::TokenizerTrainOptions to;
    to.vocab_size = 400;
    const auto tok = text::train_tokenizer({{"passkey", text}}, "", to);
    const text::PasskeyPromptBuilder builder(tok);

    auto o = source_options(positions::Strategy::None, 8, 1);
    o.design = positions::make_design(positions::Strategy::None, 256, 256);
    o.segment_len = 256;
    o.bos_id = tok.bos_id();
    o.passkey_share = 0.5;
    train::BatchSource half(documents(), o, &builder);
    int64_t passkey_rows = 0;
    for (int64_t step = 0; step < 50; ++step) passkey_rows += half.micro_batch(step, 0).passkey_rows;
    QVERIFY2(passkey_rows > 150 && passkey_rows < 250, std::to_string(passkey_rows).c_str());  // 400 rows, p = 0.5

    o.passkey_share = 0.0;
    train::BatchSource none(documents(), o, &builder);
    QCOMPARE(none.micro_batch(0, 0).passkey_rows, int64_t(0));

    // A passkey row is the prompt with its answer, starting at BOS, positions from 0.
    o.passkey_share = 0.999;
    train::BatchSource all(documents(), o, &builder);
    const auto b = all.micro_batch(3, 0);
    QCOMPARE(b.passkey_rows, int64_t(8));
    const auto ids = b.input_ids[0];
    std::vector<int32_t> row;
    for (int64_t t = 0; t < ids.size(0) && b.labels[0][t].item<int64_t>() != -100; ++t) {
      row.push_back(static_cast<int32_t>(ids[t].item<int64_t>()));
    }
    QCOMPARE(row.front(), tok.bos_id());
    const std::string decoded = tok.decode(row);
    QVERIFY2(decoded.find("What is the pass key? The pass key is") != std::string::npos, decoded.c_str());
    QCOMPARE(b.position_ids[0][5].item<int64_t>(), int64_t(5));

    // In an extension run the run's sampler positions the prompt: PoSE keeps
    // every token of it (the prompt fits Lc) and skips positions within Lt, so
    // the key and the question can lie further apart than Lc.
    auto pose = o;
    pose.design = positions::make_design(positions::Strategy::Pose, 256, 2048, 2);
    pose.segment_len = 2048;
    train::BatchSource extension(documents(), pose, &builder);
    int64_t beyond_window = 0;
    for (int64_t step = 0; step < 4; ++step) {
      const auto eb = extension.micro_batch(step, 0);
      QCOMPARE(eb.passkey_rows, int64_t(8));
      for (int64_t r = 0; r < 8; ++r) {
        const auto n = (eb.labels[r] != -100).sum().item<int64_t>();
        std::vector<int32_t> prompt_ids;
        for (int64_t t = 0; t < n; ++t) prompt_ids.push_back(static_cast<int32_t>(eb.input_ids[r][t].item<int64_t>()));
        const std::string extension_prompt = tok.decode(prompt_ids);
        QVERIFY2(extension_prompt.rfind(text::kPasskeyIntro, 0) == 0 || extension_prompt.find(text::kPasskeyIntro) < 4,
                 extension_prompt.c_str());
        QVERIFY2(extension_prompt.find("What is the pass key? The pass key is") != std::string::npos,
                 extension_prompt.c_str());
        const auto p = eb.position_ids[r].slice(0, 0, n);
        QCOMPARE(p[0].item<int64_t>(), int64_t(0));
        QVERIFY((p.slice(0, 1) - p.slice(0, 0, -1)).min().item<int64_t>() >= 1);
        QVERIFY(p.max().item<int64_t>() <= 2047);
        if (p[n - 1].item<int64_t>() >= 256) ++beyond_window;
      }
    }
    QVERIFY2(beyond_window >= 16, std::to_string(beyond_window).c_str());  // 32 rows, most skip past Lc

    // A window too short for the prompt is refused with the fix.
    o.design = positions::make_design(positions::Strategy::None, 32, 32);
    o.segment_len = 32;
    try {
      train::BatchSource tiny(documents(), o, &builder);
      QFAIL("expected a refusal");
    } catch (const UserError& e) {
      QVERIFY2(std::string(e.what()).find("passkey_share") != std::string::npos, e.what());
    }
  }

  void accumulationEqualsOneLargeBatch() {
    auto big = tiny_model(1), split = tiny_model(1);
    train::BatchSource big_src(documents(), source_options(positions::Strategy::Pose, 4, 1));
    train::BatchSource split_src(documents(), source_options(positions::Strategy::Pose, 2, 2));
    QTemporaryDir dir;
    auto s = settings(1);
    Recorder r1, r2;
    train::TrainerOptions o;
    o.settings = s;
    o.checkpoint_file = dir.path().toStdString() + "/a.pt";
    o.observer = &r1;
    train::train_model(big, big_src, o);
    s.grad_accum = 2;
    s.batch_size = 2;
    o.settings = s;
    o.checkpoint_file = dir.path().toStdString() + "/b.pt";
    o.observer = &r2;
    train::train_model(split, split_src, o);
    QVERIFY(std::abs(r1.losses[0] - r2.losses[0]) < 1e-5);
    auto pa = big->parameters(), pb = split->parameters();
    // AdamW's first update of an entry is lr * g / (|g| + eps): entries whose
    // gradient is near eps (1e-8) turn last-bit differences between the two
    // summation orders into update differences. 1e-5 stays ~100x below one
    // update (lr/2 = 1.5e-3 at the first warmup step), so a micro-batch dropped
    // or counted twice, which turns many entries' gradients, still fails.
    for (std::size_t i = 0; i < pa.size(); ++i) QVERIFY(torch::allclose(pa[i], pb[i], 1e-5, 1e-5));
  }

  // Observers hear of a checkpoint before its file exists (so that what they
  // keep about the steps it covers is durable first; a kill right after the
  // file would otherwise leave those steps out of the store for good) and again
  // after it is written.
  void observersAreToldBeforeACheckpointIsWritten() {
    QTemporaryDir dir;
    train::BatchSource source(documents(), source_options(positions::Strategy::Pose, 4, 1));
    auto s = settings(4);
    s.checkpoint_every = 2;
    struct Order : Recorder {
      std::filesystem::path file;
      std::vector<std::string> calls;
      void before_checkpoint(const std::string&, int64_t step) override {
        const int64_t on_disk = std::filesystem::exists(file) ? train::read_checkpoint_state(file).step : -1;
        calls.push_back("before " + std::to_string(step) + " (file at " + std::to_string(on_disk) + ")");
      }
      void on_checkpoint(const std::string&, int64_t step, const std::string&) override {
        calls.push_back("after " + std::to_string(step) + " (file at " +
                        std::to_string(train::read_checkpoint_state(file).step) + ")");
      }
    } order;
    train::TrainerOptions o;
    o.settings = s;
    o.checkpoint_file = dir.path().toStdString() + "/c.pt";
    order.file = o.checkpoint_file;
    o.observer = &order;
    auto m = tiny_model(1);
    train::train_model(m, source, o);
    const std::vector<std::string> expected = {"before 2 (file at -1)", "after 2 (file at 2)",
                                               "before 4 (file at 2)", "after 4 (file at 4)"};
    QCOMPARE(order.calls, expected);
  }

  // A real allocation failure on the CPU (4 PiB) and a CUDA one become a
  // message naming the run, the micro-batch and the settings to change; other
  // errors are left as they are.
  void outOfMemoryNamesTheSettingsToChange() {
    const train::MemoryContext cpu{"pose-linear", "cpu", 2048, 8, 1};
    try {
      const auto huge = torch::empty({int64_t{1} << 50}, torch::kFloat);
      QFAIL("expected an allocation failure");
    } catch (const std::exception& e) {
      const auto m = train::out_of_memory_message(e, cpu);
      QVERIFY(m.has_value());
      for (const char* part : {"pose-linear: out of memory on cpu", "8 x 2048 tokens", "batch_size (now 8)",
                               "grad_accum (now 1)", "shorter training length", "--resume"}) {
        QVERIFY2(m->find(part) != std::string::npos, m->c_str());
      }
      QVERIFY2(m->find("bf16") == std::string::npos, m->c_str());  // no CUDA advice on the CPU
      QVERIFY2(m->find('\n') == std::string::npos, m->c_str());    // one line, no stack trace
    }
    const c10::OutOfMemoryError cuda_oom(c10::SourceLocation{__func__, __FILE__, static_cast<uint32_t>(__LINE__)},
                                         "CUDA out of memory. Tried to allocate 2.00 GiB");
    const auto m = train::out_of_memory_message(cuda_oom, {"full-length", "cuda:0 (NVIDIA H100)", 16384, 4, 2});
    QVERIFY(m.has_value());
    QVERIFY2(m->find("bf16") != std::string::npos && m->find("Tried to allocate 2.00 GiB") != std::string::npos,
             m->c_str());
    QVERIFY(!train::out_of_memory_message(std::runtime_error("corpus not found"), cpu));
    QVERIFY(!train::out_of_memory_message(UserError("lr: below 0", "use a positive lr"), cpu));
  }

  void resumeReproducesTheUninterruptedLosses() {
    QTemporaryDir dir;
    train::BatchSource source(documents(), source_options(positions::Strategy::Pose, 4, 1));
    auto s = settings(8);
    s.checkpoint_every = 3;

    auto whole = tiny_model(1);
    Recorder all;
    train::TrainerOptions o;
    o.run_name = "r";
    o.fingerprint = "f";
    o.settings = s;
    o.checkpoint_file = dir.path().toStdString() + "/whole.pt";
    o.observer = &all;
    const auto full = train::train_model(whole, source, o);
    QVERIFY(full.completed);
    QCOMPARE(all.losses.size(), std::size_t(8));
    QVERIFY(all.losses.back() < all.losses.front());

    // Interrupted: stops after step 5 (as a kill would, after the checkpoint at 3
    // and two more steps whose work is lost).
    auto first = tiny_model(1);
    Recorder part;
    train::RunControl control;
    part.after_step = [&](int64_t step) {
      if (step == 5) control.request_cancel();
    };
    o.checkpoint_file = dir.path().toStdString() + "/part.pt";
    o.observer = &part;
    o.control = &control;
    // Cancel writes a checkpoint at step 5; to model a kill we resume from the
    // step-3 checkpoint instead, kept aside.
    part.after_checkpoint = [&](int64_t step) {
      if (step == 3) fs::copy_file(o.checkpoint_file, dir.path().toStdString() + "/step3.pt");
    };
    const auto stopped = train::train_model(first, source, o);
    QVERIFY(stopped.cancelled);
    QCOMPARE(train::read_checkpoint_state(o.checkpoint_file).step, 5);

    for (const std::string from : {"/step3.pt", "/part.pt"}) {
      const int64_t at = from == "/step3.pt" ? 3 : 5;
      auto resumed = tiny_model(77);  // other weights: the checkpoint must replace them all
      Recorder rest;
      train::TrainerOptions ro = o;
      ro.control = nullptr;
      ro.resume = true;
      ro.observer = &rest;
      ro.checkpoint_file = dir.path().toStdString() + from;
      const auto done = train::train_model(resumed, source, ro);
      QCOMPARE(done.resumed_from, at);
      QVERIFY(done.completed);
      QCOMPARE(rest.losses.size(), std::size_t(8 - at));
      for (std::size_t i = 0; i < rest.losses.size(); ++i) {
        QCOMPARE(rest.losses[i], all.losses[static_cast<std::size_t>(at) + i]);  // bit-exact
      }
      auto pw = whole->parameters(), pr = resumed->parameters();
      for (std::size_t i = 0; i < pw.size(); ++i) QVERIFY(torch::equal(pw[i], pr[i]));
    }
  }

  void resumeRefusesAnotherRunsCheckpoint() {
    QTemporaryDir dir;
    train::BatchSource source(documents(), source_options(positions::Strategy::Pose, 2, 1));
    auto m = tiny_model(1);
    train::TrainerOptions o;
    o.run_name = "a";
    o.fingerprint = "one";
    o.settings = settings(2);
    o.checkpoint_file = dir.path().toStdString() + "/c.pt";
    train::train_model(m, source, o);
    o.fingerprint = "two";
    o.resume = true;
    try {
      train::train_model(m, source, o);
      QFAIL("expected a refusal");
    } catch (const UserError& e) {
      QVERIFY2(std::string(e.what()).find("other settings") != std::string::npos, e.what());
    }
  }

  void nanLossStopsAndKeepsTheLastGoodCheckpoint() {
    QTemporaryDir dir;
    train::BatchSource source(documents(), source_options(positions::Strategy::Pose, 2, 1));
    auto m = tiny_model(1);
    auto s = settings(6);
    s.checkpoint_every = 2;
    Recorder r;
    r.after_step = [&](int64_t step) {
      if (step == 3) {
        torch::NoGradGuard no_grad;
        m->parameters()[0].fill_(std::numeric_limits<float>::quiet_NaN());
      }
    };
    train::TrainerOptions o;
    o.run_name = "nan";
    o.settings = s;
    o.checkpoint_file = dir.path().toStdString() + "/nan.pt";
    o.observer = &r;
    try {
      train::train_model(m, source, o);
      QFAIL("expected the loss guard to stop the run");
    } catch (const train::TrainingDiverged& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("step 4") != std::string::npos, msg.c_str());
      QVERIFY2(msg.find("nan") != std::string::npos, msg.c_str());
      QVERIFY2(msg.find("step 2") != std::string::npos, msg.c_str());
    }
    // The kept checkpoint is the good one from step 2 and loads with finite weights.
    auto fresh = tiny_model(3);
    auto opt = train::make_optimizer(fresh, s);
    const auto state = train::load_checkpoint(o.checkpoint_file, fresh, *opt);
    QCOMPARE(state.step, 2);
    for (const auto& p : fresh->parameters()) QVERIFY(torch::isfinite(p).all().item<bool>());
  }

  void lossSpikeStopsTheRun() {
    QTemporaryDir dir;
    train::BatchSource source(documents(), source_options(positions::Strategy::Pose, 2, 1));
    auto m = tiny_model(1);
    auto s = settings(8);
    s.spike_factor = 2.0;
    s.spike_warmup = 3;
    Recorder r;
    r.after_step = [&](int64_t step) {
      if (step == 4) {
        torch::NoGradGuard no_grad;
        for (auto& p : m->parameters()) p.mul_(30.0);  // wrecks the model: the loss jumps
      }
    };
    train::TrainerOptions o;
    o.settings = s;
    o.checkpoint_file = dir.path().toStdString() + "/spike.pt";
    o.observer = &r;
    try {
      train::train_model(m, source, o);
      QFAIL("expected the spike guard to stop the run");
    } catch (const train::TrainingDiverged& e) {
      QVERIFY2(std::string(e.what()).find("spiked") != std::string::npos, e.what());
    }
    QCOMPARE(r.losses.size(), std::size_t(4));
  }

  // A full disk while a checkpoint is written: the write fails with a message
  // naming the file, the errno and the fix; the previous checkpoint stays whole
  // and no temporary file is left. (LibTorch's own file writer would abort the
  // process here.)
  void checkpointOnAFullDiskKeepsThePreviousOne() {
    QTemporaryDir dir;
    const fs::path f = dir.path().toStdString() + "/full.pt";
    auto m = tiny_model(1);
    auto opt = train::make_optimizer(m, settings(1));
    train::TrainState first;
    first.step = 3;
    first.run = "r";
    train::save_checkpoint(f, m, *opt, first);
    const auto size = fs::file_size(f);
    train::TrainState second = first;
    second.step = 6;
    std::string message;
    {
      test::FileSizeLimit limit(size / 2);
      try {
        train::save_checkpoint(f, m, *opt, second);
      } catch (const UserError& e) {
        message = e.what();
      }
    }
    QVERIFY2(message.find("full.pt") != std::string::npos, message.c_str());
    QVERIFY2(message.find("could not be written (File too large)") != std::string::npos, message.c_str());
    QVERIFY2(message.find("--resume") != std::string::npos, message.c_str());
    QCOMPARE(train::read_checkpoint_state(f).step, 3);
    QCOMPARE(fs::file_size(f), size);
    QVERIFY(!fs::exists(f.string() + ".tmp"));
    // With room again the same call succeeds.
    train::save_checkpoint(f, m, *opt, second);
    QCOMPARE(train::read_checkpoint_state(f).step, 6);
  }

  void corruptCheckpointIsNamed() {
    QTemporaryDir dir;
    const fs::path f = dir.path().toStdString() + "/bad.pt";
    std::ofstream(f) << "not a checkpoint";
    auto m = tiny_model(1);
    auto opt = train::make_optimizer(m, settings(1));
    try {
      train::load_checkpoint(f, m, *opt);
      QFAIL("expected an error");
    } catch (const UserError& e) {
      QVERIFY2(std::string(e.what()).find("bad.pt") != std::string::npos, e.what());
      QVERIFY2(std::string(e.what()).find("not a readable checkpoint") != std::string::npos, e.what());
    }
  }

  // Pausing holds the trainer between steps, and the time it waits is left out
  // of the run's wall time, tokens/s and ETA. The checks are bounds that hold
  // whatever the machine's speed: the trainer announces the pause before it
  // waits, and the resumer holds it at least kHeld after that.
  void pauseBlocksUntilResumedAndIsNotRunTime() {
    using Clock = std::chrono::steady_clock;
    constexpr double kHeld = 0.3;
    QTemporaryDir dir;
    train::BatchSource source(documents(), source_options(positions::Strategy::Pose, 2, 1));
    auto m = tiny_model(1);
    train::RunControl control;
    Recorder r;
    std::thread resumer;
    std::atomic<std::size_t> steps_while_paused{0};
    r.after_step = [&](int64_t step) {
      if (step == 1) control.set_paused(true);
    };
    r.after_log = [&](const std::string& line) {
      if (line.find("paused at step 1") == std::string::npos) return;
      resumer = std::thread([&] {
        std::this_thread::sleep_for(std::chrono::duration<double>(kHeld));
        steps_while_paused = r.losses.size() - 1;  // nothing ran while paused
        control.set_paused(false);
      });
    };
    train::TrainerOptions o;
    o.settings = settings(3);
    o.checkpoint_file = dir.path().toStdString() + "/p.pt";
    o.observer = &r;
    o.control = &control;
    const auto start = Clock::now();
    const auto result = train::train_model(m, source, o);
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    QVERIFY(resumer.joinable());
    resumer.join();
    QVERIFY(result.completed);
    QCOMPARE(r.losses.size(), std::size_t(3));
    QCOMPARE(steps_while_paused.load(), std::size_t(0));
    QVERIFY2(result.paused_s >= kHeld, qPrintable(QString::number(result.paused_s)));
    // Without the pause: elapsed and the last step's elapsed fit in the wall
    // time less the pause, and tokens/s is at least tokens over that time.
    QVERIFY2(result.elapsed_s <= wall - kHeld, qPrintable(QStringLiteral("%1 of %2").arg(result.elapsed_s).arg(wall)));
    QVERIFY(r.events.back().elapsed_s <= wall - kHeld);
    QVERIFY2(result.tokens_per_s >= static_cast<double>(result.tokens) / (wall - kHeld),
             qPrintable(QStringLiteral("%1 tokens/s, %2 tokens in %3 s").arg(result.tokens_per_s).arg(result.tokens).arg(wall)));
  }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "test_trainer.moc"
