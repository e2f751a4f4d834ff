#include "common/json_layout.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <algorithm>
#include <sstream>
#include <vector>

#include "common/durable_file.h"
#include "common/error.h"

namespace pose {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// ---------------------------------------------------------------------------
// The file's text as a tree of values, each knowing the characters it was
// written with. Only text that nlohmann accepted is read, so the scanner need
// not report errors.

struct SourceValue;

// One member of an object or element of an array with the text around it:
// `before` runs from the preceding '{', '[' or ',' to the member, `head` is an
// object member's key up to its value ("\"lr\": "), `after` runs from the value
// to the following ',' or closing bracket.
struct SourceItem {
  std::string key;
  std::string before;
  std::string head;
  std::string after;
  std::vector<SourceValue>::size_type value = 0;  // index into SourceTree::values
};

struct SourceValue {
  std::size_t begin = 0, end = 0;  // the value's characters, brackets included
  json value;                      // what they say
  std::vector<SourceItem> items;   // of an object or array
  bool multi_line = false;         // whether the text holds a line break
};

class SourceTree {
 public:
  explicit SourceTree(std::string text) : text_(std::move(text)) {
    skip_space();
    leading_ = text_.substr(0, at_);
    root_ = scan();
    trailing_ = text_.substr(at_);
  }

  const std::string& text() const { return text_; }
  const SourceValue& root() const { return values_[root_]; }
  const SourceValue& value(std::size_t i) const { return values_[i]; }
  std::string spelling(const SourceValue& v) const { return text_.substr(v.begin, v.end - v.begin); }
  const std::string& leading() const { return leading_; }
  const std::string& trailing() const { return trailing_; }

 private:
  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }

  void skip_string() {
    ++at_;  // the opening quote
    while (text_[at_] != '"') at_ += text_[at_] == '\\' ? 2 : 1;
    ++at_;
  }

  // Scans the value at `at_` (no space before it) and returns its index.
  std::size_t scan() {
    const std::size_t index = values_.size();
    values_.emplace_back();
    const std::size_t begin = at_;
    const char open = text_[at_];
    std::vector<SourceItem> items;
    if (open == '{' || open == '[') {
      const char close = open == '{' ? '}' : ']';
      ++at_;
      std::size_t mark = at_;
      skip_space();
      if (text_[at_] != close) {
        for (;;) {
          SourceItem item;
          item.before = text_.substr(mark, at_ - mark);
          if (open == '{') {
            const std::size_t key_begin = at_;
            skip_string();
            item.key = json::parse(text_.substr(key_begin, at_ - key_begin)).get<std::string>();
            skip_space();
            ++at_;  // ':'
            skip_space();
            item.head = text_.substr(key_begin, at_ - key_begin);
          }
          item.value = scan();
          mark = at_;
          skip_space();
          item.after = text_.substr(mark, at_ - mark);
          items.push_back(std::move(item));
          if (text_[at_] == close) break;
          ++at_;  // ','
          mark = at_;
          skip_space();
        }
      }
      ++at_;  // the closing bracket
    } else if (open == '"') {
      skip_string();
    } else {
      while (at_ < text_.size() && std::strchr(",]} \t\r\n", text_[at_]) == nullptr) ++at_;
    }
    SourceValue& v = values_[index];
    v.begin = begin;
    v.end = at_;
    v.items = std::move(items);
    v.value = json::parse(text_.substr(begin, at_ - begin));
    v.multi_line = text_.find('\n', begin) < at_;
    return index;
  }

  std::string text_;
  std::size_t at_ = 0;
  std::vector<SourceValue> values_;
  std::size_t root_ = 0;
  std::string leading_, trailing_;
};

// ---------------------------------------------------------------------------
// Values with no text to follow: keys in the order of `original` where there
// is one, short objects and arrays on one line.

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

// A new value appended where `out` ends: indented like the line it starts on.
void render_new(const json& v, bool on_one_line, int width, std::string& out) {
  const ordered_json ordered = in_order(v, nullptr);
  if (on_one_line) {
    out += one_line(ordered);
    return;
  }
  const std::size_t line = out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1;
  const std::size_t indent = out.find_first_not_of(' ', line) == std::string::npos
                                 ? out.size() - line
                                 : out.find_first_not_of(' ', line) - line;
  render(ordered, static_cast<int>(indent), static_cast<int>(out.size() - line), width, out);
}

// ---------------------------------------------------------------------------
// A changed document over its file's text: a value equal to what the file says
// keeps the file's characters (number spelling, line breaks and all); a changed
// object or array keeps its members' text and the spacing between them, and
// only what changed is written anew.

struct Writer {
  const SourceTree& source;
  int width;
  std::string out;

  // The text around the item at `position` of a container that now holds
  // `count` items: the file's items lend theirs by position (the first item
  // the first's spacing, the last the last's), so removing or adding an item
  // leaves the layout as it was.
  static std::string before(const SourceValue& was, std::size_t position) {
    const auto& items = was.items;
    if (position == 0) return items.front().before;
    if (items.size() > 1) return items[std::min(position, items.size() - 1)].before;
    // A second item where the file had one: on a line of its own like the
    // first, or after a space on the same line.
    return items.front().before.find('\n') != std::string::npos ? items.front().before : " ";
  }
  static std::string after(const SourceValue& was, std::size_t position, std::size_t count) {
    const auto& items = was.items;
    if (position + 1 == count) return items.back().after;
    if (items.size() == 1) return "";
    return items[std::min(position, items.size() - 2)].after;
  }

  void write(const json& now, const SourceValue* was) {
    if (was == nullptr) {
      render_new(now, false, width, out);
      return;
    }
    if (now == was->value) {
      out += source.spelling(*was);
      return;
    }
    const bool same_kind = (now.is_object() && was->value.is_object()) || (now.is_array() && was->value.is_array());
    if (!same_kind || was->items.empty() || now.empty()) {
      render_new(now, false, width, out);
      return;
    }
    if (now.is_object()) {
      write_object(now, *was);
    } else {
      write_array(now, *was);
    }
  }

  void write_object(const json& now, const SourceValue& was) {
    // The file's members still there, in its order; new keys after them.
    std::vector<std::pair<std::string, const SourceItem*>> members;
    for (const SourceItem& item : was.items) {
      const bool taken = std::any_of(members.begin(), members.end(), [&](const auto& m) { return m.first == item.key; });
      if (now.contains(item.key) && !taken) members.emplace_back(item.key, &item);
    }
    for (const auto& [key, value] : now.items()) {
      const bool listed = std::any_of(members.begin(), members.end(), [&](const auto& m) { return m.first == key; });
      if (!listed) members.emplace_back(key, nullptr);
    }
    out += '{';
    for (std::size_t i = 0; i < members.size(); ++i) {
      const auto& [key, item] = members[i];
      out += before(was, i);
      if (item) {
        out += item->head;
        write(now.at(key), &source.value(item->value));
      } else {
        const std::string& head = was.items.front().head;
        out += json(key).dump() + head.substr(head.rfind('"') + 1);  // the file's spacing around ':'
        render_new(now.at(key), !was.multi_line, width, out);
      }
      out += after(was, i, members.size());
      if (i + 1 < members.size()) out += ',';
    }
    out += '}';
  }

  void write_array(const json& now, const SourceValue& was) {
    // Each element is matched with the file's element at its place, unless it
    // equals a later one (elements removed before it).
    std::size_t next = 0;
    out += '[';
    for (std::size_t i = 0; i < now.size(); ++i) {
      for (std::size_t later = next; later < was.items.size(); ++later) {
        if (source.value(was.items[later].value).value == now[i]) {
          next = later;
          break;
        }
      }
      out += before(was, i);
      if (next < was.items.size()) {
        write(now[i], &source.value(was.items[next].value));
      } else {
        render_new(now[i], !was.multi_line, width, out);
      }
      ++next;
      out += after(was, i, now.size());
      if (i + 1 < now.size()) out += ',';
    }
    out += ']';
  }
};

}  // namespace

std::string format_json_like(const json& document, const std::string& original, int width) {
  if (original.empty() || !json::accept(original)) {
    std::string out;
    render(in_order(document, nullptr), 0, 0, width, out);
    return out + "\n";
  }
  const SourceTree source(original);
  Writer writer{source, width, source.leading()};
  writer.write(document, &source.root());
  return writer.out + source.trailing();
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
