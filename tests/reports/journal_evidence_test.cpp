#include "reports/journal_evidence.h"

#include <chrono>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/iso_time.h"

namespace assay {
namespace {

ProbeResult result(const std::string& node, const std::string& probe, const std::string& subject, int second) {
  ProbeResult r;
  r.node = node;
  r.probe = probe;
  r.subject = subject;
  r.start = *parse_iso_utc("2026-11-22T01:02:03.000Z") + std::chrono::seconds(second);
  r.end = r.start + std::chrono::seconds(1);
  return r;
}

TEST(JournalEvidence, FindsEachResultsLineOneBased) {
  const std::vector<ProbeResult> journal = {result("a", "cpu.fma", "cpu", 0), result("b", "cpu.fma", "cpu", 0),
                                            result("a", "memory.stream", "memory", 5)};
  Summary s;
  s.results = {journal[2], journal[0], journal[1]};
  EXPECT_EQ(journal_lines_for(s, journal), (std::vector<std::size_t>{3, 1, 2}));
}

TEST(JournalEvidence, ARepeatedEntryPointsAtTheLastLine) {
  // The same result written twice (a resumed run journaling it again): the later line is
  // the one the summary holds.
  const std::vector<ProbeResult> journal = {result("a", "cpu.fma", "cpu", 0), result("a", "cpu.fma", "cpu", 9),
                                            result("a", "cpu.fma", "cpu", 0), result("a", "cpu.fma", "cpu", 9)};
  Summary s;
  s.results = {journal[0], journal[1]};
  EXPECT_EQ(journal_lines_for(s, journal), (std::vector<std::size_t>{3, 4}));
}

TEST(JournalEvidence, EveryFieldOfTheIdentityCounts) {
  const std::vector<ProbeResult> journal = {result("a", "cpu.fma", "cpu", 0)};
  Summary s;
  s.results = {result("b", "cpu.fma", "cpu", 0), result("a", "cpu.gemm", "cpu", 0), result("a", "cpu.fma", "gpu0", 0),
               result("a", "cpu.fma", "cpu", 1), result("a", "cpu.fma", "cpu", 0)};
  EXPECT_EQ(journal_lines_for(s, journal), (std::vector<std::size_t>{0, 0, 0, 0, 1}));
  EXPECT_EQ(journal_lines_for(s, {}), (std::vector<std::size_t>(5, 0)));
  EXPECT_TRUE(journal_lines_for(Summary{}, journal).empty());
}

TEST(JournalEvidence, ScalesToAFleet) {
  std::vector<ProbeResult> journal;
  Summary s;
  constexpr int kNodes = 20'000;
  for (int i = 0; i < kNodes; ++i) journal.push_back(result(fmt::format("node-{:05}", i), "cpu.fma", "cpu", i % 7));
  for (int i = kNodes - 1; i >= 0; --i) s.results.push_back(journal[static_cast<std::size_t>(i)]);
  const auto start = std::chrono::steady_clock::now();
  const auto lines = journal_lines_for(s, journal);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kNodes));
  for (int i = 0; i < kNodes; ++i) EXPECT_EQ(lines[static_cast<std::size_t>(i)], static_cast<std::size_t>(kNodes - i));
}

}  // namespace
}  // namespace assay
