// The safetensors format (HF): an 8-byte little-endian header length N, N bytes
// of JSON {"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
// "__metadata__": {str: str}} (optionally padded with spaces), then the data
// section, offsets relative to its start.
//
// Reading validates the whole header before any tensor is touched — the header
// length against the file size and a sane bound, the JSON (no NUL bytes, no
// nesting deeper than kMaxJsonDepth), every dtype, every shape
// against its byte range, every range inside the data section, and that the
// ranges tile the data section exactly (no overlaps, no holes, nothing after
// the last tensor: the format forbids holes so files cannot smuggle data) — and
// memory-maps the file. A corrupt or truncated file gives a UserError naming the
// file and the tensor.
//
// Reading a tensor releases the mapped pages it was read from (the file stays in
// the page cache; the process no longer counts it), so reading a whole file
// never makes it resident in the process at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace pose::model {

// A header larger than this is rejected unread (the reference implementation's bound).
constexpr uint64_t kSafetensorsMaxHeaderBytes = 100'000'000;

// Bytes copied between page releases when a tensor is read into place.
constexpr std::size_t kSafetensorsCopyChunkBytes = std::size_t{16} << 20;

struct SafetensorsEntry {
  std::string name;
  std::string dtype;  // "F32", "BF16", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // byte range in the data section
  uint64_t end = 0;
  uint64_t bytes() const { return end - begin; }
};

// A validated header: everything SafetensorsFile knows besides the mapping.
struct SafetensorsHeader {
  std::vector<SafetensorsEntry> entries;  // sorted by name
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;  // offset of the data section from the start of the file
  uint64_t data_bytes = 0;  // length of the data section
};

// Validates the header of a whole safetensors file held in memory (`size` bytes
// at `data`: the length, the JSON, the data section), as described above.
// Throws UserError starting with `source` (the file's name) and naming the tensor.
SafetensorsHeader parse_safetensors_header(const unsigned char* data, uint64_t size, const std::string& source);

class SafetensorsFile {
 public:
  // Opens, maps and validates; throws UserError naming the file (and tensor).
  explicit SafetensorsFile(const std::filesystem::path& path);
  ~SafetensorsFile();
  SafetensorsFile(SafetensorsFile&& other) noexcept;
  SafetensorsFile& operator=(SafetensorsFile&& other) noexcept;
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  const std::vector<SafetensorsEntry>& entries() const { return entries_; }  // sorted by name
  const SafetensorsEntry* find(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  uint64_t data_bytes() const { return data_bytes_; }

  // An owned CPU tensor with the file's dtype and shape (copied out of the
  // mapping, so it outlives this object). Throws UserError when the name is
  // absent or the dtype has no LibTorch equivalent in this build.
  torch::Tensor tensor(const std::string& name) const;

  // Copies tensor `name` into `dst`, which must have its shape (any dtype, any
  // device). A contiguous CPU destination of the file's dtype is filled straight
  // from the mapping; otherwise the data goes through a staging buffer of at
  // most `chunk_bytes` that is converted into `dst` piece by piece, so no copy of
  // the whole tensor is made. Mapped pages are released after each piece.
  // Throws UserError like tensor(), and when the shape differs.
  void read_into(const std::string& name, const torch::Tensor& dst, std::size_t chunk_bytes = kSafetensorsCopyChunkBytes) const;

 private:
  void map_file();
  void parse_header();
  void unmap() noexcept;
  const SafetensorsEntry& entry(const std::string& name) const;  // throws when absent
  torch::ScalarType torch_type(const SafetensorsEntry& e) const;  // throws when LibTorch has none
  // Drops the pages of [p, p + bytes) (widened to whole pages) from the process.
  void release_pages(const unsigned char* p, uint64_t bytes) const noexcept;

  std::filesystem::path path_;
  const unsigned char* map_ = nullptr;
  uint64_t file_bytes_ = 0;
  uint64_t data_start_ = 0;
  uint64_t data_bytes_ = 0;
  std::vector<SafetensorsEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

// Bytes per element of a safetensors dtype name, or nullopt when unknown.
std::optional<std::size_t> safetensors_dtype_size(const std::string& dtype);
// The safetensors name of a LibTorch dtype; throws UserError when it has none.
std::string safetensors_dtype_name(torch::ScalarType dtype);

// Writes tensors (any device; stored contiguous) with names sorted, the header
// padded with spaces to a multiple of 8 bytes so the data section is aligned,
// and __metadata__ {"format": "pt"} plus `metadata`. With `dtype`, floating-point
// tensors are stored in that dtype (integer and bool tensors as they are): each
// is converted just before it is written, so at most one converted tensor exists
// at a time. Atomic: a temporary file in the same directory is written, fsync'ed
// and renamed over `path`.
void write_safetensors(const std::filesystem::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {},
                       std::optional<torch::ScalarType> dtype = std::nullopt);

}  // namespace pose::model
