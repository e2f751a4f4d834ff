#include "common/printable.h"

#include <cstddef>
#include <cstdint>

namespace pose {

namespace {

const char* const kHex = "0123456789abcdef";

void append_escape(std::string& out, const char* prefix, unsigned value) {
  out += prefix;
  out += kHex[(value >> 4) & 0xf];
  out += kHex[value & 0xf];
}

// Length of the valid UTF-8 sequence starting at text[i] and its code point, or 0.
std::size_t utf8_sequence(std::string_view text, std::size_t i, uint32_t& code_point) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length;
  uint32_t minimum;
  if ((lead & 0xe0) == 0xc0) {
    length = 2, minimum = 0x80, code_point = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3, minimum = 0x800, code_point = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4, minimum = 0x10000, code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto c = static_cast<unsigned char>(text[i + k]);
    if ((c & 0xc0) != 0x80) return 0;
    code_point = (code_point << 6) | (c & 0x3f);
  }
  if (code_point < minimum || code_point > 0x10ffff || (code_point >= 0xd800 && code_point <= 0xdfff)) return 0;
  return length;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) {
        append_escape(out, "\\u00", c);
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    uint32_t code_point = 0;
    const std::size_t length = utf8_sequence(text, i, code_point);
    if (length == 0) {
      append_escape(out, "\\x", c);
      ++i;
    } else if (code_point <= 0x9f) {  // C1 controls, U+0080..U+009F
      append_escape(out, "\\u00", code_point);
      i += length;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace pose
