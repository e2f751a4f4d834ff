#include "common/json_file.h"

#include <utility>
#include <vector>

#include "common/error.h"
#include "common/printable.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

namespace pose {

namespace {
// Converts a byte offset into 1-based line and column numbers for messages.
std::pair<std::size_t, std::size_t> line_and_column(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}
}  // namespace

nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw UserError(path.string() + ": no such file", "check the path");
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw UserError(path.string() + " is a directory, not a JSON file", "give the path of the .json file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw UserError(path.string() + ": cannot be opened (" + std::strerror(errno) + ")",
                    "check the file's permissions");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_json_text(buffer.str(), path.string());
}

std::size_t json_value_depth(const nlohmann::json& value) {
  std::size_t deepest = 0;
  std::vector<std::pair<const nlohmann::json*, std::size_t>> pending{{&value, 0}};
  while (!pending.empty()) {
    const auto [v, depth] = pending.back();
    pending.pop_back();
    if (!v->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const auto& child : *v) pending.emplace_back(&child, depth + 1);
  }
  return deepest;
}

std::size_t json_nesting_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

nlohmann::json parse_json_text(const std::string& text, const std::string& source) {
  // nlohmann::json stops at a NUL byte as if the text ended there, which would
  // silently ignore whatever follows it.
  if (const std::size_t nul = text.find('\0'); nul != std::string::npos) {
    auto [line, column] = line_and_column(text, nul);
    throw UserError(source + ":" + std::to_string(line) + ":" + std::to_string(column) + ": not valid JSON (a NUL byte)",
                    "the file is binary or damaged: check that it is the right file");
  }
  if (const std::size_t depth = json_nesting_depth(text); depth > kMaxJsonDepth) {
    throw UserError(source + ": arrays and objects nest " + std::to_string(depth) + " levels deep, more than the " +
                        std::to_string(kMaxJsonDepth) + " this reader accepts",
                    "check that this is the right file: configs and specs nest only a few levels");
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    auto [line, column] = line_and_column(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string detail = e.what();
    auto pos = detail.find("syntax error");
    if (pos != std::string::npos) detail = detail.substr(pos);
    throw UserError(source + ":" + std::to_string(line) + ":" + std::to_string(column) +
                        ": not valid JSON (" + printable(detail) + ")",  // "last read" holds raw bytes
                    "fix the JSON at that line");
  } catch (const nlohmann::json::out_of_range& e) {
    // The parser's only other error: a number beyond a double (1e999), which it
    // reports without a position.
    std::string detail = e.what();
    auto pos = detail.find("number overflow");
    if (pos != std::string::npos) detail = detail.substr(pos);
    throw UserError(source + ": not valid JSON (" + printable(detail) + ")",
                    "write every number within the range of a double (magnitude below 1.7e308)");
  }
}

void write_json_file(const std::filesystem::path& path, const nlohmann::json& value, int indent) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw UserError(path.string() + ": cannot be written (" + std::strerror(errno) + ")",
                      "choose a writable location");
    }
    out << value.dump(indent) << "\n";
    out.flush();
    if (!out) {
      std::error_code ignore;
      std::filesystem::remove(tmp, ignore);
      throw UserError(path.string() + ": write failed (disk full?)", "free space and try again");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw UserError(path.string() + ": cannot replace the file (" + ec.message() + ")",
                    "check the directory's permissions");
  }
}

}  // namespace pose
