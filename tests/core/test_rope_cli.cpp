// `pose rope`, run in-process through the dispatcher.
#include <QtTest>

#include "commands.h"

#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

namespace {

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result run(std::vector<std::string> args) {
  args.insert(args.begin(), {"pose", "--log-level", "off", "rope"});
  std::ostringstream out, err;
  const int code = pose::cli::run_cli(args, out, err);
  return {code, out.str(), err.str()};
}

const std::vector<std::string> kFactsExample = {"--method", "yarn", "--head-dim", "128", "--base", "10000",
                                                "--factor", "16", "--original-max", "4096"};

constexpr double kPi = 3.14159265358979323846;

}  // namespace

class TestRopeCli : public QObject {
  Q_OBJECT
 private slots:
  void listedInHelp() {
    std::ostringstream out, err;
    QCOMPARE(pose::cli::run_cli({"pose", "--help"}, out, err), 0);
    QVERIFY(out.str().find("rope") != std::string::npos);
    std::ostringstream usage, err2;
    QCOMPARE(pose::cli::run_cli({"pose", "rope", "--help"}, usage, err2), 0);
    QVERIFY(usage.str().find("--original-max") != std::string::npos);
  }

  // d=128, b=1e4, L0=4096, s=16: ramp 20..46, a = 0.1 ln 16 + 1.
  void jsonForTheFactsExample() {
    std::vector<std::string> args = kFactsExample;
    args.push_back("--json");
    const Result r = run(args);
    QCOMPARE(r.code, 0);
    const auto j = nlohmann::json::parse(r.out);
    QCOMPARE(j.at("method").get<std::string>(), std::string("yarn"));
    QCOMPARE(j.at("params").at("head_dim").get<int>(), 128);
    QCOMPARE(j.at("params").at("original_max_position").get<int>(), 4096);
    QVERIFY(j.at("params").at("max_position").is_null());
    QCOMPARE(j.at("ramp_low").get<double>(), 20.0);
    QCOMPARE(j.at("ramp_high").get<double>(), 46.0);
    QVERIFY(std::abs(j.at("attention_factor").get<double>() - 1.2772589) < 1e-7);
    const auto inv = j.at("inv_freq").get<std::vector<double>>();
    const auto wavelength = j.at("wavelength").get<std::vector<double>>();
    QCOMPARE(inv.size(), std::size_t(64));
    QCOMPARE(wavelength.size(), std::size_t(64));
    for (int i = 0; i < 64; ++i) {
      const double t = std::pow(1e4, -2.0 * i / 128);
      const double ramp = std::clamp((i - 20.0) / 26.0, 0.0, 1.0);
      const double expected = (t / 16) * ramp + t * (1 - ramp);
      QVERIFY2(std::abs(inv[static_cast<std::size_t>(i)] - expected) <= 1e-15 * expected, qPrintable(QString::number(i)));
      QVERIFY(std::abs(wavelength[static_cast<std::size_t>(i)] - 2 * kPi / expected) <= 1e-12 * wavelength[static_cast<std::size_t>(i)]);
    }
  }

  void tableHasHeaderAndOneRowPerFrequency() {
    const Result r = run(kFactsExample);
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.find("attention factor 1.2772589") != std::string::npos, r.out.c_str());
    QVERIFY(r.out.find("dims 20 .. 46") != std::string::npos);
    // Row for the last frequency: ratio = 16 (fully interpolated).
    QVERIFY(r.out.find("\n   63  ") != std::string::npos);
    QVERIFY(r.out.find("16.000\n") != std::string::npos);
    QVERIFY(r.out.find("\n    0  ") != std::string::npos);
  }

  void derivesFactorFromWindowsForLongrope() {
    const Result r = run({"--method", "longrope", "--head-dim", "4", "--original-max", "4096", "--max-position",
                          "131072", "--short-factors", "1,1", "--long-factors", "1,4", "--seq-len", "8000", "--json"});
    QCOMPARE(r.code, 0);
    const auto j = nlohmann::json::parse(r.out);
    QCOMPARE(j.at("params").at("factor").get<double>(), 32.0);
    QVERIFY(std::abs(j.at("attention_factor").get<double>() - std::sqrt(1 + std::log(32.0) / std::log(4096.0))) < 1e-15);
    QCOMPARE(j.at("inv_freq")[1].get<double>(), 1.0 / (4.0 * 100.0));  // long factor, b^(2/4) = 100
  }

  void badInputExitsWithTwoAndNamesTheProblem() {
    Result r = run({"--method", "yarn", "--head-dim", "128", "--factor", "0.5", "--original-max", "4096"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.find("factor: 0.5 is below 1") != std::string::npos, r.err.c_str());
    r = run({"--method", "yarn", "--head-dim", "128", "--factor", "4"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.find("original_max_position") != std::string::npos, r.err.c_str());
    r = run({"--method", "yarn2", "--head-dim", "128"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.find("yarn-pose") != std::string::npos);  // lists the valid names
    r = run({"--method", "none", "--head-dim", "128", "--bse", "5"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.find("did you mean --base") != std::string::npos);
    r = run({"--method", "none"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.find("--head-dim") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestRopeCli)
#include "test_rope_cli.moc"
