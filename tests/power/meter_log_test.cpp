// Meter logs as PDUs and facility meters export them: header variants and units, zones,
// bad rows named by line, and windows integrated exactly.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "core/iso_time.h"
#include "power_test_helpers.h"
#include "probes/power/meter_log.h"

namespace assay {
namespace {

using ::testing::HasSubstr;
using testing::FixtureTree;
using Clock = std::chrono::system_clock;

Clock::time_point at(const char* text) { return *parse_iso8601(text); }

class MeterLogTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    tree_.write(name, text);
    return (tree_.path() / name).string();
  }
  FixtureTree tree_{"meter"};
};

TEST_F(MeterLogTest, PowerWithoutHeaderIsWatts) {
  const auto path = write("pdu.csv", "2026-11-22T00:00:00Z,100\n2026-11-22T00:00:10Z,200\n");
  const auto log = read_meter_log(path, BadRowPolicy::refuse);
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_EQ(log->quantity, MeterQuantity::power);
  ASSERT_EQ(log->rows.size(), 2u);
  EXPECT_DOUBLE_EQ(log->rows[1].value, 200);
  EXPECT_EQ(log->rows[1].line, 2u);
}

TEST_F(MeterLogTest, HeadersNameTheUnitAndCommentsAndBlanksAreIgnored) {
  const auto kw = write("kw.csv", "# rack 12\ntime,kW\n\n2026-11-22 08:00:00+08:00,1.5\n2026-11-22T00:00:05Z,2\n");
  const auto log = read_meter_log(kw, BadRowPolicy::refuse);
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_DOUBLE_EQ(log->rows[0].value, 1500);
  EXPECT_EQ(log->rows[0].at, at("2026-11-22T00:00:00Z")) << "the +08:00 offset is taken out";
  EXPECT_EQ(log->rows[0].line, 4u);

  const auto kwh = write("kwh.csv", "timestamp,energy_kwh\n2026-11-22T00:00:00Z,1000\n2026-11-22T01:00:00Z,1001.5\n");
  const auto energy = read_meter_log(kwh, BadRowPolicy::refuse);
  ASSERT_TRUE(energy.ok()) << energy.error().message;
  EXPECT_EQ(energy->quantity, MeterQuantity::cumulative_energy);
  EXPECT_DOUBLE_EQ(energy->rows[1].value - energy->rows[0].value, 1.5 * 3.6e6);

  const auto unknown = write("unknown.csv", "time,volts\n2026-11-22T00:00:00Z,230\n");
  const auto refused = read_meter_log(unknown, BadRowPolicy::refuse);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("unknown.csv:1"));
  EXPECT_THAT(refused.error().message, HasSubstr("volts"));
}

TEST_F(MeterLogTest, BadRowsAreNamedByLineAndRefusedOrSkipped) {
  const auto path = write("bad.csv",
                          "time,watts\n"
                          "2026-11-22T00:00:00Z,100\n"  // 2
                          "2026-11-22T00:00:01Z,N/A\n"  // 3: not a number
                          "yesterday,100\n"             // 4: not a time
                          "2026-11-22T00:00:02Z,100,7\n"  // 5: three columns
                          "2026-11-22T00:00:01Z,100\n"  // 6: not after line 2's? (after 2, but not after none) -> ok
                          "2026-11-22T00:00:01Z,100\n"  // 7: same time as line 6
                          "2026-11-22T00:00:03Z,-5\n"   // 8: negative
                          "2026-11-22T00:00:04Z,120\n");
  const auto refused = read_meter_log(path, BadRowPolicy::refuse);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::bad_input);
  const std::string& message = refused.error().message;
  for (const char* line : {"bad.csv:3:", "bad.csv:4:", "bad.csv:5:", "bad.csv:7:", "bad.csv:8:"}) {
    EXPECT_THAT(message, HasSubstr(line));
  }
  EXPECT_THAT(message, ::testing::Not(HasSubstr("bad.csv:6:")));
  EXPECT_THAT(message, HasSubstr("5 bad row(s)"));
  EXPECT_THAT(message, HasSubstr("bad_rows=skip"));

  const auto skipped = read_meter_log(path, BadRowPolicy::skip);
  ASSERT_TRUE(skipped.ok()) << skipped.error().message;
  EXPECT_EQ(skipped->rows.size(), 3u);
  ASSERT_EQ(skipped->bad_rows.size(), 5u);
  EXPECT_THAT(skipped->bad_rows[0], HasSubstr("bad.csv:3: value 'N/A'"));
}

TEST_F(MeterLogTest, ManyBadRowsAreListedUpToTen) {
  std::string text = "2026-11-22T00:00:00Z,1\n";
  for (int i = 0; i < 15; ++i) text += "x,y\n";
  const auto refused = read_meter_log(write("many.csv", text), BadRowPolicy::refuse);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("and 5 more"));
}

TEST_F(MeterLogTest, AFallingEnergyCounterIsABadRow) {
  const auto path = write("reset.csv", "t,kWh\n2026-11-22T00:00:00Z,10\n2026-11-22T00:01:00Z,5\n2026-11-22T00:02:00Z,11\n");
  const auto refused = read_meter_log(path, BadRowPolicy::refuse);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("reset.csv:3"));
  EXPECT_THAT(refused.error().message, HasSubstr("went down"));
}

TEST_F(MeterLogTest, TooFewRowsAndUnreadableFiles) {
  const auto one = read_meter_log(write("one.csv", "2026-11-22T00:00:00Z,1\n"), BadRowPolicy::refuse);
  ASSERT_FALSE(one.ok());
  EXPECT_THAT(one.error().message, HasSubstr("at least two"));
  const auto missing = read_meter_log((tree_.path() / "absent.csv").string(), BadRowPolicy::refuse);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(missing.error().message, HasSubstr("absent.csv"));
}

TEST_F(MeterLogTest, PowerWindowsAreTrapezoidsInterpolatedAtTheEdges) {
  // A ramp from 100 W to 200 W over 100 s, a reading every 10 s.
  std::string text;
  for (int s = 0; s <= 100; s += 10) text += fmt::format("2026-11-22T00:{:02}:{:02}Z,{}\n", s / 60, s % 60, 100 + s);
  const auto log = read_meter_log(write("ramp.csv", text), BadRowPolicy::refuse);
  ASSERT_TRUE(log.ok()) << log.error().message;
  const auto w = meter_window(*log, at("2026-11-22T00:00:05Z"), at("2026-11-22T00:01:35Z"));
  ASSERT_TRUE(w.ok()) << w.error().message;
  // Exact for a linear ramp: mean of 105 W and 195 W over 90 s.
  EXPECT_NEAR(w->energy_joules, 150.0 * 90.0, 1e-6);
  EXPECT_NEAR(w->mean_watts, 150.0, 1e-9);
  EXPECT_NEAR(w->peak_watts, 195.0, 1e-9);
  EXPECT_NEAR(w->covered_seconds, 90.0, 1e-9);
  EXPECT_EQ(w->rows, 9u);
}

TEST_F(MeterLogTest, EnergyWindowsAreCounterDifferences) {
  // 2 kWh in the first hour (2 kW), 4 kWh in the second (4 kW).
  const auto log = read_meter_log(
      write("energy.csv", "t,kWh\n2026-11-22T00:00:00Z,0\n2026-11-22T01:00:00Z,2\n2026-11-22T02:00:00Z,6\n"),
      BadRowPolicy::refuse);
  ASSERT_TRUE(log.ok()) << log.error().message;
  const auto w = meter_window(*log, at("2026-11-22T00:30:00Z"), at("2026-11-22T01:30:00Z"), std::chrono::hours(2));
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_NEAR(w->energy_joules, 3.0 * 3.6e6, 1e-3);
  EXPECT_NEAR(w->mean_watts, 3000.0, 1e-6);
  EXPECT_NEAR(w->peak_watts, 4000.0, 1e-6);
}

TEST_F(MeterLogTest, ASpanOutsideTheLogOrAcrossAGapIsAnError) {
  const auto log = read_meter_log(write("gap.csv", "2026-11-22T00:00:00Z,100\n2026-11-22T00:00:10Z,100\n"
                                                   "2026-11-22T01:00:00Z,100\n"),
                                  BadRowPolicy::refuse);
  ASSERT_TRUE(log.ok()) << log.error().message;
  const auto early = meter_window(*log, at("2026-11-21T23:59:00Z"), at("2026-11-22T00:00:05Z"));
  ASSERT_FALSE(early.ok());
  EXPECT_THAT(early.error().message, HasSubstr("starts before"));
  EXPECT_THAT(early.error().message, HasSubstr("2026-11-22T00:00:00.000Z .. 2026-11-22T01:00:00.000Z"));
  const auto late = meter_window(*log, at("2026-11-22T00:59:00Z"), at("2026-11-22T01:00:01Z"));
  ASSERT_FALSE(late.ok());
  EXPECT_THAT(late.error().message, HasSubstr("ends after"));
  const auto gap = meter_window(*log, at("2026-11-22T00:00:01Z"), at("2026-11-22T00:30:00Z"));
  ASSERT_FALSE(gap.ok());
  EXPECT_THAT(gap.error().message, HasSubstr("between lines 2 and 3"));
  const auto fine = meter_window(*log, at("2026-11-22T00:00:01Z"), at("2026-11-22T00:00:09Z"));
  EXPECT_TRUE(fine.ok());
}

}  // namespace
}  // namespace assay
