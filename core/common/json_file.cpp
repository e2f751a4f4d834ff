#include "common/json_file.h"

#include "common/error.h"

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
  const std::string text = buffer.str();
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    auto [line, column] = line_and_column(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string detail = e.what();
    auto pos = detail.find("syntax error");
    if (pos != std::string::npos) detail = detail.substr(pos);
    throw UserError(path.string() + ":" + std::to_string(line) + ":" + std::to_string(column) +
                        ": not valid JSON (" + detail + ")",
                    "fix the JSON at that line");
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
