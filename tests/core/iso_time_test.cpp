#include "core/iso_time.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace assay {
namespace {

using namespace std::chrono;

system_clock::time_point at(sys_days day, milliseconds since_midnight = {}) {
  return system_clock::time_point{
      duration_cast<system_clock::duration>(day.time_since_epoch() + since_midnight)};
}

const auto kExample =
    at(sys_days{year{2026} / 11 / 22}, hours{1} + minutes{2} + seconds{3} + milliseconds{456});

TEST(IsoTime, Formats) {
  EXPECT_EQ(iso_utc(kExample), "2026-11-22T01:02:03.456Z");
  EXPECT_EQ(compact_utc(kExample), "2026-11-22T010203Z");
  EXPECT_EQ(iso_utc(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(
      iso_utc(at(sys_days{year{2024} / 2 / 29}, hours{23} + minutes{59} + seconds{59} + milliseconds{999})),
      "2024-02-29T23:59:59.999Z");
}

TEST(IsoTime, SubMillisecondsAreTruncatedTowardsThePast) {
  const auto t = kExample + microseconds{999};
  EXPECT_EQ(iso_utc(t), "2026-11-22T01:02:03.456Z");
  // Before 1970 the floor, not truncation towards zero, keeps the date right.
  const auto before_epoch = system_clock::time_point{} - milliseconds{1};
  EXPECT_EQ(iso_utc(before_epoch), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(compact_utc(before_epoch), "1969-12-31T235959Z");
}

TEST(IsoTime, ParsesWhatItWrites) {
  const auto parsed = parse_iso_utc("2026-11-22T01:02:03.456Z");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, kExample);
  for (auto t : {kExample, system_clock::time_point{}, system_clock::time_point{} - milliseconds{1},
                 at(sys_days{year{2000} / 2 / 29}, hours{12})}) {
    const auto back = parse_iso_utc(iso_utc(t));
    ASSERT_TRUE(back.has_value()) << iso_utc(t);
    EXPECT_EQ(*back, t);
  }
}

TEST(IsoTime, MillisecondsAreOptional) {
  const auto whole = parse_iso_utc("2026-11-22T01:02:03Z");
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(*whole, kExample - milliseconds{456});
  const auto tenth = parse_iso_utc("2026-11-22T01:02:03.4Z");
  ASSERT_TRUE(tenth.has_value());
  EXPECT_EQ(*tenth, kExample - milliseconds{56});
  const auto micro = parse_iso_utc("2026-11-22T01:02:03.456789Z");
  ASSERT_TRUE(micro.has_value());
  EXPECT_EQ(duration_cast<microseconds>(*micro - kExample).count(), 789);
}

TEST(IsoTime, RejectsMalformed) {
  for (const char* bad :
       {"", "2026-11-22", "2026-11-22T01:02:03", "2026-11-22 01:02:03Z", "2026-11-22T01:02:03.Z",
        "2026-11-22T01:02:03.456", "2026-11-22T01:02:03.456Zx", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T01:60:00Z",
        "2026-11-22T01:02:60Z", "26-11-22T01:02:03Z", "2026-1-22T01:02:03Z", "2026-11-22T01:02:03+00:00",
        "2026-11-22T0a:02:03Z", "+026-11-22T01:02:03Z"}) {
    EXPECT_FALSE(parse_iso_utc(bad).has_value()) << bad;
  }
}

TEST(IsoTime, SafeFromManyThreads) {
  // Shares nothing (no gmtime buffer); every thread must see its own answer.
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([i, &wrong] {
      const auto t = kExample + hours{24 * i};
      const std::string expected = iso_utc(t);
      for (int k = 0; k < 2000; ++k) {
        if (iso_utc(t) != expected || parse_iso_utc(expected) != t) ++wrong[static_cast<std::size_t>(i)];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int w : wrong) EXPECT_EQ(w, 0);
}

}  // namespace
}  // namespace assay

namespace assay {
namespace {

TEST(IsoTime, MeterTimestampsWithOffsetsAndSpaces) {
  const auto utc = parse_iso_utc("2026-11-22T01:02:03Z");
  ASSERT_TRUE(utc.has_value());
  EXPECT_EQ(parse_iso8601("2026-11-22T01:02:03Z"), utc);
  EXPECT_EQ(parse_iso8601("2026-11-22 01:02:03Z"), utc);
  EXPECT_EQ(parse_iso8601("2026-11-22T09:02:03+08:00"), utc);
  EXPECT_EQ(parse_iso8601("2026-11-21T20:02:03-0500"), utc);
  const auto fraction = parse_iso8601("2026-11-22T01:02:03.250000+00:00");
  ASSERT_TRUE(fraction.has_value());
  EXPECT_EQ(*fraction - *utc, std::chrono::milliseconds(250));
  EXPECT_FALSE(parse_iso8601("2026-11-22T01:02:03").has_value()) << "a time without a zone is ambiguous";
  EXPECT_FALSE(parse_iso8601("2026-11-22T01:02:03+8").has_value());
  EXPECT_FALSE(parse_iso8601("2026-11-22T01:02:03+08:00x").has_value());
  EXPECT_FALSE(parse_iso_utc("2026-11-22 01:02:03Z").has_value()) << "the strict form stays strict";
}

}  // namespace
}  // namespace assay
