#include "model_io/safetensors.h"

#include "common/error.h"
#include "common/json_file.h"
#include "common/printable.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>

#include <torch/version.h>

namespace pose::model {

namespace {

using nlohmann::json;

constexpr uint64_t kHeaderLengthBytes = 8;  // u64 little-endian before the JSON
constexpr uint64_t kDataAlignment = 8;      // header padded so data starts 8-aligned
const char* const kMetadataKey = "__metadata__";

struct DtypeInfo {
  const char* name;
  std::size_t size;
  std::optional<torch::ScalarType> torch_type;  // nullopt: no LibTorch equivalent here
};

const std::vector<DtypeInfo>& dtype_table() {
  static const std::vector<DtypeInfo> table = {
      {"BOOL", 1, torch::kBool},       {"U8", 1, torch::kByte},        {"I8", 1, torch::kChar},
      {"I16", 2, torch::kShort},       {"U16", 2, std::nullopt},       {"F16", 2, torch::kHalf},
      {"BF16", 2, torch::kBFloat16},   {"I32", 4, torch::kInt},        {"U32", 4, std::nullopt},
      {"F32", 4, torch::kFloat},       {"F64", 8, torch::kDouble},     {"I64", 8, torch::kLong},
      {"U64", 8, std::nullopt},
#if TORCH_VERSION_MAJOR >= 2 && (TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 1)
      {"F8_E5M2", 1, torch::kFloat8_e5m2}, {"F8_E4M3", 1, torch::kFloat8_e4m3fn},
#else
      {"F8_E5M2", 1, std::nullopt},    {"F8_E4M3", 1, std::nullopt},
#endif
  };
  return table;
}

const DtypeInfo* find_dtype(const std::string& name) {
  for (const auto& d : dtype_table()) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

std::string known_dtypes() {
  std::string s;
  for (const auto& d : dtype_table()) s += (s.empty() ? "" : ", ") + std::string(d.name);
  return s;
}

[[noreturn]] void corrupt(const std::string& source, const std::string& what, const std::string& fix) {
  throw UserError(source + ": " + what, fix);
}

const char* const kRedownload = "the file is damaged or incomplete: download or write it again";

void require_length_field(uint64_t file_bytes, const std::string& source) {
  if (file_bytes < kHeaderLengthBytes) {
    corrupt(source, "truncated: " + std::to_string(file_bytes) + " bytes, shorter than the 8-byte header length",
            kRedownload);
  }
}

uint64_t read_le_u64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void write_all(int fd, const void* data, std::size_t bytes, const std::filesystem::path& path) {
  const auto* p = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t n = ::write(fd, p, bytes);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw UserError(path.string() + ": write failed (" + std::strerror(errno) + ")", "free disk space or choose another directory");
    }
    p += n;
    bytes -= static_cast<std::size_t>(n);
  }
}

}  // namespace

std::optional<std::size_t> safetensors_dtype_size(const std::string& dtype) {
  const DtypeInfo* d = find_dtype(dtype);
  if (!d) return std::nullopt;
  return d->size;
}

std::string safetensors_dtype_name(torch::ScalarType dtype) {
  for (const auto& d : dtype_table()) {
    if (d.torch_type && *d.torch_type == dtype) return d.name;
  }
  throw UserError(std::string("dtype ") + c10::toString(dtype) + " cannot be stored in safetensors",
                  "convert the tensor to float32, bfloat16 or an integer type first");
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) : path_(path) {
  map_file();
  try {
    parse_header();
  } catch (...) {
    unmap();
    throw;
  }
}

SafetensorsFile::~SafetensorsFile() { unmap(); }

SafetensorsFile::SafetensorsFile(SafetensorsFile&& other) noexcept { *this = std::move(other); }

SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&& other) noexcept {
  if (this != &other) {
    unmap();
    path_ = std::move(other.path_);
    map_ = std::exchange(other.map_, nullptr);
    file_bytes_ = std::exchange(other.file_bytes_, 0);
    data_start_ = other.data_start_;
    data_bytes_ = other.data_bytes_;
    entries_ = std::move(other.entries_);
    metadata_ = std::move(other.metadata_);
  }
  return *this;
}

void SafetensorsFile::unmap() noexcept {
  if (map_) ::munmap(const_cast<unsigned char*>(map_), file_bytes_);
  map_ = nullptr;
}

void SafetensorsFile::map_file() {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw UserError(path_.string() + ": cannot be opened (" + std::strerror(errno) + ")",
                    errno == ENOENT ? "check the path" : "check the file's permissions");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    throw UserError(path_.string() + ": cannot be read (" + std::strerror(e) + ")", "check the file");
  }
  file_bytes_ = static_cast<uint64_t>(st.st_size);
  try {
    require_length_field(file_bytes_, path_.string());  // also keeps an empty file from mmap
  } catch (...) {
    ::close(fd);
    throw;
  }
  void* p = ::mmap(nullptr, file_bytes_, PROT_READ, MAP_PRIVATE, fd, 0);
  const int e = errno;
  ::close(fd);  // the mapping keeps the file alive
  if (p == MAP_FAILED) {
    throw UserError(path_.string() + ": cannot be memory-mapped (" + std::strerror(e) + ")", "check free memory and the file");
  }
  map_ = static_cast<const unsigned char*>(p);
}

SafetensorsHeader parse_safetensors_header(const unsigned char* data, uint64_t size, const std::string& source) {
  require_length_field(size, source);
  SafetensorsHeader out;
  const uint64_t header_bytes = read_le_u64(data);
  if (header_bytes > kSafetensorsMaxHeaderBytes) {
    corrupt(source, "header length " + std::to_string(header_bytes) + " exceeds the " +
                       std::to_string(kSafetensorsMaxHeaderBytes) + "-byte limit (not a safetensors file?)",
            kRedownload);
  }
  if (header_bytes > size - kHeaderLengthBytes) {
    corrupt(source, "header length " + std::to_string(header_bytes) + " runs past the end of the " +
                       std::to_string(size) + "-byte file (truncated?)",
            kRedownload);
  }
  out.data_start = kHeaderLengthBytes + header_bytes;
  const uint64_t data_bytes = size - out.data_start;
  out.data_bytes = data_bytes;
  const std::string text(reinterpret_cast<const char*>(data + kHeaderLengthBytes), header_bytes);
  if (text.empty() || text[0] != '{') corrupt(source, "the header does not start with '{'", kRedownload);
  // nlohmann::json would stop at a NUL as if the header ended there: bytes after
  // it would go unchecked.
  if (const std::size_t nul = text.find('\0'); nul != std::string::npos) {
    corrupt(source, "the header holds a NUL byte at offset " + std::to_string(kHeaderLengthBytes + nul), kRedownload);
  }
  // Deep nesting would overflow the stack when a value is printed in a message.
  if (const std::size_t depth = json_nesting_depth(text); depth > kMaxJsonDepth) {
    corrupt(source, "the header nests arrays and objects " + std::to_string(depth) + " levels deep (3 are needed)",
            kRedownload);
  }

  json header;
  try {
    header = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number beyond a double (1e999)
    corrupt(source, "the header is not valid JSON (" + printable(e.what()) + ")", kRedownload);
  }
  if (!header.is_object()) corrupt(source, "the header is not a JSON object", kRedownload);

  for (const auto& [name, value] : header.items()) {
    if (name == kMetadataKey) {
      if (!value.is_object()) corrupt(source, "__metadata__ is not an object of strings", kRedownload);
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string()) corrupt(source, "__metadata__." + printable(k) + " is not a string", kRedownload);
        out.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + printable(name) + "'";
    if (!value.is_object()) corrupt(source, where + ": header entry is not an object", kRedownload);
    SafetensorsEntry e;
    e.name = name;
    auto dtype = value.find("dtype");
    if (dtype == value.end() || !dtype->is_string()) corrupt(source, where + ": dtype missing or not a string", kRedownload);
    e.dtype = dtype->get<std::string>();
    const DtypeInfo* info = find_dtype(e.dtype);
    if (!info) {
      corrupt(source, where + ": unknown dtype '" + printable(e.dtype) + "'", "safetensors dtypes are " + known_dtypes() + "; " + kRedownload);
    }
    auto shape = value.find("shape");
    if (shape == value.end() || !shape->is_array()) corrupt(source, where + ": shape missing or not a list", kRedownload);
    uint64_t numel = 1;
    bool overflow = false;
    for (const auto& d : *shape) {
      if (!d.is_number_unsigned()) corrupt(source, where + ": shape " + shape->dump() + " has a non-integer or negative size", kRedownload);
      const uint64_t n = d.get<uint64_t>();
      if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) overflow = true;
      if (n != 0 && numel > std::numeric_limits<uint64_t>::max() / n) overflow = true;
      numel *= n;
      e.shape.push_back(static_cast<int64_t>(n));
    }
    if (overflow || numel > std::numeric_limits<uint64_t>::max() / info->size) {
      corrupt(source, where + ": shape " + shape->dump() + " is too large", kRedownload);
    }
    auto offsets = value.find("data_offsets");
    if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
        !(*offsets)[1].is_number_unsigned()) {
      corrupt(source, where + ": data_offsets is not a pair of non-negative integers", kRedownload);
    }
    e.begin = (*offsets)[0].get<uint64_t>();
    e.end = (*offsets)[1].get<uint64_t>();
    if (e.end < e.begin) {
      corrupt(source, where + ": data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "] end before they begin",
              kRedownload);
    }
    if (e.end > data_bytes) {
      corrupt(source, where + ": data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                         "] lie outside the " + std::to_string(data_bytes) + "-byte data section (truncated file?)",
              kRedownload);
    }
    const uint64_t expected = numel * info->size;
    if (e.bytes() != expected) {
      corrupt(source, where + ": shape " + shape->dump() + " of " + e.dtype + " needs " + std::to_string(expected) +
                         " bytes but data_offsets span " + std::to_string(e.bytes()),
              kRedownload);
    }
    out.entries.push_back(std::move(e));
  }

  // The ranges must tile [0, data_bytes) exactly.
  std::vector<const SafetensorsEntry*> by_offset;
  for (const auto& e : out.entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(), [](const SafetensorsEntry* a, const SafetensorsEntry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t cursor = 0;
  const SafetensorsEntry* previous = nullptr;
  for (const SafetensorsEntry* e : by_offset) {
    if (e->begin < cursor) {
      corrupt(source, "tensor '" + printable(e->name) + "': data_offsets [" + std::to_string(e->begin) + ", " +
                         std::to_string(e->end) + "] overlap tensor '" + (previous ? printable(previous->name) : std::string()) + "'",
              kRedownload);
    }
    if (e->begin > cursor) {
      corrupt(source, "tensor '" + printable(e->name) + "': " + std::to_string(e->begin - cursor) +
                         " unindexed bytes before its data (holes are not allowed)",
              kRedownload);
    }
    cursor = e->end;
    previous = e;
  }
  if (cursor != data_bytes) {
    corrupt(source, std::to_string(data_bytes - cursor) + " bytes after the last tensor" +
                       (previous ? " '" + printable(previous->name) + "'" : std::string()) + " belong to no tensor",
            kRedownload);
  }
  std::sort(out.entries.begin(), out.entries.end(),
            [](const SafetensorsEntry& a, const SafetensorsEntry& b) { return a.name < b.name; });
  return out;
}

void SafetensorsFile::parse_header() {
  SafetensorsHeader header = parse_safetensors_header(map_, file_bytes_, path_.string());
  data_start_ = header.data_start;
  data_bytes_ = header.data_bytes;
  entries_ = std::move(header.entries);
  metadata_ = std::move(header.metadata);
}

const SafetensorsEntry* SafetensorsFile::find(const std::string& name) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const SafetensorsEntry& e, const std::string& n) { return e.name < n; });
  return it != entries_.end() && it->name == name ? &*it : nullptr;
}

const SafetensorsEntry& SafetensorsFile::entry(const std::string& name) const {
  const SafetensorsEntry* e = find(name);
  if (!e) throw UserError(path_.string() + ": no tensor '" + printable(name) + "'", "check the tensor name (see `pose model info`)");
  return *e;
}

torch::ScalarType SafetensorsFile::torch_type(const SafetensorsEntry& e) const {
  const DtypeInfo* info = find_dtype(e.dtype);
  if (!info->torch_type) {
    throw UserError(path_.string() + ": tensor '" + printable(e.name) + "' has dtype " + e.dtype + ", which LibTorch " TORCH_VERSION " cannot hold",
                    "convert the checkpoint to float32 or bfloat16");
  }
  return *info->torch_type;
}

void SafetensorsFile::release_pages(const unsigned char* p, uint64_t bytes) const noexcept {
  if (bytes == 0) return;
  static const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  // Widening to whole pages may drop a neighbour's first or last page too: the
  // mapping is private and never written, so such a page is only read again
  // from the page cache when touched.
  const auto begin = reinterpret_cast<uintptr_t>(p) / page * page;
  const auto end = (reinterpret_cast<uintptr_t>(p) + bytes + page - 1) / page * page;
  // A failure only leaves the pages counted to the process; the data is correct either way.
  ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

torch::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const SafetensorsEntry& e = entry(name);
  torch::Tensor out = torch::empty(e.shape, torch::TensorOptions().dtype(torch_type(e)));
  // Copied out: data offsets need not be aligned to the element size, and an
  // owned tensor does not pin the mapping. safetensors is little-endian, as are
  // the x86-64 and ARM64 hosts LibTorch runs on.
  if (e.bytes() > 0) {
    std::memcpy(out.data_ptr(), map_ + data_start_ + e.begin, e.bytes());
    release_pages(map_ + data_start_ + e.begin, e.bytes());
  }
  return out;
}

void SafetensorsFile::read_into(const std::string& name, const torch::Tensor& dst, std::size_t chunk_bytes) const {
  const SafetensorsEntry& e = entry(name);
  const torch::ScalarType type = torch_type(e);
  if (!dst.defined() || dst.sizes().vec() != e.shape) {
    auto shape = [](const std::vector<int64_t>& v) {
      std::string s = "[";
      for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
      return s + "]";
    };
    throw UserError(path_.string() + ": tensor '" + printable(name) + "' has shape " + shape(e.shape) +
                        ", the destination " + (dst.defined() ? shape(dst.sizes().vec()) : std::string("is undefined")),
                    "read it into a tensor of the stored shape");
  }
  if (e.bytes() == 0) return;
  torch::NoGradGuard no_grad;  // dst is usually a parameter
  const unsigned char* src = map_ + data_start_ + e.begin;
  const uint64_t element = c10::elementSize(type);
  const uint64_t chunk = std::max<uint64_t>(chunk_bytes / element, 1) * element;

  if (dst.is_cpu() && dst.scalar_type() == type && dst.is_contiguous()) {
    // Straight into the destination's storage: memcpy has no alignment needs.
    auto* out = static_cast<unsigned char*>(dst.data_ptr());
    for (uint64_t done = 0; done < e.bytes(); done += chunk) {
      const uint64_t n = std::min(chunk, e.bytes() - done);
      std::memcpy(out + done, src + done, n);
      release_pages(src + done, n);
    }
    return;
  }
  if (!dst.is_contiguous()) {  // no flat view to fill piece by piece
    dst.copy_(tensor(name));
    return;
  }
  // Another dtype or device: the file's bytes go through an aligned staging
  // buffer (the mapping's offsets need not be aligned for the element type) and
  // copy_ converts each piece into place.
  const int64_t numel = dst.numel();
  const auto piece = static_cast<int64_t>(chunk / element);
  torch::Tensor staging = torch::empty({std::min(piece, numel)}, torch::TensorOptions().dtype(type));
  const torch::Tensor flat = dst.view({-1});
  for (int64_t start = 0; start < numel; start += piece) {
    const int64_t n = std::min(piece, numel - start);
    const unsigned char* from = src + static_cast<uint64_t>(start) * element;
    std::memcpy(staging.data_ptr(), from, static_cast<std::size_t>(n) * element);
    // A copy from pageable host memory has finished reading `staging` when copy_
    // returns, so the buffer can be refilled even for a GPU destination.
    flat.narrow(0, start, n).copy_(staging.narrow(0, 0, n));
    release_pages(from, static_cast<uint64_t>(n) * element);
  }
}

void write_safetensors(const std::filesystem::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata, std::optional<torch::ScalarType> dtype) {
  if (dtype && !c10::isFloatingType(*dtype)) {
    throw UserError(std::string("write_safetensors: target dtype ") + c10::toString(*dtype) + " is not a floating-point type",
                    "give float32, bfloat16 or float16");
  }
  if (dtype) safetensors_dtype_name(*dtype);  // throws when the format cannot hold it
  // The inputs themselves (detached views), not converted copies: each tensor is
  // converted and made contiguous only when its turn to be written comes.
  std::vector<std::pair<std::string, torch::Tensor>> sorted;
  std::set<std::string> seen;
  for (const auto& [name, t] : tensors) {
    if (name.empty() || name == kMetadataKey) throw UserError("tensor name '" + name + "' is reserved or empty", "rename it");
    if (!seen.insert(name).second) throw UserError("tensor '" + name + "' is given twice", "give each tensor once");
    if (!t.defined()) throw UserError("tensor '" + name + "' is undefined", "pass a tensor with data");
    sorted.emplace_back(name, t.detach());
  }
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  auto stored_type = [&](const torch::Tensor& t) {
    return dtype && c10::isFloatingType(t.scalar_type()) ? *dtype : t.scalar_type();
  };

  json header = json::object();
  json meta = json::object({{"format", "pt"}});
  for (const auto& [k, v] : metadata) meta[k] = v;
  header[kMetadataKey] = meta;
  uint64_t offset = 0;
  for (const auto& [name, t] : sorted) {
    const torch::ScalarType type = stored_type(t);
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * c10::elementSize(type);
    header[name] = {{"dtype", safetensors_dtype_name(type)},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  // Spaces are allowed trailing whitespace in JSON; they align the data section.
  text.append((kDataAlignment - text.size() % kDataAlignment) % kDataAlignment, ' ');
  unsigned char length[kHeaderLengthBytes];
  uint64_t n = text.size();
  for (uint64_t i = 0; i < kHeaderLengthBytes; ++i, n >>= 8) length[i] = static_cast<unsigned char>(n & 0xff);

  std::filesystem::path tmp = path;
  tmp += ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw UserError(path.string() + ": cannot be written (" + std::strerror(errno) + ")", "choose a writable directory");
  }
  try {
    write_all(fd, length, sizeof length, path);
    write_all(fd, text.data(), text.size(), path);
    for (const auto& [name, t] : sorted) {
      const torch::Tensor stored = t.to(torch::kCPU, stored_type(t)).contiguous();
      write_all(fd, stored.data_ptr(), static_cast<std::size_t>(stored.numel()) * stored.element_size(), path);
    }
    if (::fsync(fd) != 0) throw UserError(path.string() + ": fsync failed (" + std::strerror(errno) + ")", "check the disk");
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw UserError(path.string() + ": cannot replace the file (" + std::strerror(e) + ")", "check the directory's permissions");
  }
  // Make the rename itself durable.
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace pose::model
