// Reading JSON documents a user wrote (experiment specs, HF config.json) with
// errors that name the file, the line and the column.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pose {

// Throws UserError when the file is missing, unreadable or not valid JSON.
nlohmann::json read_json_file(const std::filesystem::path& path);

// The parsing half of read_json_file: `source` names the text in messages
// ("<source>:<line>:<column>: not valid JSON (...)"). Throws UserError only.
nlohmann::json parse_json_text(const std::string& text, const std::string& source);

// Text nesting arrays and objects deeper than this is refused before it is
// parsed: nlohmann::json copies, compares and prints values recursively, so a
// few hundred kilobytes of brackets would overflow the stack of whatever touches
// the document next. Configs, specs and safetensors headers nest a few levels.
constexpr std::size_t kMaxJsonDepth = 256;
// The deepest nesting of arrays and objects in JSON text; brackets inside
// strings do not count. Exact for valid JSON, an estimate for anything else.
std::size_t json_nesting_depth(std::string_view text);
// The same for a parsed value (a document built in memory, e.g. by the
// workbench), measured without recursion.
std::size_t json_value_depth(const nlohmann::json& value);

// Writes atomically (temporary file in the same directory, then rename), so a
// crash never leaves a half-written file behind. Throws UserError on failure.
void write_json_file(const std::filesystem::path& path, const nlohmann::json& value, int indent = 2);

}  // namespace pose
