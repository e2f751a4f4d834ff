#include "positions/sampler_types.h"

#include "common/error.h"
#include "common/printable.h"

namespace pose::positions {

namespace {
constexpr const char* kStrategyNames = "pose, pose-v1, randpos, full, none";
constexpr const char* kTextSkipNames = "uniform, zero, equal";
}  // namespace

const char* strategy_name(Strategy s) {
  switch (s) {
    case Strategy::Pose: return "pose";
    case Strategy::PoseV1: return "pose-v1";
    case Strategy::RandPos: return "randpos";
    case Strategy::Full: return "full";
    case Strategy::None: return "none";
  }
  return "?";
}

const char* text_skip_name(TextSkip t) {
  switch (t) {
    case TextSkip::Uniform: return "uniform";
    case TextSkip::Zero: return "zero";
    case TextSkip::Equal: return "equal";
  }
  return "?";
}

const char* status_name(SampleStatus s) {
  switch (s) {
    case SampleStatus::Ok: return "ok";
    case SampleStatus::Shortened: return "shortened";
    case SampleStatus::TooShort: return "too-short";
  }
  return "?";
}

Strategy parse_strategy(const std::string& name) {
  for (Strategy s : {Strategy::Pose, Strategy::PoseV1, Strategy::RandPos, Strategy::Full, Strategy::None}) {
    if (name == strategy_name(s)) return s;
  }
  throw UserError("strategy: unknown strategy '" + printable(name) + "'",
                  std::string("use one of ") + kStrategyNames);
}

TextSkip parse_text_skip(const std::string& name) {
  for (TextSkip t : {TextSkip::Uniform, TextSkip::Zero, TextSkip::Equal}) {
    if (name == text_skip_name(t)) return t;
  }
  throw UserError("text-skip: unknown text skip '" + printable(name) + "'", std::string("use one of ") + kTextSkipNames);
}

bool uses_chunks(Strategy s) { return s == Strategy::Pose || s == Strategy::PoseV1; }

void validate(const Design& d) {
  if (d.train_len < 1) {
    throw UserError("train-len: " + std::to_string(d.train_len) + " is below 1",
                    "the training window Lc must hold at least one token");
  }
  if (d.target_len < d.train_len) {
    throw UserError("train-len: " + std::to_string(d.train_len) + " exceeds target-len " +
                        std::to_string(d.target_len),
                    "the training window Lc must be at most the target window Lt");
  }
  if (uses_chunks(d.strategy)) {
    if (d.chunks < 1) {
      throw UserError("chunks: " + std::to_string(d.chunks) + " is below 1", "set chunks to 1 or more (PoSE uses 2)");
    }
    if (d.chunks > d.train_len) {
      throw UserError("chunks: " + std::to_string(d.chunks) + " exceeds train-len " + std::to_string(d.train_len),
                      "every chunk holds at least one token; use at most Lc chunks");
    }
  }
}

std::string describe(const Design& d) {
  std::string s = std::string(strategy_name(d.strategy)) + ", Lc=" + std::to_string(d.train_len) +
                  ", Lt=" + std::to_string(d.target_len);
  if (uses_chunks(d.strategy)) {
    s += ", " + std::to_string(d.chunks) + (d.chunks == 1 ? " chunk" : " chunks");
    s += std::string(", text skip ") + text_skip_name(d.text_skip);
  }
  return s;
}

}  // namespace pose::positions
