// storage.rand for real on a scratch directory of this machine, small and short: both
// engines, both I/O modes, the read check of the worker against a block corrupted on
// disk, the timed window's samples, cancel, and what it refuses up front.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "probes/probe_test_helpers.h"
#include "probes/storage/rand_probe.h"
#include "probes/storage/rand_worker.h"

namespace assay {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

std::string all_notes(const ProbeResult& r) {
  std::string notes;
  for (const auto& n : r.notes) notes += n + "\n";
  return notes;
}

class StorageRand : public ::testing::TestWithParam<std::string> {
 protected:
  ParamList params(std::vector<std::pair<std::string, std::string>> sets) const {
    std::vector<ParamOverride> overrides = {{"path", dir_.string(), "test"},
                                            {"size", std::string("8 MiB"), "test"},
                                            {"seconds", std::string("0.5"), "test"},
                                            {"ramp", std::string("0.1"), "test"}};
    for (auto& [k, v] : sets) overrides.push_back({k, v, "--set " + k});
    return testing::resolved(*probe_, overrides);
  }

  // Every figure positive, percentiles in order, and nothing emitted that is not declared.
  void expect_sound_figures(const ProbeResult& r) const {
    std::set<std::string> declared;
    for (const MetricSpec& m : probe_->metrics()) declared.insert(m.key);
    for (const Metric& m : r.metrics) EXPECT_TRUE(declared.count(m.key)) << m.key << " is not declared";
    for (const std::string kind : {"read", "write"}) {
      const Metric* iops = find_metric(r, "storage.rand." + kind + "_iops");
      const Metric* p50 = find_metric(r, "storage.rand." + kind + "_p50");
      const Metric* p99 = find_metric(r, "storage.rand." + kind + "_p99");
      const Metric* p999 = find_metric(r, "storage.rand." + kind + "_p999");
      ASSERT_NE(iops, nullptr) << kind;
      ASSERT_NE(p50, nullptr) << kind;
      ASSERT_NE(p99, nullptr) << kind;
      ASSERT_NE(p999, nullptr) << kind;
      EXPECT_GT(iops->value, 10) << kind;
      EXPECT_EQ(iops->unit, Unit::op_per_s);
      EXPECT_EQ(p50->unit, Unit::second);
      EXPECT_EQ(p50->better, Better::lower);
      EXPECT_GT(p50->value, 0) << kind;
      EXPECT_LE(p50->value, p99->value) << kind;
      EXPECT_LE(p99->value, p999->value) << kind;
      EXPECT_LT(p999->value, 10.0) << kind;
    }
    EXPECT_EQ(find_metric(r, "storage.rand.read_iops_aggregate"), nullptr) << "alone, no aggregate";
    EXPECT_TRUE(r.validation.checked);
    EXPECT_TRUE(r.validation.passed) << r.validation.detail;
    EXPECT_EQ(r.subject, "storage");
  }

  testing::ScratchDirectory scratch_{"rand-probe"};
  const fs::path& dir_ = scratch_.path();
  std::unique_ptr<Probe> probe_ = make_storage_rand_probe();
};

TEST_P(StorageRand, ReadsAndWritesWithPositiveFiguresAndLeavesNothing) {
  ProbeContext context;
  context.node = "test-node";
  const ParamList p = params({{"engine", GetParam()}, {"depth", "8"}});
  ASSERT_TRUE(probe_->check_params(p).ok());
  const ProbeResult r = probe_->run(p, context);
  if (r.status == ProbeStatus::error && GetParam() == "io_uring" &&
      r.error.find("io_uring cannot be used") != std::string::npos) {
    GTEST_SKIP() << r.error;
  }
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  expect_sound_figures(r);
  EXPECT_THAT(r.validation.detail, HasSubstr("random reads each compared"));
  EXPECT_THAT(r.validation.detail, HasSubstr("distinct blocks written in the write phase read back"));
  EXPECT_THAT(all_notes(r), HasSubstr("engine " + GetParam()));
  EXPECT_THAT(all_notes(r), HasSubstr("O_DIRECT (alignment"));
  EXPECT_EQ(scratch_.entries(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Engines, StorageRand, ::testing::Values("io_uring", "threads"),
                         [](const auto& engine) { return engine.param; });

class StorageRandModes : public StorageRand {};

TEST_F(StorageRandModes, BufferedModeSaysSoAndStillChecksEverything) {
  ProbeContext context;
  const ProbeResult r = probe_->run(params({{"direct", "off"}, {"threads", "2"}, {"block", "8 KiB"}}), context);
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  expect_sound_figures(r);
  EXPECT_THAT(all_notes(r), HasSubstr("buffered (direct=off)"));
  EXPECT_THAT(all_notes(r), HasSubstr("writes opened O_DSYNC"));
  EXPECT_THAT(all_notes(r), HasSubstr("2 file(s) of 8 MiB"));
  EXPECT_EQ(scratch_.entries(), 0u);
}

TEST_F(StorageRandModes, TheTimedWindowGivesOneSampleASecond) {
  ProbeContext context;
  const ProbeResult r = probe_->run(params({{"seconds", "1.6"}, {"ramp", "0"}, {"depth", "4"}}), context);
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  const Metric* iops = find_metric(r, "storage.rand.read_iops");
  ASSERT_NE(iops, nullptr);
  EXPECT_EQ(iops->samples.size(), 2u);
  EXPECT_THAT(iops->note, HasSubstr("median of 2 intervals of 0.8 s"));
  for (const double sample : iops->samples) EXPECT_GT(sample, 0);
}

TEST_F(StorageRandModes, ACancelFromAnotherThreadEndsTheRunPromptlyAndLeavesNothing) {
  std::atomic<bool> cancel{false};
  ProbeContext context;
  context.cancel = &cancel;
  const auto start = Clock::now();
  std::jthread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    cancel = true;
  });
  const ProbeResult r = probe_->run(params({{"seconds", "30"}, {"ramp", "1"}}), context);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  ASSERT_EQ(r.status, ProbeStatus::error);
  EXPECT_THAT(r.error, HasSubstr("interrupted"));
  EXPECT_EQ(scratch_.entries(), 0u);
}

TEST_F(StorageRandModes, ParametersThatCannotWorkAreRefusedUpFrontNamingThem) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> sets;
    std::string names;
  };
  const Case cases[] = {
      {{{"block", "6000"}}, "block=6000 B is not a positive multiple of 4096 B"},
      {{{"size", "4 KiB"}, {"block", "8 KiB"}}, "size=4096 B is smaller than block=8192 B"},
      {{{"size", "12 KiB"}, {"block", "8 KiB"}}, "size=12288 B is not a positive multiple of 8192 B"},
      {{{"path", "/nonexistent/assay-rand"}}, "path=/nonexistent/assay-rand"},
  };
  for (const Case& c : cases) {
    const auto checked = probe_->check_params(params(c.sets));
    ASSERT_FALSE(checked.ok()) << c.names;
    EXPECT_EQ(checked.error().kind, ErrorKind::bad_input) << c.names;
    EXPECT_THAT(checked.error().message, HasSubstr(c.names));
    // run() refuses the same, without writing anything.
    ProbeContext context;
    const ProbeResult r = probe_->run(params(c.sets), context);
    EXPECT_EQ(r.status, ProbeStatus::error) << c.names;
  }
  EXPECT_EQ(scratch_.entries(), 0u);
}

TEST_F(StorageRandModes, DeclaresItsParametersWithFiosDefaults) {
  const ParamList p = testing::resolved(*probe_, {});
  EXPECT_EQ(param_text(p, "path"), ".");
  EXPECT_EQ(param_int(p, "size"), std::int64_t{1} << 30);
  EXPECT_EQ(param_int(p, "block"), 4096);
  EXPECT_EQ(param_int(p, "depth"), 32);
  EXPECT_EQ(param_real(p, "seconds"), 10.0);
  EXPECT_EQ(param_real(p, "ramp"), 2.0);
  EXPECT_EQ(param_int(p, "threads"), 1);
  EXPECT_EQ(param_text(p, "direct"), "auto");
  EXPECT_EQ(param_text(p, "engine"), "auto");
  EXPECT_TRUE(probe_->availability().available);
  EXPECT_TRUE(probe_->uses_peers());
}

// The worker under the probe: a block corrupted on disk after the layout is caught by
// the random reads and by the read-back check, naming the file and the offset.
class RandWorkerOnDisk : public ::testing::Test {
 protected:
  void flip_byte(const std::string& path, off_t at) const {
    const int fd = ::open(path.c_str(), O_RDWR);
    ASSERT_GE(fd, 0) << path;
    char byte = 0;
    ASSERT_EQ(::pread(fd, &byte, 1, at), 1);
    byte = static_cast<char>(byte ^ 0x01);
    ASSERT_EQ(::pwrite(fd, &byte, 1, at), 1);
    ::fsync(fd);
    ::close(fd);
  }

  testing::ScratchDirectory scratch_{"rand-worker"};
  const fs::path& dir_ = scratch_.path();
};

TEST_F(RandWorkerOnDisk, ACorruptedBlockIsCaughtByTheRandomReadsAndTheReadBack) {
  for (const std::string engine : {"io_uring", "threads"}) {
    SCOPED_TRACE(engine);
    const std::string path = (dir_ / ("rand-" + engine + ".dat")).string();
    // Two blocks: random reads hit the corrupted one within the first few requests.
    auto worker = RandWorker::create({path, 3, 2 * 4096}, RandIo{false, 4096, 4096, 4, engine});
    ASSERT_TRUE(worker.ok()) << worker.error().message;
    const StampPattern pattern(77);
    const RandStageEnd laid = worker->lay_out(pattern, nullptr);
    ASSERT_TRUE(laid.error.empty()) << laid.error;
    flip_byte(path, 4096 + 1000);

    std::int64_t checked = 0;
    const std::uint64_t offsets[] = {0, 4096};
    const RandStageEnd back = worker->check_blocks(offsets, pattern, nullptr, checked);
    EXPECT_THAT(back.error, HasSubstr(path));
    EXPECT_THAT(back.error, HasSubstr("offset 4096: 1 byte differs from what was written, first at byte 1000"));

    const auto now = Clock::now();
    const RandPhaseOutcome reads =
        worker->run_phase(false, {now, now + std::chrono::seconds(5), 5}, pattern, 1, nullptr);
    EXPECT_THAT(reads.end.error, HasSubstr(path));
    EXPECT_THAT(reads.end.error, HasSubstr("random read check failed at offset 4096"));
    EXPECT_LT(Clock::now() - now, std::chrono::seconds(2)) << "a failed check stops the phase";
  }
}

TEST_F(RandWorkerOnDisk, WritesLandWhereTheyWereAimedAndTheSampleReadsBack) {
  const std::string path = (dir_ / "rand.dat").string();
  auto worker = RandWorker::create({path, 0, 64 * 4096}, RandIo{false, 4096, 4096, 8, "auto"});
  ASSERT_TRUE(worker.ok()) << worker.error().message;
  const StampPattern laid_out(1), written(2);
  ASSERT_TRUE(worker->lay_out(laid_out, nullptr).error.empty());
  const auto now = Clock::now();
  RandPhaseOutcome writes =
      worker->run_phase(true, {now, now + std::chrono::milliseconds(200), 1}, written, 9, nullptr);
  ASSERT_TRUE(writes.end.error.empty()) << writes.end.error;
  EXPECT_GT(writes.counted_ops, 0);
  EXPECT_EQ(writes.latency.count(), writes.counted_ops);
  ASSERT_FALSE(writes.written_offsets.empty());
  std::sort(writes.written_offsets.begin(), writes.written_offsets.end());
  writes.written_offsets.erase(std::unique(writes.written_offsets.begin(), writes.written_offsets.end()),
                               writes.written_offsets.end());
  std::int64_t checked = 0;
  const RandStageEnd back = worker->check_blocks(writes.written_offsets, written, nullptr, checked);
  EXPECT_TRUE(back.error.empty()) << back.error;
  EXPECT_EQ(checked, static_cast<std::int64_t>(writes.written_offsets.size()));
  // The same blocks do not hold the layout's content any more.
  const RandStageEnd stale = worker->check_blocks(writes.written_offsets, laid_out, nullptr, checked);
  EXPECT_THAT(stale.error, HasSubstr("another run"));
}

}  // namespace
}  // namespace assay
