// Fuzzes the JSON Lines corpus reader (parse_jsonl_corpus, the in-memory half of
// read_jsonl_corpus): the input is a whole .jsonl file. It must give a corpus or
// throw UserError (printable, naming file and line); anything else escaping
// aborts (libFuzzer records the input).
// A corpus it gives must keep its promises: every document is non-blank, valid
// UTF-8 (checked here against an independent validator) and identified as
// "<source>:<line>", every skipped one says why, and every non-blank line is
// one or the other (nothing is dropped silently).
#include "common/error.h"
#include "text/corpus_readers.h"
#include "fuzz_message_check.h"
#include "text/utf8.h"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace {

const char* const kSource = "fuzz.jsonl";

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "fuzz_jsonl_corpus: %s\n", what.c_str());
  __builtin_trap();
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string content(reinterpret_cast<const char*>(data), size);
  // The validator under test agrees with the independent one on every input.
  if (pose::text::find_invalid_utf8(content).has_value() == valid_utf8(content)) {
    broken("find_invalid_utf8 and the reference validator disagree");
  }
  pose::text::Corpus corpus;
  try {
    corpus = pose::text::parse_jsonl_corpus(content, kSource, "text");
  } catch (const pose::UserError& e) {
    if (e.problem().rfind(std::string(kSource) + ":", 0) != 0) broken("message does not name the file and line: " + e.problem());
    if (pose::fuzz::unprintable(e.problem() + e.fix())) broken("unprintable message: " + e.problem());
    return 0;
  }
  const std::string prefix = std::string(kSource) + ":";
  for (const auto& d : corpus.documents) {
    if (d.id.rfind(prefix, 0) != 0) broken("document id without file and line: " + d.id);
    if (blank(d.text)) broken("blank document kept: " + d.id);
    if (!valid_utf8(d.text)) broken("invalid UTF-8 kept: " + d.id);
  }
  for (const auto& s : corpus.skipped) {
    if (s.id.rfind(prefix, 0) != 0 || s.reason.empty()) broken("skipped document without id or reason: " + s.id);
  }
  // Nothing dropped silently: every non-blank line is a document or a skipped one.
  std::size_t lines = 0;
  for (std::size_t begin = 0; begin < content.size();) {
    std::size_t end = content.find('\n', begin);
    if (end == std::string::npos) end = content.size();
    if (!blank(content.substr(begin, end - begin))) ++lines;
    begin = end + 1;
  }
  if (corpus.documents.size() + corpus.skipped.size() != lines) {
    broken(std::to_string(lines) + " non-blank lines gave " + std::to_string(corpus.documents.size()) + " documents and " +
           std::to_string(corpus.skipped.size()) + " skipped");
  }
  return 0;
}
