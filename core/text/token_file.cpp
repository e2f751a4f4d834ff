#include "text/token_file.h"

#include "common/error.h"
#include "common/json_file.h"

#include <cstring>
#include <fstream>
#include <limits>

namespace pose::text {

namespace {

constexpr char kMagic[8] = {'P', 'O', 'S', 'E', 'T', 'O', 'K', '\0'};
constexpr std::uint32_t kVersion = 1;
constexpr std::int32_t kLlmcMagic = 20240520;
constexpr std::size_t kLlmcHeaderInts = 256;

template <typename T>
T read_le(const std::string& bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));  // little-endian hosts only (x86-64, arm64)
  return value;
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError("token file " + path.string() + ": cannot be opened", "check the path");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void decode_tokens(const std::string& bytes, std::size_t offset, std::uint64_t count, int token_bytes,
                   std::vector<std::int32_t>& out) {
  out.resize(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::size_t at = offset + i * static_cast<std::size_t>(token_bytes);
    std::uint32_t v = token_bytes == 2 ? read_le<std::uint16_t>(bytes, at) : read_le<std::uint32_t>(bytes, at);
    if (v > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max())) {
      throw UserError("token " + std::to_string(i) + " = " + std::to_string(v) + " is out of range",
                      "the file is corrupt or not a token file");
    }
    out[i] = static_cast<std::int32_t>(v);
  }
}

void check_offsets(const std::filesystem::path& path, const std::vector<std::uint64_t>& offsets, std::uint64_t count) {
  if (offsets.empty() || offsets.front() != 0 || offsets.back() != count) {
    throw UserError("token file " + path.string() + ": document offsets must start at 0 and end at the token count",
                    "rewrite the file with `pose corpus pretokenize`");
  }
  for (std::size_t i = 1; i < offsets.size(); ++i) {
    if (offsets[i] < offsets[i - 1]) {
      throw UserError("token file " + path.string() + ": document offsets decrease at document " + std::to_string(i),
                      "the file is corrupt");
    }
  }
}

}  // namespace

std::vector<std::int32_t> TokenDocuments::document(std::size_t d) const {
  return std::vector<std::int32_t>(tokens.begin() + static_cast<long>(offsets.at(d)),
                                   tokens.begin() + static_cast<long>(offsets.at(d + 1)));
}

TokenDocuments read_token_file(const std::filesystem::path& path) {
  const std::string bytes = read_all(path);
  const std::string name = "token file " + path.string();
  TokenDocuments result;

  if (bytes.size() >= 32 && std::memcmp(bytes.data(), kMagic, 8) == 0) {
    const auto version = read_le<std::uint32_t>(bytes, 8);
    const auto token_bytes = read_le<std::uint32_t>(bytes, 12);
    const auto count = read_le<std::uint64_t>(bytes, 16);
    const auto docs = read_le<std::uint64_t>(bytes, 24);
    if (version != kVersion) throw UserError(name + ": version " + std::to_string(version) + " is not supported", "this build reads version 1");
    if (token_bytes != 2 && token_bytes != 4) throw UserError(name + ": " + std::to_string(token_bytes) + " bytes per token", "the file is corrupt (2 or 4 expected)");
    // Sizes are checked with division so a huge count cannot overflow the arithmetic.
    const std::size_t header = 32;
    if (docs > (bytes.size() - header) / 8) throw UserError(name + ": document count " + std::to_string(docs) + " exceeds the file", "the file is truncated or corrupt");
    const std::size_t tokens_at = header + (docs + 1) * 8;
    if (tokens_at > bytes.size() || count != (bytes.size() - tokens_at) / token_bytes ||
        (bytes.size() - tokens_at) % token_bytes != 0) {
      throw UserError(name + ": header says " + std::to_string(count) + " tokens, but the file holds " +
                          std::to_string(bytes.size() >= tokens_at ? (bytes.size() - tokens_at) / token_bytes : 0),
                      "the file is truncated or corrupt; write it again");
    }
    result.offsets.resize(docs + 1);
    for (std::uint64_t d = 0; d <= docs; ++d) result.offsets[d] = read_le<std::uint64_t>(bytes, header + d * 8);
    check_offsets(path, result.offsets, count);
    decode_tokens(bytes, tokens_at, count, static_cast<int>(token_bytes), result.tokens);
    result.layout = "pose";
    result.token_bytes = static_cast<int>(token_bytes);
    return result;
  }

  if (bytes.size() >= kLlmcHeaderInts * 4 && read_le<std::int32_t>(bytes, 0) == kLlmcMagic) {
    const auto version = read_le<std::int32_t>(bytes, 4);
    const auto count = static_cast<std::uint64_t>(read_le<std::int32_t>(bytes, 8));
    const int token_bytes = version == 1 ? 2 : version == 2 ? 4 : 0;
    if (token_bytes == 0) throw UserError(name + ": llm.c version " + std::to_string(version) + " is unknown", "versions 1 (uint16) and 2 (uint32) are read");
    const std::size_t tokens_at = kLlmcHeaderInts * 4;
    if ((bytes.size() - tokens_at) / token_bytes != count) {
      throw UserError(name + ": llm.c header says " + std::to_string(count) + " tokens, the file holds " +
                          std::to_string((bytes.size() - tokens_at) / token_bytes),
                      "the file is truncated or corrupt");
    }
    decode_tokens(bytes, tokens_at, count, token_bytes, result.tokens);
    result.offsets = {0, count};
    result.layout = "llm.c";
    result.token_bytes = token_bytes;
    return result;
  }

  std::filesystem::path sidecar = path;
  sidecar += ".json";
  if (!std::filesystem::exists(sidecar)) {
    throw UserError(name + ": no PoSE Studio or llm.c header, and no sidecar " + sidecar.string(),
                    "write a sidecar {\"dtype\": \"uint16\"} next to a headerless token file");
  }
  const nlohmann::json meta = read_json_file(sidecar);
  const std::string dtype = meta.value("dtype", std::string());
  const int token_bytes = dtype == "uint16" ? 2 : dtype == "uint32" ? 4 : 0;
  if (token_bytes == 0) throw UserError(sidecar.string() + ": dtype '" + dtype + "'", "use \"uint16\" or \"uint32\"");
  if (bytes.size() % token_bytes != 0) throw UserError(name + ": size is not a multiple of " + std::to_string(token_bytes) + " bytes", "the file is truncated");
  const std::uint64_t count = bytes.size() / token_bytes;
  decode_tokens(bytes, 0, count, token_bytes, result.tokens);
  if (meta.contains("document_offsets")) {
    result.offsets = meta["document_offsets"].get<std::vector<std::uint64_t>>();
    check_offsets(path, result.offsets, count);
  } else {
    result.offsets = {0, count};
  }
  result.layout = "raw";
  result.token_bytes = token_bytes;
  return result;
}

void write_token_file(const std::filesystem::path& path, const std::vector<std::vector<std::int32_t>>& documents,
                      int token_bytes) {
  std::int32_t max_id = 0;
  std::uint64_t count = 0;
  for (const auto& d : documents) {
    for (auto t : d) {
      if (t < 0) throw UserError("token file: negative token id " + std::to_string(t), "ids must be non-negative");
      max_id = std::max(max_id, t);
    }
    count += d.size();
  }
  if (token_bytes == 0) token_bytes = max_id <= 0xFFFF ? 2 : 4;
  if (token_bytes == 2 && max_id > 0xFFFF) {
    throw UserError("token file: id " + std::to_string(max_id) + " does not fit in uint16", "write with 4 bytes per token");
  }
  std::string out;
  out.append(kMagic, 8);
  auto put = [&out](auto v) { out.append(reinterpret_cast<const char*>(&v), sizeof(v)); };
  put(kVersion);
  put(static_cast<std::uint32_t>(token_bytes));
  put(count);
  put(static_cast<std::uint64_t>(documents.size()));
  std::uint64_t offset = 0;
  put(offset);
  for (const auto& d : documents) {
    offset += d.size();
    put(offset);
  }
  for (const auto& d : documents) {
    for (auto t : d) {
      if (token_bytes == 2) {
        put(static_cast<std::uint16_t>(t));
      } else {
        put(static_cast<std::uint32_t>(t));
      }
    }
  }
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(out.data(), static_cast<std::streamsize>(out.size()));
    if (!f) throw UserError("token file " + path.string() + ": cannot be written", "check free space and permissions");
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace pose::text
