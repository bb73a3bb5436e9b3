#include "suites/bundle.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

#include <unistd.h>

#include "core/iso_time.h"

namespace assay {
namespace {

namespace fs = std::filesystem;

TEST(BundleSlug, KeepsLettersAndDigitsOnly) {
  EXPECT_EQ(bundle_slug("Example AIDC, lot 3"), "example-aidc-lot-3");
  EXPECT_EQ(bundle_slug("  --  "), "run");
  EXPECT_EQ(bundle_slug("gpu-017"), "gpu-017");
  EXPECT_EQ(bundle_slug("验收 lot 3"), "lot-3");
}

TEST(BundleDir, IsNamedByTimeAndPlanAndNeverReused) {
  const fs::path root = fs::temp_directory_path() / ("assay-bundle-" + std::to_string(::getpid()));
  fs::remove_all(root);
  const auto when = *parse_iso_utc("2026-11-22T01:02:03Z");
  auto first = create_bundle_dir(root.string(), "Lot 3", when);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(fs::path(*first).filename(), "2026-11-22T010203Z-lot-3");
  auto second = create_bundle_dir(root.string(), "Lot 3", when);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(fs::path(*second).filename(), "2026-11-22T010203Z-lot-3-2");
  fs::remove_all(root);
}

TEST(BundleDir, AnUnusableRootIsABadInputNamingIt) {
  const fs::path file = fs::temp_directory_path() / ("assay-notadir-" + std::to_string(::getpid()));
  ASSERT_TRUE(write_file_atomic(file.string(), "x").ok());
  auto dir = create_bundle_dir(file.string(), "p", std::chrono::system_clock::now());
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().kind, ErrorKind::bad_input);
  EXPECT_NE(dir.error().message.find(file.string()), std::string::npos);
  fs::remove(file);
}

TEST(WriteFileAtomic, WritesWholeFilesAndLeavesNoTemporary) {
  const fs::path dir = fs::temp_directory_path() / ("assay-atomic-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "summary.json").string();
  ASSERT_TRUE(write_file_atomic(path, "first").ok());
  ASSERT_TRUE(write_file_atomic(path, "second").ok());
  EXPECT_EQ(*read_file(path), "second");
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  auto missing = read_file((dir / "absent").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("absent"), std::string::npos);
  auto a_dir = read_file(dir.string());
  ASSERT_FALSE(a_dir.ok());
  EXPECT_NE(a_dir.error().message.find("directory"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace assay

namespace assay {
namespace {

TEST(FileWriteError, AFullDiskIsTheUsersToFix) {
  const Error full = file_write_error("cannot write x", ENOSPC);
  EXPECT_EQ(full.kind, ErrorKind::bad_input);
  EXPECT_NE(full.message.find("No space left on device"), std::string::npos) << full.message;
  EXPECT_EQ(file_write_error("cannot write x", EROFS).kind, ErrorKind::bad_input);
  EXPECT_EQ(file_write_error("cannot write x", EIO).kind, ErrorKind::environment);
}

TEST(WriteFileAtomic, AFullDeviceIsABadInputNamingTheFile) {
  // /dev/full fails every write with ENOSPC. write_file_atomic writes <path>.tmp
  // first, so making that name a symlink to /dev/full fills the "disk" for real.
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  const auto dir = std::filesystem::temp_directory_path() / ("assay-full-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "summary.json").string();
  std::filesystem::create_symlink("/dev/full", path + ".tmp");
  auto w = write_file_atomic(path, std::string(8192, 'x'));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind, ErrorKind::bad_input);
  EXPECT_NE(w.error().message.find(path), std::string::npos) << w.error().message;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace assay
