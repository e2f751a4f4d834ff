// The interface of the SentencePiece module (libpose_spm.so).
//
// Why a separate module: Debian's libsentencepiece embeds its own copy of protobuf
// (3.14, with every symbol exported) while LibTorch links the system libprotobuf
// (3.21). In one flat symbol namespace one copy's code runs against the other's
// data: a crash during static initialisation, or protobuf's version check aborting
// as soon as a model is parsed. The module links SentencePiece alone and is loaded
// with dlopen(RTLD_LOCAL | RTLD_DEEPBIND), so SentencePiece binds to its own protobuf
// and LibTorch never sees it. Only this header is shared between the two sides.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace pose::spm {

constexpr int kApiVersion = 1;

struct Api {
  int version;
  // Returns an opaque processor, or nullptr with *error set.
  void* (*load)(const std::string& model_proto, std::string* error);
  void (*destroy)(void* processor);
  bool (*encode)(void* processor, const std::string& text, std::vector<int>* ids, std::string* error);
  bool (*decode)(void* processor, const std::vector<int>& ids, std::string* text, std::string* error);
  int (*piece_size)(void* processor);
  int (*bos_id)(void* processor);
  int (*eos_id)(void* processor);
  int (*unk_id)(void* processor);
  std::string (*id_to_piece)(void* processor, int id);
  // Trains with SentencePiece's flag string; next_sentence fills the next sentence
  // and returns false when there are no more. On success *model_proto holds the model.
  bool (*train)(const std::string& args, const std::function<bool(std::string*)>& next_sentence,
                unsigned int seed, std::string* model_proto, std::string* error);
};

}  // namespace pose::spm

extern "C" const pose::spm::Api* pose_spm_api();
