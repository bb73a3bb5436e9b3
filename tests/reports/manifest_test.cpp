// MANIFEST: SHA-256 of every file of a bundle in sha256sum's form, and how it compares.
#include "reports/manifest.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace assay {
namespace {

namespace fs = std::filesystem;

// The FIPS 180-2 / NIST test vectors of SHA-256.
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kTwoBlocks = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr const char* kMillionA = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

void write_text_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "assay-manifest-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(Sha256, MatchesTheStandardTestVectors) {
  EXPECT_EQ(sha256_hex("abc"), kAbc);
  EXPECT_EQ(sha256_hex(""), kEmpty);
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), kTwoBlocks);
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), kMillionA);
}

TEST_F(ManifestTest, HashesFilesWithTheTestVectorsSortedAndRecursively) {
  write_text_file(dir_ / "summary.json", "abc");
  write_text_file(dir_ / "a-empty", "");
  write_text_file(dir_ / "logs" / "million-a", std::string(1000000, 'a'));
  write_text_file(dir_ / "logs" / "deeper" / "two-blocks",
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
  auto manifest = hash_bundle(dir_.string());
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  ASSERT_EQ(manifest->entries.size(), 4u);
  EXPECT_EQ(manifest->entries[0].path, "a-empty");
  EXPECT_EQ(manifest->entries[0].sha256_hex, kEmpty);
  EXPECT_EQ(manifest->entries[1].path, "logs/deeper/two-blocks");
  EXPECT_EQ(manifest->entries[1].sha256_hex, kTwoBlocks);
  EXPECT_EQ(manifest->entries[2].path, "logs/million-a");
  EXPECT_EQ(manifest->entries[2].sha256_hex, kMillionA);
  EXPECT_EQ(manifest->entries[3].path, "summary.json");
  EXPECT_EQ(manifest->entries[3].sha256_hex, kAbc);
  EXPECT_EQ(manifest_text(*manifest), std::string(kEmpty) + "  a-empty\n" + kTwoBlocks + "  logs/deeper/two-blocks\n" +
                                          kMillionA + "  logs/million-a\n" + kAbc + "  summary.json\n");
}

TEST_F(ManifestTest, HashesFilesLargerThanOneReadInChunks) {
  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 % 251);
  write_text_file(dir_ / "journal.jsonl", big);
  auto manifest = hash_bundle(dir_.string());
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  ASSERT_EQ(manifest->entries.size(), 1u);
  EXPECT_EQ(manifest->entries[0].sha256_hex, sha256_hex(big));
}

TEST_F(ManifestTest, LeavesOutTheManifestAndItsSignaturesAtTheTopOnly) {
  write_text_file(dir_ / "MANIFEST", "old");
  write_text_file(dir_ / "MANIFEST.sig", "old");
  write_text_file(dir_ / "plan.toml", "abc");
  write_text_file(dir_ / "sub" / "MANIFEST", "abc");
  auto manifest = hash_bundle(dir_.string());
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  ASSERT_EQ(manifest->entries.size(), 2u);
  EXPECT_EQ(manifest->entries[0].path, "plan.toml");
  EXPECT_EQ(manifest->entries[1].path, "sub/MANIFEST");
}

TEST_F(ManifestTest, WriteManifestWritesWhatItHashed) {
  write_text_file(dir_ / "summary.json", "abc");
  auto manifest = write_manifest(dir_.string());
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  std::ifstream in(dir_ / "MANIFEST");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, std::string(kAbc) + "  summary.json\n");
  // Writing it again does not list the MANIFEST itself.
  auto again = write_manifest(dir_.string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->entries.size(), 1u);
}

TEST_F(ManifestTest, RefusesSymlinksAndSpecialFilesNamingThem) {
  write_text_file(dir_ / "summary.json", "abc");
  fs::create_symlink("summary.json", dir_ / "link.json");
  auto with_link = hash_bundle(dir_.string());
  ASSERT_FALSE(with_link.ok());
  EXPECT_EQ(with_link.error().kind, ErrorKind::bad_input);
  EXPECT_NE(with_link.error().message.find("link.json is a symbolic link"), std::string::npos)
      << with_link.error().message;
  fs::remove(dir_ / "link.json");

  ASSERT_EQ(::mkfifo((dir_ / "pipe").c_str(), 0600), 0);
  auto with_fifo = hash_bundle(dir_.string());
  ASSERT_FALSE(with_fifo.ok());
  EXPECT_NE(with_fifo.error().message.find("pipe is not a regular file"), std::string::npos)
      << with_fifo.error().message;
}

TEST_F(ManifestTest, RefusesNamesThatSha256sumWouldEscape) {
  write_text_file(dir_ / "bad\nname", "abc");
  auto newline = hash_bundle(dir_.string());
  ASSERT_FALSE(newline.ok());
  EXPECT_NE(newline.error().message.find("line break"), std::string::npos) << newline.error().message;
  fs::remove(dir_ / "bad\nname");
  write_text_file(dir_ / "sub" / "back\\slash", "abc");
  auto backslash = hash_bundle(dir_.string());
  ASSERT_FALSE(backslash.ok());
  EXPECT_NE(backslash.error().message.find("sub/back\\slash"), std::string::npos) << backslash.error().message;
}

TEST_F(ManifestTest, AMissingBundleIsBadInput) {
  auto missing = hash_bundle((dir_ / "nope").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::bad_input);
  EXPECT_NE(missing.error().message.find("nope"), std::string::npos);
}

TEST(ParseManifest, RoundTripsAndSortsAndAcceptsBinaryMode) {
  const std::string text = std::string(kAbc) + " *summary.json\n" + kEmpty + "  a/b c.txt\n";
  auto manifest = parse_manifest(text, "MANIFEST");
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  ASSERT_EQ(manifest->entries.size(), 2u);
  EXPECT_EQ(manifest->entries[0].path, "a/b c.txt");
  EXPECT_EQ(manifest->entries[1].path, "summary.json");
  EXPECT_EQ(manifest->entries[1].sha256_hex, kAbc);
  EXPECT_EQ(manifest_text(*manifest), std::string(kEmpty) + "  a/b c.txt\n" + kAbc + "  summary.json\n");
  // No final line break is still one line.
  auto unterminated = parse_manifest(std::string(kAbc) + "  x", "MANIFEST");
  ASSERT_TRUE(unterminated.ok());
  EXPECT_EQ(unterminated->entries.size(), 1u);
  EXPECT_TRUE(parse_manifest("", "MANIFEST")->entries.empty());
}

TEST(ParseManifest, ErrorsNameTheFileAndLine) {
  const std::string good = std::string(kAbc) + "  summary.json\n";
  const auto error_of = [&](const std::string& second_line) {
    auto parsed = parse_manifest(good + second_line, "bundle/MANIFEST");
    EXPECT_FALSE(parsed.ok()) << second_line;
    return parsed.ok() ? std::string() : parsed.error().message;
  };
  for (const std::string& bad : {std::string("not a hash  file\n"), std::string(kAbc).substr(1) + "  x\n",
                                 std::string(kAbc) + " x\n", std::string(kAbc) + "\n", std::string("\n"),
                                 std::string("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD  x\n"),
                                 "\\" + std::string(kAbc) + "  a\\\\b\n"}) {
    const std::string message = error_of(bad);
    EXPECT_NE(message.find("bundle/MANIFEST, line 2"), std::string::npos) << message;
  }
}

TEST(ParseManifest, RefusesPathsThatLeaveTheBundle) {
  for (const std::string path : {"/etc/passwd", "../outside", "a/../../b", "a//b", "./a", "a/"}) {
    auto parsed = parse_manifest(std::string(kAbc) + "  " + path + "\n", "MANIFEST");
    ASSERT_FALSE(parsed.ok()) << path;
    EXPECT_NE(parsed.error().message.find("line 1"), std::string::npos) << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(path), std::string::npos) << parsed.error().message;
  }
}

TEST(ParseManifest, RefusesAPathListedTwice) {
  auto parsed = parse_manifest(std::string(kAbc) + "  x\n" + kEmpty + "  x\n", "MANIFEST");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("x is listed twice"), std::string::npos) << parsed.error().message;
}

TEST(CompareManifests, NamesModifiedMissingAndExtraFilesInPathOrder) {
  const Manifest recorded{{{"a.json", kAbc}, {"journal.jsonl", kAbc}, {"report.md", kEmpty}, {"z.csv", kAbc}}};
  const Manifest actual{{{"a.json", kAbc}, {"b-new.txt", kEmpty}, {"journal.jsonl", kEmpty}, {"z.csv", kAbc}}};
  const auto differences = compare_manifests(recorded, actual);
  ASSERT_EQ(differences.size(), 3u);
  EXPECT_EQ(differences[0].path, "b-new.txt");
  EXPECT_EQ(differences[0].kind, ManifestDifference::Kind::extra);
  EXPECT_EQ(differences[1].path, "journal.jsonl");
  EXPECT_EQ(differences[1].kind, ManifestDifference::Kind::modified);
  EXPECT_EQ(differences[2].path, "report.md");
  EXPECT_EQ(differences[2].kind, ManifestDifference::Kind::missing);
  EXPECT_EQ(describe_differences(differences),
            "modified: journal.jsonl; missing: report.md; extra (not in the MANIFEST): b-new.txt");
  EXPECT_TRUE(compare_manifests(recorded, recorded).empty());
  EXPECT_EQ(describe_differences({}), "");
}

}  // namespace
}  // namespace assay
