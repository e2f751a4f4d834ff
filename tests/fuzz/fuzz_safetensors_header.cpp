// Fuzzes the safetensors reader: the input is a whole file (8-byte length, JSON
// header, data section). parse_safetensors_header must accept it or throw a
// UserError naming the source, in printable text; anything else escaping
// aborts (libFuzzer records the input). When the header is accepted, the same
// bytes are opened through SafetensorsFile (from a memfd, so no disk) and every
// tensor is read back and compared with its byte range.
#include "common/error.h"
#include "model_io/safetensors.h"
#include "fuzz_message_check.h"
#include "text/utf8.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

const char* const kSource = "fuzz.safetensors";

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "fuzz_safetensors_header: %s\n", what.c_str());
  __builtin_trap();
}

void write_all(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n <= 0) broken("memfd write failed");
    data += n;
    size -= static_cast<size_t>(n);
  }
}

// What a valid header promises: entries sorted by name and tiling the data section.
void check_header(const pose::model::SafetensorsHeader& h, size_t size) {
  if (h.data_start < 8 || h.data_start + h.data_bytes != size) broken("data section does not end the file");
  uint64_t total = 0;
  for (size_t i = 0; i < h.entries.size(); ++i) {
    const auto& e = h.entries[i];
    if (i > 0 && !(h.entries[i - 1].name < e.name)) broken("entries not sorted by unique name");
    if (e.end < e.begin || e.end > h.data_bytes) broken("entry '" + e.name + "' outside the data section");
    total += e.bytes();
  }
  if (total != h.data_bytes) broken("entries do not tile the data section");
}

void read_through_file(const uint8_t* data, size_t size, const pose::model::SafetensorsHeader& h) {
  const int fd = ::memfd_create("fuzz-safetensors", MFD_CLOEXEC);
  if (fd < 0) broken("memfd_create failed");
  write_all(fd, data, size);
  try {
    const pose::model::SafetensorsFile file("/proc/self/fd/" + std::to_string(fd));
    if (file.entries().size() != h.entries.size() || file.data_bytes() != h.data_bytes || file.metadata() != h.metadata) {
      broken("SafetensorsFile disagrees with parse_safetensors_header");
    }
    for (const auto& e : h.entries) {
      torch::Tensor t;
      try {
        t = file.tensor(e.name);
      } catch (const pose::UserError& error) {
        // Only a dtype LibTorch cannot hold (U16, U32, U64, ...) may refuse here.
        if (std::string(error.what()).find("cannot hold") == std::string::npos) throw;
        continue;
      }
      if (static_cast<uint64_t>(t.nbytes()) != e.bytes()) broken("tensor '" + e.name + "' has the wrong size");
      if (e.bytes() > 0 && std::memcmp(t.data_ptr(), data + h.data_start + e.begin, e.bytes()) != 0) {
        broken("tensor '" + e.name + "' does not hold its bytes");
      }
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pose::model::SafetensorsHeader header;
  try {
    header = pose::model::parse_safetensors_header(data, size, kSource);
  } catch (const pose::UserError& e) {
    if (e.problem().rfind(std::string(kSource) + ": ", 0) != 0) broken("message does not name the file: " + e.problem());
    if (pose::fuzz::unprintable(e.problem() + e.fix())) broken("unprintable message: " + e.problem());
    return 0;
  }
  check_header(header, size);
  read_through_file(data, size, header);
  return 0;
}
