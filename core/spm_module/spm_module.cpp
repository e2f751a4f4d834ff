// libpose_spm.so: SentencePiece behind the plain interface of spm_api.h. Built as
// a module that links nothing but SentencePiece (see spm_api.h for why).
#include "spm_api.h"

#include <memory>

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

// Exported by libsentencepiece but not declared in its installed headers.
namespace sentencepiece::logging {
void SetMinLogLevel(int v);
}

namespace {

using sentencepiece::SentencePieceProcessor;

SentencePieceProcessor* as_processor(void* p) { return static_cast<SentencePieceProcessor*>(p); }

void* load(const std::string& model_proto, std::string* error) {
  auto processor = std::make_unique<SentencePieceProcessor>();
  auto status = processor->LoadFromSerializedProto(model_proto);
  if (!status.ok()) {
    *error = status.message();
    return nullptr;
  }
  return processor.release();
}

void destroy(void* p) { delete as_processor(p); }

bool encode(void* p, const std::string& text, std::vector<int>* ids, std::string* error) {
  auto status = as_processor(p)->Encode(text, ids);
  if (!status.ok()) *error = status.message();
  return status.ok();
}

bool decode(void* p, const std::vector<int>& ids, std::string* text, std::string* error) {
  auto status = as_processor(p)->Decode(ids, text);
  if (!status.ok()) *error = status.message();
  return status.ok();
}

int piece_size(void* p) { return as_processor(p)->GetPieceSize(); }
int bos_id(void* p) { return as_processor(p)->bos_id(); }
int eos_id(void* p) { return as_processor(p)->eos_id(); }
int unk_id(void* p) { return as_processor(p)->unk_id(); }
std::string id_to_piece(void* p, int id) { return as_processor(p)->IdToPiece(id); }

class CallbackIterator : public sentencepiece::SentenceIterator {
 public:
  explicit CallbackIterator(const std::function<bool(std::string*)>& next) : next_(next) { Next(); }
  bool done() const override { return done_; }
  void Next() override { done_ = !next_(&value_); }
  const std::string& value() const override { return value_; }
  sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

 private:
  const std::function<bool(std::string*)>& next_;
  std::string value_;
  bool done_ = false;
};

bool train(const std::string& args, const std::function<bool(std::string*)>& next_sentence, unsigned int seed,
           std::string* model_proto, std::string* error) {
  sentencepiece::SetRandomGeneratorSeed(seed);
  CallbackIterator sentences(next_sentence);
  auto status = sentencepiece::SentencePieceTrainer::Train(args, &sentences, model_proto);
  if (!status.ok()) *error = status.message();
  return status.ok();
}

const pose::spm::Api kApi = {pose::spm::kApiVersion, load, destroy, encode, decode, piece_size,
                             bos_id, eos_id, unk_id, id_to_piece, train};

}  // namespace

// Loaded with RTLD_DEEPBIND, SentencePiece binds std::cerr to libstdc++'s own
// definition, while an executable that uses std::cerr holds the constructed
// copy (a copy relocation): SentencePiece's log lines would write to an
// unconstructed stream and crash. Its messages are returned as status values
// anyway, so its logging stays off (only FATAL, which aborts regardless).
extern "C" __attribute__((visibility("default"))) const pose::spm::Api* pose_spm_api() {
  sentencepiece::logging::SetMinLogLevel(3);
  return &kApi;
}
