#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <sstream>

#include "common/memory_usage.h"
#include "distributed/gradient_reducer.h"
#include "distributed/gradient_sync.h"
#include "lora/lora.h"
#include "train/checkpoint.h"
#include "train/cpu_adamw.h"
#include "train/lr_schedule.h"
#include "train/optimizer_sharding.h"
#include "train/precision.h"

namespace pose::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string format_number(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

void set_lr(torch::optim::AdamW& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) {
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  }
}

// Scored tokens of a batch: position t predicts labels[t + 1].
int64_t scored_tokens(const Batch& b) {
  using torch::indexing::Slice;
  return b.labels.index({Slice(), Slice(1, torch::indexing::None)}).ne(-100).sum().item<int64_t>();
}

// Why a step's loss is refused, or "" when it is fine.
std::string guard_verdict(const TrainingSettings& s, const TrainState& state, double loss,
                          double grad_norm) {
  if (!std::isfinite(loss)) return "the loss is " + format_number(loss);
  if (!std::isfinite(grad_norm)) return "the gradient norm is " + format_number(grad_norm);
  if (s.spike_factor > 0 && state.loss_count >= s.spike_warmup && loss > s.spike_factor * state.loss_mean) {
    return "the loss spiked to " + format_number(loss) + " (more than " + format_number(s.spike_factor) +
           "x its running mean " + format_number(state.loss_mean) + ")";
  }
  return {};
}

// Random numbers drawn inside a step (LoRA dropout) depend on (seed, step)
// alone: a resumed run draws what an uninterrupted one does, whatever ran
// before it in the process (other runs, evaluations at step boundaries).
// Data-parallel ranks draw their own numbers (rank 0 those of one process).
void seed_step(const torch::Device& device, uint64_t seed, int64_t step, int rank) {
  at::Generator generator = at::globalContext().defaultGenerator(device);
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_current_seed(seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(step) + 1 +
                             static_cast<uint64_t>(rank) * 0xD1B54A32D192ED03ULL);
}

// Gradients become undefined (the next backward writes them afresh), as
// LibTorch 2's zero_grad leaves them, also for parameters the optimizer does not hold.
void drop_gradients(const std::vector<torch::Tensor>& parameters) {
  for (torch::Tensor p : parameters) p.mutable_grad() = torch::Tensor();  // a handle: the same parameter
}

void update_guard(TrainState& state, double loss) {
  // An exponential mean follows the falling loss of a healthy run; the plain
  // mean of the first steps seeds it.
  state.loss_mean = state.loss_count == 0 ? loss : 0.9 * state.loss_mean + 0.1 * loss;
  ++state.loss_count;
}

}  // namespace

std::unique_ptr<torch::optim::AdamW> make_optimizer(const std::vector<torch::Tensor>& parameters,
                                                    const TrainingSettings& s) {
  torch::optim::AdamWOptions opts(s.lr);
  opts.betas({s.beta1, s.beta2}).eps(s.eps).weight_decay(s.weight_decay);
  return std::make_unique<torch::optim::AdamW>(parameters, opts);
}

std::unique_ptr<torch::optim::AdamW> make_optimizer(model::LlamaForCausalLM& model,
                                                    const TrainingSettings& s) {
  // Frozen weights (LoRA) get no optimizer state.
  return make_optimizer(model::trainable_parameters(model), s);
}

TrainResult train_model(model::LlamaForCausalLM& model, const BatchSource& source, const TrainerOptions& o) {
  const auto& s = o.settings;
  const torch::Device device =
      model->parameters().empty() ? torch::Device(torch::kCPU) : model->parameters().front().device();
  const auto precision = resolve_precision(s.precision, device);
  auto log = [&](const std::string& line) {
    if (o.observer) o.observer->on_log(line);
  };

  if (const std::string note = precision_note(precision, device); !note.empty()) log(o.run_name + ": " + note);
  distributed::ProcessGroup* const group = o.group != nullptr && o.group->world_size() > 1 ? o.group : nullptr;
  const int world = group ? group->world_size() : 1;
  const int rank = group ? group->rank() : 0;
  const bool leader = rank == 0;
  const int64_t micro_rows = source.options().batch_size;
  const int64_t step_rows = micro_rows * source.options().grad_accum;
  if (step_rows < world) {
    throw UserError(o.run_name + ": a step's " + std::to_string(step_rows) + " rows (batch_size " +
                        std::to_string(micro_rows) + " x grad_accum " + std::to_string(source.options().grad_accum) +
                        ") cannot be shared by " + std::to_string(world) + " data-parallel ranks",
                    "raise grad_accum or batch_size so that batch_size x grad_accum is at least " +
                        std::to_string(world) + ", or run fewer processes");
  }
  const distributed::RowShare share = distributed::row_share(step_rows, rank, world);
  const std::vector<torch::Tensor> trained = model::trainable_parameters(model);
  const bool sharded = group != nullptr && o.shard_optimizer;
  const std::vector<int> owners = sharded ? assign_owners(trained, world) : std::vector<int>{};
  auto optimizer = make_optimizer(sharded ? owned_parameters(trained, owners, rank) : trained, s);
  TrainState state;
  state.run = o.run_name;
  state.fingerprint = o.fingerprint;
  TrainResult result;
  result.world_size = world;
  const bool resume = o.resume && std::filesystem::exists(o.checkpoint_file);
  if (group) {
    // Every rank reads the checkpoint rank 0 resumes from.
    const bool leader_resumes = group->share_from_leader(resume ? 1 : 0, o.run_name + ": resuming") == 1;
    if (leader_resumes != resume) {
      throw UserError(o.run_name + ": data-parallel rank " + std::to_string(rank) +
                          (resume ? " finds a checkpoint that rank 0 does not: " : " cannot read the checkpoint rank 0 resumes from: ") +
                          o.checkpoint_file.string(),
                      "every rank resumes from the run's checkpoint: put the experiment's files on a file system "
                      "that every machine of the job sees");
    }
  }
  if (resume) {
    const TrainState header = read_checkpoint_state(o.checkpoint_file);
    if (header.run != o.run_name || header.fingerprint != o.fingerprint) {
      throw UserError(o.checkpoint_file.string() + ": checkpoint of run '" + header.run +
                          "' with other settings than run '" + o.run_name + "' has now",
                      "run without --resume to start this run again, or restore the settings it was started with");
    }
    if (sharded) {
      // The checkpoint holds every parameter's state: this rank keeps its own.
      auto full = make_optimizer(trained, s);
      state = load_checkpoint(o.checkpoint_file, model, *full);
      keep_owned_state(*full, *optimizer, trained, owners, rank);
    } else {
      state = load_checkpoint(o.checkpoint_file, model, *optimizer);
    }
    result.resumed_from = state.step;
    log(o.run_name + ": resuming at step " + std::to_string(state.step) + " of " + std::to_string(s.steps));
  }

  // Every rank starts from rank 0's weights (the same initialisation or
  // checkpoint in any case; this makes it so whatever the devices did).
  if (group) distributed::broadcast_module(*group, *model);
  // Gradients are summed over the ranks during the step's last backward pass.
  std::unique_ptr<distributed::GradientReducer> reducer;
  if (group) {
    distributed::GradientReducer::Options ro;
    ro.overlap = o.overlap_gradient_sync;
    reducer = std::make_unique<distributed::GradientReducer>(*group, trained, ro);
  }

  model->train();
  // Time spent at step boundaries (evaluations) is wall time of the run but
  // not training: it stays out of the run's tokens/s.
  double boundary_s = 0.0;
  auto step_boundary = [&](int64_t step) {
    if (!o.at_step_boundary && !group) return;
    const auto t0 = Clock::now();
    if (o.at_step_boundary) {
      o.at_step_boundary(step);
      model->train();
    }
    if (leader) {
      if (group) group->publish();
    } else {
      group->await_leader(o.run_name + ": rank 0's evaluations at step " + std::to_string(step));
    }
    boundary_s += seconds_since(t0);
  };
  const double clip = s.grad_clip > 0 ? s.grad_clip : std::numeric_limits<double>::infinity();
  const auto session_start = Clock::now();
  double paused_s = 0.0;
  // This session's run time so far: the wall clock less the pauses.
  auto session_seconds = [&] { return seconds_since(session_start) - paused_s; };
  step_boundary(state.step);
  const double elapsed_before = state.elapsed_s;
  const int64_t tokens_before = state.tokens;
  int64_t last_checkpoint_step = state.step;

  auto write_checkpoint = [&] {
    state.elapsed_s = elapsed_before + session_seconds();
    last_checkpoint_step = state.step;
    std::unique_ptr<torch::optim::AdamW> full;  // sharded: every owner's state, on rank 0
    if (sharded) {
      if (leader) full = make_optimizer(trained, s);
      gather_optimizer_state(*group, trained, owners, *optimizer, full.get());
    }
    if (!leader) return;  // rank 0 writes for every rank
    if (o.observer) o.observer->before_checkpoint(o.run_name, state.step);
    save_checkpoint(o.checkpoint_file, model, full ? *full : *optimizer, state);
    last_checkpoint_step = state.step;
    if (o.observer) o.observer->on_checkpoint(o.run_name, state.step, o.checkpoint_file.string());
  };

  while (state.step < s.steps) {
    bool stop = false;
    if (o.control) {
      // Time spent paused is neither training nor wall time of the run: it
      // stays out of elapsed_s, tokens/s and the ETA (a 6 s pause must not make
      // a run look 40x slower than its twin).
      const auto wait_start = Clock::now();
      if (o.control->paused()) log(o.run_name + ": paused at step " + std::to_string(state.step));
      stop = !o.control->wait_while_paused();
      paused_s += seconds_since(wait_start);
    }
    const auto step_start = Clock::now();
    const int64_t step = state.step;

    // This rank's rows of the step, in micro-batches of at most batch_size.
    std::vector<Batch> micro;
    int64_t scored = 0, step_tokens = 0;
    if (!stop || group) {
      micro.reserve(static_cast<std::size_t>((share.count + micro_rows - 1) / micro_rows));
      for (int64_t first = 0; first < share.count; first += micro_rows) {
        micro.push_back(source.rows(step, share.first + first, std::min(micro_rows, share.count - first)));
        scored += scored_tokens(micro.back());
        step_tokens += micro.back().tokens;
      }
    }
    const int64_t rank_tokens = step_tokens;
    if (group) {
      // The step's scored tokens over every rank weight the loss; a cancel on
      // any rank stops every rank at this step.
      std::vector<torch::Tensor> totals{torch::tensor(std::vector<double>{static_cast<double>(scored),
                                                                          static_cast<double>(step_tokens), stop ? 1.0 : 0.0},
                                                      torch::kFloat64)
                                            .to(device)};
      group->all_reduce_sum(totals, o.run_name + ": step " + std::to_string(step + 1) + ": counting tokens");
      const auto t = totals[0].to(torch::kCPU);
      scored = static_cast<int64_t>(t[0].item<double>());
      step_tokens = static_cast<int64_t>(t[1].item<double>());
      stop = t[2].item<double>() > 0;
    }
    if (stop) {
      write_checkpoint();
      log(o.run_name + ": cancelled at step " + std::to_string(state.step) + "; --resume continues from here");
      result.cancelled = true;
      break;
    }
    const double lr = learning_rate_at(s, step);
    set_lr(*optimizer, lr);

    optimizer->zero_grad();
    if (sharded) {
      // The optimizer zeroes the gradients it updates; the others' go too.
      drop_gradients(trained);
    }
    seed_step(device, s.seed, step, rank);
    double loss_sum = 0.0;
    for (std::size_t m = 0; m < micro.size(); ++m) {
      const Batch& b = micro[m];
      if (reducer && m + 1 == micro.size()) {
        reducer->arm(o.run_name + ": step " + std::to_string(step + 1) + ": ");
      }
      AutocastScope autocast(device, precision);
      auto nll = model->nll_sum(b.input_ids.to(device), b.position_ids.to(device), b.labels.to(device));
      // Dividing by the step's total scored tokens makes the accumulated
      // gradient that of one token-weighted mean over all micro-batches.
      auto scaled = nll.sum / static_cast<double>(std::max<int64_t>(scored, 1));
      scaled.backward();
      loss_sum += nll.sum.item<double>();
    }
    const double compute_s = seconds_since(step_start);
    std::vector<double> rank_tokens_per_s{compute_s > 0 ? static_cast<double>(rank_tokens) / compute_s : 0.0};
    if (group) {
      const std::string at = o.run_name + ": step " + std::to_string(step + 1) + ": ";
      reducer->finish(at);
      const auto gathered = group->all_gather({loss_sum, rank_tokens_per_s.front()}, at + "gathering the losses");
      loss_sum = 0.0;
      rank_tokens_per_s.clear();
      for (const auto& g : gathered) {
        loss_sum += g[0];
        rank_tokens_per_s.push_back(g[1]);
      }
    }
    const double loss = loss_sum / static_cast<double>(std::max<int64_t>(scored, 1));
    const double grad_norm = torch::nn::utils::clip_grad_norm_(trained, clip);

    const std::string verdict = guard_verdict(s, state, loss, grad_norm);
    if (!verdict.empty()) {
      drop_gradients(trained);
      const std::string kept = last_checkpoint_step > 0 || std::filesystem::exists(o.checkpoint_file)
                                   ? "the last good checkpoint (step " + std::to_string(last_checkpoint_step) +
                                         ", " + o.checkpoint_file.string() + ") is kept"
                                   : "no checkpoint was written yet";
      throw TrainingDiverged(o.run_name + ": training stopped at step " + std::to_string(step + 1) + ": " + verdict +
                                 "; the update was not applied and " + kept,
                             "lower lr (now " + format_number(s.lr) + "), set grad_clip, or check the data; "
                             "`--resume` continues from the kept checkpoint");
    }
    adamw_step(*optimizer);  // one pass per parameter on the CPU (train/cpu_adamw.h)
    if (sharded) broadcast_from_owners(*group, trained, owners);
    update_guard(state, loss);
    state.step = step + 1;
    state.tokens += step_tokens;
    result.last_loss = loss;

    const double step_s = seconds_since(step_start);
    if (o.observer) {
      StepEvent e;
      e.run = o.run_name;
      e.step = state.step;
      e.total_steps = s.steps;
      e.loss = loss;
      e.lr = lr;
      e.grad_norm = grad_norm;
      e.tokens_per_s = step_s > 0 ? static_cast<double>(step_tokens) / step_s : 0.0;
      e.tokens = state.tokens;
      e.memory_mb = take_peak_memory_mb(device);
      const double session_s = session_seconds();
      e.elapsed_s = elapsed_before + session_s;
      const int64_t done_here = state.step - result.resumed_from;
      e.eta_s = done_here > 0 ? session_s / static_cast<double>(done_here) * static_cast<double>(s.steps - state.step)
                              : 0.0;
      e.world_size = world;
      e.rank_tokens_per_s = rank_tokens_per_s;
      e.slowest_rank = static_cast<int>(std::min_element(rank_tokens_per_s.begin(), rank_tokens_per_s.end()) -
                                        rank_tokens_per_s.begin());
      o.observer->on_step(e);
    }
    step_boundary(state.step);
    if (state.step == s.steps || (s.checkpoint_every > 0 && state.step % s.checkpoint_every == 0)) {
      write_checkpoint();
    }
  }

  if (sharded && leader) {
    const auto bytes = [](double b) { return format_number(b / (1024.0 * 1024.0)) + " MiB"; };
    int64_t all = 0;
    for (const auto& p : trained) all += p.numel();
    log(o.run_name + ": optimizer state sharded over " + std::to_string(world) + " ranks: rank 0 holds " +
        bytes(static_cast<double>(optimizer_state_bytes(*optimizer))) + " of AdamW moments, " +
        bytes(8.0 * static_cast<double>(all)) + " unsharded");
  }
  const double session_s = session_seconds();
  state.elapsed_s = elapsed_before + session_s;
  result.paused_s = paused_s;
  result.completed = state.step >= s.steps;
  result.steps = state.step;
  result.tokens = state.tokens;
  result.elapsed_s = state.elapsed_s;
  const double training_s = session_s - boundary_s;
  result.tokens_per_s = training_s > 0 ? static_cast<double>(state.tokens - tokens_before) / training_s : 0.0;
  model->eval();
  return result;
}

}  // namespace pose::train
