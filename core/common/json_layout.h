// Writing a changed JSON document the way its file was written: keys in the
// file's order (new keys after them) and short objects and arrays kept on one
// line, as specs are written by hand, rather than a sorted dump with every
// value on a line of its own. The Design workspace saves specs this way, so a
// researcher's file stays recognisable and its diffs small.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace pose {

// `document` as text: objects in the key order of `original` (the file's text;
// empty or not JSON: nlohmann's order), and any object or array whose one-line
// form fits in `width` columns at its place written on one line.
std::string format_json_like(const nlohmann::json& document, const std::string& original, int width = 100);

// Writes `document` over `path` in the layout of the text the file holds now
// (a new file: the same rules without an order to follow), durably
// (common/durable_file.h). Throws UserError naming `path` on failure.
void write_json_file_like_before(const std::filesystem::path& path, const nlohmann::json& document);

}  // namespace pose
