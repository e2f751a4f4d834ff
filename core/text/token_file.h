// Pre-tokenized corpora: token ids stored as uint16 or uint32 with document
// boundaries. Three layouts are read:
//   PoSE Studio's own:  "POSETOK\0", u32 version=1, u32 bytes per token (2|4),
//                       u64 token count, u64 document count,
//                       u64 offsets[document count + 1], then the tokens (little-endian);
//   llm.c's:            256 × i32 header (magic 20240520, version 1 = uint16 / 2 = uint32,
//                       token count), then the tokens; one document (no boundaries stored);
//   headerless:         raw tokens with a sidecar FILE.json {"dtype": "uint16"|"uint32",
//                       "document_offsets": [...] (optional)}.
// Every size is checked against the file's length; a bad file gives UserError naming it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pose::text {

struct TokenDocuments {
  std::vector<std::int32_t> tokens;
  std::vector<std::uint64_t> offsets;  // document d = tokens[offsets[d], offsets[d+1])
  std::string layout;                  // "pose", "llm.c" or "raw"
  int token_bytes = 0;

  std::size_t document_count() const { return offsets.empty() ? 0 : offsets.size() - 1; }
  std::vector<std::int32_t> document(std::size_t d) const;
};

TokenDocuments read_token_file(const std::filesystem::path& path);

// Writes PoSE Studio's layout atomically. token_bytes 0 picks 2 when every id fits in uint16.
void write_token_file(const std::filesystem::path& path, const std::vector<std::vector<std::int32_t>>& documents,
                      int token_bytes = 0);

}  // namespace pose::text
