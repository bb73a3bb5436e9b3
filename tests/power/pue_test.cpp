// PUE from facility and IT meter logs: the ratio over the common period, the ISO/IEC
// 30134-2 category, annual or not, and logs that cannot give a PUE.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "core/iso_time.h"
#include "power_test_helpers.h"
#include "probes/power/pue.h"

namespace assay {
namespace {

using ::testing::HasSubstr;
using testing::FixtureTree;

// A cumulative kWh log: `kw` kilowatts from 2026-01-01 for `days` days, one row a day.
std::string daily_kwh(double kw, int days, int first_day = 0) {
  std::string text = "timestamp,kWh\n";
  const auto start = *parse_iso8601("2026-01-01T00:00:00Z");
  for (int d = first_day; d <= first_day + days; ++d) {
    text += fmt::format("{},{}\n", iso_utc(start + std::chrono::hours(24 * d)), kw * 24.0 * (d - first_day) + 5000);
  }
  return text;
}

class PueTest : public ::testing::Test {
 protected:
  MeterLog log(const std::string& name, const std::string& text) {
    tree_.write(name, text);
    auto read = read_meter_log((tree_.path() / name).string(), BadRowPolicy::refuse);
    EXPECT_TRUE(read.ok()) << read.error().message;
    return read.ok() ? *read : MeterLog{};
  }
  FixtureTree tree_{"pue"};
};

TEST_F(PueTest, ThirtyDaysGiveTheRatioButNotAnAnnualPue) {
  const auto facility = log("facility.csv", daily_kwh(1300, 30));
  const auto it = log("it.csv", daily_kwh(1000, 30));
  const auto pue = compute_pue(facility, it, PueCategory::pue2, std::chrono::hours(1), std::chrono::hours(25));
  ASSERT_TRUE(pue.ok()) << pue.error().message;
  EXPECT_NEAR(pue->pue, 1.30, 1e-9);
  EXPECT_NEAR(pue->it_energy_joules, 1000.0 * 24 * 30 * 3.6e6, 1.0);
  EXPECT_NEAR(pue->period_seconds, 30 * 86400.0, 1e-6);
  EXPECT_FALSE(pue->annual);
  EXPECT_THAT(pue->period_text, HasSubstr("not an annual PUE"));
  EXPECT_THAT(pue->period_text, HasSubstr("30.0 days"));
}

TEST_F(PueTest, AYearIsAnnualAndOnlyTheCommonPeriodCounts) {
  const auto facility = log("facility.csv", daily_kwh(1250, 370));
  const auto it = log("it.csv", daily_kwh(1000, 365, 2));
  const auto pue = compute_pue(facility, it, PueCategory::pue1, std::chrono::hours(1), std::chrono::hours(25));
  ASSERT_TRUE(pue.ok()) << pue.error().message;
  EXPECT_NEAR(pue->pue, 1.25, 1e-9);
  EXPECT_TRUE(pue->annual);
  EXPECT_THAT(pue->period_text, HasSubstr("annual"));
  EXPECT_EQ(pue->from, *parse_iso8601("2026-01-03T00:00:00Z"));
}

TEST_F(PueTest, SwappedLogsAreRefused) {
  const auto facility = log("facility.csv", daily_kwh(1300, 3));
  const auto it = log("it.csv", daily_kwh(1000, 3));
  const auto pue = compute_pue(it, facility, PueCategory::pue1, std::chrono::hours(1), std::chrono::hours(25));
  ASSERT_FALSE(pue.ok());
  EXPECT_THAT(pue.error().message, HasSubstr("below 1"));
  EXPECT_THAT(pue.error().message, HasSubstr("swapped"));
}

TEST_F(PueTest, LogsThatDoNotOverlapAreRefusedNamingBoth) {
  const auto facility = log("facility.csv", daily_kwh(1300, 3));
  const auto it = log("it.csv", daily_kwh(1000, 3, 10));
  const auto pue = compute_pue(facility, it, PueCategory::pue1);
  ASSERT_FALSE(pue.ok());
  EXPECT_THAT(pue.error().message, HasSubstr("do not overlap"));
  EXPECT_THAT(pue.error().message, HasSubstr("facility.csv"));
  EXPECT_THAT(pue.error().message, HasSubstr("it.csv"));
}

TEST_F(PueTest, PowerLogsWorkToo) {
  const auto facility = log("facility.csv", "t,kW\n2026-01-01T00:00:00Z,140\n2026-01-01T01:00:00Z,140\n"
                                            "2026-01-01T02:00:00Z,140\n");
  const auto it = log("it.csv", "t,W\n2026-01-01T00:00:00Z,100000\n2026-01-01T02:00:00Z,100000\n");
  const auto pue = compute_pue(facility, it, PueCategory::pue3, std::chrono::hours(1), std::chrono::hours(2));
  ASSERT_TRUE(pue.ok()) << pue.error().message;
  EXPECT_NEAR(pue->pue, 1.4, 1e-12);
}

TEST(PueCategory, WordsAndDescriptions) {
  EXPECT_EQ(pue_category_from_text("ups-output"), PueCategory::pue1);
  EXPECT_EQ(pue_category_from_text("pdu-output"), PueCategory::pue2);
  EXPECT_EQ(pue_category_from_text("it-input"), PueCategory::pue3);
  EXPECT_EQ(pue_category_from_text("pue2"), PueCategory::pue2);
  EXPECT_FALSE(pue_category_from_text("meter").has_value());
  EXPECT_EQ(pue_category_word(PueCategory::pue3), "it-input");
  EXPECT_THAT(pue_category_description(PueCategory::pue2), HasSubstr("PDU"));
  EXPECT_THAT(pue_category_description(PueCategory::pue2), HasSubstr("ISO/IEC 30134-2"));
}

}  // namespace
}  // namespace assay
