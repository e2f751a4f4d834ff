// Training batches: position-sampled windows over a tokenized corpus.
//
// Row r of micro-batch m of optimizer step s is global sample
//   index = (s · grad_accum + m) · batch_size + r,
// and everything about it is a pure function of (seed, index): which document
// segment it reads, the positions and text ranges the sampler draws, and
// whether it is a passkey-format document. So a resumed run (or another
// data-parallel rank) builds exactly the same batches with no saved state but
// the step.
//
// Segments: a sample first cuts a segment of `segment_len` tokens out of a
// document (document chosen with probability proportional to its length, start
// uniform), puts BOS in front, and hands that to the position sampler as the
// document Lx. Extension runs use segment_len = Lt for every strategy, so all of
// them read from the same kind of text; the base model uses Lc.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "positions/sampler_types.h"
#include "text/passkey_prompt.h"

namespace pose::train {

struct Batch {
  torch::Tensor input_ids;     // [B, T] int64
  torch::Tensor position_ids;  // [B, T] int64, increasing per row
  torch::Tensor labels;        // [B, T] int64, -100 where padded
  int64_t tokens = 0;          // real (non-padding) tokens
  int64_t passkey_rows = 0;
  int64_t shortened_rows = 0;  // documents shorter than the window (trained whole)
};

struct BatchSourceOptions {
  positions::Design design;
  int64_t segment_len = 0;       // tokens cut from a document per sample (BOS included)
  int64_t batch_size = 1;
  int64_t grad_accum = 1;
  uint64_t seed = 0;
  int32_t bos_id = 1;
  double passkey_share = 0.0;    // fraction of rows that are passkey documents (length uniform up to the window)
};

class BatchSource {
 public:
  // `documents` are token ids without BOS; documents shorter than the sampler's
  // minimum are never chosen (UserError when none is long enough). The
  // passkey builder is needed only when passkey_share > 0.
  BatchSource(std::shared_ptr<const std::vector<std::vector<int32_t>>> documents, BatchSourceOptions options,
              const text::PasskeyPromptBuilder* passkey = nullptr);

  Batch micro_batch(int64_t step, int64_t micro) const;
  // Rows first .. first+count-1 of the step's batch_size x grad_accum samples
  // (micro-batch m is rows m x batch_size onwards): a data-parallel rank's
  // share of a step, the same samples one process would train.
  Batch rows(int64_t step, int64_t first, int64_t count) const;
  const BatchSourceOptions& options() const { return options_; }
  // Tokens one optimizer step trains when every row is a full window.
  int64_t tokens_per_step() const;

 private:
  struct Row {
    std::vector<int64_t> ids, positions;
    bool passkey = false, shortened = false;
  };
  Row sample_row(uint64_t index) const;

  std::shared_ptr<const std::vector<std::vector<int32_t>>> documents_;
  std::vector<uint64_t> cumulative_;  // cumulative usable lengths, for length-weighted choice
  std::vector<std::size_t> usable_;   // indices of documents long enough to sample
  BatchSourceOptions options_;
  const text::PasskeyPromptBuilder* passkey_;
  int64_t passkey_min_length_ = 0;
};

}  // namespace pose::train
