// Readers for the corpus formats researchers bring:
//   plain text  — one file (one document, or several split by a separator line),
//                 or a directory of .txt files (one document each, sorted by name);
//   JSON Lines  — one object per line with a "text" field (The Pile / PoSE data format);
//   bible-kjv   — the King James Bible from Debian's bible-kjv, one document per book.
// Empty documents and invalid UTF-8 are reported in Corpus::skipped, not dropped silently.
// A file that cannot be read, or a JSONL line that is not an object with a string field,
// throws UserError naming the file and line.
#pragma once

#include <filesystem>
#include <string>

#include "text/document.h"

namespace pose::text {

struct TextReadOptions {
  // A line equal to this separates documents inside one file; empty: the whole file is one.
  std::string separator_line;
};

Corpus read_text_corpus(const std::filesystem::path& path, const TextReadOptions& options = {});
Corpus read_jsonl_corpus(const std::filesystem::path& path, const std::string& field = "text");
// The same over a JSONL file's content already in memory; `source` stands for the
// file in Corpus::source, document ids and messages ("<source>:<line>").
Corpus parse_jsonl_corpus(const std::string& content, const std::string& source, const std::string& field = "text");

// Runs `bible -f "Gen1:1-Rev22:21"`; throws UserError when the package is missing.
Corpus read_kjv_corpus();
// The same, parsing already captured output of that command (one "Ge1:1 text" line per verse).
Corpus parse_kjv_output(const std::string& output);

// Picks the reader: "bible-kjv" (or "kjv"), *.jsonl / *.json, otherwise plain text.
Corpus read_corpus(const std::string& spec, const TextReadOptions& options = {});

}  // namespace pose::text
