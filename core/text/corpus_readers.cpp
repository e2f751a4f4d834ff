#include "text/corpus_readers.h"

#include "common/error.h"
#include "common/printable.h"
#include "text/utf8.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

namespace pose::text {

std::size_t Corpus::total_bytes() const {
  std::size_t n = 0;
  for (const auto& d : documents) n += d.text.size();
  return n;
}

namespace {

std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw UserError("corpus " + path.string() + ": cannot be opened (" + std::strerror(errno) + ")",
                    "check that the file exists and is readable");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw UserError("corpus " + path.string() + ": read error", "check the disk and the file");
  return buffer.str();
}

bool is_blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

// Adds a document, or records why it was skipped.
void add_document(Corpus& corpus, std::string id, std::string text) {
  if (is_blank(text)) {
    corpus.skipped.push_back({std::move(id), "empty"});
    return;
  }
  if (auto bad = find_invalid_utf8(text)) {
    corpus.skipped.push_back({std::move(id), "invalid UTF-8 at byte " + std::to_string(*bad)});
    return;
  }
  corpus.documents.push_back({std::move(id), std::move(text)});
}

void split_file_into(Corpus& corpus, const std::filesystem::path& file, const TextReadOptions& options) {
  std::string content = read_whole_file(file);
  const std::string name = file.filename().string();
  if (options.separator_line.empty()) {
    add_document(corpus, name, std::move(content));
    return;
  }
  std::istringstream lines(content);
  std::string line, current;
  int index = 0;
  while (std::getline(lines, line)) {
    std::string trimmed = line;
    if (!trimmed.empty() && trimmed.back() == '\r') trimmed.pop_back();
    if (trimmed == options.separator_line) {
      add_document(corpus, name + "#" + std::to_string(index++), std::move(current));
      current.clear();
    } else {
      current += line;
      current += '\n';
    }
  }
  add_document(corpus, name + "#" + std::to_string(index), std::move(current));
}

}  // namespace

Corpus read_text_corpus(const std::filesystem::path& path, const TextReadOptions& options) {
  Corpus corpus;
  corpus.source = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".txt") files.push_back(entry.path());
    }
    if (ec) throw UserError("corpus " + path.string() + ": cannot list (" + ec.message() + ")", "check permissions");
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      throw UserError("corpus directory " + path.string() + " has no .txt files",
                      "put one document per .txt file there, or point at a file");
    }
    for (const auto& f : files) split_file_into(corpus, f, options);
  } else if (std::filesystem::exists(path, ec)) {
    split_file_into(corpus, path, options);
  } else {
    throw UserError("corpus " + path.string() + ": no such file or directory", "check the path");
  }
  return corpus;
}

Corpus read_jsonl_corpus(const std::filesystem::path& path, const std::string& field) {
  return parse_jsonl_corpus(read_whole_file(path), path.string(), field);
}

Corpus parse_jsonl_corpus(const std::string& content, const std::string& source, const std::string& field) {
  Corpus corpus;
  corpus.source = source;
  std::istringstream lines(content);
  std::string line;
  std::size_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (is_blank(line)) continue;
    const std::string where = source + ":" + std::to_string(number);
    // nlohmann::json stops at a NUL as if the line ended there: the rest would be dropped silently.
    if (const std::size_t nul = line.find('\0'); nul != std::string::npos) {
      throw UserError(where + ": not a JSON object (a NUL byte at column " + std::to_string(nul + 1) + ")",
                      "the file is binary or damaged: each line must be one object like {\"" + field + "\": \"...\"}");
    }
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e999
      // Invalid UTF-8 inside a string is a parse error too; say which it is.
      if (auto bad = find_invalid_utf8(line)) {
        corpus.skipped.push_back({where, "invalid UTF-8 at byte " + std::to_string(*bad)});
        continue;
      }
      std::string detail = e.what();  // "[json.exception.parse_error.101] parse error at ..."
      if (auto end = detail.find("] "); detail.rfind("[json.exception.", 0) == 0 && end != std::string::npos) {
        detail = detail.substr(end + 2);
      }
      throw UserError(where + ": not a JSON object (" + printable(detail) + ")",  // "last read" holds raw bytes
                      "each line must be one object like {\"" + field + "\": \"...\"}");
    }
    if (!j.is_object() || !j.contains(field) || !j[field].is_string()) {
      throw UserError(where + ": no string field \"" + field + "\"",
                      "each line must be one object like {\"" + field + "\": \"...\"}");
    }
    add_document(corpus, where, j[field].get<std::string>());
  }
  return corpus;
}

Corpus parse_kjv_output(const std::string& output) {
  Corpus corpus;
  corpus.source = "bible-kjv";
  std::istringstream lines(output);
  std::string line, book, text;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    // "Ge1:1 In the beginning ..." — the book is the letters before the chapter number.
    std::size_t space = line.find(' ');
    std::string reference = line.substr(0, space);
    std::size_t digits = 0;
    while (digits < reference.size() && !std::isdigit(static_cast<unsigned char>(reference[digits]))) ++digits;
    // Books like "1Sa" start with a digit: skip the leading digit before looking for the chapter.
    if (digits == 0 && !reference.empty()) {
      digits = 1;
      while (digits < reference.size() && !std::isdigit(static_cast<unsigned char>(reference[digits]))) ++digits;
    }
    const std::string this_book = reference.substr(0, digits);
    const std::string verse = space == std::string::npos ? std::string() : line.substr(space + 1);
    if (this_book != book) {
      if (!book.empty()) add_document(corpus, book, std::move(text));
      book = this_book;
      text.clear();
    }
    text += verse;
    text += '\n';
  }
  if (!book.empty()) add_document(corpus, book, std::move(text));
  return corpus;
}

Corpus read_kjv_corpus() {
  const char* command = "bible -f \"Gen1:1-Rev22:21\" 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command, "r"), pclose);
  if (!pipe) throw UserError("cannot run the bible command", "install Debian's bible-kjv package");
  std::string output;
  std::array<char, 1 << 16> buffer{};
  std::size_t got;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) output.append(buffer.data(), got);
  const int status = pclose(pipe.release());
  if (status != 0 || output.empty()) {
    throw UserError("the default corpus needs the `bible` command, which failed or is missing",
                    "install Debian's bible-kjv package (scripts/setup-deps.sh does)");
  }
  return parse_kjv_output(output);
}

Corpus read_corpus(const std::string& spec, const TextReadOptions& options) {
  if (spec == "bible-kjv" || spec == "kjv") return read_kjv_corpus();
  std::filesystem::path path(spec);
  const std::string ext = path.extension().string();
  if (ext == ".jsonl" || ext == ".json") return read_jsonl_corpus(path);
  return read_text_corpus(path, options);
}

}  // namespace pose::text
