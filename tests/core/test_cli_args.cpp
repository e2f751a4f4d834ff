// The `pose` argument reader and dispatcher: option forms, typed getters, errors.
#include <QtTest>

#include "cli_args.h"
#include "commands.h"
#include "common/error.h"

#include <sstream>

#include <nlohmann/json.hpp>
#include <torch/version.h>

using pose::cli::Args;

class TestCliArgs : public QObject {
  Q_OBJECT
 private slots:
  void readsValuesFlagsAndPositionals() {
    Args a({"DIR", "--head-dim", "128", "--base=10000", "--json", "--factor", "-2.5"});
    QCOMPARE(a.get_int("head-dim").value(), 128LL);
    QCOMPARE(a.get_double("base").value(), 1e4);
    QCOMPARE(a.get_double("factor").value(), -2.5);  // a negative number is a value, not an option
    QVERIFY(a.flag("json"));
    QVERIFY(!a.flag("verbose"));
    QCOMPARE(a.positionals().size(), std::size_t(1));
    QCOMPARE(a.positionals()[0], std::string("DIR"));
    a.reject_unknown();  // everything was asked for
  }

  void listsOfNumbers() {
    Args a({"--short-factors", "1,1.5,2"});
    auto v = a.get_double_list("short-factors").value();
    QCOMPARE(v.size(), std::size_t(3));
    QCOMPARE(v[1], 1.5);
  }

  void malformedNumberNamesTheOption() {
    Args a({"--base", "ten"});
    try {
      a.get_double("base");
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      QVERIFY(std::string(e.what()).find("--base") != std::string::npos);
    }
  }

  void unknownOptionSuggestsTheNearestKnown() {
    Args a({"--seqlen", "4"});
    (void)a.get_int("seq-len");
    try {
      a.reject_unknown();
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      QVERIFY(std::string(e.what()).find("did you mean --seq-len") != std::string::npos);
    }
  }

  void boundedWholeNumbers() {
    Args a({"--chunks", "0", "--samples", "5"});
    QCOMPARE(a.get_int_at_least("samples", 1, 1), 5LL);
    QCOMPARE(a.get_int_at_least("seed", 42, 0), 42LL);  // absent: the fallback
    try {
      a.get_int_at_least("chunks", 2, 1);
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      QVERIFY(std::string(e.what()).find("--chunks: 0 is below 1") != std::string::npos);
    }
  }

  void missingRequiredOption() {
    Args a({});
    QVERIFY_THROWS_EXCEPTION(pose::UserError, a.require("method"));
  }

  void dispatcherExitCodes() {
    std::ostringstream out, err;
    QCOMPARE(pose::cli::run_cli({"pose", "--help"}, out, err), 0);
    QVERIFY(out.str().find("version") != std::string::npos);
    std::ostringstream out2, err2;
    QCOMPARE(pose::cli::run_cli({"pose", "nope"}, out2, err2), 2);
    QVERIFY(err2.str().find("unknown command 'nope'") != std::string::npos);
    std::ostringstream out3, err3;
    QCOMPARE(pose::cli::run_cli({"pose", "version", "--jsn"}, out3, err3), 2);
    QVERIFY(err3.str().find("did you mean --json") != std::string::npos);
  }

  void versionJsonNamesLibtorch() {
    std::ostringstream out, err;
    QCOMPARE(pose::cli::run_cli({"pose", "version", "--json"}, out, err), 0);
    auto j = nlohmann::json::parse(out.str());
    QCOMPARE(QString::fromStdString(j.at("torch_version").get<std::string>()), QString(TORCH_VERSION));
    QVERIFY(j.contains("cuda_available"));
  }

  void threadsOptionSetsTheTorchPool() {
    std::ostringstream out, err;
    QCOMPARE(pose::cli::run_cli({"pose", "--threads", "1", "version", "--json"}, out, err), 0);
    QCOMPARE(nlohmann::json::parse(out.str()).at("cpu_threads").get<int>(), 1);
    std::ostringstream out2, err2;
    QCOMPARE(pose::cli::run_cli({"pose", "--threads", "2", "version", "--json"}, out2, err2), 0);
    QCOMPARE(nlohmann::json::parse(out2.str()).at("cpu_threads").get<int>(), 2);
    std::ostringstream out3, err3;
    QCOMPARE(pose::cli::run_cli({"pose", "--threads", "zero", "version"}, out3, err3), 2);
    QVERIFY(err3.str().find("--threads") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestCliArgs)
#include "test_cli_args.moc"
