// safetensors reading and writing: round trips of every common dtype, the
// writer's layout (sorted names, space-padded 8-aligned header, metadata), and
// one clear error per kind of corruption, naming the file and the tensor.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include "common/error.h"
#include "model_io/safetensors.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

using namespace pose::model;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i, n >>= 8) s[static_cast<std::size_t>(i)] = static_cast<char>(n & 0xff);
  return s;
}

// A hand-made file: header JSON as given, then `data_bytes` bytes.
std::string make_file(const json& header, std::size_t data_bytes) {
  const std::string text = header.dump();
  return le64(text.size()) + text + std::string(data_bytes, '\x01');
}

// The error message of opening `bytes` as a safetensors file.
std::string open_error(const QTemporaryDir& dir, const std::string& bytes) {
  const fs::path p = fs::path(dir.path().toStdString()) / "bad.safetensors";
  write_bytes(p, bytes);
  try {
    SafetensorsFile f(p);
  } catch (const pose::UserError& e) {
    const std::string message = e.what();
    if (message.find("bad.safetensors") == std::string::npos) return "message does not name the file: " + message;
    return message;
  }
  return "no error";
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

json entry(const char* dtype, std::vector<int64_t> shape, uint64_t begin, uint64_t end) {
  return json{{"dtype", dtype}, {"shape", shape}, {"data_offsets", {begin, end}}};
}

}  // namespace

class TestSafetensors : public QObject {
  Q_OBJECT
 private slots:
  void roundTripOfEveryCommonDtype() {
    QTemporaryDir dir;
    const fs::path p = fs::path(dir.path().toStdString()) / "t.safetensors";
    torch::manual_seed(0);
    const std::vector<std::pair<std::string, torch::Tensor>> tensors = {
        {"z.f32", torch::randn({3, 5})},
        {"a.bf16", torch::randn({7}).to(torch::kBFloat16)},
        {"m.f16", torch::randn({2, 3}).to(torch::kHalf)},  // 12 bytes: later tensors start unaligned
        {"b.i64", torch::arange(5).to(torch::kLong)},
        {"c.i32", torch::arange(3).to(torch::kInt)},
        {"d.u8", torch::arange(9).to(torch::kByte)},
        {"e.empty", torch::zeros({0, 4})},
        {"f.scalar", torch::tensor(2.5)},
        {"g.strided", torch::randn({4, 6}).t()},  // non-contiguous input
    };
    write_safetensors(p, tensors, {{"note", "test"}});
    QVERIFY(!fs::exists(fs::path(p.string() + ".tmp")));

    const SafetensorsFile f(p);
    QCOMPARE(f.entries().size(), tensors.size());
    for (const auto& [name, t] : tensors) {
      const torch::Tensor back = f.tensor(name);
      QCOMPARE(back.scalar_type(), t.scalar_type());
      QCOMPARE(back.sizes().vec(), t.sizes().vec());
      QVERIFY2(torch::equal(back, t), name.c_str());
    }
    QCOMPARE(f.metadata().at("format"), std::string("pt"));
    QCOMPARE(f.metadata().at("note"), std::string("test"));
    QCOMPARE(f.find("b.i64")->dtype, std::string("I64"));
    QCOMPARE(f.find("a.bf16")->dtype, std::string("BF16"));

    // Layout: header length a multiple of 8, padded with spaces, names sorted
    // and data laid out in name order.
    const std::string bytes = read_bytes(p);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
    QCOMPARE(n % 8, uint64_t{0});
    const std::string header = bytes.substr(8, n);
    const std::size_t last = header.find_last_not_of(' ');
    QCOMPARE(header[last], '}');                // JSON, then only padding spaces
    QVERIFY(header.size() - last - 1 < 8);      // never more padding than needed
    QVERIFY(json::parse(header).contains("__metadata__"));
    QVERIFY(header.find("\"a.bf16\"") < header.find("\"z.f32\""));
    QCOMPARE(f.find("a.bf16")->begin, uint64_t{0});
  }

  void missingTensorIsNamed() {
    QTemporaryDir dir;
    const fs::path p = fs::path(dir.path().toStdString()) / "t.safetensors";
    write_safetensors(p, {{"w", torch::ones({2})}});
    const SafetensorsFile f(p);
    try {
      f.tensor("lm_head.weight");
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      QVERIFY(contains(e.what(), "lm_head.weight"));
    }
  }

  void truncatedFile() {
    QTemporaryDir dir;
    const fs::path p = fs::path(dir.path().toStdString()) / "t.safetensors";
    write_safetensors(p, {{"a", torch::ones({4})}, {"last.weight", torch::ones({16})}});
    const std::string bytes = read_bytes(p);
    const std::string message = open_error(dir, bytes.substr(0, bytes.size() - 10));
    QVERIFY2(contains(message, "last.weight") && contains(message, "outside"), message.c_str());
    QVERIFY2(contains(open_error(dir, bytes.substr(0, 5)), "truncated"), "a 5-byte file");
  }

  void badHeaderLength() {
    QTemporaryDir dir;
    std::string message = open_error(dir, le64(uint64_t{1} << 40) + "{}");
    QVERIFY2(contains(message, "header length") && contains(message, "limit"), message.c_str());
    message = open_error(dir, le64(500) + "{}");
    QVERIFY2(contains(message, "header length 500") && contains(message, "past the end"), message.c_str());
    message = open_error(dir, le64(7) + "{\"a\":1 ");
    QVERIFY2(contains(message, "not valid JSON"), message.c_str());
  }

  void offsetsOutOfRange() {
    QTemporaryDir dir;
    const json header = {{"w.out", entry("F32", {4}, 8, 24)}, {"w.in", entry("F32", {2}, 0, 8)}};
    const std::string message = open_error(dir, make_file(header, 16));
    QVERIFY2(contains(message, "'w.out'") && contains(message, "outside"), message.c_str());
  }

  void overlappingOffsets() {
    QTemporaryDir dir;
    const json header = {{"first", entry("F32", {4}, 0, 16)}, {"second", entry("F32", {4}, 8, 24)}};
    const std::string message = open_error(dir, make_file(header, 24));
    QVERIFY2(contains(message, "'second'") && contains(message, "overlap") && contains(message, "'first'"), message.c_str());
  }

  void holesAndTrailingBytes() {
    QTemporaryDir dir;
    json header = {{"a", entry("F32", {2}, 0, 8)}, {"b", entry("F32", {2}, 12, 20)}};
    std::string message = open_error(dir, make_file(header, 20));
    QVERIFY2(contains(message, "'b'") && contains(message, "4 unindexed bytes"), message.c_str());
    header = {{"a", entry("F32", {2}, 0, 8)}};
    message = open_error(dir, make_file(header, 12));
    QVERIFY2(contains(message, "4 bytes after the last tensor 'a'"), message.c_str());
  }

  void unknownDtype() {
    QTemporaryDir dir;
    const json header = {{"odd.weight", entry("F33", {2}, 0, 8)}};
    const std::string message = open_error(dir, make_file(header, 8));
    QVERIFY2(contains(message, "'odd.weight'") && contains(message, "unknown dtype 'F33'"), message.c_str());
  }

  // A dtype that does not fit the byte range (F32 declared, F16-sized data)
  // and a shape that does not fit it are the same inconsistency.
  void wrongDtypeOrShapeForTheByteRange() {
    QTemporaryDir dir;
    json header = {{"half.weight", entry("F32", {4}, 0, 8)}};
    std::string message = open_error(dir, make_file(header, 8));
    QVERIFY2(contains(message, "'half.weight'") && contains(message, "needs 16 bytes") && contains(message, "span 8"),
             message.c_str());
    header = {{"shape.weight", entry("BF16", {3, 3}, 0, 16)}};
    message = open_error(dir, make_file(header, 16));
    QVERIFY2(contains(message, "'shape.weight'") && contains(message, "[3,3]"), message.c_str());
    header = {{"neg.weight", entry("F32", {2}, 0, 8)}};
    header["neg.weight"]["shape"] = {-2};
    message = open_error(dir, make_file(header, 8));
    QVERIFY2(contains(message, "'neg.weight'") && contains(message, "negative"), message.c_str());
  }

  void unsupportedButKnownDtypeFailsOnlyWhenRead() {
    QTemporaryDir dir;
    const fs::path p = fs::path(dir.path().toStdString()) / "u.safetensors";
    write_bytes(p, make_file(json{{"u", entry("U32", {2}, 0, 8)}}, 8));
    const SafetensorsFile f(p);  // the header is valid
    QCOMPARE(f.find("u")->bytes(), uint64_t{8});
    QVERIFY_THROWS_EXCEPTION(pose::UserError, f.tensor("u"));
  }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
