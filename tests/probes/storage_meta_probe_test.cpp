// storage.meta for real on a scratch directory: small trees, the stonewall, cancel,
// and the checks that make it fail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "probes/probe_test_helpers.h"
#include "probes/storage/meta_phases.h"
#include "probes/storage/meta_probe.h"

namespace assay {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class StorageMeta : public ::testing::Test {
 protected:
  ParamList params(std::vector<std::pair<std::string, std::string>> sets) const {
    std::vector<ParamOverride> overrides = {{"path", dir_.string(), "test"},
                                            {"files", std::string("500"), "test"},
                                            {"files_per_dir", std::string("128"), "test"},
                                            {"repetitions", std::string("2"), "test"}};
    for (auto& [k, v] : sets) overrides.push_back({k, v, "--set " + k});
    return testing::resolved(*probe_, overrides);
  }
  testing::ScratchDirectory scratch_{"meta"};
  const fs::path& dir_ = scratch_.path();
  std::unique_ptr<Probe> probe_ = make_storage_meta_probe();
};

TEST_F(StorageMeta, CreatesStatsAndDeletesWithTwoThreadsAndLeavesNothing) {
  ProbeContext context;
  context.node = "n";
  const ParamList p = params({{"threads", "2"}});
  ASSERT_TRUE(probe_->check_params(p).ok());
  const ProbeResult r = probe_->run(p, context);
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  for (const char* key : {"storage.meta.create", "storage.meta.stat", "storage.meta.delete"}) {
    const Metric* m = find_metric(r, key);
    ASSERT_NE(m, nullptr) << key;
    EXPECT_EQ(m->samples.size(), 2u);
    EXPECT_GT(m->value, 0) << key;
  }
  EXPECT_TRUE(r.validation.passed);
  EXPECT_THAT(r.validation.detail, HasSubstr("each of 2000 stats"));
  EXPECT_EQ(scratch_.entries(), 0u);
}

TEST_F(StorageMeta, ATinyStonewallStillChecksWhatWasDone) {
  ProbeContext context;
  const ProbeResult r = probe_->run(params({{"files", "20000"}, {"seconds", "0.002"}, {"repetitions", "1"}}), context);
  ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
  std::string notes;
  for (const auto& n : r.notes) notes += n;
  EXPECT_THAT(notes, HasSubstr("stonewall of 0.002 s ended a phase"));
  EXPECT_TRUE(r.validation.passed);
  EXPECT_EQ(scratch_.entries(), 0u);
}

TEST_F(StorageMeta, CancelEndsPromptlyAndLeavesNothing) {
  std::atomic<bool> cancel{false};
  ProbeContext context;
  context.cancel = &cancel;
  std::jthread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancel = true;
  });
  const ProbeResult r = probe_->run(params({{"files", "10000000"}, {"repetitions", "1"}}), context);
  EXPECT_EQ(r.status, ProbeStatus::error);
  EXPECT_THAT(r.error, HasSubstr("interrupted"));
  EXPECT_EQ(scratch_.entries(), 0u);
}

TEST_F(StorageMeta, AFileThatVanishesBeforeItsStatFailsNamingIt) {
  const fs::path root = dir_ / "tree";
  fs::create_directories(root);
  const MetaLayout layout{root.string(), 1, 10, 4};
  ASSERT_EQ(make_meta_tree(layout), "");
  const auto never = std::chrono::steady_clock::time_point::max();
  EXPECT_EQ(run_meta_thread(layout, 0, MetaPhase::create, 10, never, nullptr).done, 10);
  EXPECT_EQ(check_meta_tree(layout, 0, 10), "");
  fs::remove(layout.file_path(0, 6));
  EXPECT_THAT(check_meta_tree(layout, 0, 10), HasSubstr("d1 lists 3 entries where 4 files should be"));
  const MetaThreadWork stat = run_meta_thread(layout, 0, MetaPhase::stat, 10, never, nullptr);
  EXPECT_EQ(stat.done, 6);
  EXPECT_THAT(stat.error, HasSubstr("f6: stat failed: No such file or directory"));
}

TEST_F(StorageMeta, BadPathsAreRefusedUpFront) {
  const auto missing = probe_->check_params(params({{"path", "/nonexistent/x"}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(missing.error().message, HasSubstr("path=/nonexistent/x: does not exist"));
  const auto proc = probe_->check_params(params({{"path", "/proc"}}));
  ASSERT_FALSE(proc.ok());
  EXPECT_THAT(proc.error().message, HasSubstr("path=/proc: "));
}

// Root may write almost anywhere, so "not writable" is made with the immutable flag,
// which stops root too.
TEST_F(StorageMeta, ADirectoryNobodyMayWriteIsRefusedUpFront) {
  const fs::path locked = dir_ / "locked";
  fs::create_directories(locked);
  const int fd = ::open(locked.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  int flags = 0;
  if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) {
    ::close(fd);
    GTEST_SKIP() << "this file system has no inode flags (FS_IOC_GETFLAGS), so no immutable directory";
  }
  const int locked_flags = flags | FS_IMMUTABLE_FL;
  if (::ioctl(fd, FS_IOC_SETFLAGS, &locked_flags) != 0) {
    ::close(fd);
    GTEST_SKIP() << "cannot set the immutable flag here (needs root / CAP_LINUX_IMMUTABLE)";
  }
  const auto refused = probe_->check_params(params({{"path", locked.string()}}));
  ::ioctl(fd, FS_IOC_SETFLAGS, &flags);
  ::close(fd);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(refused.error().message,
              HasSubstr("path=" + locked.string() + ": cannot create a directory there: Operation not permitted"));
}

}  // namespace
}  // namespace assay
