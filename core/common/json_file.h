// Reading JSON documents a user wrote (experiment specs, HF config.json) with
// errors that name the file, the line and the column.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

namespace pose {

// Throws UserError when the file is missing, unreadable or not valid JSON.
nlohmann::json read_json_file(const std::filesystem::path& path);

// Writes atomically (temporary file in the same directory, then rename), so a
// crash never leaves a half-written file behind. Throws UserError on failure.
void write_json_file(const std::filesystem::path& path, const nlohmann::json& value, int indent = 2);

}  // namespace pose
