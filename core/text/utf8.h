// UTF-8 validation for corpus text: a document with invalid bytes is reported
// with the offset, never fed to the tokenizer as garbage.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace pose::text {

// Returns the byte offset of the first invalid sequence, or nullopt when the text is
// valid UTF-8 (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

}  // namespace pose::text
