// SentencePiece tokenizer: loading a tokenizer.model (LLaMA, Mistral, ...) and
// training a BPE model from a corpus for the product's own small models.
// BOS/EOS follow LLaMA: <unk>=0, <s>=1, </s>=2, a BOS before each document when asked.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "text/document.h"

namespace pose::text {

class Tokenizer {
 public:
  // Throws UserError naming the file when it is missing or not a SentencePiece model.
  static Tokenizer load(const std::filesystem::path& model_file);
  static Tokenizer from_serialized(const std::string& model_proto);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  std::vector<std::int32_t> encode(const std::string& text, bool add_bos = false, bool add_eos = false) const;
  std::string decode(const std::vector<std::int32_t>& ids) const;

  int vocab_size() const;
  int bos_id() const;
  int eos_id() const;
  int unk_id() const;
  std::string piece(int id) const;
  const std::string& serialized() const { return serialized_; }

 private:
  Tokenizer() = default;
  // Opaque SentencePiece processor owned through the module (see text/spm_loader.h).
  std::unique_ptr<void, void (*)(void*)> processor_{nullptr, nullptr};
  std::string serialized_;
};

struct TokenizerTrainOptions {
  int vocab_size = 2048;
  std::string model_type = "bpe";   // bpe or unigram
  double character_coverage = 1.0;
  bool byte_fallback = true;         // unknown bytes become <0xNN> pieces, as LLaMA's tokenizer
  bool split_digits = true;          // every digit its own token: passkeys are read digit by digit
  std::uint32_t seed = 1234;
  int threads = 2;
};

// Trains on the documents' lines (each non-empty line is one sentence) and writes
// the model to `model_file` (atomically). Returns the loaded tokenizer.
Tokenizer train_tokenizer(const std::vector<Document>& documents, const std::filesystem::path& model_file,
                          const TokenizerTrainOptions& options = {});

}  // namespace pose::text
