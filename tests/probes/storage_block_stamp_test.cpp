// What the storage probes write and how they recognise every way a read-back can be
// wrong (block_stamp.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "probes/storage/block_stamp.h"

namespace assay {
namespace {

using ::testing::HasSubstr;

std::vector<std::byte> filled(const StampPattern& p, std::size_t bytes, std::uint32_t file, std::uint64_t offset) {
  std::vector<std::byte> block(bytes);
  p.fill(block, file, offset);
  return block;
}

TEST(StampPattern, WhatIsWrittenChecksBackAtTheSamePlace) {
  const StampPattern p(42);
  const auto block = filled(p, 1 << 20, 3, 8 << 20);
  EXPECT_EQ(p.check(block, 3, 8 << 20), std::nullopt);
}

TEST(StampPattern, TheSameRunGivesTheSameBytesAndUnitsDiffer) {
  const StampPattern a(7), b(7);
  EXPECT_EQ(filled(a, 8192, 1, 4096), filled(b, 8192, 1, 4096));
  const auto block = filled(a, 8192, 1, 0);
  EXPECT_NE(std::memcmp(block.data() + 32, block.data() + 4096 + 32, 4096 - 32), 0)
      << "two units' payloads must differ, or a deduplicating array could skip writes";
}

TEST(StampPattern, ZerosAreALostWrite) {
  const StampPattern p(1);
  std::vector<std::byte> block = filled(p, 3 * 4096, 0, 0);
  std::memset(block.data() + 4096, 0, 4096);
  const auto bad = p.check(block, 0, 0);
  ASSERT_TRUE(bad.has_value());
  EXPECT_THAT(*bad, HasSubstr("offset 4096: reads as zeros"));
}

TEST(StampPattern, AnotherPlacesDataIsAMisdirectedWrite) {
  const StampPattern p(1);
  const auto elsewhere = filled(p, 4096, 2, 65536);
  EXPECT_THAT(p.check(elsewhere, 2, 0).value_or(""), HasSubstr("holds the data of file 2 offset 65536"));
  EXPECT_THAT(p.check(elsewhere, 5, 65536).value_or(""), HasSubstr("misdirected"));
}

TEST(StampPattern, AnEarlierRunsDataIsStale) {
  const StampPattern before(1), now(2);
  EXPECT_THAT(now.check(filled(before, 4096, 0, 0), 0, 0).value_or(""), HasSubstr("another run (stale"));
}

TEST(StampPattern, FlippedBitsAreCountedWithTheirPlace) {
  const StampPattern p(9);
  std::vector<std::byte> block = filled(p, 2 * 4096, 0, 1 << 20);
  block[4096 + 517] ^= std::byte{0x10};
  block[4096 + 900] ^= std::byte{0x01};
  EXPECT_THAT(p.check(block, 0, 1 << 20).value_or(""),
              HasSubstr("offset 1052672: 2 bytes differ from what was written, first at byte 517"));
}

TEST(StampPattern, ForeignDataIsNamed) {
  const StampPattern p(9);
  std::vector<std::byte> block(4096, std::byte{0x5a});
  EXPECT_THAT(p.check(block, 0, 0).value_or(""), HasSubstr("did not write"));
}

TEST(StampPattern, NoncesDiffer) { EXPECT_NE(new_run_nonce(), new_run_nonce()); }

}  // namespace
}  // namespace assay
