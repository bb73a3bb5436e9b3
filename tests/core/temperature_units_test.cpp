// Temperatures: stored in kelvin ("K"), written in plans as "358 K", never with a prefix;
// Celsius is refused with how to write it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/units.h"

namespace assay {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(TemperatureUnits, KelvinIsParsedPrintedAndRoundTripsItsSymbol) {
  auto q = parse_quantity("358 K");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->unit, Unit::kelvin);
  EXPECT_DOUBLE_EQ(q->value, 358);
  q = parse_quantity_as("358.15K", Unit::kelvin);
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_DOUBLE_EQ(q->value, 358.15);
  q = parse_quantity_as("358", Unit::kelvin);  // a bare number is already in the base unit
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->unit, Unit::kelvin);

  EXPECT_EQ(unit_symbol(Unit::kelvin), "K");
  EXPECT_EQ(unit_from_symbol("K"), Unit::kelvin);
  EXPECT_THAT(std::string(unit_description(Unit::kelvin)), HasSubstr("358 K"));
  EXPECT_EQ(format_quantity(358.15, Unit::kelvin), "358.1 K");
  EXPECT_EQ(format_quantity(1500, Unit::kelvin), "1500 K") << "no kK";
}

TEST(TemperatureUnits, PrefixesCelsiusAndOtherDimensionsAreRefused) {
  for (const char* text : {"358 kK", "358 mK"}) {
    auto q = parse_quantity(text);
    ASSERT_FALSE(q.ok()) << text;
    EXPECT_THAT(q.error().message, HasSubstr("takes no prefix")) << text;
  }
  for (const char* text : {"85 C", "85 \xC2\xB0" "C", "85 degC"}) {
    auto q = parse_quantity(text);
    ASSERT_FALSE(q.ok()) << text;
    EXPECT_THAT(q.error().message, AllOf(HasSubstr("written in kelvin"), HasSubstr("'358 K'"))) << text;
  }
  auto wrong = parse_quantity_as("700 W", Unit::kelvin);
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.error().message, AllOf(HasSubstr("a temperature"), HasSubstr("is a power")));
  auto negative = parse_quantity("-5 K");
  ASSERT_FALSE(negative.ok());
  EXPECT_THAT(negative.error().message, HasSubstr("a temperature cannot be below zero"));
  // "KB" is still the ambiguous kilobyte, not kelvin-bytes.
  auto kb = parse_quantity("64 KB");
  ASSERT_FALSE(kb.ok());
  EXPECT_THAT(kb.error().message, HasSubstr("ambiguous"));
}

}  // namespace
}  // namespace assay
