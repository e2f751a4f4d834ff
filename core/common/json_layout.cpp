#include "common/json_layout.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/durable_file.h"
#include "common/error.h"

namespace pose {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// `updated` with the keys of each object in the order `original` has them;
// keys `original` lacks come after, in `updated`'s order.
ordered_json in_order(const json& updated, const ordered_json* original) {
  if (updated.is_object()) {
    ordered_json out = ordered_json::object();
    if (original && original->is_object()) {
      for (const auto& [key, value] : original->items()) {
        if (updated.contains(key)) out[key] = in_order(updated.at(key), &value);
      }
    }
    for (const auto& [key, value] : updated.items()) {
      if (!out.contains(key)) out[key] = in_order(value, nullptr);
    }
    return out;
  }
  if (updated.is_array()) {
    ordered_json out = ordered_json::array();
    for (std::size_t i = 0; i < updated.size(); ++i) {
      const bool has = original && original->is_array() && i < original->size();
      out.push_back(in_order(updated[i], has ? &(*original)[i] : nullptr));
    }
    return out;
  }
  return ordered_json::parse(updated.dump());
}

std::string one_line(const ordered_json& v) {
  if (v.is_object() && !v.empty()) {
    std::string s = "{";
    bool first = true;
    for (const auto& [key, value] : v.items()) {
      s += (first ? "" : ", ") + ordered_json(key).dump() + ": " + one_line(value);
      first = false;
    }
    return s + "}";
  }
  if (v.is_array() && !v.empty()) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + one_line(v[i]);
    return s + "]";
  }
  return v.dump();
}

// Appends `v` starting at `column` (where the line already is) with nested
// lines indented by `indent` + 2.
void render(const ordered_json& v, int indent, int column, int width, std::string& out) {
  const std::string flat = one_line(v);
  if (!v.is_structured() || v.empty() || column + static_cast<int>(flat.size()) + 1 <= width) {
    out += flat;
    return;
  }
  const std::string inner(static_cast<std::size_t>(indent + 2), ' ');
  out += v.is_object() ? "{\n" : "[\n";
  std::size_t i = 0;
  for (auto it = v.begin(); it != v.end(); ++it, ++i) {
    out += inner;
    int at = indent + 2;
    if (v.is_object()) {
      const std::string key = ordered_json(it.key()).dump() + ": ";
      out += key;
      at += static_cast<int>(key.size());
    }
    render(*it, indent + 2, at, width, out);
    out += i + 1 < v.size() ? ",\n" : "\n";
  }
  out += std::string(static_cast<std::size_t>(indent), ' ') + (v.is_object() ? "}" : "]");
}

}  // namespace

std::string format_json_like(const json& document, const std::string& original, int width) {
  ordered_json before;
  const bool has = !original.empty() && ordered_json::accept(original);
  if (has) before = ordered_json::parse(original);
  std::string out;
  render(in_order(document, has ? &before : nullptr), 0, 0, width, out);
  return out + "\n";
}

void write_json_file_like_before(const std::filesystem::path& path, const json& document) {
  std::string original;
  if (std::ifstream in(path, std::ios::binary); in) {
    std::ostringstream text;
    text << in.rdbuf();
    original = text.str();
  }
  const std::string text = format_json_like(document, original);
  const std::filesystem::path tmp = temporary_path_for(path);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw UserError(path.string() + ": cannot be written (" + std::strerror(errno) + ")",
                      "choose a writable location");
    }
    out << text;
    out.flush();
    if (!out) {
      std::error_code ignore;
      std::filesystem::remove(tmp, ignore);
      throw UserError(path.string() + ": write failed (disk full?)", "free space and try again");
    }
  }
  commit_file(tmp, path);
}

}  // namespace pose
