#include "core/element_json_text.h"
#include "core/element_json_reader.h"

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

// Text with every kind of character JSON escapes; `plain`: only printable ASCII and the
// short escapes (what the reader without a DOM takes).
std::string random_text(std::mt19937_64& rng, bool plain = false) {
  static const std::vector<std::string> pieces = {
      "cpu.fma.fp64", "gpu0", "socket", "x", "\"", "\\", "\n", "\t", "/", " ", "{}", "[", "\b\f\r", "'",
      "\x01", "\x1f", "\x7f", "温度", "µs", "é", "😀"};
  constexpr std::size_t kPlainPieces = 14;
  std::string s;
  const int n = static_cast<int>(rng() % 5);
  for (int i = 0; i < n; ++i) s += pieces[rng() % (plain ? kPlainPieces : pieces.size())];
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

Metric random_metric(std::mt19937_64& rng, bool plain = false) {
  std::vector<double> samples(rng() % 12);
  for (auto& x : samples) x = random_double(rng);
  return make_metric(random_text(rng, plain), static_cast<Unit>(rng() % (static_cast<int>(Unit::ratio) + 1)),
                     rng() % 2 ? Better::higher : Better::lower, std::move(samples),
                     rng() % 2 ? ValueRule::median : ValueRule::best, random_text(rng, plain),
                     random_text(rng, plain));
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

ProbeResult random_result(std::mt19937_64& rng, bool plain = false) {
  ProbeResult r;
  r.probe = "cpu.fma";
  r.node = random_text(rng, plain);
  r.subject = random_text(rng, plain);
  r.status = static_cast<ProbeStatus>(rng() % 3);
  r.reason = random_text(rng, plain);
  r.error = random_text(rng, plain);
  r.params = {{"threads", std::int64_t{2}}, {"seconds", random_double(rng)},
              {"kernel", random_text(rng, plain)}, {"nt_stores", rng() % 2 == 0},
              {"metrics", std::string("\"metrics\":[]")}};
  r.start = *parse_iso_utc("2026-11-22T01:02:03.000Z");
  r.end = *parse_iso_utc("2026-11-22T01:02:05.250Z");
  const std::size_t metrics = rng() % 6;
  for (std::size_t i = 0; i < metrics; ++i) r.metrics.push_back(random_metric(rng, plain));
  r.validation = {rng() % 2 == 0, rng() % 2 == 0, random_text(rng, plain)};
  r.notes = {random_text(rng, plain), "\"metrics\":[]"};
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


Verdict random_verdict(std::mt19937_64& rng, bool plain = false) {
  const auto optional = [&]() -> std::optional<double> {
    if (rng() % 4 == 0) return std::nullopt;
    return random_double(rng);
  };
  return Verdict{.node = random_text(rng, plain),
                 .subject = random_text(rng, plain),
                 .key = random_text(rng, plain),
                 .status = static_cast<VerdictStatus>(rng() % 6),
                 .unit = static_cast<Unit>(rng() % (static_cast<int>(Unit::ratio) + 1)),
                 .measured = optional(),
                 .rated = optional(),
                 .ratio = optional(),
                 .criterion = random_text(rng, plain),
                 .source = random_text(rng, plain),
                 .derived = rng() % 2 == 0,
                 .inconclusive = rng() % 2 == 0,
                 .message = random_text(rng, plain)};
}

std::string verdict_text(const Verdict& v) {
  std::string out;
  append_verdict_json(out, v);
  return out;
}

TEST(VerdictJsonText, MatchesNlohmann) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 500; ++i) {
    SCOPED_TRACE(i);
    const Verdict v = random_verdict(rng);
    EXPECT_EQ(verdict_text(v), to_json(v).dump());
  }
  Verdict non_finite;
  non_finite.measured = kNaN;
  non_finite.ratio = -kInf;
  EXPECT_EQ(verdict_text(non_finite), to_json(non_finite).dump());
}

// The reader without a DOM either gives what the nlohmann path gives, or declines.
// Compared through the JSON of both: a metric's statistics are derived on both sides.
template <class T, class Fast, class Slow>
bool read_as_nlohmann_does(std::string_view line, Fast fast, Slow slow) {
  const auto quick = fast(line);
  if (!quick) return false;
  const auto reference = slow(Json::parse(line), "line");
  EXPECT_TRUE(reference) << line;
  if (reference) {
    EXPECT_EQ(to_json(*quick).dump(), to_json(*reference).dump()) << line;
  }
  return true;
}

bool verdict_read_as_nlohmann_does(std::string_view line) {
  return read_as_nlohmann_does<Verdict>(line, verdict_from_line, verdict_from_json);
}

bool result_read_as_nlohmann_does(std::string_view line) {
  return read_as_nlohmann_does<ProbeResult>(line, result_from_line, result_from_json);
}

TEST(ElementJsonReader, RandomVerdictsReadAsNlohmannReadsThem) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 1000; ++i) {
    SCOPED_TRACE(i);
    // Texts with UTF-8, control characters or \u escapes may be declined; plain ones not.
    verdict_read_as_nlohmann_does(verdict_text(random_verdict(rng)));
    EXPECT_TRUE(verdict_read_as_nlohmann_does(verdict_text(random_verdict(rng, true))));
  }
}

TEST(ElementJsonReader, RandomResultsReadAsNlohmannReadsThem) {
  std::mt19937_64 rng(12);
  for (int i = 0; i < 500; ++i) {
    SCOPED_TRACE(i);
    result_read_as_nlohmann_does(result_text(random_result(rng)));
    EXPECT_TRUE(result_read_as_nlohmann_does(result_text(random_result(rng, true))));
  }
}

ProbeResult plain_result() {
  ProbeResult r;
  r.probe = "memory.stream";
  r.node = "node-00001";
  r.subject = "node";
  r.params = {{"threads", std::int64_t{2}}, {"array_bytes", 1e9}, {"kernel", "a \"quoted\" name"}};
  r.start = *parse_iso_utc("2026-11-22T01:02:03.000Z");
  r.end = *parse_iso_utc("2026-11-22T01:02:05.250Z");
  r.metrics = {make_metric("memory.stream.triad", Unit::byte_per_s, Better::higher, {1.5e10, 1.6e10, -0.0, 3.0}),
               make_metric("memory.stream.copy", Unit::byte_per_s, Better::higher, {}, ValueRule::best, "socket0",
                           "tab\there \"quoted\" back\\slash /")};
  r.validation = {true, true, "arrays checked"};
  r.notes = {"one"};
  r.tables.push_back({"sweep", {{"bytes", Unit::byte}}, {{8}}});
  return r;
}

TEST(ElementJsonReader, TakesPlainElementsWithShortEscapes) {
  EXPECT_TRUE(result_read_as_nlohmann_does(result_text(plain_result())));
  Verdict v;
  v.node = "n\"1\"";
  v.key = "k\\x";
  v.status = VerdictStatus::fail;
  v.unit = Unit::flop_per_s;
  v.measured = 1e12;
  v.ratio = 0.5;
  v.message = "line\nbreak";
  EXPECT_TRUE(verdict_read_as_nlohmann_does(verdict_text(v)));
  const auto read = verdict_from_line(verdict_text(v));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->node, "n\"1\"");
  EXPECT_EQ(read->message, "line\nbreak");
  EXPECT_FALSE(read->rated);
  EXPECT_EQ(read->measured, 1e12);
}

TEST(ElementJsonReader, KeepsTheSignOfZeroAsNlohmannDoes) {
  const std::string line = result_text(plain_result());
  const auto read = result_from_line(line);
  ASSERT_TRUE(read);
  EXPECT_TRUE(std::signbit(read->metrics[0].samples[2]));  // written -0.0
  // A hand-written integer -0 is the integer 0 to nlohmann, so +0.0.
  std::string integer_zero = line;
  const std::size_t at = integer_zero.find("-0.0");
  ASSERT_NE(at, std::string::npos);
  integer_zero.replace(at, 4, "-0");
  const auto read_integer = result_from_line(integer_zero);
  ASSERT_TRUE(read_integer);
  EXPECT_FALSE(std::signbit(read_integer->metrics[0].samples[2]));
  EXPECT_TRUE(result_read_as_nlohmann_does(integer_zero));
}

TEST(ElementJsonReader, IntegersAndExponentsReadAsNlohmannReadsThem) {
  for (const std::string number : {"9007199254740993", "-9007199254740993", "18446744073709551617", "1E+2",
                                   "1e-320", "2.2250738585072014e-308", "123456789012345678901234567890", "0"}) {
    SCOPED_TRACE(number);
    std::string line = result_text(plain_result());
    const std::string written = Json(1.5e10).dump();
    ASSERT_NE(line.find(written), std::string::npos);
    line.replace(line.find(written), written.size(), number);
    const auto read = result_from_line(line);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->metrics[0].samples[0], Json::parse(number).get<double>());
    EXPECT_TRUE(result_read_as_nlohmann_does(line));
  }
}

// Each edit makes a line the fast reader must decline: nlohmann then reads it (or
// words the fault), so a layout it does not know never changes what is read.
TEST(ElementJsonReader, DeclinesWhatItDoesNotFullyUnderstand) {
  Verdict plain;
  plain.node = "n1";
  plain.key = "k";
  plain.measured = 2.0;
  plain.message = "m";
  const std::string verdict = verdict_text(plain);
  ASSERT_TRUE(verdict_from_line(verdict));
  const auto edited = [](std::string text, std::string_view from, std::string_view to) {
    const std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  };
  for (const std::string& line : {
           edited(verdict, "{\"node\":\"n1\",", "{ \"node\":\"n1\","),                   // whitespace
           edited(verdict, "\"node\":\"n1\",\"subject\":\"\",", "\"subject\":\"\",\"node\":\"n1\","),  // order
           edited(verdict, "\"n1\"", "\"n\\u0031\""),                                  // \u escape
           edited(verdict, "\"n1\"", "\"n\xc3\xa9\""),                                 // UTF-8
           edited(verdict, "\"n1\"", "\"n\x01\""),                                      // control character
           edited(verdict, "2.0", "1e400"),                                           // out of range
           edited(verdict, "2.0", "02"),                                              // not JSON
           edited(verdict, "2.0", "2."),                                              // not JSON
           edited(verdict, "2.0", "\"2\""),                                           // wrong type
           edited(verdict, "\"INFO\"", "\"GOOD\""),                                   // unknown status
           edited(verdict, "\"ratio\"", "\"unit\":\"W\",\"ratio\""),                  // extra member
           edited(verdict, ",\"message\":\"m\"", ""),                                 // missing member
           verdict + " ", verdict + "x", verdict.substr(0, verdict.size() - 1), std::string()}) {
    SCOPED_TRACE(line);
    EXPECT_FALSE(verdict_from_line(line));
  }

  const std::string result = result_text(plain_result());
  ASSERT_TRUE(result_from_line(result));
  for (const std::string& line : {
           edited(result, "\"metrics\":[", "\"metrics\":[],\"metrics\":["),  // twice
           edited(result, "\"key\":\"memory.stream.triad\",\"unit\":\"B/s\"",
                  "\"unit\":\"B/s\",\"key\":\"memory.stream.triad\""),       // metric's order
           edited(result, "\"unit\":\"B/s\"", "\"unit\":\"furlong\""),            // unknown unit
           edited(result, "\"better\":\"higher\"", "\"better\":\"more\""),
           edited(result, "\"value_rule\":\"median\"", "\"value_rule\":\"mode\""),
           edited(result, "\"schema\":\"assay.result/1\"", "\"schema\":\"assay.result/9\""),
           edited(result, "\"status\":\"ok\"", "\"status\":\"fine\""),
           edited(result, "\"notes\":[\"one\"]", "\"notes\":[\"one\",]"),       // not JSON outside metrics
           edited(result, Json(1.5e10).dump(), Json(1.5e10).dump() + ","),          // not JSON in samples
           result.substr(0, result.size() / 2)}) {
    SCOPED_TRACE(line);
    EXPECT_FALSE(result_from_line(line));
  }
}

}  // namespace
}  // namespace assay
