// Writing a changed JSON document over the text of its file, as specs are
// written by hand: what was not changed comes back byte for byte (key order,
// number spellings such as 3e-3 or 1.0, objects wrapped by hand), and only the
// changed values are written anew, short objects and arrays on one line. The
// Design workspace saves specs this way, so a researcher's file stays theirs
// and the diff of an edit is the edited value.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace pose {

// `document` as text over `original` (the file's text): a value equal to the
// file's keeps its characters; a changed object or array keeps its members'
// text, order and spacing (removed members leave, new ones come last in the
// container's layout); a changed value of another kind, or everything when
// `original` is empty or not JSON, is written with keys in nlohmann's order
// and an object or array whose one-line form fits in `width` columns at its
// place on one line.
std::string format_json_like(const nlohmann::json& document, const std::string& original, int width = 100);

// Writes `document` over `path` in the layout of the text the file holds now
// (a new file: the same rules without an order to follow), durably
// (common/durable_file.h). Throws UserError naming `path` on failure.
void write_json_file_like_before(const std::filesystem::path& path, const nlohmann::json& document);

}  // namespace pose
