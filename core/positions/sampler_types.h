// The vocabulary of position sampling: a design (Lc, Lt, strategy, chunks, text
// skips) and one drawn sample (which document tokens are trained, at which
// position ids). Plain C++17 so that the CLI, the batch builder and the widgets
// share exactly one definition.
//
// Names follow the PoSE paper: Lc = train_len (the window the model sees per
// step), Lt = target_len (the context the model should handle), Lx = the
// document's length in tokens.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pose::positions {

enum class Strategy {
  Pose,     // PoSE after the authors' October 2023 fix (chunk 0 stays at position 0)
  PoseV1,   // PoSE as first published: every chunk shifted, small skips favoured
  RandPos,  // sorted uniform sample of Lc distinct ids from [0, Lt)
  Full,     // Full-length fine-tuning: Lt contiguous tokens at 0..Lt-1
  None,     // no extension: Lc contiguous tokens at 0..Lc-1
};

// How far the text of chunk i starts after the end of chunk i-1's text.
enum class TextSkip {
  Uniform,  // published default: v_i ~ U{v_(i-1) .. Lx - W}, independent of the position skips
  Zero,     // v_i = 0: the chunks' text is one contiguous span
  Equal,    // v_i = min(u_i - u_0, Lx - W): text gap mirrors the position gap, clamped to the document
};

struct Design {
  std::int64_t train_len = 0;   // Lc
  std::int64_t target_len = 0;  // Lt
  Strategy strategy = Strategy::Pose;
  int chunks = 2;               // pose and pose-v1 only; the others ignore it
  TextSkip text_skip = TextSkip::Uniform;
};

// A design in one expression, e.g. make_design(Strategy::Pose, 2048, 16384, 3).
inline Design make_design(Strategy strategy, std::int64_t train_len, std::int64_t target_len, int chunks = 2,
                          TextSkip text_skip = TextSkip::Uniform) {
  Design d;
  d.strategy = strategy;
  d.train_len = train_len;
  d.target_len = target_len;
  d.chunks = chunks;
  d.text_skip = text_skip;
  return d;
}

// Half-open token range [begin, end) of the document.
struct TextRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  bool operator==(const TextRange& o) const { return begin == o.begin && end == o.end; }
};

enum class SampleStatus {
  Ok,         // the full window was sampled
  Shortened,  // document shorter than the window: trained on all of it (see sampler.h)
  TooShort,   // nothing can be sampled; `reason` says why. The sample is empty.
};

struct Sample {
  std::uint64_t index = 0;               // sample index within the (seed) stream
  SampleStatus status = SampleStatus::Ok;
  std::string reason;                    // set when status != Ok
  std::int64_t window = 0;               // tokens actually trained (Lc, Lt for full, or Lx)
  std::vector<std::int64_t> position_ids;    // strictly increasing, size == window
  std::vector<std::int64_t> chunk_lengths;   // positive, sum == window
  std::vector<std::int64_t> position_skips;  // u_i: chunk i's positions are (offset in window) + u_i
  std::vector<std::int64_t> text_skips;      // v_i: chunk i's text starts at (offset in window) + v_i
  std::vector<TextRange> text_ranges;        // one per chunk, in order, non-overlapping
};

// Names as the CLI and JSON spell them: "pose", "pose-v1", "randpos", "full", "none".
const char* strategy_name(Strategy s);
const char* text_skip_name(TextSkip t);
const char* status_name(SampleStatus s);

// Throw UserError naming the parameter and listing the valid names.
Strategy parse_strategy(const std::string& name);
TextSkip parse_text_skip(const std::string& name);

// True for the strategies whose layout is made of N chunks with skips (pose, pose-v1).
bool uses_chunks(Strategy s);

// Checks Lc >= 1, Lt >= Lc, chunks in 1..Lc (pose strategies). Throws UserError
// that names the parameter ("train-len", "target-len", "chunks").
void validate(const Design& design);

// "pose, Lc=2048, Lt=16384, 2 chunks, text skip uniform": one line for logs and plots.
std::string describe(const Design& design);

}  // namespace pose::positions
