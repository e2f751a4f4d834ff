// Position-id samplers: structural invariants of every sample, reproducible
// streams, and the distributions the PoSE paper specifies (chi-square with
// fixed seeds, so a pass or a failure is the same on every machine).
#include <QtTest>

#include "common/error.h"
#include "positions/layout.h"
#include "positions/positions_json.h"
#include "positions/random_stream.h"
#include "positions/sampler.h"
#include "positions/sampler_types.h"

#include <map>
#include <numeric>

using namespace pose::positions;

namespace {

// Returns an empty string when the sample satisfies every invariant, else what broke.
std::string check_sample(const Design& d, const Sample& s, std::int64_t doc_len) {
  const std::int64_t full = d.strategy == Strategy::Full ? d.target_len : d.train_len;
  if (s.window != std::min(full, doc_len)) return "window";
  if (static_cast<std::int64_t>(s.position_ids.size()) != s.window) return "position count != window";
  if (std::accumulate(s.chunk_lengths.begin(), s.chunk_lengths.end(), std::int64_t{0}) != s.window)
    return "chunk lengths do not sum to the window";
  const auto n = s.chunk_lengths.size();
  if (s.position_skips.size() != n || s.text_skips.size() != n || s.text_ranges.size() != n) return "per-chunk sizes";
  for (std::size_t i = 0; i < s.position_ids.size(); ++i) {
    if (s.position_ids[i] < 0 || s.position_ids[i] >= d.target_len) return "position outside [0, Lt)";
    if (i > 0 && s.position_ids[i] <= s.position_ids[i - 1]) return "positions not strictly increasing";
  }
  std::int64_t offset = 0, prev_text_end = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const auto l = s.chunk_lengths[k];
    if (l < 1) return "empty chunk";
    if (k > 0 && s.position_skips[k] < s.position_skips[k - 1]) return "position skips decrease";
    for (std::int64_t t = 0; t < l; ++t) {
      if (s.position_ids[static_cast<std::size_t>(offset + t)] != offset + s.position_skips[k] + t)
        return "chunk not contiguous or skip wrong";
    }
    const auto& r = s.text_ranges[k];
    if (r.end - r.begin != l) return "text range length != chunk length";
    if (r.begin != offset + s.text_skips[k]) return "text range != offset + text skip";
    if (r.begin < prev_text_end) return "text ranges overlap or out of order";
    if (r.begin < 0 || r.end > doc_len) return "text range outside the document";
    prev_text_end = r.end;
    offset += l;
  }
  if (d.strategy == Strategy::Pose && s.position_skips[0] != 0) return "pose moved chunk 0";
  return {};
}

double chi_square(const std::vector<std::int64_t>& counts, const std::vector<double>& expected_p, std::int64_t n) {
  double chi = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double e = expected_p[i] * static_cast<double>(n);
    chi += (static_cast<double>(counts[i]) - e) * (static_cast<double>(counts[i]) - e) / e;
  }
  return chi;
}

// Upper 0.1% point of chi-square with 16 degrees of freedom.
constexpr double kChi16_999 = 39.25;

}  // namespace

class TestPositionSamplers : public QObject {
  Q_OBJECT
 private slots:
  void splitmixMatchesItsReferenceVector() {
    // SplitMix64 seeded with 1234567: first output from the reference C code.
    RandomStream r(1234567);
    QCOMPARE(r.next(), std::uint64_t{6457827717110365317ULL});
  }

  void boundedDrawsStayInRangeAndHitBothEnds() {
    RandomStream r = RandomStream::for_sample(3, 0);
    bool lo = false, hi = false;
    for (int i = 0; i < 2000; ++i) {
      const auto v = r.between(-3, 5);
      QVERIFY(v >= -3 && v <= 5);
      lo |= v == -3;
      hi |= v == 5;
    }
    QVERIFY(lo && hi);
    const auto subset = r.distinct_sorted(50, 50);  // k == n: everything
    QCOMPARE(subset.size(), std::size_t(50));
    QCOMPARE(subset.back(), std::int64_t{49});
  }

  void everySampleSatisfiesTheInvariants() {
    const std::vector<Design> designs = {
        make_design(Strategy::Pose, 16, 64),
        make_design(Strategy::Pose, 17, 64),  // odd Lc: l0 up to ceil(17/2) = 9 > l1 possible
        make_design(Strategy::Pose, 16, 64, 1),
        make_design(Strategy::Pose, 16, 64, 3),
        make_design(Strategy::Pose, 16, 64, 5, TextSkip::Equal),
        make_design(Strategy::Pose, 16, 64, 16, TextSkip::Zero),
        make_design(Strategy::Pose, 16, 16),  // Lt == Lc: no room to skip
        make_design(Strategy::PoseV1, 16, 64),
        make_design(Strategy::PoseV1, 16, 64, 3, TextSkip::Equal),
        make_design(Strategy::RandPos, 16, 64),
        make_design(Strategy::RandPos, 60, 64),
        make_design(Strategy::Full, 16, 64),
        make_design(Strategy::None, 16, 64),
    };
    for (const auto& d : designs) {
      for (std::int64_t doc : {std::int64_t{64}, std::int64_t{16}, std::int64_t{19}, std::int64_t{1000}, std::int64_t{7}}) {
        for (std::uint64_t i = 0; i < 150; ++i) {
          const Sample s = draw_sample(d, doc, 11, i);
          if (doc < min_document_tokens(d)) {  // e.g. 7 tokens for 16 chunks
            QCOMPARE(s.status, SampleStatus::TooShort);
            continue;
          }
          const std::string broke = check_sample(d, s, doc);
          if (!broke.empty()) {
            QFAIL(qPrintable(QString::fromStdString(describe(d) + ", doc " + std::to_string(doc) + ", sample " +
                                                    std::to_string(i) + ": " + broke)));
          }
          const bool shortened = doc < (d.strategy == Strategy::Full ? d.target_len : d.train_len);
          QCOMPARE(s.status, shortened ? SampleStatus::Shortened : SampleStatus::Ok);
          QCOMPARE(s.reason.empty(), !shortened);
        }
      }
    }
  }

  void sameSeedAndIndexGiveTheSameSample() {
    const Design d = make_design(Strategy::Pose, 32, 256, 3);
    const Sample a = draw_sample(d, 500, 42, 7);
    const Sample b = draw_sample(d, 500, 42, 7);
    QVERIFY(a.position_ids == b.position_ids);
    QVERIFY(a.text_ranges == b.text_ranges);
    int differs_by_index = 0, differs_by_seed = 0;
    for (std::uint64_t i = 0; i < 20; ++i) {
      differs_by_index += draw_sample(d, 500, 42, i).position_ids != draw_sample(d, 500, 42, i + 1).position_ids;
      differs_by_seed += draw_sample(d, 500, 42, i).position_ids != draw_sample(d, 500, 43, i).position_ids;
    }
    QVERIFY(differs_by_index >= 18);
    QVERIFY(differs_by_seed >= 18);
    // draw_samples(first, count) is the same stream as single draws: resuming at
    // index 5 reproduces what an uninterrupted run drew.
    const auto run = draw_samples(d, 500, 42, 0, 8);
    const auto resumed = draw_samples(d, 500, 42, 5, 3);
    for (int i = 0; i < 3; ++i) QVERIFY(run[static_cast<std::size_t>(5 + i)].position_ids == resumed[static_cast<std::size_t>(i)].position_ids);
  }

  void streamIsPinned() {
    // The stream is specified bit for bit (SplitMix64 + rejection draws); if
    // this changes, resumed runs would silently train different positions.
    const Sample s = draw_sample(make_design(Strategy::Pose, 8, 32), 40, 1, 0);
    const std::vector<std::int64_t> expected_lengths = {s.chunk_lengths[0], 8 - s.chunk_lengths[0]};
    QCOMPARE(s.chunk_lengths, expected_lengths);
    QCOMPARE(QString::fromStdString(to_json(s).dump()),
             QString(R"({"chunk_lengths":[4,4],"index":0,"position_ids":[0,1,2,3,5,6,7,8],)"
                     R"("position_skips":[0,1],"status":"ok","text_ranges":[[0,4],[33,37]],"text_skips":[0,29],)"
                     R"("window":8})"));
  }

  void publishedChunkLengthRule() {
    // l0 ~ U{1 .. ceil(Lc/2)}: both ends occur, nothing outside.
    for (std::int64_t lc : {std::int64_t{10}, std::int64_t{11}}) {
      const Design d = make_design(Strategy::Pose, lc, 64);
      std::map<std::int64_t, int> seen;
      for (std::uint64_t i = 0; i < 3000; ++i) seen[draw_sample(d, 64, 5, i).chunk_lengths[0]]++;
      QCOMPARE(seen.begin()->first, std::int64_t{1});
      QCOMPARE(seen.rbegin()->first, (lc + 1) / 2);
      QCOMPARE(static_cast<std::int64_t>(seen.size()), (lc + 1) / 2);
    }
  }

  void publishedSkipIsUniformOnZeroToLtMinusLc() {
    // Lc = 8, Lt = 24: u1 ~ U{0..16}, 17 cells, df = 16.
    const Design d = make_design(Strategy::Pose, 8, 24);
    const std::int64_t m = 16, n = 17000;
    std::vector<std::int64_t> counts(static_cast<std::size_t>(m + 1), 0);
    std::vector<std::int64_t> v1_gaps(static_cast<std::size_t>(m + 1), 0);
    std::vector<std::int64_t> short_range(static_cast<std::size_t>(m + 1), 0);
    const Design v1 = make_design(Strategy::PoseV1, 8, 24);
    RandomStream off_by_one = RandomStream::for_sample(99, 0);
    for (std::int64_t i = 0; i < n; ++i) {
      const auto u = draw_sample(d, 24, 2024, static_cast<std::uint64_t>(i)).position_skips[1];
      QVERIFY(u >= 0 && u <= m);
      counts[static_cast<std::size_t>(u)]++;
      const auto s = draw_sample(v1, 24, 2024, static_cast<std::uint64_t>(i));
      v1_gaps[static_cast<std::size_t>(s.position_skips[1] - s.position_skips[0])]++;
      short_range[static_cast<std::size_t>(off_by_one.between(0, m - 1))]++;  // U{0..M-1}: a classic slip
    }
    const std::vector<double> uniform(static_cast<std::size_t>(m + 1), 1.0 / 17.0);
    const double chi = chi_square(counts, uniform, n);
    QVERIFY2(chi < kChi16_999, qPrintable(QString("chi-square %1").arg(chi)));
    QVERIFY(counts.front() > 0 && counts.back() > 0);  // both ends of the range occur
    // The same test rejects the wrong distributions it is meant to catch.
    QVERIFY(chi_square(v1_gaps, uniform, n) > 10 * kChi16_999);
    QVERIFY(chi_square(short_range, uniform, n) > 10 * kChi16_999);  // the empty last cell alone adds 1000
  }

  void poseV1FavoursSmallSkipsAsPublished() {
    // gap g = rt - lt with lt ~ U{0..M}, rt ~ U{lt..M}: P(g) = (H(M+1) - H(g))/(M+1).
    const Design v1 = make_design(Strategy::PoseV1, 8, 24);
    const std::int64_t m = 16, n = 17000;
    std::vector<std::int64_t> gaps(static_cast<std::size_t>(m + 1), 0);
    for (std::int64_t i = 0; i < n; ++i) {
      const auto s = draw_sample(v1, 24, 7, static_cast<std::uint64_t>(i));
      QVERIFY(s.position_skips[0] >= 0 && s.position_skips[1] <= m);
      gaps[static_cast<std::size_t>(s.position_skips[1] - s.position_skips[0])]++;
    }
    std::vector<double> p(static_cast<std::size_t>(m + 1));
    for (std::int64_t g = 0; g <= m; ++g) {
      double t = 0;
      for (std::int64_t k = g + 1; k <= m + 1; ++k) t += 1.0 / static_cast<double>(k);
      p[static_cast<std::size_t>(g)] = t / static_cast<double>(m + 1);
    }
    QVERIFY(chi_square(gaps, p, n) < kChi16_999);
    const auto small = std::accumulate(gaps.begin(), gaps.begin() + 5, std::int64_t{0});  // g <= M/4
    const auto large = std::accumulate(gaps.begin() + 12, gaps.end(), std::int64_t{0});   // g >= 3M/4
    QVERIFY2(small > 5 * large, qPrintable(QString("small %1 large %2").arg(small).arg(large)));
  }

  void threeChunkLengthsAreAUniformComposition() {
    // Lc = 6 into 3 positive parts: C(5,2) = 10 compositions, equally likely.
    const Design d = make_design(Strategy::Pose, 6, 30, 3);
    std::map<std::vector<std::int64_t>, std::int64_t> seen;
    const std::int64_t n = 10000;
    for (std::int64_t i = 0; i < n; ++i) seen[draw_sample(d, 30, 3, static_cast<std::uint64_t>(i)).chunk_lengths]++;
    QCOMPARE(seen.size(), std::size_t(10));
    std::vector<std::int64_t> counts;
    for (const auto& kv : seen) counts.push_back(kv.second);
    // df = 9, 0.1% point 27.88.
    QVERIFY(chi_square(counts, std::vector<double>(10, 0.1), n) < 27.88);
  }

  void nChunkSkipsFollowThePaper() {
    // u_1 ~ U{0..M}, u_2 ~ U{u_1..M}: the last skip reaches M, u_2 = u_1 happens.
    const Design d = make_design(Strategy::Pose, 12, 40, 3);
    bool reached_max = false, adjacent = false;
    for (std::uint64_t i = 0; i < 3000; ++i) {
      const auto s = draw_sample(d, 40, 8, i);
      reached_max |= s.position_skips[2] == 28;
      adjacent |= s.position_skips[2] == s.position_skips[1];
      QVERIFY(s.position_ids.back() <= 39);
    }
    QVERIFY(reached_max && adjacent);
  }

  void textSkipVariants() {
    const std::int64_t doc = 100;
    // uniform: v1 ~ U{0 .. Lx - Lc}, both ends occur, independent of u1.
    {
      const Design d = make_design(Strategy::Pose, 16, 64);
      bool lo = false, hi = false;
      int equal_to_u = 0;
      for (std::uint64_t i = 0; i < 4000; ++i) {
        const auto s = draw_sample(d, doc, 1, i);
        lo |= s.text_skips[1] == 0;
        hi |= s.text_skips[1] == doc - 16;
        equal_to_u += s.text_skips[1] == s.position_skips[1];
      }
      QVERIFY(lo && hi);
      QVERIFY(equal_to_u < 150);  // independent: P(v1 == u1) = 1/85, about 47 of 4000
    }
    // zero: the chunks read the first Lc tokens as one span.
    {
      const auto s = draw_sample(make_design(Strategy::Pose, 16, 64, 3, TextSkip::Zero), doc, 1, 0);
      QCOMPARE(s.text_ranges.front().begin, std::int64_t{0});
      QCOMPARE(s.text_ranges.back().end, std::int64_t{16});
    }
    // equal: v_i = u_i, clamped to Lx - W when the document is too short.
    {
      const Design d = make_design(Strategy::Pose, 16, 64, 2, TextSkip::Equal);
      const std::int64_t short_doc = 20;  // room for text skips up to 4 only
      bool clamped = false;
      for (std::uint64_t i = 0; i < 300; ++i) {
        const auto s = draw_sample(d, doc, 1, i);
        QCOMPARE(s.text_skips[1], std::min(s.position_skips[1], doc - 16));
        const auto t = draw_sample(d, short_doc, 1, i);
        QCOMPARE(t.text_skips[1], std::min(t.position_skips[1], short_doc - 16));
        clamped |= t.position_skips[1] > 4;
        QVERIFY(t.text_ranges.back().end <= short_doc);
      }
      QVERIFY(clamped);
    }
  }

  void randposIsASortedUniformSubset() {
    const Design d = make_design(Strategy::RandPos, 8, 32);
    std::vector<std::int64_t> hits(32, 0);
    const std::int64_t n = 4000;
    for (std::int64_t i = 0; i < n; ++i) {
      const auto s = draw_sample(d, 32, 4, static_cast<std::uint64_t>(i));
      for (auto p : s.position_ids) hits[static_cast<std::size_t>(p)]++;
      QCOMPARE(s.text_ranges.front().begin, std::int64_t{0});  // text: the first Lc tokens
      QCOMPARE(s.text_ranges.back().end, std::int64_t{8});
    }
    // Each id is chosen with probability Lc/Lt = 1/4; df = 31, 0.1% point 61.1.
    // (Counts of one subset are not independent cells; the statistic is
    // conservative here: multinomial-like dependence lowers it.)
    QVERIFY(chi_square(hits, std::vector<double>(32, 8.0 / 32.0), n) < 61.1);
    QVERIFY(hits.front() > 0 && hits.back() > 0);
  }

  void fullAndNoneAreContiguous() {
    const auto f = draw_sample(make_design(Strategy::Full, 16, 64), 100, 1, 3);
    QCOMPARE(f.position_ids.size(), std::size_t(64));
    QCOMPARE(f.position_ids.back(), std::int64_t{63});
    const auto z = draw_sample(make_design(Strategy::None, 16, 64), 100, 1, 3);
    QCOMPARE(z.position_ids.size(), std::size_t(16));
    QCOMPARE(z.position_ids.back(), std::int64_t{15});
    QCOMPARE(z.chunk_lengths.size(), std::size_t(1));
  }

  void shortDocumentsAreScaledDownLikeTheReference() {
    // Lx = 10 < Lc = 16: train on all 10 tokens, skips over {0 .. Lt - 10}.
    const Design d = make_design(Strategy::Pose, 16, 64);
    std::int64_t max_skip = 0;
    for (std::uint64_t i = 0; i < 2000; ++i) {
      const auto s = draw_sample(d, 10, 2, i);
      QCOMPARE(s.status, SampleStatus::Shortened);
      QCOMPARE(s.window, std::int64_t{10});
      QVERIFY(s.chunk_lengths[0] <= 5);  // ceil(10/2)
      QCOMPARE(s.text_ranges.back().end, std::int64_t{10});  // no room for a text skip
      max_skip = std::max(max_skip, s.position_skips[1]);
    }
    QCOMPARE(max_skip, std::int64_t{54});
    QVERIFY(QString::fromStdString(draw_sample(d, 10, 2, 0).reason).contains("10 tokens"));
  }

  void tooShortDocumentsAreReportedNotDropped() {
    const auto one = draw_sample(make_design(Strategy::Pose, 16, 64), 1, 0, 0);
    QCOMPARE(one.status, SampleStatus::TooShort);
    QVERIFY(one.position_ids.empty());
    QVERIFY(QString::fromStdString(one.reason).contains("needs at least 2"));
    const auto few = draw_sample(make_design(Strategy::Pose, 16, 64, 4), 3, 0, 0);
    QCOMPARE(few.status, SampleStatus::TooShort);
    QVERIFY(QString::fromStdString(few.reason).contains("4 chunks"));
    QCOMPARE(draw_sample(make_design(Strategy::Pose, 16, 64, 4), 4, 0, 0).status, SampleStatus::Shortened);
    QCOMPARE(draw_sample(make_design(Strategy::Full, 16, 64), 0, 0, 0).status, SampleStatus::TooShort);
  }

  void invalidDesignsNameTheParameter() {
    const auto message = [](const Design& d) {
      try {
        validate(d);
      } catch (const pose::UserError& e) {
        return QString::fromStdString(e.what());
      }
      return QString();
    };
    QVERIFY(message(make_design(Strategy::Pose, 0, 64)).startsWith("train-len: 0"));
    QVERIFY(message(make_design(Strategy::Pose, 4096, 2048)).contains("exceeds target-len 2048"));
    QVERIFY(message(make_design(Strategy::Pose, 16, 64, 0)).startsWith("chunks: 0"));
    QVERIFY(message(make_design(Strategy::Pose, 16, 64, 17)).startsWith("chunks: 17 exceeds train-len 16"));
    QVERIFY(message(make_design(Strategy::RandPos, 16, 64, 17)).isEmpty());  // randpos ignores chunks
    QVERIFY_THROWS_EXCEPTION(pose::UserError, draw_sample(make_design(Strategy::Pose, 16, 8), 100, 0, 0));
    try {
      parse_strategy("posee");
      QFAIL("expected an error");
    } catch (const pose::UserError& e) {
      const QString m = e.what();
      QVERIFY(m.startsWith("strategy: unknown strategy 'posee'"));
      QVERIFY(m.contains("pose-v1") && m.contains("randpos") && m.contains("full") && m.contains("none"));
    }
    QVERIFY_THROWS_EXCEPTION(pose::UserError, parse_text_skip("same"));
  }

  void designJsonRoundTrips() {
    const Design d = make_design(Strategy::PoseV1, 32, 128, 3, TextSkip::Equal);
    const Design back = design_from_json(to_json(d));
    QCOMPARE(back.strategy, d.strategy);
    QCOMPARE(back.train_len, d.train_len);
    QCOMPARE(back.target_len, d.target_len);
    QCOMPARE(back.chunks, d.chunks);
    QCOMPARE(back.text_skip, d.text_skip);
    QVERIFY_THROWS_EXCEPTION(pose::UserError, design_from_json(nlohmann::json{{"strategy", "pose"}}));
  }
};

QTEST_APPLESS_MAIN(TestPositionSamplers)
#include "test_position_samplers.moc"
