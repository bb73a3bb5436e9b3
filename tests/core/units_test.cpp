#include "core/units.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace assay {
namespace {

// The figure `text` must parse to `value` in `unit` (relative tolerance for prefixes
// that are not exact in binary floating point).
void expect_figure(std::string_view text, double value, Unit unit) {
  SCOPED_TRACE(std::string(text));
  const auto q = parse_quantity(text);
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->unit, unit) << unit_symbol(q->unit);
  EXPECT_NEAR(q->value, value, std::fabs(value) * 1e-15);
}

// The text must be rejected, and the message must contain each of `parts`.
void expect_rejected(std::string_view text, std::vector<std::string> parts = {}) {
  SCOPED_TRACE(std::string(text));
  const auto q = parse_quantity(text);
  ASSERT_FALSE(q.ok()) << "parsed as " << q->value << " " << unit_symbol(q->unit);
  EXPECT_EQ(q.error().kind, ErrorKind::bad_input);
  for (const auto& part : parts)
    EXPECT_NE(q.error().message.find(part), std::string::npos) << q.error().message;
}

TEST(Units, ComputeRates) {
  expect_figure("989 TFLOP/s", 989e12, Unit::flop_per_s);
  expect_figure("989.5 TFLOPS", 989.5e12, Unit::flop_per_s);
  expect_figure("3740 PFLOPS", 3740e15, Unit::flop_per_s);
  expect_figure("67 TFLOP/s", 67e12, Unit::flop_per_s);
  expect_figure("1e9 FLOP/s", 1e9, Unit::flop_per_s);
  expect_figure("1.2288e12 FLOP/s", 1.2288e12, Unit::flop_per_s);
  expect_figure("1.2288E12 FLOP/s", 1.2288e12, Unit::flop_per_s);
  expect_figure("100 GFlop/s", 100e9, Unit::flop_per_s);
  expect_figure("2 EFLOPS", 2e18, Unit::flop_per_s);
}

TEST(Units, ExactNumbersAsPlansAreWrittenBack) {
  // The bundle's plan.toml stores figures at full precision in base units, in the
  // shortest form std::to_chars gives, with "+" in positive exponents.
  expect_figure("1.2288e+12 FLOP/s", 1.2288e12, Unit::flop_per_s);
  expect_figure("9.895e+14 FLOP/s", 9.895e14, Unit::flop_per_s);
  expect_figure("5e-07 s", 5e-7, Unit::second);
  expect_figure("68719476736 B", 68719476736.0, Unit::byte);
  expect_figure("0.30000000000000004", 0.30000000000000004, Unit::ratio);
  for (Unit u : {Unit::flop_per_s, Unit::op_per_s, Unit::byte_per_s, Unit::byte, Unit::second, Unit::hertz,
                 Unit::watt, Unit::joule}) {
    expect_figure("1.5e+3 " + std::string(unit_symbol(u)), 1500, u);
  }
}

TEST(Units, OperationRates) {
  expect_figure("1979 TOP/s", 1979e12, Unit::op_per_s);
  expect_figure("1979 TOPS", 1979e12, Unit::op_per_s);
  expect_figure("1.5 MIOPS", 1.5e6, Unit::op_per_s);
  expect_figure("500k IOPS", 500e3, Unit::op_per_s);
  expect_figure("20 kop/s", 20e3, Unit::op_per_s);
}

TEST(Units, BandwidthInBytes) {
  expect_figure("3.35 TB/s", 3.35e12, Unit::byte_per_s);
  expect_figure("450 GB/s", 450e9, Unit::byte_per_s);
  expect_figure("20 GiB/s", 20.0 * (1ULL << 30), Unit::byte_per_s);
  expect_figure("0 B/s", 0, Unit::byte_per_s);
}

TEST(Units, BitsBecomeBytes) {
  expect_figure("400 Gb/s", 5e10, Unit::byte_per_s);
  expect_figure("400 Gbit/s", 5e10, Unit::byte_per_s);
  expect_figure("400 Gbps", 5e10, Unit::byte_per_s);
  expect_figure("100 Mbits/s", 12.5e6, Unit::byte_per_s);
  expect_figure("8 b/s", 1, Unit::byte_per_s);
}

TEST(Units, Sizes) {
  expect_figure("64 GiB", 64.0 * (1ULL << 30), Unit::byte);
  expect_figure("80 GB", 80e9, Unit::byte);
  expect_figure("1 MiB", 1 << 20, Unit::byte);
  expect_figure("4 KiB", 4096, Unit::byte);
  expect_figure("4 kB", 4000, Unit::byte);
  expect_figure("1 TiB", 0x1p40, Unit::byte);
  expect_figure("4096 B", 4096, Unit::byte);
  expect_figure("2 PiB", 2 * 0x1p50, Unit::byte);
}

TEST(Units, OtherBaseUnits) {
  expect_figure("2.4 GHz", 2.4e9, Unit::hertz);
  expect_figure("700 W", 700, Unit::watt);
  expect_figure("1.2 kW", 1200, Unit::watt);
  expect_figure("3.6 MJ", 3.6e6, Unit::joule);
  expect_figure("1 kWh", 3.6e6, Unit::joule);
}

TEST(Units, Durations) {
  expect_figure("500 ms", 0.5, Unit::second);
  expect_figure("1.5 us", 1.5e-6, Unit::second);
  expect_figure("1.5 \xC2\xB5s", 1.5e-6, Unit::second);  // micro sign
  expect_figure("1.5 \xCE\xBCs", 1.5e-6, Unit::second);  // Greek mu
  expect_figure("2 ns", 2e-9, Unit::second);
  expect_figure("2 s", 2, Unit::second);
  expect_figure("10 min", 600, Unit::second);
  expect_figure("2 h", 7200, Unit::second);
}

TEST(Units, Ratios) {
  expect_figure("1.28", 1.28, Unit::ratio);
  expect_figure("90%", 0.9, Unit::ratio);
  expect_figure("90 %", 0.9, Unit::ratio);
  expect_figure("-5%", -0.05, Unit::ratio);
  expect_figure("-0.25", -0.25, Unit::ratio);
  expect_figure(".5", 0.5, Unit::ratio);
  expect_figure("+2", 2, Unit::ratio);
}

TEST(Units, WhiteSpaceIsOptional) {
  expect_figure("64GiB", 64.0 * (1ULL << 30), Unit::byte);
  expect_figure("3.35TB/s", 3.35e12, Unit::byte_per_s);
  expect_figure("  700 W  ", 700, Unit::watt);
  expect_figure("700\tW", 700, Unit::watt);
  expect_figure("500ms", 0.5, Unit::second);
  expect_figure("700\xC2\xA0W", 700, Unit::watt);  // no-break space, as copied from PDFs
  expect_figure(
      "\xC2\xA0"
      "64 GiB\xC2\xA0",
      64.0 * (1ULL << 30), Unit::byte);
  expect_figure("1 M IOPS", 1e6, Unit::op_per_s);
  // An exponent followed directly by a prefix that is also an exponent letter.
  expect_figure("2EB", 2e18, Unit::byte);
  expect_figure("2EiB", 2 * 0x1p60, Unit::byte);
  expect_figure("1e3kB", 1e6, Unit::byte);
}

TEST(Units, AmbiguousKiloIsRejected) {
  expect_rejected("4 KB", {"ambiguous", "kB", "KiB"});
  expect_rejected("10 KB/s", {"ambiguous"});
  expect_rejected("10 Kb/s", {"ambiguous"});
}

TEST(Units, BinaryPrefixesOnlyOnBytes) {
  expect_rejected("400 Gib/s", {"binary", "Gb/s"});
  expect_rejected("400 Gibit/s", {"binary"});
  expect_rejected("1 GiFLOP/s", {"binary prefix 'Gi'", "GFLOP/s"});
  expect_rejected("1 GiHz", {"only to bytes"});
  expect_rejected("1 KiW", {"only to bytes"});
  expect_rejected("1 Mis", {});
}

TEST(Units, FractionPrefixesOnlyOnSeconds) {
  expect_rejected("1 mB", {"millibytes", "MB"});
  expect_rejected("1 mB/s", {"milli", "MB/s"});
  expect_rejected("5 mW", {"only for durations"});
  expect_rejected("5 nFLOP/s", {"only for durations"});
}

TEST(Units, SizesInBitsAreRejected) {
  expect_rejected("64 Gb", {"bits", "bytes"});
  expect_rejected("512 Mbit", {"bits"});
}

TEST(Units, CountsAndTransfersAreNotRates) {
  expect_rejected("312 TFLOPs", {"count", "TFLOP/s"});
  expect_rejected("5 FLOP", {"count"});
  expect_rejected("4800 MT/s", {"transfers", "B/s"});
}

TEST(Units, Garbage) {
  expect_rejected("", {"empty", "expected a figure"});
  expect_rejected("   ", {"empty"});
  expect_rejected("abc", {"expected a figure", "'abc' does not start with a number"});
  expect_rejected("12 furlongs", {"unknown unit 'furlongs'"});
  expect_rejected("nan", {"number"});
  expect_rejected("NaN", {"number"});
  expect_rejected("inf W", {"number"});
  expect_rejected("-inf", {"number"});
  expect_rejected("1e999 B", {"out of range"});
  expect_rejected("1e300 EB", {"out of range"});
  expect_rejected("1,200 GB/s", {"separator"});
  expect_rejected("TB/s", {"number"});
  expect_rejected("3.35 tb/s", {"unknown unit"});
  expect_rejected("1 kmin", {"no prefix"});
  expect_rejected("2 Th", {"no prefix"});
  expect_rejected("-", {"number"});
  expect_rejected("1.2.3 W", {"not one number"});
  expect_rejected("12 square furlongs", {"unknown unit 'square furlongs'"});
  // A sentence pasted where a figure belongs is quoted only in part.
  const auto sentence =
      parse_quantity("32 cores / 64 threads (2 sockets x 32 cores x 2 threads, 8 NUMA nodes)");
  ASSERT_FALSE(sentence.ok());
  EXPECT_NE(sentence.error().message.find("unknown unit 'cores / 64 threads (2 sockets x 32 cores x 2...'"),
            std::string::npos)
      << sentence.error().message;
}

TEST(Units, NegativeOnlyForRatios) {
  expect_rejected("-1 GB", {"negative", "a size"});
  expect_rejected("-700 W", {"negative", "a power"});
  expect_rejected("-2 s", {"negative"});
  const auto zero = parse_quantity("-0 B");
  ASSERT_TRUE(zero.ok());
  EXPECT_FALSE(std::signbit(zero->value));
}

TEST(Units, ParseAsChecksTheDimension) {
  const auto wrong = parse_quantity_as("64 GiB", Unit::byte_per_s);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message,
            "expected a bandwidth (e.g. '3.35 TB/s' or '400 Gb/s') but '64 GiB' is a size");
  const auto percent = parse_quantity_as("90%", Unit::watt);
  ASSERT_FALSE(percent.ok());
  EXPECT_NE(percent.error().message.find("is a ratio"), std::string::npos);

  const auto right = parse_quantity_as("3.35 TB/s", Unit::byte_per_s);
  ASSERT_TRUE(right.ok());
  EXPECT_DOUBLE_EQ(right->value, 3.35e12);

  // A bare number is already in the expected base unit.
  const auto bare = parse_quantity_as("4096", Unit::byte);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->unit, Unit::byte);
  EXPECT_EQ(bare->value, 4096);
  const auto bare_negative = parse_quantity_as("-4096", Unit::byte);
  ASSERT_FALSE(bare_negative.ok());
  EXPECT_NE(bare_negative.error().message.find("negative"), std::string::npos);

  const auto broken = parse_quantity_as("12 furlongs", Unit::second);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("expected a duration"), std::string::npos);
  EXPECT_NE(broken.error().message.find("furlongs"), std::string::npos);

  const auto ratio = parse_quantity_as("90%", Unit::ratio);
  ASSERT_TRUE(ratio.ok());
  EXPECT_DOUBLE_EQ(ratio->value, 0.9);
}

TEST(Units, EnergyEfficiencies) {
  expect_figure("50 GFLOP/J", 50e9, Unit::flop_per_joule);
  expect_figure("50 GFLOPS/W", 50e9, Unit::flop_per_joule);
  expect_figure("50 GFLOP/s/W", 50e9, Unit::flop_per_joule);
  expect_figure("2 TOP/J", 2e12, Unit::op_per_joule);
  expect_figure("1.5 GB/J", 1.5e9, Unit::byte_per_joule);
  EXPECT_EQ(format_quantity(5.2e10, Unit::flop_per_joule), "52 GFLOP/J");
}

TEST(Units, Symbols) {
  for (Unit u : {Unit::flop_per_s, Unit::op_per_s, Unit::byte_per_s, Unit::byte, Unit::second, Unit::hertz,
                 Unit::watt, Unit::joule, Unit::flop_per_joule, Unit::op_per_joule,
                 Unit::byte_per_joule, Unit::ratio}) {
    const auto back = unit_from_symbol(unit_symbol(u));
    ASSERT_TRUE(back.has_value()) << unit_symbol(u);
    EXPECT_EQ(*back, u);
    EXPECT_FALSE(unit_description(u).empty());
  }
  EXPECT_EQ(unit_symbol(Unit::flop_per_s), "FLOP/s");
  EXPECT_EQ(unit_symbol(Unit::ratio), "1");
  EXPECT_FALSE(unit_from_symbol("GB/s").has_value());
  EXPECT_FALSE(unit_from_symbol("").has_value());
  EXPECT_EQ(unit_description(Unit::flop_per_s), "a compute rate (e.g. '989 TFLOP/s')");
}

TEST(Units, Format) {
  EXPECT_EQ(format_quantity(989.5e12, Unit::flop_per_s), "989.5 TFLOP/s");
  EXPECT_EQ(format_quantity(989e12, Unit::flop_per_s), "989 TFLOP/s");
  EXPECT_EQ(format_quantity(3.35e12, Unit::byte_per_s), "3.35 TB/s");
  EXPECT_EQ(format_quantity(5e10, Unit::byte_per_s), "50 GB/s");
  EXPECT_EQ(format_quantity(64.0 * (1ULL << 30), Unit::byte), "64 GiB");
  EXPECT_EQ(format_quantity(80e9, Unit::byte), "74.51 GiB");
  EXPECT_EQ(format_quantity(1000, Unit::byte), "1000 B");
  EXPECT_EQ(format_quantity(1536, Unit::byte), "1.5 KiB");
  EXPECT_EQ(format_quantity(1.25e-6, Unit::second), "1.25 us");
  EXPECT_EQ(format_quantity(0.5, Unit::second), "500 ms");
  EXPECT_EQ(format_quantity(2e-9, Unit::second), "2 ns");
  EXPECT_EQ(format_quantity(2, Unit::second), "2 s");
  EXPECT_EQ(format_quantity(3600, Unit::second), "3600 s");
  EXPECT_EQ(format_quantity(0, Unit::second), "0 s");
  EXPECT_EQ(format_quantity(0, Unit::byte_per_s), "0 B/s");
  EXPECT_EQ(format_quantity(0, Unit::byte), "0 B");
  EXPECT_EQ(format_quantity(1.28, Unit::ratio), "1.28");
  EXPECT_EQ(format_quantity(0.9, Unit::ratio), "0.9");
  EXPECT_EQ(format_quantity(0.00412, Unit::ratio), "0.00412");
  EXPECT_EQ(format_quantity(2.4e9, Unit::hertz), "2.4 GHz");
  EXPECT_EQ(format_quantity(700, Unit::watt), "700 W");
  EXPECT_EQ(format_quantity(3.6e6, Unit::joule), "3.6 MJ");
  EXPECT_EQ(format_quantity(1979e12, Unit::op_per_s), "1.979 Pop/s");
  EXPECT_EQ(format_quantity(0.5, Unit::watt), "0.5 W");
  EXPECT_EQ(format_quantity(1.23456789e11, Unit::flop_per_s, 6), "123.457 GFLOP/s");
  EXPECT_EQ(format_quantity(1.23456789e11, Unit::flop_per_s, 2), "120 GFLOP/s");
  EXPECT_EQ(format_quantity(-5e9, Unit::byte_per_s), "-5 GB/s");
}

TEST(Units, FormatCarriesRoundingToTheNextPrefix) {
  EXPECT_EQ(format_quantity(999.96e9, Unit::byte_per_s), "1 TB/s");
  EXPECT_EQ(format_quantity(0.99999, Unit::second), "1 s");
  EXPECT_EQ(format_quantity(1023.99 * 1024, Unit::byte), "1 MiB");
  EXPECT_EQ(format_quantity(999.4e9, Unit::byte_per_s), "999.4 GB/s");
}

TEST(Units, FormatBeyondThePrefixes) {
  EXPECT_EQ(format_quantity(1e-15, Unit::second), "1e-06 ns");
  EXPECT_EQ(format_quantity(1e40, Unit::flop_per_s), "1e+22 EFLOP/s");
  EXPECT_EQ(format_quantity(0.5e-9, Unit::second), "0.5 ns");
  EXPECT_EQ(format_quantity(3.3e21, Unit::flop_per_s), "3300 EFLOP/s");
}

TEST(Units, FormatNonFinite) {
  EXPECT_EQ(format_quantity(std::nan(""), Unit::watt), "NaN W");
  EXPECT_EQ(format_quantity(HUGE_VAL, Unit::ratio), "inf");
}

TEST(Units, FormatThenParseRoundTrips) {
  const std::vector<Quantity> figures = {
      {989.5e12, Unit::flop_per_s}, {67e12, Unit::flop_per_s},   {1.2288e12, Unit::flop_per_s},
      {3.35e12, Unit::byte_per_s},  {5e10, Unit::byte_per_s},    {64.0 * (1ULL << 30), Unit::byte},
      {80e9, Unit::byte},           {4096, Unit::byte},          {1.25e-6, Unit::second},
      {0.5, Unit::second},          {2e-9, Unit::second},        {7200, Unit::second},
      {2.4e9, Unit::hertz},         {700, Unit::watt},           {3.6e6, Unit::joule},
      {1979e12, Unit::op_per_s},    {1.28, Unit::ratio},         {0.9, Unit::ratio},
      {0, Unit::byte_per_s},        {123456789, Unit::op_per_s}, {1e-7, Unit::ratio},
      {3.3e21, Unit::flop_per_s},   {1e-15, Unit::second},       {1e40, Unit::flop_per_s},
  };
  for (const auto& q : figures) {
    for (int significant : {4, 6, 17}) {
      const std::string text = format_quantity(q, significant);
      SCOPED_TRACE(text);
      const auto back = parse_quantity(text);
      ASSERT_TRUE(back.ok()) << back.error().message;
      EXPECT_EQ(back->unit, q.unit);
      // `significant` digits keep the figure to half a unit in the last digit.
      EXPECT_NEAR(back->value, q.value, std::fabs(q.value) * 0.5 * std::pow(10.0, 1 - significant) + 1e-300);
    }
  }
}

}  // namespace
}  // namespace assay
