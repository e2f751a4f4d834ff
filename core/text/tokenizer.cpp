#include "text/tokenizer.h"

#include "common/error.h"

#include <fstream>
#include <sstream>

#include "text/spm_loader.h"

namespace pose::text {

Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::from_serialized(const std::string& model_proto) {
  const auto& api = spm_api();
  std::string error;
  void* processor = api.load(model_proto, &error);
  if (!processor) {
    throw UserError("not a SentencePiece model (" + error + ")",
                    "give a tokenizer.model file written by SentencePiece");
  }
  Tokenizer t;
  t.processor_ = std::unique_ptr<void, void (*)(void*)>(processor, api.destroy);
  t.serialized_ = model_proto;
  return t;
}

Tokenizer Tokenizer::load(const std::filesystem::path& model_file) {
  std::ifstream in(model_file, std::ios::binary);
  if (!in) throw UserError("tokenizer " + model_file.string() + ": cannot be opened", "check the path");
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return from_serialized(buffer.str());
  } catch (const UserError& e) {
    throw UserError("tokenizer " + model_file.string() + ": " + e.problem(), e.fix());
  }
}

std::vector<std::int32_t> Tokenizer::encode(const std::string& text, bool add_bos, bool add_eos) const {
  std::vector<int> ids;
  std::string error;
  if (!spm_api().encode(processor_.get(), text, &ids, &error)) throw std::runtime_error("tokenizer: " + error);
  std::vector<std::int32_t> out;
  out.reserve(ids.size() + 2);
  if (add_bos && bos_id() >= 0) out.push_back(bos_id());
  out.insert(out.end(), ids.begin(), ids.end());
  if (add_eos && eos_id() >= 0) out.push_back(eos_id());
  return out;
}

std::string Tokenizer::decode(const std::vector<std::int32_t>& ids) const {
  std::vector<int> plain(ids.begin(), ids.end());
  std::string text, error;
  if (!spm_api().decode(processor_.get(), plain, &text, &error)) throw std::runtime_error("tokenizer: " + error);
  return text;
}

int Tokenizer::vocab_size() const { return spm_api().piece_size(processor_.get()); }
int Tokenizer::bos_id() const { return spm_api().bos_id(processor_.get()); }
int Tokenizer::eos_id() const { return spm_api().eos_id(processor_.get()); }
int Tokenizer::unk_id() const { return spm_api().unk_id(processor_.get()); }
std::string Tokenizer::piece(int id) const { return spm_api().id_to_piece(processor_.get(), id); }

namespace {

// Produces each non-empty line of each document as one training sentence.
class LineSource {
 public:
  explicit LineSource(const std::vector<Document>& documents) : documents_(documents) {}
  bool next(std::string* line) {
    while (doc_ < documents_.size()) {
      const std::string& text = documents_[doc_].text;
      if (pos_ >= text.size()) {
        ++doc_;
        pos_ = 0;
        continue;
      }
      std::size_t end = text.find('\n', pos_);
      if (end == std::string::npos) end = text.size();
      *line = text.substr(pos_, end - pos_);
      pos_ = end + 1;
      if (!line->empty()) return true;
    }
    return false;
  }

 private:
  const std::vector<Document>& documents_;
  std::size_t doc_ = 0;
  std::size_t pos_ = 0;
};

}  // namespace

Tokenizer train_tokenizer(const std::vector<Document>& documents, const std::filesystem::path& model_file,
                          const TokenizerTrainOptions& options) {
  if (documents.empty()) throw UserError("tokenizer training: the corpus has no documents", "check the corpus");
  if (options.vocab_size < 260) {
    throw UserError("tokenizer vocab " + std::to_string(options.vocab_size) + " is below 260",
                    "byte fallback alone needs 256 pieces plus <unk>, <s>, </s>: use 260 or more");
  }
  if (options.model_type != "bpe" && options.model_type != "unigram") {
    throw UserError("tokenizer model type '" + options.model_type + "' is unknown", "use bpe or unigram");
  }
  std::ostringstream args;
  args << "--model_type=" << options.model_type << " --vocab_size=" << options.vocab_size
       << " --character_coverage=" << options.character_coverage
       << " --byte_fallback=" << (options.byte_fallback ? "true" : "false")
       << " --split_digits=" << (options.split_digits ? "true" : "false")
       << " --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1"
       << " --num_threads=" << options.threads << " --minloglevel=3"
       << " --max_sentence_length=16384 --hard_vocab_limit=false";
  LineSource lines(documents);
  std::string proto, error;
  const bool ok = spm_api().train(args.str(), [&lines](std::string* line) { return lines.next(line); },
                                  options.seed, &proto, &error);
  if (!ok) throw UserError("tokenizer training failed: " + error,
                            "with byte fallback the vocabulary needs 259 pieces plus one per distinct character: "
                            "raise the vocabulary size, or use a larger corpus when it asks for more text");
  if (!model_file.empty()) {
    std::filesystem::path tmp = model_file;
    tmp += ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(proto.data(), static_cast<std::streamsize>(proto.size()));
      if (!out) throw UserError("tokenizer " + model_file.string() + ": cannot be written", "choose a writable path");
    }
    std::filesystem::rename(tmp, model_file);
  }
  return Tokenizer::from_serialized(proto);
}

}  // namespace pose::text
