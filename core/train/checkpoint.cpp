#include "train/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/durable_file.h"
#include "common/error.h"
#include "lora/lora.h"

namespace pose::train {

namespace {
constexpr const char* kHeaderKey = "pose_checkpoint";

std::string corrupt_fix() {
  return "delete the file to start the run from the beginning, or run without --resume";
}
}  // namespace

nlohmann::json to_json(const TrainState& s) {
  return {{"format_version", kCheckpointFormatVersion},
          {"step", s.step},
          {"tokens", s.tokens},
          {"elapsed_s", s.elapsed_s},
          {"loss_mean", s.loss_mean},
          {"loss_count", s.loss_count},
          {"run", s.run},
          {"fingerprint", s.fingerprint}};
}

TrainState train_state_from_json(const nlohmann::json& j) {
  TrainState s;
  s.step = j.at("step").get<int64_t>();
  s.tokens = j.at("tokens").get<int64_t>();
  s.elapsed_s = j.at("elapsed_s").get<double>();
  s.loss_mean = j.at("loss_mean").get<double>();
  s.loss_count = j.at("loss_count").get<int64_t>();
  s.run = j.at("run").get<std::string>();
  s.fingerprint = j.at("fingerprint").get<std::string>();
  return s;
}

void save_checkpoint(const std::filesystem::path& file, model::LlamaForCausalLM& model,
                     torch::optim::Optimizer& optimizer, const TrainState& state) {
  torch::serialize::OutputArchive archive;
  archive.write(kHeaderKey, c10::IValue(to_json(state).dump()));
  torch::serialize::OutputArchive model_archive;
  {
    torch::NoGradGuard no_grad;
    // The parameters that train: every one in full fine-tuning; under LoRA the
    // adapters (and trained embeddings and norms) — the frozen base is the
    // run's base model, loaded again on resume.
    for (const auto& p : model::named_trainable_parameters(model)) model_archive.write(p.key(), p.value().detach().cpu());
    for (const auto& b : model->named_buffers()) model_archive.write(b.key(), b.value().cpu(), /*is_buffer=*/true);
  }
  archive.write("model", model_archive);
  torch::serialize::OutputArchive optimizer_archive;
  optimizer.save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);
  archive.write("rng_cpu", at::detail::getDefaultCPUGenerator().get_state());

  std::filesystem::create_directories(file.parent_path());
  const auto tmp = temporary_path_for(file);
  // LibTorch's own file writer aborts the process when a write fails (its zip
  // writer's destructor throws while the first error unwinds), so the archive is
  // streamed through a sink that remembers the first failure and lets the writer
  // finish in peace; the failure is reported once it has.
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int e = errno;
    throw UserError(file.string() + ": checkpoint could not be written (" + std::strerror(e) + ")",
                    "check free disk space and permissions of " + file.parent_path().string());
  }
  int write_error = 0;
  const auto sink = [&](const void* data, size_t size) -> size_t {
    const char* p = static_cast<const char*>(data);
    size_t left = size;
    while (write_error == 0 && left > 0) {
      const ssize_t n = ::write(fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        write_error = n < 0 ? errno : ENOSPC;
        break;
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    return size;
  };
  std::string torch_error;
  try {
    archive.save_to(sink);
  } catch (const c10::Error& e) {
    torch_error = e.what_without_backtrace();
  }
  if (::close(fd) != 0 && write_error == 0) write_error = errno;
  if (write_error != 0 || !torch_error.empty()) {
    std::filesystem::remove(tmp);
    throw UserError(file.string() + ": checkpoint could not be written (" +
                        (write_error != 0 ? std::string(std::strerror(write_error)) : torch_error) +
                        "); the previous checkpoint is kept",
                    "free disk space (or fix permissions) in " + file.parent_path().string() +
                        ", then continue with --resume");
  }
  commit_file(tmp, file);
}

namespace {
// Tensors are mapped onto `device` while loading, so AdamW's moments land where
// the parameters live.
torch::serialize::InputArchive open_archive(const std::filesystem::path& file,
                                            torch::Device device = torch::kCPU) {
  if (!std::filesystem::exists(file)) {
    throw UserError(file.string() + ": no checkpoint here", "run without --resume to start from the beginning");
  }
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(file.string(), device);
  } catch (const c10::Error& e) {
    throw UserError(file.string() + ": not a readable checkpoint (" + e.what_without_backtrace() + ")",
                    corrupt_fix());
  }
  return archive;
}

TrainState read_header(torch::serialize::InputArchive& archive, const std::filesystem::path& file) {
  c10::IValue header;
  try {
    archive.read(kHeaderKey, header);
    const auto j = nlohmann::json::parse(header.toStringRef());
    const int version = j.at("format_version").get<int>();
    if (version != kCheckpointFormatVersion) {
      throw UserError(file.string() + ": checkpoint format " + std::to_string(version) + " (this build reads " +
                          std::to_string(kCheckpointFormatVersion) + ")",
                      "resume it with the PoSE Studio version that wrote it, or start the run again");
    }
    return train_state_from_json(j);
  } catch (const UserError&) {
    throw;
  } catch (const std::exception& e) {
    throw UserError(file.string() + ": checkpoint header unreadable (" + e.what() + ")", corrupt_fix());
  }
}
}  // namespace

TrainState read_checkpoint_state(const std::filesystem::path& file) {
  auto archive = open_archive(file);
  return read_header(archive, file);
}

TrainState load_checkpoint(const std::filesystem::path& file, model::LlamaForCausalLM& model,
                           torch::optim::Optimizer& optimizer) {
  const torch::Device device =
      model->parameters().empty() ? torch::Device(torch::kCPU) : model->parameters().front().device();
  auto archive = open_archive(file, device);
  TrainState state = read_header(archive, file);
  try {
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    torch::NoGradGuard no_grad;
    for (auto& p : model::named_trainable_parameters(model)) {
      torch::Tensor t;
      if (!model_archive.try_read(p.key(), t)) {
        throw UserError(file.string() + ": tensor " + p.key() + " is missing", corrupt_fix());
      }
      if (t.sizes() != p.value().sizes()) {
        throw UserError(file.string() + ": tensor " + p.key() + " has shape " + c10::str(t.sizes()) +
                            ", the model expects " + c10::str(p.value().sizes()),
                        "resume with the same model configuration the run started with");
      }
      p.value().copy_(t);
    }
    for (auto& b : model->named_buffers()) {
      torch::Tensor t;
      if (model_archive.try_read(b.key(), t, /*is_buffer=*/true) && t.sizes() == b.value().sizes()) b.value().copy_(t);
    }
    torch::serialize::InputArchive optimizer_archive;
    archive.read("optimizer", optimizer_archive);
    optimizer.load(optimizer_archive);
    torch::Tensor rng;
    if (archive.try_read("rng_cpu", rng)) {
      auto generator = at::detail::getDefaultCPUGenerator();
      generator.set_state(rng.cpu());
    }
  } catch (const UserError&) {
    throw;
  } catch (const c10::Error& e) {
    throw UserError(file.string() + ": checkpoint contents unreadable (" + e.what_without_backtrace() + ")",
                    corrupt_fix());
  }
  return state;
}

}  // namespace pose::train
