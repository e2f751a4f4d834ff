// `pose positions`: draws position-id samples of a design, to see what a
// training run will feed the model (and to check a resumed run draws the same).
#include "commands.h"

#include "common/error.h"
#include "positions/positions_json.h"
#include "positions/sampler.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <ostream>

namespace pose::cli {

namespace {

using positions::Design;

std::int64_t whole(Args& args, const std::string& name, std::int64_t fallback, std::int64_t min_value) {
  return static_cast<std::int64_t>(args.get_int_at_least(name, fallback, min_value));
}

constexpr std::int64_t kNoBound = std::numeric_limits<std::int64_t>::min();

// Chunks beyond this many are summarised in the text output (randpos has
// hundreds of one-token runs).
constexpr std::size_t kChunksShown = 8;

void print_sample(const positions::Sample& s, std::ostream& out) {
  out << "sample " << s.index << ": ";
  if (s.status == positions::SampleStatus::TooShort) {
    out << "skipped — " << s.reason << "\n";
    return;
  }
  out << s.chunk_lengths.size() << (s.chunk_lengths.size() == 1 ? " chunk" : " chunks") << ", " << s.window
      << " tokens, positions " << s.position_ids.front() << ".." << s.position_ids.back() << "\n";
  if (s.status == positions::SampleStatus::Shortened) out << "  note: " << s.reason << "\n";
  std::int64_t offset = 0;
  for (std::size_t k = 0; k < s.chunk_lengths.size(); ++k) {
    const std::int64_t first = offset + s.position_skips[k];
    if (k < kChunksShown) {
      out << "  chunk " << k << ": positions " << first << ".." << first + s.chunk_lengths[k] - 1 << " (skip "
          << s.position_skips[k] << "), text [" << s.text_ranges[k].begin << ", " << s.text_ranges[k].end << ")\n";
    }
    offset += s.chunk_lengths[k];
  }
  if (s.chunk_lengths.size() > kChunksShown) {
    out << "  ... " << s.chunk_lengths.size() - kChunksShown << " more chunks (--json lists them all)\n";
  }
}

}  // namespace

Command positions_command() {
  Command c;
  c.name = "positions";
  c.summary = "draw the position ids a PoSE (or baseline) design trains";
  c.usage =
      "Usage: pose positions --train-len LC --target-len LT [--strategy S] [--chunks N]\n"
      "                      [--text-skip uniform|zero|equal] [--samples K] [--seed X]\n"
      "                      [--first-index I] [--doc-len LX] [--json]\n\n"
      "Draws samples I .. I+K-1 (default 0..3) of the design's position sampler for one document\n"
      "of LX tokens (default LT). The same seed and index always give the same sample.\n\n"
      "  --strategy     pose (default; the published sampler, chunk 0 at position 0),\n"
      "                 pose-v1 (as first published: both chunks shifted), randpos, full, none\n"
      "  --chunks       pose/pose-v1 chunks (default 2; 2 uses the published l0 ~ U{1..ceil(LC/2)},\n"
      "                 3 or more split LC uniformly at random)\n"
      "  --text-skip    uniform (default, independent of the position skip), zero, equal\n"
      "  --doc-len      a document shorter than the window is trained whole (window = LX)\n"
      "  --json         one object: {design, doc_len, seed, samples: [{index, status, window,\n"
      "                 position_ids, chunk_lengths, position_skips, text_skips, text_ranges}]}\n";
  c.run = [](Args& args, std::ostream& out, std::ostream&) {
    Design d;
    (void)args.require("train-len");  // missing → "missing --train-len"
    (void)args.require("target-len");
    // The design's own checks (positions::validate) name the parameter and say
    // what to do, so these three are read without a lower bound here.
    d.train_len = whole(args, "train-len", 0, kNoBound);
    d.target_len = whole(args, "target-len", 0, kNoBound);
    d.strategy = positions::parse_strategy(args.get_or("strategy", "pose"));
    d.chunks = static_cast<int>(std::min<std::int64_t>(whole(args, "chunks", 2, kNoBound), 1 << 30));
    d.text_skip = positions::parse_text_skip(args.get_or("text-skip", "uniform"));
    const std::int64_t samples = whole(args, "samples", 4, 0);
    const auto seed = static_cast<std::uint64_t>(whole(args, "seed", 0, 0));
    const auto first = static_cast<std::uint64_t>(whole(args, "first-index", 0, 0));
    const std::int64_t doc_len = whole(args, "doc-len", d.target_len, 0);
    const bool json = args.flag("json");
    args.reject_unknown();
    positions::validate(d);

    const auto drawn = positions::draw_samples(d, doc_len, seed, first, samples);
    if (json) {
      nlohmann::json j = {{"design", positions::to_json(d)}, {"doc_len", doc_len}, {"seed", seed},
                          {"samples", nlohmann::json::array()}};
      for (const auto& s : drawn) j["samples"].push_back(positions::to_json(s));
      out << j.dump() << "\n";
      return 0;
    }
    out << positions::describe(d) << "; document of " << doc_len << " tokens, seed " << seed << "\n";
    for (const auto& s : drawn) print_sample(s, out);
    return 0;
  };
  return c;
}

}  // namespace pose::cli
