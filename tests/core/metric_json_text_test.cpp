#include "core/metric_json_text.h"

#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "core/iso_time.h"
#include "core/result_json.h"

namespace assay {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string metric_text(const Metric& m) {
  std::string out;
  append_metric_json(out, m);
  return out;
}

std::string result_text(const ProbeResult& r) {
  std::string out;
  append_result_json(out, r);
  return out;
}

// The fast text must be what nlohmann writes, byte for byte, and so parse to the same
// value (through dump, since a DOM holding NaN never equals the null it is written as).
void expect_same_as_nlohmann(const Metric& m) {
  const std::string fast = metric_text(m);
  const Json dom = to_json(m);
  EXPECT_EQ(fast, dom.dump());
  EXPECT_EQ(Json::parse(fast), Json::parse(dom.dump()));
}

// Figures with awkward shortest forms: integral, tiny, huge, subnormal, negative zero.
const std::vector<double> kEdgeValues = {
    0.0, -0.0, 3.0, -3.0, 1.0, 1e15, 1e16, 1e17, 123456789012345678.0, 1e-5, 1e-7, 0.1,
    -2.5e-300, 1e-300, 1e300, 1.7976931348623157e308, 4.9e-324, 2.2250738585072014e-308,
    0.30000000000000004, 9007199254740993.0, 1.0 / 3.0};

std::string random_text(std::mt19937_64& rng) {
  static const std::vector<std::string> pieces = {
      "cpu.fma.fp64", "gpu0", "socket", "x", "\"", "\\", "\n", "\t", "\x01", "\x1f", "\x7f",
      "/", "温度", "µs", "é", "😀", " ", "{}", "[", "\b\f\r", "'"};
  std::string s;
  const int n = static_cast<int>(rng() % 5);
  for (int i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
  return s;
}

double random_double(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: return kEdgeValues[rng() % kEdgeValues.size()];
    case 1: return static_cast<double>(static_cast<std::int64_t>(rng() % 2000000) - 1000000);
    case 2: return std::ldexp(std::uniform_real_distribution<double>(-1, 1)(rng),
                              static_cast<int>(rng() % 2000) - 1000);
    default: return std::uniform_real_distribution<double>(0, 1e12)(rng);
  }
}

Metric random_metric(std::mt19937_64& rng) {
  std::vector<double> samples(rng() % 12);
  for (auto& x : samples) x = random_double(rng);
  return make_metric(random_text(rng), static_cast<Unit>(rng() % (static_cast<int>(Unit::ratio) + 1)),
                     rng() % 2 ? Better::higher : Better::lower, std::move(samples),
                     rng() % 2 ? ValueRule::median : ValueRule::best, random_text(rng),
                     random_text(rng));
}

TEST(MetricJsonText, MatchesNlohmannForRandomMetrics) {
  std::mt19937_64 rng(20261205);
  for (int i = 0; i < 500; ++i) {
    SCOPED_TRACE(i);
    expect_same_as_nlohmann(random_metric(rng));
  }
}

TEST(MetricJsonText, MatchesNlohmannForEveryUnit) {
  for (int u = 0; u <= static_cast<int>(Unit::ratio); ++u) {
    expect_same_as_nlohmann(make_metric("k", static_cast<Unit>(u), Better::lower, {1, 2, 3}));
  }
}

TEST(MetricJsonText, MatchesNlohmannForEdgeValues) {
  for (const double x : kEdgeValues) {
    SCOPED_TRACE(x);
    expect_same_as_nlohmann(make_metric("k", Unit::second, Better::lower, {x}));
    expect_same_as_nlohmann(make_metric("k", Unit::second, Better::lower, {x, x, -x, 0.5 * x}));
  }
}

TEST(MetricJsonText, NoSamplesAndEmptyOptionalFields) {
  Metric m;
  const std::string fast = metric_text(m);
  EXPECT_EQ(fast, to_json(m).dump());
  EXPECT_EQ(Json::parse(fast).count("subject"), 0u);
  EXPECT_EQ(Json::parse(fast).count("note"), 0u);
  EXPECT_NE(fast.find("\"samples\":[]"), std::string::npos);
}

TEST(MetricJsonText, IntegralDoublesStayFloating) {
  Metric m = make_metric("k", Unit::byte, Better::higher, {3.0, 3.0, 3.0});
  const Json j = Json::parse(metric_text(m));
  EXPECT_TRUE(j["value"].is_number_float());
  EXPECT_TRUE(j["samples"][0].is_number_float());
  EXPECT_TRUE(j["stats"]["n"].is_number_unsigned());
  EXPECT_EQ(j["value"].get<double>(), 3.0);
}

TEST(MetricJsonText, NonFiniteNumbersAreNullAsNlohmannWritesThem) {
  Metric m = make_metric("k", Unit::watt, Better::lower, {1.0, 2.0});
  m.value = kNaN;
  m.samples = {kInf, -kInf, kNaN, 1.0};
  m.stats.mean = kNaN;
  m.stats.cv = kInf;
  m.stats.median_ci_high = -kInf;
  const std::string fast = metric_text(m);
  EXPECT_EQ(fast, to_json(m).dump());
  const Json j = Json::parse(fast);
  EXPECT_TRUE(j["value"].is_null());
  EXPECT_TRUE(j["samples"][1].is_null());
  EXPECT_TRUE(j["stats"]["median_ci"][1].is_null());
}

TEST(MetricJsonText, EscapesStringsAsNlohmannDoes) {
  const Metric m = make_metric("a\"b\\c\nd\x01\x1f\x7f", Unit::kelvin, Better::lower, {358.15},
                               ValueRule::median, "gpu0 温度 😀", "tab\there\r\b\f");
  expect_same_as_nlohmann(m);
  const Json j = Json::parse(metric_text(m));
  EXPECT_EQ(j["key"], m.key);
  EXPECT_EQ(j["subject"], m.subject);
  EXPECT_EQ(j["note"], m.note);
}

TEST(MetricJsonText, MalformedUtf8FailsAsNlohmannDoes) {
  const Metric m = make_metric("bad \xff byte", Unit::second, Better::lower, {1.0});
  EXPECT_THROW(to_json(m).dump(), Json::type_error);
  EXPECT_THROW(metric_text(m), Json::type_error);
}

TEST(MetricJsonText, ReadsBackToTheSameMetric) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    const Metric m = random_metric(rng);
    auto back = metric_from_json(Json::parse(metric_text(m)), "metric");
    auto expected = metric_from_json(to_json(m), "metric");
    ASSERT_TRUE(back);
    ASSERT_TRUE(expected);
    EXPECT_EQ(to_json(*back).dump(), to_json(*expected).dump());
    ASSERT_EQ(back->samples.size(), m.samples.size());
    for (std::size_t s = 0; s < m.samples.size(); ++s) {
      EXPECT_EQ(std::signbit(back->samples[s]), std::signbit(m.samples[s]));
      EXPECT_EQ(back->samples[s], m.samples[s]);
    }
  }
}

ProbeResult random_result(std::mt19937_64& rng) {
  ProbeResult r;
  r.probe = "cpu.fma";
  r.node = random_text(rng);
  r.subject = random_text(rng);
  r.status = static_cast<ProbeStatus>(rng() % 3);
  r.reason = random_text(rng);
  r.error = random_text(rng);
  r.params = {{"threads", std::int64_t{2}}, {"seconds", random_double(rng)},
              {"kernel", random_text(rng)}, {"nt_stores", rng() % 2 == 0},
              {"metrics", std::string("\"metrics\":[]")}};
  r.start = *parse_iso_utc("2026-11-22T01:02:03.000Z");
  r.end = *parse_iso_utc("2026-11-22T01:02:05.250Z");
  const std::size_t metrics = rng() % 6;
  for (std::size_t i = 0; i < metrics; ++i) r.metrics.push_back(random_metric(rng));
  r.validation = {rng() % 2 == 0, rng() % 2 == 0, random_text(rng)};
  r.notes = {random_text(rng), "\"metrics\":[]"};
  if (rng() % 2) {
    r.tables.push_back({"sweep", {{"bytes", Unit::byte}, {"busbw", Unit::byte_per_s}},
                        {{8, random_double(rng)}, {1024, 3.0}}});
  }
  return r;
}

TEST(MetricJsonText, ResultsMatchNlohmann) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 300; ++i) {
    SCOPED_TRACE(i);
    const ProbeResult r = random_result(rng);
    EXPECT_EQ(result_text(r), to_json(r).dump());
  }
}

TEST(MetricJsonText, ResultWithoutMetricsMatchesNlohmann) {
  ProbeResult r;
  r.status = ProbeStatus::skipped;
  r.reason = "no GPU";
  EXPECT_EQ(result_text(r), to_json(r).dump());
}

TEST(MetricJsonText, AppendsToWhatIsThere) {
  std::string out = "[";
  const Metric m = make_metric("k", Unit::ratio, Better::higher, {0.5});
  append_metric_json(out, m);
  EXPECT_EQ(out, "[" + to_json(m).dump());
}

}  // namespace
}  // namespace assay
