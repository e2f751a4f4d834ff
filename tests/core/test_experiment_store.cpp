// ExperimentStore: round trips through a reopened file, the run lifecycle,
// schema versioning, refusal of foreign files, WAL readers beside a writer,
// and the SHA-256 that artifacts are recorded with.
#include <QtTest>

#include <QCryptographicHash>

#include "common/error.h"
#include "file_size_limit.h"
#include "store/experiment_store.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <regex>
#include <sstream>

using pose::store::ExperimentStore;
using pose::store::MetricPoint;
using pose::store::RunStatus;

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// The message of the UserError `f` throws; empty when it throws none.
template <typename F>
std::string user_error_of(F&& f) {
  try {
    f();
  } catch (const pose::UserError& e) {
    return e.what();
  }
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string sha_of(const std::string& bytes) { return pose::store::sha256_hex(bytes.data(), bytes.size()); }

// A second, independent connection, to look at and tamper with the file the
// way another program (or another PoSE Studio process) would.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& file) {
    if (sqlite3_open_v2(file.string().c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      qFatal("cannot open %s", file.string().c_str());
    }
    sqlite3_busy_timeout(db_, 10000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  int exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }
  std::string text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(stmt, 0);
      out = t ? reinterpret_cast<const char*>(t) : "";
    }
    sqlite3_finalize(stmt);
    return out;
  }
  long long number(const std::string& sql) { return std::stoll("0" + text(sql)); }

 private:
  sqlite3* db_ = nullptr;
};

bool is_iso_utc(const std::string& s) {
  static const std::regex pattern(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  return std::regex_match(s, pattern);
}

// Within a couple of minutes of now, by Qt's clock (an independent formatter).
bool is_recent(const std::string& s) {
  const QDateTime t = QDateTime::fromString(qs(s), Qt::ISODate);
  return t.isValid() && t.timeSpec() == Qt::UTC &&
         std::llabs(t.secsTo(QDateTime::currentDateTimeUtc())) < 120;
}

}  // namespace

class TestExperimentStore : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  int counter_ = 0;

  // A fresh store path per test, in a folder that does not exist yet.
  std::filesystem::path new_store_path() {
    return std::filesystem::path(dir_.path().toStdString()) / ("case" + std::to_string(++counter_)) / "sub" /
           "experiments.sqlite";
  }

 private slots:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  // --- SHA-256 ---------------------------------------------------------------

  void sha256NistVectors() {
    QCOMPARE(qs(sha_of("abc")), QString("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(qs(sha_of("")), QString("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(qs(sha_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
             QString("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    QCOMPARE(qs(sha_of(std::string(1000000, 'a'))),
             QString("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
  }

  // Every padding case (lengths around 55, 56, 64 and their multiples) against
  // Qt's implementation.
  void sha256AgreesWithQtForEveryLength() {
    std::mt19937 rng(7);
    std::string data;
    for (int n = 0; n <= 300; ++n) {
      const QByteArray expected =
          QCryptographicHash::hash(QByteArray(data.data(), static_cast<int>(data.size())),
                                   QCryptographicHash::Sha256)
              .toHex();
      QCOMPARE(qs(sha_of(data)), QString::fromLatin1(expected));
      data.push_back(static_cast<char>(rng() & 0xff));
    }
  }

  void sha256OfFileAndDirectory() {
    const std::filesystem::path root = std::filesystem::path(dir_.path().toStdString()) / "hashing";
    // Larger than the 1 MiB read chunk and not a multiple of 64.
    std::string big(3 * 1024 * 1024 + 17, '\0');
    std::mt19937 rng(11);
    for (char& c : big) c = static_cast<char>(rng() & 0xff);
    write_bytes(root / "ckpt" / "model.bin", big);
    write_bytes(root / "ckpt" / "a.txt", "abc");
    write_bytes(root / "ckpt" / "nested" / "config.json", "{}\n");

    QCOMPARE(qs(pose::store::sha256_of_path(root / "ckpt" / "a.txt")),
             QString("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    const QByteArray qt_big = QCryptographicHash::hash(QByteArray(big.data(), static_cast<int>(big.size())),
                                                       QCryptographicHash::Sha256)
                                  .toHex();
    QCOMPARE(qs(pose::store::sha256_of_path(root / "ckpt" / "model.bin")), QString::fromLatin1(qt_big));
    QCOMPARE(qs(pose::store::sha256_of_path(root / "ckpt" / "model.bin")), qs(sha_of(big)));

    // "relative path\0file hash\n" per file, sorted by path.
    std::string listing;
    for (const auto& [rel, bytes] : std::vector<std::pair<std::string, std::string>>{
             {"a.txt", "abc"}, {"model.bin", big}, {"nested/config.json", "{}\n"}}) {
      listing += rel;
      listing.push_back('\0');
      listing += sha_of(bytes) + "\n";
    }
    QCOMPARE(qs(pose::store::sha256_of_path(root / "ckpt")), qs(sha_of(listing)));

    // The same tree elsewhere hashes the same; a changed byte does not.
    std::filesystem::copy(root / "ckpt", root / "copy", std::filesystem::copy_options::recursive);
    QCOMPARE(qs(pose::store::sha256_of_path(root / "copy")), qs(pose::store::sha256_of_path(root / "ckpt")));
    write_bytes(root / "copy" / "a.txt", "abd");
    QVERIFY(pose::store::sha256_of_path(root / "copy") != pose::store::sha256_of_path(root / "ckpt"));

    std::filesystem::create_directories(root / "empty");
    QCOMPARE(qs(pose::store::sha256_of_path(root / "empty")), qs(sha_of("")));

    const std::string msg = user_error_of([&] { pose::store::sha256_of_path(root / "missing.bin"); });
    QVERIFY2(contains(msg, "missing.bin"), msg.c_str());
  }

  // --- Opening and the schema ------------------------------------------------

  void createsParentDirectoriesAndSchema() {
    const auto file = new_store_path();
    QVERIFY(!std::filesystem::exists(file.parent_path()));
    {
      auto store = ExperimentStore::open(file);
      QVERIFY(std::filesystem::exists(file));
      QCOMPARE(store.schema_version(), ExperimentStore::kSchemaVersion);
      QCOMPARE(store.schema_version(), 2);
      QCOMPARE(qs(store.path().string()), qs(file.string()));
      QCOMPARE(qs(store.integrity_check()), QString("ok"));

      RawDb raw(file);
      QCOMPARE(raw.number("PRAGMA user_version"), 2LL);
      QVERIFY(raw.number("PRAGMA application_id") != 0);
      QCOMPARE(qs(raw.text("PRAGMA journal_mode")), QString("wal"));
      for (const char* table : {"experiments", "runs", "metrics", "eval_results", "artifacts"}) {
        QCOMPARE(raw.number(std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' ") +
                            "AND name = '" + table + "'"),
                 1LL);
      }
      // Cascades are declared where the brief of the store says.
      QCOMPARE(qs(raw.text("SELECT on_delete FROM pragma_foreign_key_list('runs')")), QString("CASCADE"));
      for (const char* table : {"metrics", "eval_results", "artifacts"}) {
        QCOMPARE(qs(raw.text(std::string("SELECT \"table\" || ':' || on_delete ") +
                             "FROM pragma_foreign_key_list('" + table + "')")),
                 QString("runs:CASCADE"));
      }
      QCOMPARE(raw.number("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'metrics' "
                          "AND sql LIKE '%(run_id, series, step)%'"),
               1LL);
    }
    // Reopening an up-to-date store changes nothing.
    auto again = ExperimentStore::open(file);
    QCOMPARE(again.schema_version(), 2);
    QCOMPARE(qs(again.integrity_check()), QString("ok"));
  }

  // A full disk while the store is written: the write fails with a message that
  // says so and names the fix; what was committed before is all there, and the
  // store is whole and writable again once there is room.
  void aFullDiskFailsTheWriteAndKeepsWhatWasStored() {
    const auto file = new_store_path();
    std::int64_t id = 0;
    {
      auto store = ExperimentStore::open(file);
      id = store.ensure_run(store.upsert_experiment("e", {}), "base", "base", {});
      store.append_metrics(id, {{"train/loss", 1, 3.5, 0.1}, {"train/loss", 2, 3.25, 0.2}});
    }
    std::vector<MetricPoint> many;
    for (int step = 3; step < 20003; ++step) many.push_back({"train/loss", step, 1.0 / step, 0.1 * step});
    std::string msg;
    {
      auto store = ExperimentStore::open(file);
      pose::test::FileSizeLimit limit(std::filesystem::file_size(file));
      msg = user_error_of([&] { store.append_metrics(id, many); });
    }
    QVERIFY2(contains(msg, file.string()), msg.c_str());
    QVERIFY2(contains(msg, "the disk is full"), msg.c_str());
    QVERIFY2(contains(msg, "File too large"), msg.c_str());
    QVERIFY2(contains(msg, "free disk space"), msg.c_str());
    auto store = ExperimentStore::open(file);
    QCOMPARE(qs(store.integrity_check()), QString("ok"));
    QCOMPARE(store.metric_series(id, "train/loss").size(), std::size_t{2});
    store.append_metrics(id, many);
    QCOMPARE(store.metric_series(id, "train/loss").size(), std::size_t{20002});
  }

  // A store of schema 1 (before runs recorded their process) opens read-write,
  // gains the owner column and keeps its rows; read-only it is refused with the fix.
  void schemaOneStoreIsUpgraded() {
    const auto file = new_store_path();
    {
      auto store = ExperimentStore::open(file);
      const auto e = store.upsert_experiment("e", {{"a", 1}});
      store.ensure_run(e, "base", "base", {{"steps", 3}});
    }
    {
      RawDb raw(file);
      QCOMPARE(raw.exec("ALTER TABLE runs DROP COLUMN owner; PRAGMA user_version = 1"), SQLITE_OK);
    }
    const std::string msg = user_error_of([&] { ExperimentStore::open(file, ExperimentStore::Mode::ReadOnly); });
    QVERIFY2(contains(msg, "older") && contains(msg, "read-write"), msg.c_str());
    auto store = ExperimentStore::open(file);
    QCOMPARE(store.schema_version(), 2);
    const auto runs = store.runs();
    QCOMPARE(runs.size(), std::size_t{1});
    QCOMPARE(qs(runs[0].owner), QString());
    QCOMPARE(qs(store.integrity_check()), QString("ok"));
  }

  void emptyFileBecomesAStore() {
    const auto file = new_store_path();
    write_bytes(file, "");
    QVERIFY(contains(user_error_of([&] { ExperimentStore::open(file, ExperimentStore::Mode::ReadOnly); }),
                     "empty"));
    auto store = ExperimentStore::open(file);
    QCOMPARE(store.schema_version(), 2);
  }

  void newerSchemaIsRefused() {
    const auto file = new_store_path();
    {
      auto store = ExperimentStore::open(file);
      store.upsert_experiment("e", {{"a", 1}});
    }
    {
      RawDb raw(file);
      QCOMPARE(raw.exec("PRAGMA user_version = 99"), SQLITE_OK);
    }
    for (auto mode : {ExperimentStore::Mode::ReadWrite, ExperimentStore::Mode::ReadOnly}) {
      const std::string msg = user_error_of([&] { ExperimentStore::open(file, mode); });
      QVERIFY2(contains(msg, "newer"), msg.c_str());
      QVERIFY2(contains(msg, "upgrade"), msg.c_str());
      QVERIFY2(contains(msg, file.string()), msg.c_str());
    }
    RawDb raw(file);
    QCOMPARE(raw.number("PRAGMA user_version"), 99LL);  // not touched
    QCOMPARE(raw.number("SELECT count(*) FROM experiments"), 1LL);
  }

  void nonSqliteFileIsRefused() {
    const auto file = new_store_path();
    const std::string text =
        "These are my notes about the experiment, not a database.\n" + std::string(2000, 'x') + "\n";
    write_bytes(file, text);
    for (auto mode : {ExperimentStore::Mode::ReadWrite, ExperimentStore::Mode::ReadOnly}) {
      const std::string msg = user_error_of([&] { ExperimentStore::open(file, mode); });
      QVERIFY2(contains(msg, file.string()), msg.c_str());
      QVERIFY2(contains(msg, "is not a PoSE Studio experiment store"), msg.c_str());
    }
    QCOMPARE(qs(read_bytes(file)), qs(text));  // left as it was

    const auto short_file = new_store_path();
    write_bytes(short_file, "hello\n");
    const std::string msg = user_error_of([&] { ExperimentStore::open(short_file); });
    QVERIFY2(contains(msg, "is not a PoSE Studio experiment store"), msg.c_str());
    QCOMPARE(qs(read_bytes(short_file)), QString("hello\n"));
  }

  void otherProgramsDatabasesAreRefused() {
    // Another program's SQLite file: tables, no application id.
    const auto foreign = new_store_path();
    std::filesystem::create_directories(foreign.parent_path());
    {
      sqlite3* db = nullptr;
      QCOMPARE(sqlite3_open(foreign.string().c_str(), &db), SQLITE_OK);
      QCOMPARE(sqlite3_exec(db, "CREATE TABLE notes(x); INSERT INTO notes VALUES (1);", nullptr, nullptr,
                            nullptr),
               SQLITE_OK);
      sqlite3_close(db);
    }
    const std::string before = read_bytes(foreign);
    std::string msg = user_error_of([&] { ExperimentStore::open(foreign); });
    QVERIFY2(contains(msg, "is not a PoSE Studio experiment store"), msg.c_str());
    QCOMPARE(read_bytes(foreign) == before, true);

    // One of ours, stamped by some other application.
    const auto stamped = new_store_path();
    { ExperimentStore::open(stamped); }
    {
      RawDb raw(stamped);
      QCOMPARE(raw.exec("PRAGMA application_id = 1234"), SQLITE_OK);
    }
    msg = user_error_of([&] { ExperimentStore::open(stamped); });
    QVERIFY2(contains(msg, "is not a PoSE Studio experiment store"), msg.c_str());
    QVERIFY2(contains(msg, "0x000004d2"), msg.c_str());
  }

  void readOnlyOpenOfMissingFileIsRefused() {
    const auto file = new_store_path();
    const std::string msg =
        user_error_of([&] { ExperimentStore::open(file, ExperimentStore::Mode::ReadOnly); });
    QVERIFY2(contains(msg, file.string()), msg.c_str());
    QVERIFY(!std::filesystem::exists(file));
  }

  void readOnlyStoreRefusesWrites() {
    const auto file = new_store_path();
    { ExperimentStore::open(file).upsert_experiment("e", nlohmann::json::object()); }
    auto reader = ExperimentStore::open(file, ExperimentStore::Mode::ReadOnly);
    QCOMPARE(reader.experiments().size(), std::size_t{1});
    const std::string msg = user_error_of([&] { reader.upsert_experiment("f", nlohmann::json::object()); });
    QVERIFY2(contains(msg, file.string()), msg.c_str());
    QVERIFY2(contains(msg, "cannot be written"), msg.c_str());
    QCOMPARE(reader.experiments().size(), std::size_t{1});
  }

  // --- Experiments and runs --------------------------------------------------

  void experimentsRoundTrip() {
    const auto file = new_store_path();
    const nlohmann::json spec = {{"name", "pose-micro"}, {"lc", 256}, {"factors", {1.5, 2.0, 0.1}},
                                 {"nested", {{"x", nullptr}, {"big", 9007199254740993LL}}},
                                 {"unicode", "λ — ok"}};
    std::int64_t id = 0;
    {
      auto store = ExperimentStore::open(file);
      id = store.upsert_experiment("pose-micro", spec);
      QVERIFY(id > 0);
      QCOMPARE(store.upsert_experiment("second", nlohmann::json::array()), id + 1);
    }
    auto store = ExperimentStore::open(file);
    auto found = store.find_experiment("pose-micro");
    QVERIFY(found.has_value());
    QCOMPARE(found->id, id);
    QCOMPARE(qs(found->name), QString("pose-micro"));
    QVERIFY2(found->spec == spec, found->spec.dump().c_str());
    QVERIFY(is_iso_utc(found->created_at));
    QVERIFY(is_recent(found->created_at));
    QCOMPARE(qs(found->updated_at), qs(found->created_at));
    QVERIFY(!store.find_experiment("nope").has_value());

    // Upsert keeps the id and replaces the spec.
    const nlohmann::json spec2 = {{"name", "pose-micro"}, {"lc", 512}};
    QCOMPARE(store.upsert_experiment("pose-micro", spec2), id);
    found = store.find_experiment("pose-micro");
    QVERIFY2(found->spec == spec2, found->spec.dump().c_str());

    const auto all = store.experiments();
    QCOMPARE(all.size(), std::size_t{2});
    QCOMPARE(qs(all[0].name), QString("pose-micro"));
    QCOMPARE(qs(all[1].name), QString("second"));
    QVERIFY(all[1].spec.is_array());
  }

  void runsRoundTripAndEnsureRun() {
    const auto file = new_store_path();
    std::int64_t exp = 0, base = 0, linear = 0, other_exp = 0, other_base = 0;
    const nlohmann::json base_spec = {{"steps", 100}, {"lr", 3e-4}};
    const nlohmann::json linear_spec = {{"method", "linear"}, {"factor", 2.0}};
    {
      auto store = ExperimentStore::open(file);
      exp = store.upsert_experiment("e1", {});
      other_exp = store.upsert_experiment("e2", {});
      base = store.ensure_run(exp, "base", "base", {{"steps", 1}});
      linear = store.ensure_run(exp, "pose-linear", "extend", linear_spec);
      QVERIFY(base != linear);
      // Same name again: the same run, with the spec updated.
      QCOMPARE(store.ensure_run(exp, "base", "base", base_spec), base);
      // The same name in another experiment is another run.
      other_base = store.ensure_run(other_exp, "base", "base", {});
      QVERIFY(other_base != base);
    }
    auto store = ExperimentStore::open(file);
    auto run = store.run(base);
    QVERIFY(run.has_value());
    QCOMPARE(run->id, base);
    QCOMPARE(run->experiment_id, exp);
    QCOMPARE(qs(run->experiment_name), QString("e1"));
    QCOMPARE(qs(run->name), QString("base"));
    QCOMPARE(qs(run->kind), QString("base"));
    QVERIFY(run->status == RunStatus::Pending);
    QVERIFY2(run->spec == base_spec, run->spec.dump().c_str());
    QVERIFY(is_iso_utc(run->created_at) && is_recent(run->created_at));
    QVERIFY(run->started_at.empty() && run->finished_at.empty() && run->message.empty());

    auto by_name = store.find_run(exp, "pose-linear");
    QVERIFY(by_name.has_value());
    QCOMPARE(by_name->id, linear);
    QCOMPARE(qs(by_name->kind), QString("extend"));
    QVERIFY(by_name->spec == linear_spec);
    QVERIFY(!store.find_run(exp, "missing").has_value());
    QVERIFY(!store.find_run(other_exp, "pose-linear").has_value());
    QVERIFY(!store.run(999).has_value());

    const auto of_exp = store.runs(exp);
    QCOMPARE(of_exp.size(), std::size_t{2});
    QCOMPARE(of_exp[0].id, base);
    QCOMPARE(of_exp[1].id, linear);
    const auto all = store.runs();
    QCOMPARE(all.size(), std::size_t{3});
    QCOMPARE(all[2].id, other_base);
    QCOMPARE(qs(all[2].experiment_name), QString("e2"));

    // Unique within the experiment: ensure_run never duplicates, and the
    // schema refuses a duplicate written behind the store's back.
    QCOMPARE(store.ensure_run(exp, "base", "base", base_spec), base);
    QCOMPARE(store.runs(exp).size(), std::size_t{2});
    RawDb raw(file);
    QCOMPARE(raw.exec("INSERT INTO runs (experiment_id, name, kind, spec, created_at) VALUES (" +
                      std::to_string(exp) + ", 'base', 'base', '{}', 'x')"),
             SQLITE_CONSTRAINT);

    const std::string msg = user_error_of([&] { store.ensure_run(12345, "x", "base", {}); });
    QVERIFY2(contains(msg, "no experiment with id 12345"), msg.c_str());
  }

  void runStatusLifecycle() {
    QCOMPARE(qs(pose::store::to_string(RunStatus::Cancelled)), QString("cancelled"));
    for (auto s : {RunStatus::Pending, RunStatus::Running, RunStatus::Done, RunStatus::Failed,
                   RunStatus::Cancelled}) {
      QVERIFY(pose::store::parse_run_status(pose::store::to_string(s)) == s);
    }
    QVERIFY(contains(user_error_of([] { pose::store::parse_run_status("finished"); }), "finished"));

    const auto file = new_store_path();
    auto store = ExperimentStore::open(file);
    const auto exp = store.upsert_experiment("e", {});
    const auto id = store.ensure_run(exp, "base", "base", {});
    const nlohmann::json versions = {{"pose", "0.1.0"}, {"libtorch", "2.5.1"}};

    store.mark_running(id, "cuda:0 (NVIDIA H100)", versions);
    auto r = store.run(id);
    QVERIFY(r->status == RunStatus::Running);
    QCOMPARE(qs(r->device), QString("cuda:0 (NVIDIA H100)"));
    QVERIFY(r->versions == versions);
    QVERIFY(is_iso_utc(r->started_at) && is_recent(r->started_at));
    QVERIFY(r->finished_at.empty());

    store.finish_run(id, RunStatus::Failed, "CUDA out of memory");
    r = store.run(id);
    QVERIFY(r->status == RunStatus::Failed);
    QCOMPARE(qs(r->message), QString("CUDA out of memory"));
    QVERIFY(is_iso_utc(r->finished_at) && is_recent(r->finished_at));
    QVERIFY(r->started_at <= r->finished_at);

    // Resumed: running again keeps the first start, drops message and end.
    {
      RawDb raw(file);
      QCOMPARE(raw.exec("UPDATE runs SET started_at = '2000-01-02T03:04:05Z'"), SQLITE_OK);
    }
    store.mark_running(id, "cpu", {{"pose", "0.1.1"}});
    r = store.run(id);
    QVERIFY(r->status == RunStatus::Running);
    QCOMPARE(qs(r->started_at), QString("2000-01-02T03:04:05Z"));
    QVERIFY(r->finished_at.empty());
    QVERIFY(r->message.empty());
    QCOMPARE(qs(r->device), QString("cpu"));
    QCOMPARE(qs(r->versions.value("pose", "")), QString("0.1.1"));

    store.finish_run(id, RunStatus::Cancelled, "stopped by the user");
    QVERIFY(store.run(id)->status == RunStatus::Cancelled);
    store.finish_run(id, RunStatus::Done);
    r = store.run(id);
    QVERIFY(r->status == RunStatus::Done);
    QVERIFY(r->message.empty());

    QVERIFY(!user_error_of([&] { store.finish_run(id, RunStatus::Pending); }).empty());
    QVERIFY(store.run(id)->status == RunStatus::Done);
    QVERIFY(contains(user_error_of([&] { store.mark_running(777, "cpu", {}); }), "no run with id 777"));
    QVERIFY(contains(user_error_of([&] { store.finish_run(777, RunStatus::Done); }), "no run with id 777"));
  }

  // A run records the process running it. When that process is gone (here: a
  // child that ran the run and exited without finishing it, as after SIGKILL)
  // readers see "interrupted", and settle_interrupted_runs() finishes it as
  // cancelled with a message, keeping its metrics. Another host's runs are
  // left alone (cannot tell), and so is a live process's.
  void interruptedRunIsNotShownAsRunning() {
    const auto file = new_store_path();
    int64_t dead = 0, alive = 0, elsewhere = 0;
    {
      auto store = ExperimentStore::open(file);
      const auto exp = store.upsert_experiment("e", {});
      dead = store.ensure_run(exp, "killed", "extend", {});
      alive = store.ensure_run(exp, "live", "extend", {});
      elsewhere = store.ensure_run(exp, "remote", "extend", {});
      store.mark_running(alive, "cpu", {});
      store.append_metrics(dead, {{"train/loss", 5, 2.5, 1.0}});
    }
    const pid_t child = ::fork();
    if (child == 0) {
      auto store = ExperimentStore::open(file);
      store.mark_running(dead, "cpu", {});
      store.mark_running(elsewhere, "cpu", {});
      ::_exit(0);  // no finish_run: the process just ends
    }
    // Ended but not yet reaped (a zombie, as a SIGKILLed run is for a moment): already gone.
    const auto state_of = [](pid_t pid) {
      std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
      std::string line;
      std::getline(in, line);
      const auto close = line.rfind(')');
      return close == std::string::npos || close + 2 >= line.size() ? '?' : line[close + 2];
    };
    for (int i = 0; i < 500 && state_of(child) != 'Z'; ++i) QTest::qWait(10);
    QCOMPARE(state_of(child), 'Z');
    QVERIFY(ExperimentStore::open(file).run(dead)->interrupted);
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    {
      RawDb raw(file);
      QCOMPARE(raw.exec("UPDATE runs SET owner = json_set(owner, '$.host', 'another-machine') WHERE name = 'remote'"),
               SQLITE_OK);
    }

    auto store = ExperimentStore::open(file);
    auto killed = store.run(dead);
    QVERIFY(killed->status == RunStatus::Running);
    QVERIFY(contains(killed->owner, std::to_string(child)));
    QVERIFY(killed->interrupted);
    QCOMPARE(qs(pose::store::display_status(*killed)), QString("interrupted"));
    QVERIFY(!store.run(alive)->interrupted);
    QCOMPARE(qs(pose::store::display_status(*store.run(alive))), QString("running"));
    QVERIFY(!store.run(elsewhere)->interrupted);

    const auto settled = store.settle_interrupted_runs();
    QCOMPARE(settled.size(), std::size_t{1});
    QCOMPARE(qs(settled[0].name), QString("killed"));
    killed = store.run(dead);
    QVERIFY(killed->status == RunStatus::Cancelled);
    QVERIFY(!killed->interrupted);
    QVERIFY2(contains(killed->message, "interrupted") && contains(killed->message, "--resume"), killed->message.c_str());
    QVERIFY(killed->owner.empty());
    QCOMPARE(store.metric_series(dead, "train/loss").size(), std::size_t{1});  // kept
    QVERIFY(store.run(alive)->status == RunStatus::Running);
    QVERIFY(store.run(elsewhere)->status == RunStatus::Running);
    QVERIFY(store.settle_interrupted_runs().empty());  // nothing left to settle
    store.finish_run(alive, RunStatus::Done);
    QVERIFY(store.run(alive)->owner.empty());
  }

  // --- Metrics ---------------------------------------------------------------

  void metricsRoundTripAndTruncate() {
    const auto file = new_store_path();
    std::int64_t id = 0, other = 0;
    const double inf = std::numeric_limits<double>::infinity();
    {
      auto store = ExperimentStore::open(file);
      const auto exp = store.upsert_experiment("e", {});
      id = store.ensure_run(exp, "base", "base", {});
      other = store.ensure_run(exp, "other", "base", {});
      std::vector<MetricPoint> points;
      for (int step = 1; step <= 10; ++step) {
        points.push_back({"train/loss", step, 10.0 / step, 0.5 * step});
        points.push_back({"train/lr", step, 1e-4 * step, 0.5 * step});
      }
      store.append_metrics(id, points);
      // A diverged loss and an overflow survive as NaN and inf.
      store.append_metrics(id, {{"train/loss", 11, std::nan(""), 5.5}, {"train/grad_norm", 11, inf, 5.5}});
      store.append_metrics(other, {{"train/loss", 1, 42.0, 0.1}});
      store.append_metrics(id, {});
    }
    auto store = ExperimentStore::open(file);
    auto loss = store.metric_series(id, "train/loss");
    QCOMPARE(loss.size(), std::size_t{11});
    for (int i = 0; i < 10; ++i) {
      QCOMPARE(qs(loss[i].series), QString("train/loss"));
      QCOMPARE(loss[i].step, std::int64_t{i + 1});
      QCOMPARE(loss[i].value, 10.0 / (i + 1));
      QCOMPARE(loss[i].wall_time, 0.5 * (i + 1));
    }
    QVERIFY(std::isnan(loss[10].value));
    QCOMPARE(store.metric_series(id, "train/grad_norm").at(0).value, inf);
    QCOMPARE(store.metric_series(other, "train/loss").size(), std::size_t{1});
    QVERIFY(store.metric_series(id, "train/none").empty());

    const auto names = store.metric_names(id);
    QCOMPARE(names.size(), std::size_t{3});
    QCOMPARE(qs(names[0]), QString("train/grad_norm"));
    QCOMPARE(qs(names[1]), QString("train/loss"));
    QCOMPARE(qs(names[2]), QString("train/lr"));

    auto last = store.last_metric(id, "train/lr");
    QVERIFY(last.has_value());
    QCOMPARE(last->step, std::int64_t{10});
    QCOMPARE(last->value, 1e-3);
    QVERIFY(!store.last_metric(id, "train/none").has_value());

    // A resume from step 6 drops what came after it, in this run only.
    store.truncate_metrics_after(id, 6);
    loss = store.metric_series(id, "train/loss");
    QCOMPARE(loss.size(), std::size_t{6});
    QCOMPARE(loss.back().step, std::int64_t{6});
    QCOMPARE(store.last_metric(id, "train/lr")->step, std::int64_t{6});
    QVERIFY(store.metric_series(id, "train/grad_norm").empty());
    QCOMPARE(store.metric_series(other, "train/loss").size(), std::size_t{1});
    store.append_metrics(id, {{"train/loss", 7, 1.25, 3.5}});
    QCOMPARE(store.last_metric(id, "train/loss")->value, 1.25);

    QVERIFY(contains(user_error_of([&] { store.append_metrics(999, {{"x", 1, 1.0, 0.0}}); }),
                     "no run with id 999"));
  }

  // One failing point rolls the whole batch back.
  void appendMetricsIsOneTransaction() {
    const auto file = new_store_path();
    auto store = ExperimentStore::open(file);
    const auto id = store.ensure_run(store.upsert_experiment("e", {}), "base", "base", {});
    store.append_metrics(id, {{"train/loss", 1, 1.0, 0.0}});
    {
      RawDb raw(file);
      QCOMPARE(raw.exec("CREATE TRIGGER refuse_13 BEFORE INSERT ON metrics WHEN NEW.step = 13 "
                        "BEGIN SELECT RAISE(ABORT, 'step 13 refused'); END"),
               SQLITE_OK);
    }
    const std::string msg = user_error_of(
        [&] { store.append_metrics(id, {{"train/loss", 12, 1.0, 0.0}, {"train/loss", 13, 1.0, 0.0}}); });
    QVERIFY2(contains(msg, "step 13 refused"), msg.c_str());
    QVERIFY2(contains(msg, file.string()), msg.c_str());
    QCOMPARE(store.metric_series(id, "train/loss").size(), std::size_t{1});
    // The connection is usable afterwards (no transaction left open).
    store.append_metrics(id, {{"train/loss", 2, 1.0, 0.0}});
    QCOMPARE(store.metric_series(id, "train/loss").size(), std::size_t{2});
  }

  // --- Evaluation results and artifacts --------------------------------------

  void evalResultsRoundTrip() {
    const auto file = new_store_path();
    std::int64_t id = 0, ppl_id = 0;
    const nlohmann::json settings = {{"lengths", {256, 512, 1024}}, {"stride", 128}, {"seed", 1234}};
    const nlohmann::json results = {{"256", 12.25}, {"512", 13.5}, {"1024", 0.1}};
    {
      auto store = ExperimentStore::open(file);
      id = store.ensure_run(store.upsert_experiment("e", {}), "pose-linear", "extend", {});
      pose::store::EvalRecord rec;
      rec.id = 999;  // ignored
      rec.run_id = id;
      rec.kind = "perplexity";
      rec.settings = settings;
      rec.results = results;
      rec.checkpoint_step = 500;
      ppl_id = store.add_eval_result(rec);
      QVERIFY(ppl_id != 999);
      rec.kind = "passkey";
      rec.checkpoint_step.reset();
      rec.results = {{"accuracy", 0.75}};
      store.add_eval_result(rec);
    }
    auto store = ExperimentStore::open(file);
    auto all = store.eval_results(id);
    QCOMPARE(all.size(), std::size_t{2});
    QCOMPARE(all[0].id, ppl_id);
    QCOMPARE(all[0].run_id, id);
    QCOMPARE(qs(all[0].kind), QString("perplexity"));
    QVERIFY2(all[0].settings == settings, all[0].settings.dump().c_str());
    QVERIFY2(all[0].results == results, all[0].results.dump().c_str());
    QVERIFY(all[0].checkpoint_step == std::optional<std::int64_t>(500));
    QVERIFY(is_iso_utc(all[0].created_at) && is_recent(all[0].created_at));
    QVERIFY(!all[1].checkpoint_step.has_value());

    auto passkey = store.eval_results(id, "passkey");
    QCOMPARE(passkey.size(), std::size_t{1});
    QCOMPARE(passkey[0].results.at("accuracy").get<double>(), 0.75);
    QVERIFY(store.eval_results(id, "nonexistent").empty());

    store.delete_eval_results(id, "perplexity");
    all = store.eval_results(id);
    QCOMPARE(all.size(), std::size_t{1});
    QCOMPARE(qs(all[0].kind), QString("passkey"));

    pose::store::EvalRecord orphan;
    orphan.run_id = 4242;
    orphan.kind = "perplexity";
    QVERIFY(contains(user_error_of([&] { store.add_eval_result(orphan); }), "no run with id 4242"));
  }

  void artifactsRoundTrip() {
    const auto file = new_store_path();
    const std::filesystem::path data = file.parent_path() / "artifacts";
    const std::string weights(100000, 'w');
    write_bytes(data / "ckpt-100" / "model.safetensors", weights);
    write_bytes(data / "ckpt-100" / "config.json", "{\"a\":1}");
    write_bytes(data / "report.md", "abc");
    std::int64_t id = 0;
    {
      auto store = ExperimentStore::open(file);
      id = store.ensure_run(store.upsert_experiment("e", {}), "base", "base", {});
      store.add_artifact(id, "checkpoint", data / "ckpt-100", 100);
      store.add_artifact(id, "report", data / "report.md");
    }
    auto store = ExperimentStore::open(file);
    auto all = store.artifacts(id);
    QCOMPARE(all.size(), std::size_t{2});
    const auto& ckpt = all[0];
    QCOMPARE(qs(ckpt.kind), QString("checkpoint"));
    QCOMPARE(qs(ckpt.path), qs((data / "ckpt-100").string()));
    QVERIFY(std::filesystem::path(ckpt.path).is_absolute());
    QCOMPARE(qs(ckpt.sha256), qs(pose::store::sha256_of_path(data / "ckpt-100")));
    QCOMPARE(ckpt.bytes, static_cast<std::int64_t>(weights.size() + 7));
    QVERIFY(ckpt.step == std::optional<std::int64_t>(100));
    QVERIFY(is_iso_utc(ckpt.created_at));

    const auto report = store.artifacts(id, "report");
    QCOMPARE(report.size(), std::size_t{1});
    QCOMPARE(qs(report[0].sha256),
             QString("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(report[0].bytes, std::int64_t{3});
    QVERIFY(!report[0].step.has_value());
    QVERIFY(store.artifacts(id, "tokenizer").empty());

    // A relative path is recorded absolute.
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(data);
    store.add_artifact(id, "tokens", "report.md");
    std::filesystem::current_path(cwd);
    QCOMPARE(qs(store.artifacts(id, "tokens").at(0).path), qs((data / "report.md").string()));

    // A directory given with a trailing '/' is the same directory.
    store.add_artifact(id, "hf-export", data / "ckpt-100" / "");
    QCOMPARE(qs(store.artifacts(id, "hf-export").at(0).path), qs((data / "ckpt-100").string()));

    const std::string msg = user_error_of([&] { store.add_artifact(id, "report", data / "missing.md"); });
    QVERIFY2(contains(msg, "missing.md"), msg.c_str());
    QCOMPARE(store.artifacts(id).size(), std::size_t{4});
  }

  // --- Reset and deletion ----------------------------------------------------

  void resetRunDropsItsDataOnly() {
    const auto file = new_store_path();
    write_bytes(file.parent_path() / "a.bin", "abc");
    auto store = ExperimentStore::open(file);
    const auto exp = store.upsert_experiment("e", {});
    const auto id = store.ensure_run(exp, "base", "base", {{"steps", 5}});
    const auto other = store.ensure_run(exp, "other", "extend", {});
    for (auto run_id : {id, other}) {
      store.mark_running(run_id, "cpu", {{"pose", "1"}});
      store.append_metrics(run_id, {{"train/loss", 1, 2.0, 0.1}});
      pose::store::EvalRecord rec;
      rec.run_id = run_id;
      rec.kind = "perplexity";
      store.add_eval_result(rec);
      store.add_artifact(run_id, "checkpoint", file.parent_path() / "a.bin", 1);
      store.finish_run(run_id, RunStatus::Failed, "boom");
    }

    store.reset_run(id);
    auto r = store.run(id);
    QVERIFY(r.has_value());
    QVERIFY(r->status == RunStatus::Pending);
    QVERIFY(r->started_at.empty());
    QVERIFY(r->finished_at.empty());
    QVERIFY(r->message.empty());
    QVERIFY(r->spec == nlohmann::json({{"steps", 5}}));
    QVERIFY(store.metric_names(id).empty());
    QVERIFY(store.eval_results(id).empty());
    QVERIFY(store.artifacts(id).empty());
    QVERIFY(std::filesystem::exists(file.parent_path() / "a.bin"));  // records only, not files

    r = store.run(other);
    QVERIFY(r->status == RunStatus::Failed);
    QCOMPARE(store.metric_names(other).size(), std::size_t{1});
    QCOMPARE(store.eval_results(other).size(), std::size_t{1});
    QCOMPARE(store.artifacts(other).size(), std::size_t{1});

    QVERIFY(contains(user_error_of([&] { store.reset_run(31337); }), "no run with id 31337"));
  }

  void deletesCascade() {
    const auto file = new_store_path();
    write_bytes(file.parent_path() / "a.bin", "abc");
    auto store = ExperimentStore::open(file);
    const auto doomed = store.upsert_experiment("doomed", {});
    const auto kept = store.upsert_experiment("kept", {});
    std::vector<std::int64_t> run_ids;
    for (auto exp : {doomed, kept}) {
      for (const char* name : {"base", "pose-linear"}) {
        const auto id = store.ensure_run(exp, name, "base", {});
        run_ids.push_back(id);
        store.append_metrics(id, {{"train/loss", 1, 2.0, 0.1}, {"train/loss", 2, 1.0, 0.2}});
        pose::store::EvalRecord rec;
        rec.run_id = id;
        rec.kind = "passkey";
        store.add_eval_result(rec);
        store.add_artifact(id, "checkpoint", file.parent_path() / "a.bin");
      }
    }
    {
      RawDb raw(file);
      QCOMPARE(raw.exec("PRAGMA foreign_keys = ON"), SQLITE_OK);
      // Deleting a run takes its rows with it.
      QCOMPARE(raw.exec("DELETE FROM runs WHERE id = " + std::to_string(run_ids[3])), SQLITE_OK);
      QCOMPARE(raw.number("SELECT count(*) FROM metrics WHERE run_id = " + std::to_string(run_ids[3])), 0LL);
      // Deleting an experiment takes its runs and their rows.
      QCOMPARE(raw.exec("DELETE FROM experiments WHERE id = " + std::to_string(doomed)), SQLITE_OK);
      QCOMPARE(raw.number("SELECT count(*) FROM runs"), 1LL);
      QCOMPARE(raw.number("SELECT count(*) FROM metrics"), 2LL);
      QCOMPARE(raw.number("SELECT count(*) FROM eval_results"), 1LL);
      QCOMPARE(raw.number("SELECT count(*) FROM artifacts"), 1LL);
    }
    QVERIFY(!store.find_experiment("doomed").has_value());
    QCOMPARE(store.runs().size(), std::size_t{1});
    QCOMPARE(store.runs().at(0).id, run_ids[2]);
    QVERIFY(store.metric_series(run_ids[0], "train/loss").empty());
    QVERIFY(store.eval_results(run_ids[1]).empty());
    QVERIFY(store.artifacts(run_ids[0]).empty());
    QCOMPARE(store.metric_series(run_ids[2], "train/loss").size(), std::size_t{2});
    QCOMPARE(qs(store.integrity_check()), QString("ok"));
  }

  // --- Several connections ---------------------------------------------------

  // WAL: a read-only store (the GUI, `pose runs`) reads what the writer has
  // committed, and is not blocked by a write transaction in progress.
  void readerSeesCommittedDataBesideAWriter() {
    const auto file = new_store_path();
    auto writer = ExperimentStore::open(file);
    const auto id = writer.ensure_run(writer.upsert_experiment("e", {}), "base", "base", {});
    writer.append_metrics(id, {{"train/loss", 1, 3.0, 0.1}});

    auto reader = ExperimentStore::open(file, ExperimentStore::Mode::ReadOnly);
    QCOMPARE(reader.metric_series(id, "train/loss").size(), std::size_t{1});

    writer.append_metrics(id, {{"train/loss", 2, 2.5, 0.2}});
    writer.mark_running(id, "cpu", {});
    QCOMPARE(reader.metric_series(id, "train/loss").size(), std::size_t{2});
    QVERIFY(reader.run(id)->status == RunStatus::Running);

    // Another process in the middle of a write transaction.
    RawDb other(file);
    QCOMPARE(other.exec("BEGIN IMMEDIATE"), SQLITE_OK);
    QCOMPARE(other.exec("INSERT INTO metrics (run_id, series, step, value, wall_time) VALUES (" +
                        std::to_string(id) + ", 'train/loss', 3, 2.0, 0.3)"),
             SQLITE_OK);
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(reader.metric_series(id, "train/loss").size(), std::size_t{2});  // uncommitted: not seen
    QCOMPARE(writer.metric_series(id, "train/loss").size(), std::size_t{2});
    QVERIFY2(timer.elapsed() < 3000, "a reader waited for the writer");
    QCOMPARE(other.exec("COMMIT"), SQLITE_OK);
    QCOMPARE(reader.metric_series(id, "train/loss").size(), std::size_t{3});
  }

  // When the last connection closes, SQLite folds the WAL back into the file
  // and deletes it; a read-only open must still work then.
  void readOnlyOpenAfterTheWriterClosed() {
    const auto file = new_store_path();
    std::int64_t id = 0;
    {
      auto writer = ExperimentStore::open(file);
      id = writer.ensure_run(writer.upsert_experiment("e", {}), "base", "base", {});
      writer.append_metrics(id, {{"train/loss", 1, 3.0, 0.1}, {"train/loss", 2, 2.0, 0.2}});
    }
    QVERIFY(!std::filesystem::exists(file.string() + "-wal"));
    auto reader = ExperimentStore::open(file, ExperimentStore::Mode::ReadOnly);
    QCOMPARE(reader.metric_series(id, "train/loss").size(), std::size_t{2});
    QCOMPARE(reader.schema_version(), 2);
    QCOMPARE(qs(reader.integrity_check()), QString("ok"));
  }

  // A second writer waits out the busy timeout, then says who is in the way.
  void busyStoreSaysAnotherProcessHoldsIt() {
    const auto file = new_store_path();
    auto store = ExperimentStore::open(file);
    const auto id = store.ensure_run(store.upsert_experiment("e", {}), "base", "base", {});
    RawDb other(file);
    QCOMPARE(other.exec("BEGIN IMMEDIATE"), SQLITE_OK);
    QElapsedTimer timer;
    timer.start();
    const std::string msg = user_error_of([&] { store.append_metrics(id, {{"train/loss", 1, 1.0, 0.0}}); });
    QVERIFY2(contains(msg, "another process holds"), msg.c_str());
    QVERIFY2(contains(msg, file.string()), msg.c_str());
    QVERIFY2(contains(msg, "retry"), msg.c_str());
    QVERIFY(timer.elapsed() >= 9000);  // it did wait
    QCOMPARE(other.exec("ROLLBACK"), SQLITE_OK);
    store.append_metrics(id, {{"train/loss", 1, 1.0, 0.0}});
    QCOMPARE(store.metric_series(id, "train/loss").size(), std::size_t{1});
  }

  void movedStoreKeepsWorking() {
    auto a = ExperimentStore::open(new_store_path());
    a.upsert_experiment("e", {});
    ExperimentStore b = std::move(a);
    QCOMPARE(b.experiments().size(), std::size_t{1});
    auto c = ExperimentStore::open(new_store_path());
    c = std::move(b);
    QCOMPARE(c.experiments().size(), std::size_t{1});
  }
};

QTEST_APPLESS_MAIN(TestExperimentStore)
#include "test_experiment_store.moc"
