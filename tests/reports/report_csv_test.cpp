#include "reports/report_csv.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/iso_time.h"
#include "reports/report_fixture.h"

namespace assay {
namespace {

using Records = std::vector<std::vector<std::string>>;

std::string csv(const Summary& s, Lang lang = Lang::en) {
  const Json inventory;
  return render_csv(ReportInput{.summary = s, .inventory = inventory, .lang = lang, .journal_lines = {}});
}

// An RFC 4180 reader, strict: records end in CRLF, quotes only around whole fields.
Records parse_csv(const std::string& text) {
  Records records(1, std::vector<std::string>(1));
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    std::string& field = records.back().back();
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
        EXPECT_TRUE(i + 1 == text.size() || text[i + 1] == ',' || text[i + 1] == '\r') << "quote inside a field";
      } else {
        field += c;
      }
    } else if (c == '"') {
      EXPECT_TRUE(field.empty()) << "quote inside an unquoted field at " << i;
      quoted = true;
    } else if (c == ',') {
      records.back().emplace_back();
    } else if (c == '\r') {
      EXPECT_TRUE(i + 1 < text.size() && text[i + 1] == '\n') << "bare CR at " << i;
      ++i;
      records.emplace_back(1);
    } else {
      EXPECT_NE(c, '\n') << "bare LF at " << i;
      field += c;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quoted field";
  EXPECT_EQ(records.back(), std::vector<std::string>(1)) << "the last record must end in CRLF";
  records.pop_back();
  return records;
}

std::size_t column(const std::string& name) {
  const auto& cols = csv_columns();
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (cols[i] == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

TEST(ReportCsv, MatchesTheGoldenFile) {
  testing::expect_matches_golden(csv(testing::fixed_summary()), "results.csv");
}

TEST(ReportCsv, MatchesTheGoldenFleetFile) {
  testing::expect_matches_golden(csv(testing::fleet_summary()), "results_fleet.csv");
}

TEST(ReportCsv, HeaderIsEnglishAndTheSameInEveryLanguage) {
  const Summary s = testing::fleet_summary();
  const std::string en = csv(s);
  EXPECT_EQ(csv(s, Lang::zh), en);
  const Records records = parse_csv(en);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.front(), std::vector<std::string>(csv_columns().begin(), csv_columns().end()));
  EXPECT_EQ(fmt::format("{}", fmt::join(records.front(), ",")),
            "node,probe,subject,key,unit,value,value_rule,n,min,median,max,mean,stdev,cv,p05,p95,"
            "median_ci_low,median_ci_high,median_ci_level,verdict,rated,ratio,criterion,rated_source,fleet_outlier");
  for (const auto& r : records) EXPECT_EQ(r.size(), csv_columns().size());
}

TEST(ReportCsv, OneRowPerMeasurementAndOneForEachResultWithoutMetrics) {
  const Summary s = testing::fixed_summary();
  const Records records = parse_csv(csv(s));
  // cpu.fma: 2 metrics, memory.stream: 1 metric (an error result), gpu.gemm: skipped, none.
  ASSERT_EQ(records.size(), 1u + 2u + 1u + 1u);
  const auto& fma = records[1];
  EXPECT_EQ(fma[column("node")], "gpu-017");
  EXPECT_EQ(fma[column("probe")], "cpu.fma");
  EXPECT_EQ(fma[column("subject")], "cpu");
  EXPECT_EQ(fma[column("key")], "cpu.fma.fp64");
  EXPECT_EQ(fma[column("unit")], "FLOP/s");
  EXPECT_EQ(fma[column("value")], "196000000000");
  EXPECT_EQ(fma[column("value_rule")], "median");
  EXPECT_EQ(fma[column("n")], "5");
  EXPECT_EQ(fma[column("verdict")], "PASS");
  EXPECT_EQ(fma[column("rated")], "200000000000");
  EXPECT_EQ(fma[column("ratio")], "0.98");
  EXPECT_EQ(fma[column("rated_source")], "derived on gpu-017 (cpu.fma.fp64_peak_derived)");
  EXPECT_EQ(records[2][column("verdict")], "");  // no verdict was given to the derived peak itself
  // The figures of a probe whose self-check failed carry that verdict, not a judgement.
  const auto& stream = records[3];
  EXPECT_EQ(stream[column("key")], "memory.stream.triad");
  EXPECT_EQ(stream[column("value_rule")], "best");
  EXPECT_EQ(stream[column("verdict")], "FAIL");
  EXPECT_EQ(stream[column("criterion")], "the probe's self-check must pass: a[17] = 2, expected 3");
  EXPECT_EQ(stream[column("rated")], "");
  const auto& gemm = records[4];
  EXPECT_EQ(gemm[column("probe")], "gpu.gemm");
  EXPECT_EQ(gemm[column("key")], "");
  EXPECT_EQ(gemm[column("value")], "");
  EXPECT_EQ(gemm[column("verdict")], "SKIP");
  EXPECT_EQ(gemm[column("criterion")], "probe skipped: no CUDA device: driver not loaded");
}

TEST(ReportCsv, FleetOutliersHaveTheirOwnColumn) {
  const Records records = parse_csv(csv(testing::fleet_summary()));
  bool seen = false;
  for (const auto& r : records) {
    if (r[column("subject")] == "gpu-018->gpu-019" && r[column("key")] == "interconnect.p2p.bandwidth") {
      seen = true;
      EXPECT_EQ(r[column("verdict")], "FAIL");
      EXPECT_EQ(r[column("rated")], "12500000000");
      EXPECT_EQ(r[column("fleet_outlier")], "FAIL");
    } else if (r[column("node")] == "gpu-017" && r[column("key")] == "cpu.fma.fp64") {
      EXPECT_EQ(r[column("fleet_outlier")], "");
    }
  }
  EXPECT_TRUE(seen);
}

TEST(ReportCsv, NumbersReadBackExactly) {
  Summary s = testing::fixed_summary();
  s.results.resize(1);
  s.results[0].metrics = {make_metric("cpu.fma.fp64", Unit::flop_per_s, Better::higher,
                                      {0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0, 1e-300, 123456789.123456789})};
  const Records records = parse_csv(csv(s));
  ASSERT_EQ(records.size(), 2u);
  const Metric& m = s.results[0].metrics[0];
  const auto read = [&](const std::string& name) { return std::strtod(records[1][column(name)].c_str(), nullptr); };
  EXPECT_EQ(read("value"), m.value);
  EXPECT_EQ(read("min"), m.stats.min);
  EXPECT_EQ(read("max"), m.stats.max);
  EXPECT_EQ(read("mean"), m.stats.mean);
  EXPECT_EQ(read("stdev"), m.stats.stdev);
  EXPECT_EQ(read("cv"), m.stats.cv);
  EXPECT_EQ(read("p05"), m.stats.p05);
  EXPECT_EQ(read("p95"), m.stats.p95);
  EXPECT_EQ(read("median_ci_low"), m.stats.median_ci_low);
  EXPECT_EQ(read("median_ci_level"), m.stats.median_ci_level);
}

TEST(ReportCsv, QuotedFieldsReadBackExactly) {
  Summary s = testing::fixed_summary();
  const std::string hostile = "=cmd|' /C calc'!A0, \"quoted\"\r\nnext line\n+-@\t汉";
  for (auto& r : s.results) {
    r.node = hostile;
    r.subject = "a,b";
    r.reason = hostile;
  }
  for (auto& v : s.verdicts) {
    v.node = hostile;
    v.subject = "a,b";
    v.message = hostile;
    v.criterion = "\"quoted\" criterion";
    v.source = hostile;
  }
  const Records records = parse_csv(csv(s));
  ASSERT_EQ(records.size(), 5u);
  for (std::size_t i = 1; i < records.size(); ++i) {
    EXPECT_EQ(records[i][column("node")], hostile);
    EXPECT_EQ(records[i][column("subject")], "a,b");
  }
  EXPECT_EQ(records[1][column("verdict")], "PASS");
  EXPECT_EQ(records[1][column("criterion")], "\"quoted\" criterion");
  EXPECT_EQ(records[1][column("rated_source")], hostile);
  EXPECT_EQ(records[4][column("criterion")], "\"quoted\" criterion: " + hostile);
}

// 10,000 nodes x 50 metrics: the verdict of each row is found by an index, never by a
// scan of every verdict (500,000 x 500,000 comparisons would take hours).
TEST(ReportCsv, ALargeFleetRendersInSeconds) {
  Summary s;
  s.plan_name = "scale";
  constexpr std::size_t kNodes = 10'000, kMetrics = 50;
  s.results.reserve(kNodes);
  s.verdicts.reserve(kNodes * kMetrics);
  for (std::size_t n = 0; n < kNodes; ++n) {
    ProbeResult r;
    r.probe = "gpu.gemm";
    r.node = fmt::format("node-{:05}", n);
    r.subject = "gpu";
    for (std::size_t k = 0; k < kMetrics; ++k) {
      Metric m;
      m.key = fmt::format("gpu.gemm.k{:02}", k);
      m.unit = Unit::flop_per_s;
      m.samples = {1e14, 1.01e14, 0.99e14};
      m.value = 1e14;
      m.stats.n = 3;
      r.metrics.push_back(m);
      Verdict v;
      v.node = r.node;
      v.subject = r.subject;
      v.key = m.key;
      v.status = VerdictStatus::pass;
      v.measured = m.value;
      v.rated = 1e14;
      v.ratio = 1.0;
      v.criterion = "measured >= 0.90 x rated";
      s.verdicts.push_back(std::move(v));
    }
    s.results.push_back(std::move(r));
  }
  const auto start = std::chrono::steady_clock::now();
  const std::string text = csv(s);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 10.0);
  std::printf("results.csv of %zu rows in %.2f s\n", kNodes * kMetrics, seconds);
  std::size_t rows = 0;
  for (char c : text) rows += c == '\n';
  EXPECT_EQ(rows, 1 + kNodes * kMetrics);
  EXPECT_NE(text.find("node-09999,gpu.gemm,gpu,gpu.gemm.k49,FLOP/s,100000000000000,median,3,"), std::string::npos);
}

}  // namespace
}  // namespace assay
