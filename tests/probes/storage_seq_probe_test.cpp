// storage.seq for real on a scratch directory of this machine: small sizes, both I/O
// modes, the read-back check against a block corrupted on disk between the write and
// the read phase, the stonewall, cancel, and what it refuses up front.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "probes/probe_test_helpers.h"
#include "probes/storage/direct_io.h"
#include "probes/storage/seq_probe.h"

namespace assay {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class StorageSeq : public ::testing::Test {
 protected:
  ParamList params(std::vector<std::pair<std::string, std::string>> sets) const {
    std::vector<ParamOverride> overrides = {{"path", dir_.string(), "test"},
                                            {"size", std::string("8 MiB"), "test"},
                                            {"repetitions", std::string("2"), "test"}};
    for (auto& [k, v] : sets) overrides.push_back({k, v, "--set " + k});
    return testing::resolved(*probe_, overrides);
  }

  testing::ScratchDirectory scratch_{"seq"};
  const fs::path& dir_ = scratch_.path();
  std::unique_ptr<Probe> probe_ = make_storage_seq_probe();
};

TEST_F(StorageSeq, WritesAndReadsBackWithPositiveFiguresAndLeavesNothing) {
  ProbeContext context;
  context.node = "test-node";
  const ParamList p = params({{"threads", "2"}, {"block", "256 KiB"}});
  ASSERT_TRUE(probe_->check_params(p).ok());
  const ProbeResult r = probe_->run(p, context);
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  const Metric* write = find_metric(r, "storage.seq.write");
  const Metric* read = find_metric(r, "storage.seq.read");
  ASSERT_NE(write, nullptr);
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(write->samples.size(), 2u);
  EXPECT_GT(write->value, 1e6);
  EXPECT_GT(read->value, 1e6);
  EXPECT_EQ(find_metric(r, "storage.seq.write_aggregate"), nullptr) << "alone, no aggregate";
  EXPECT_TRUE(r.validation.checked);
  EXPECT_TRUE(r.validation.passed);
  EXPECT_THAT(r.validation.detail, HasSubstr("16 MiB"));
  EXPECT_EQ(scratch_.entries(), 0u);
}

TEST_F(StorageSeq, ABlockCorruptedOnDiskBetweenWriteAndReadFailsNamingFileAndOffset) {
  ProbeContext context;
  context.node = "test-node";
  // The probe announces each phase before starting it; at the first read phase the
  // file is complete on disk, and one byte of its third block is flipped there.
  context.progress = [this](std::string_view text) {
    if (text != "read 1/2") return;
    for (const auto& area : fs::directory_iterator(dir_)) {
      const std::string file = (area.path() / "seq-0.dat").string();
      const int fd = ::open(file.c_str(), O_RDWR);
      ASSERT_GE(fd, 0) << file;
      char byte = 0;
      ASSERT_EQ(::pread(fd, &byte, 1, 2 * 1048576 + 4096 + 700), 1);
      byte = static_cast<char>(byte ^ 0x20);
      ASSERT_EQ(::pwrite(fd, &byte, 1, 2 * 1048576 + 4096 + 700), 1);
      ::fsync(fd);
      ::close(fd);
    }
  };
  const ProbeResult r = probe_->run(params({}), context);
  ASSERT_EQ(r.status, ProbeStatus::error);
  EXPECT_THAT(r.error, HasSubstr("seq-0.dat"));
  EXPECT_THAT(r.error, HasSubstr("offset 2101248: 1 byte differs from what was written, first at byte 700"));
  EXPECT_FALSE(r.validation.passed);
  EXPECT_EQ(scratch_.entries(), 0u);
}

TEST_F(StorageSeq, BufferedModeSaysSoAndHowMuchCacheWasLeft) {
  ProbeContext context;
  const ProbeResult r = probe_->run(params({{"direct", "off"}}), context);
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  std::string notes;
  for (const auto& n : r.notes) notes += n + "\n";
  EXPECT_THAT(notes, HasSubstr("buffered (direct=off)"));
  EXPECT_THAT(notes, HasSubstr("page cache after dropping it"));
}

TEST_F(StorageSeq, DirectModeIsUsedWhereTheFileSystemAllowsIt) {
  ProbeContext context;
  const ProbeResult r = probe_->run(params({{"direct", "on"}, {"engine", "threads"}}), context);
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  std::string notes;
  for (const auto& n : r.notes) notes += n + "\n";
  EXPECT_THAT(notes, HasSubstr("O_DIRECT (alignment"));
  EXPECT_THAT(notes, HasSubstr("engine threads"));
}

TEST_F(StorageSeq, TheStonewallEndsAPhaseEarlyAndSaysSo) {
  ProbeContext context;
  const ProbeResult r =
      probe_->run(params({{"size", "1 GiB"}, {"seconds", "0.05"}, {"block", "64 KiB"}, {"repetitions", "1"}}), context);
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  std::string notes;
  for (const auto& n : r.notes) notes += n + "\n";
  EXPECT_THAT(notes, HasSubstr("stonewall of 0.05 s ended a phase"));
  EXPECT_EQ(scratch_.entries(), 0u);
}

TEST_F(StorageSeq, CancelEndsTheRunPromptlyAndLeavesNothing) {
  std::atomic<bool> cancel{false};
  ProbeContext context;
  context.cancel = &cancel;
  std::jthread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  const ProbeResult r = probe_->run(params({{"size", "4 GiB"}, {"block", "64 KiB"}}), context);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(r.status, ProbeStatus::error);
  EXPECT_THAT(r.error, HasSubstr("interrupted"));
  EXPECT_EQ(scratch_.entries(), 0u);
}

TEST_F(StorageSeq, RefusesWhatCannotWorkNamingTheParameter) {
  auto refused = [&](std::vector<std::pair<std::string, std::string>> sets, const std::string& expected) {
    const auto ok = probe_->check_params(params(std::move(sets)));
    ASSERT_FALSE(ok.ok()) << expected;
    EXPECT_EQ(ok.error().kind, ErrorKind::bad_input);
    EXPECT_THAT(ok.error().message, HasSubstr(expected));
  };
  refused({{"block", "6000"}}, "block=6000 B is not a positive multiple of 4096 B");
  refused({{"files", "1"}, {"threads", "2"}}, "files=1 is fewer than threads=2");
  refused({{"size", "1 MiB"}, {"files", "4"}}, "less than one block");
  refused({{"path", "/nonexistent/assay"}}, "/nonexistent/assay");
  refused({{"path", "/etc/hostname"}}, "/etc/hostname");
  refused({{"size", "512 TiB"}}, "free");
  // tmpfs refused O_DIRECT before Linux 6.6; where it still does, direct=on must say so.
  if (fs::is_directory("/dev/shm") && !probe_direct_io("/dev/shm").supported) {
    refused({{"path", "/dev/shm"}, {"direct", "on"}}, "does not take O_DIRECT");
  }
  EXPECT_EQ(scratch_.entries(), 0u);
}

}  // namespace
}  // namespace assay
