// What the fuzz targets require of every UserError they provoke: its text goes
// to a terminal, a dialog or a JSON log, so it has no C0 control characters (a
// NUL cuts what() short, ESC sequences drive the terminal) and is nothing but
// UTF-8 (nlohmann::json throws when storing anything else). DEL is let through:
// harmless, and JSON values quoted with dump() keep it.
#pragma once

#include "text/utf8.h"

#include <string>

namespace pose::fuzz {

inline bool unprintable(const std::string& s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20) return true;
  }
  return pose::text::find_invalid_utf8(s).has_value();
}

}  // namespace pose::fuzz
