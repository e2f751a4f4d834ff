#include "train/batch_source.h"

#include <algorithm>

#include "common/error.h"
#include "positions/layout.h"
#include "positions/random_stream.h"
#include "positions/sampler.h"

namespace pose::train {

namespace {
// Distinct streams for the choices a sample makes besides the sampler's own.
constexpr uint64_t kSegmentStream = 0x5345474dULL;  // "SEGM"
constexpr uint64_t kPasskeyStream = 0x504b4559ULL;  // "PKEY"
// Training keys come from their own stream: evaluation draws keys with
// draw_passkey(seed, trial), and a prompt seen in training must not reappear
// with the same key at evaluation.
constexpr uint64_t kTrainingKeys = 0x544b4559ULL;  // "TKEY"
}  // namespace

BatchSource::BatchSource(std::shared_ptr<const std::vector<std::vector<int32_t>>> documents,
                         BatchSourceOptions options, const text::PasskeyPromptBuilder* passkey)
    : documents_(std::move(documents)), options_(std::move(options)), passkey_(passkey) {
  positions::validate(options_.design);
  if (options_.segment_len < 2) {
    throw UserError("training segment length " + std::to_string(options_.segment_len) + " is below 2",
                    "use a training length of at least 2 tokens");
  }
  if (options_.passkey_share > 0 && passkey_ == nullptr) {
    throw std::logic_error("BatchSource: passkey_share > 0 needs a PasskeyPromptBuilder");
  }
  if (options_.passkey_share > 0) {
    const int64_t needed = passkey_->minimum_length(50000);  // the longest key
    passkey_min_length_ = needed;
    if (positions::full_window(options_.design) < needed) {
      throw UserError("data.passkey_share: passkey documents need " + std::to_string(needed) +
                          " tokens, but the window is " + std::to_string(positions::full_window(options_.design)),
                      "raise base_model.train_len to " + std::to_string(needed) + " or set passkey_share to 0");
    }
  }
  // A segment carries BOS plus document tokens; it must reach the sampler's minimum.
  const int64_t min_tokens = std::max<int64_t>(positions::min_document_tokens(options_.design) - 1, 1);
  uint64_t total = 0;
  for (std::size_t d = 0; d < documents_->size(); ++d) {
    const auto n = static_cast<int64_t>((*documents_)[d].size());
    if (n < min_tokens) continue;
    usable_.push_back(d);
    total += static_cast<uint64_t>(n);
    cumulative_.push_back(total);
  }
  if (usable_.empty()) {
    throw UserError("no training document has the " + std::to_string(min_tokens) + " tokens a sample needs",
                    "use a larger corpus or a shorter training length");
  }
}

int64_t BatchSource::tokens_per_step() const {
  return options_.batch_size * options_.grad_accum * positions::full_window(options_.design);
}

BatchSource::Row BatchSource::sample_row(uint64_t index) const {
  Row row;
  const int64_t window = positions::full_window(options_.design);
  if (options_.passkey_share > 0) {
    auto rng = positions::RandomStream::for_sample(options_.seed ^ kPasskeyStream, index);
    const double u = static_cast<double>(rng.next() >> 11) * (1.0 / 9007199254740992.0);
    if (u < options_.passkey_share) {
      const double depth = static_cast<double>(rng.below(1001)) / 1000.0;
      // Lengths vary from the shortest prompt to the window: short prompts copy
      // over short distances (what a small model learns first) and cost less.
      const int64_t length = rng.between(passkey_min_length_, window);
      const auto prompt = passkey_->build(length, depth, text::draw_passkey(options_.seed ^ kTrainingKeys, index));
      row.passkey = true;
      // The run's sampler positions the prompt like any document of its length:
      // contiguous for the base model and Full-length, skipped chunks for PoSE
      // (so the key and the question can lie up to Lt apart), scattered ids for
      // RandPos. A prompt is never longer than the window, so every token stays.
      const auto sample = positions::draw_sample(options_.design, static_cast<int64_t>(prompt.tokens.size()),
                                                 options_.seed, index);
      if (sample.status == positions::SampleStatus::TooShort) {
        throw std::logic_error("BatchSource: sampler refused a passkey prompt: " + sample.reason);
      }
      for (const auto& range : sample.text_ranges) {
        row.ids.insert(row.ids.end(), prompt.tokens.begin() + range.begin, prompt.tokens.begin() + range.end);
      }
      row.positions = sample.position_ids;
      return row;
    }
  }
  // Segment: document by length, then a uniform start.
  auto rng = positions::RandomStream::for_sample(options_.seed ^ kSegmentStream, index);
  const uint64_t pick = rng.below(cumulative_.back());
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), pick);
  const auto& doc = (*documents_)[usable_[static_cast<std::size_t>(it - cumulative_.begin())]];
  const auto doc_len = static_cast<int64_t>(doc.size());
  const int64_t body = std::min<int64_t>(options_.segment_len - 1, doc_len);
  const int64_t start = rng.between(0, doc_len - body);
  std::vector<int64_t> segment;
  segment.reserve(static_cast<std::size_t>(body + 1));
  segment.push_back(options_.bos_id);
  segment.insert(segment.end(), doc.begin() + start, doc.begin() + start + body);

  const auto sample = positions::draw_sample(options_.design, static_cast<int64_t>(segment.size()), options_.seed,
                                             index);
  if (sample.status == positions::SampleStatus::TooShort) {
    throw std::logic_error("BatchSource: sampler refused a segment: " + sample.reason);
  }
  row.shortened = sample.status == positions::SampleStatus::Shortened;
  for (const auto& range : sample.text_ranges) {
    row.ids.insert(row.ids.end(), segment.begin() + range.begin, segment.begin() + range.end);
  }
  row.positions = sample.position_ids;
  return row;
}

Batch BatchSource::micro_batch(int64_t step, int64_t micro) const {
  return rows(step, micro * options_.batch_size, options_.batch_size);
}

Batch BatchSource::rows(int64_t step, int64_t first, int64_t count) const {
  const int64_t B = count;
  const int64_t step_rows = options_.batch_size * options_.grad_accum;
  if (first < 0 || count < 1 || first + count > step_rows) {
    throw std::logic_error("BatchSource::rows: rows [" + std::to_string(first) + ", " + std::to_string(first + count) +
                           ") outside the step's " + std::to_string(step_rows));
  }
  std::vector<Row> rows;
  rows.reserve(static_cast<std::size_t>(B));
  int64_t T = 0;
  for (int64_t r = 0; r < B; ++r) {
    const auto index = static_cast<uint64_t>(step * step_rows + first + r);
    rows.push_back(sample_row(index));
    T = std::max<int64_t>(T, static_cast<int64_t>(rows.back().ids.size()));
  }
  Batch batch;
  batch.input_ids = torch::zeros({B, T}, torch::kInt64);
  batch.position_ids = torch::zeros({B, T}, torch::kInt64);
  batch.labels = torch::full({B, T}, -100, torch::kInt64);
  auto ids = batch.input_ids.accessor<int64_t, 2>();
  auto pos = batch.position_ids.accessor<int64_t, 2>();
  auto lab = batch.labels.accessor<int64_t, 2>();
  for (int64_t r = 0; r < B; ++r) {
    const Row& row = rows[static_cast<std::size_t>(r)];
    const auto n = static_cast<int64_t>(row.ids.size());
    for (int64_t t = 0; t < n; ++t) {
      ids[r][t] = row.ids[static_cast<std::size_t>(t)];
      lab[r][t] = row.ids[static_cast<std::size_t>(t)];
      pos[r][t] = row.positions[static_cast<std::size_t>(t)];
    }
    // Padding continues the positions so they stay increasing; its labels are ignored.
    for (int64_t t = n; t < T; ++t) pos[r][t] = (n > 0 ? row.positions.back() : 0) + (t - n + 1);
    batch.tokens += n;
    batch.passkey_rows += row.passkey ? 1 : 0;
    batch.shortened_rows += row.shortened ? 1 : 0;
  }
  return batch;
}

}  // namespace pose::train
