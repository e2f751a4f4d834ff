// `pose positions` and `pose coverage`: JSON output parses and holds the
// documented fields, text summaries read sensibly, bad designs exit with 2 and
// name the parameter.
#include <QtTest>

#include "commands.h"

#include <sstream>

#include <nlohmann/json.hpp>

namespace {

struct Result {
  int code;
  std::string out, err;
};

Result run(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"pose", "--log-level", "off"});
  std::ostringstream out, err;
  const int code = pose::cli::run_cli(argv, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace

class TestPositionsCli : public QObject {
  Q_OBJECT
 private slots:
  void positionsJsonHasEverySampleField() {
    const Result r = run({"positions", "--train-len", "16", "--target-len", "64", "--strategy", "pose", "--chunks", "3",
                          "--samples", "5", "--seed", "9", "--doc-len", "100", "--json"});
    QCOMPARE(r.code, 0);
    const auto j = nlohmann::json::parse(r.out);
    QCOMPARE(j.at("samples").size(), std::size_t(5));
    QCOMPARE(j.at("design").at("chunks").get<int>(), 3);
    for (const auto& s : j.at("samples")) {
      for (const char* key : {"index", "position_ids", "chunk_lengths", "position_skips", "text_ranges", "text_skips"})
        QVERIFY2(s.contains(key), key);
      QCOMPARE(s.at("position_ids").size(), std::size_t(16));
      QCOMPARE(s.at("chunk_lengths").size(), std::size_t(3));
      QVERIFY(s.at("position_ids").back().get<std::int64_t>() < 64);
    }
    // Same seed, same output: the CLI is a window onto the training stream.
    QCOMPARE(run({"positions", "--train-len", "16", "--target-len", "64", "--chunks", "3", "--samples", "5", "--seed",
                  "9", "--doc-len", "100", "--json"})
                 .out,
             r.out);
  }

  void positionsTextSummaryAndShortDocuments() {
    const Result r = run({"positions", "--train-len", "16", "--target-len", "64", "--samples", "2", "--doc-len", "10"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.find("sample 1: 2 chunks, 10 tokens") != std::string::npos);
    QVERIFY(r.out.find("note: document has 10 tokens") != std::string::npos);
    const Result tiny = run({"positions", "--train-len", "16", "--target-len", "64", "--samples", "1", "--doc-len", "1"});
    QCOMPARE(tiny.code, 0);
    QVERIFY(tiny.out.find("skipped — document has 1 tokens") != std::string::npos);
    const Result rp = run({"positions", "--train-len", "64", "--target-len", "128", "--strategy", "randpos", "--samples", "1"});
    QVERIFY(rp.out.find("more chunks (--json lists them all)") != std::string::npos);
  }

  void coverageExactJson() {
    const Result r = run({"coverage", "--train-len", "8", "--target-len", "40", "--strategy", "pose", "--method", "exact",
                          "--run-samples", "10", "--json"});
    QCOMPARE(r.code, 0);
    const auto j = nlohmann::json::parse(r.out);
    QCOMPARE(j.at("method").get<std::string>(), std::string("exact"));
    QCOMPARE(j.at("coverage").size(), std::size_t(40));
    QCOMPARE(j.at("expected_pairs").size(), std::size_t(40));
    QCOMPARE(j.at("coverage")[20].get<double>(), 7.0 / 33.0);
    QCOMPARE(j.at("at_least_once").at("samples").get<int>(), 10);
    QVERIFY(std::abs(j.at("at_least_once").at("coverage")[20].get<double>() - (1 - std::pow(26.0 / 33.0, 10))) < 1e-12);
    QCOMPARE(j.at("design").at("strategy").get<std::string>(), std::string("pose"));
  }

  void coverageMonteCarloJsonCarriesItsError() {
    const Result r = run({"coverage", "--train-len", "8", "--target-len", "40", "--strategy", "randpos", "--samples",
                          "300", "--seed", "4", "--json"});
    QCOMPARE(r.code, 0);
    const auto j = nlohmann::json::parse(r.out);
    QCOMPARE(j.at("method").get<std::string>(), std::string("monte-carlo"));  // randpos has no exact curve
    QCOMPARE(j.at("samples").get<int>(), 300);
    for (const char* key : {"std_error", "wilson95_lower", "wilson95_upper"}) QCOMPARE(j.at(key).size(), std::size_t(40));
  }

  void coverageTextSummary() {
    const Result r = run({"coverage", "--train-len", "2048", "--target-len", "16384"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.find("method: exact") != std::string::npos);
    QVERIFY(r.out.find("published plateau (Lc-1)/(Lt-Lc+1) = 0.142777") != std::string::npos);
    QVERIFY(r.out.find("min P(d) = 0.000070 at d = 16383") != std::string::npos);
  }

  void badDesignsExitTwoAndNameTheParameter() {
    Result r = run({"coverage", "--train-len", "4096", "--target-len", "2048"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.find("train-len: 4096 exceeds target-len 2048") != std::string::npos);
    r = run({"positions", "--train-len", "16", "--target-len", "64", "--strategy", "posev1"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.find("pose-v1") != std::string::npos);
    r = run({"coverage", "--train-len", "16", "--target-len", "64", "--chunks", "3", "--method", "exact"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.find("method:") != std::string::npos);
    r = run({"positions", "--target-len", "64"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.find("missing --train-len") != std::string::npos);
    r = run({"coverage", "--train-len", "16", "--target-len", "64", "--sample", "5"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.find("did you mean --samples") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestPositionsCli)
#include "test_positions_cli.moc"
