#include "core/text_match.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace assay {
namespace {

TEST(EditDistance, Classic) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
  EXPECT_EQ(edit_distance("traid", "triad"), 2u);  // a transposition is two edits
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
  EXPECT_EQ(edit_distance("abc", "ABC"), 3u);  // case matters
}

TEST(ClosestNames, NearestFirstWithinLimit) {
  const std::vector<std::string> names = {"run",   "report", "probe",  "plan",
                                          "specs", "list",   "verify", "diff"};
  EXPECT_EQ(closest_names("rnu", names), (std::vector<std::string>{"run"}));
  EXPECT_EQ(closest_names("prob", names), (std::vector<std::string>{"probe"}));  // prefix
  EXPECT_TRUE(closest_names("xyzzy", names).empty());
  EXPECT_EQ(closest_names("veryfy", names), (std::vector<std::string>{"verify"}));
}

TEST(ClosestNames, LimitGrowsWithLength) {
  // A third of the name's length, at least 2.
  const std::vector<std::string> keys = {"memory.stream.triad"};
  EXPECT_EQ(closest_names("memory.stream.traid", keys).size(), 1u);  // distance 2
  EXPECT_EQ(closest_names("memory.strm.tri", keys).size(), 1u);      // distance 4 <= 5
  EXPECT_TRUE(closest_names("cpu.gemm.fp64", keys).empty());
  const std::vector<std::string> short_names = {"ab"};
  EXPECT_EQ(closest_names("xy", short_names).size(), 1u);  // distance 2 == the floor of 2
  EXPECT_TRUE(closest_names("xyz", short_names).empty());
}

TEST(ClosestNames, AtMostMax) {
  const std::vector<std::string> names = {"cpu.a", "cpu.b", "cpu.c", "cpu.d", "cpu.e"};
  EXPECT_EQ(closest_names("cpu.x", names).size(), 3u);
  EXPECT_EQ(closest_names("cpu.x", names, 2).size(), 2u);
  EXPECT_EQ(closest_names("cpu.x", names, 10).size(), 5u);
}

TEST(ClosestNames, PrefixRanksAsDistanceOne) {
  // "cpu.fxx" is two edits away; the long name merely starts with what was typed.
  const std::vector<std::string> names = {"cpu.fxx", "cpu.fma.long.name"};
  const auto close = closest_names("cpu.fma", names);
  ASSERT_EQ(close.size(), 2u);
  EXPECT_EQ(close[0], "cpu.fma.long.name");
  EXPECT_EQ(close[1], "cpu.fxx");
}

TEST(ClosestNames, TiesKeepCandidateOrder) {
  const std::vector<std::string> names = {"cpu.fmb", "cpu.fma.long.name"};
  EXPECT_EQ(closest_names("cpu.fma", names), names);
}

TEST(DidYouMean, Phrasing) {
  const std::vector<std::string> one = {"threads"};
  EXPECT_EQ(did_you_mean("thread", one), " (did you mean 'threads'?)");
  const std::vector<std::string> two = {"size", "sizes"};
  EXPECT_EQ(did_you_mean("siz", two), " (did you mean 'size' or 'sizes'?)");
  const std::vector<std::string> three = {"ab1", "ab2", "ab3"};
  EXPECT_EQ(did_you_mean("ab", three), " (did you mean 'ab1', 'ab2' or 'ab3'?)");
  EXPECT_EQ(did_you_mean("zzzzzz", one), "");
  EXPECT_EQ(did_you_mean("x", std::vector<std::string>{}), "");
}

}  // namespace
}  // namespace assay
