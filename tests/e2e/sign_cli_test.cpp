// MANIFEST and signatures end to end: keygen, run --sign, sign as a witness, resume,
// and the standard tool an auditor would use (sha256sum -c).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "e2e/run_assay.h"

namespace assay {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::only_bundle;
using testing::read_text;
using testing::run_assay;

constexpr const char* kSha256sum = "/usr/bin/sha256sum";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class SignCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("sign");
    plan_ = dir_ + "/plan.toml";
    testing::write_text(plan_, testing::small_quick_plan("signed run"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string keygen(const std::string& name, const std::string& signer) {
    const std::string path = dir_ + "/" + name + ".key";
    const CommandResult r = run_assay({"keygen", "-o", path, "--signer", signer});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return path;
  }

  std::string dir_, plan_;
};

TEST_F(SignCli, KeygenWritesAnOwnerOnlySecretKeyAndNeverReplacesOne) {
  const std::string key = dir_ + "/engineer.key";
  CommandResult r = run_assay({"keygen", "-o", key, "--signer", "A. Li"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("engineer.key.pub"), std::string::npos) << r.out;
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string pub = read_text(key + ".pub");
  EXPECT_EQ(pub.rfind("assay-ed25519-public-key v1\npublic-key: ", 0), 0u) << pub;
  // The public key keygen printed is the one in the .pub file.
  const std::string printed = lines_of(r.out).front().substr(std::string("public key ").size());
  EXPECT_NE(pub.find(printed), std::string::npos) << r.out << pub;

  const std::string before = read_text(key);
  r = run_assay({"keygen", "-o", key});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(key), before);
  r = run_assay({"keygen", "-o", key, "--force"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(read_text(key), before);
}

TEST_F(SignCli, KeygenIntoAMissingDirectoryExits2NamingIt) {
  const std::string key = dir_ + "/no-such-dir/engineer.key";
  const CommandResult r = run_assay({"keygen", "-o", key});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(key), std::string::npos) << r.err;
}

TEST_F(SignCli, ASignedRunLeavesAManifestThatSha256sumAcceptsAndAWitnessCanSign) {
  const std::string engineer = keygen("engineer", "acceptance engineer A. Li");
  CommandResult r = run_assay({"run", plan_, "--out", dir_ + "/results", "--sign", engineer});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << "exit " << r.exit_code << "\n" << r.out << r.err;
  EXPECT_NE(r.out.find("signed: MANIFEST.sig by acceptance engineer A. Li"), std::string::npos) << r.out;
  const fs::path bundle = only_bundle(dir_ + "/results");

  // Every file of the bundle, and nothing else, is in the MANIFEST, sorted.
  std::vector<std::string> listed;
  for (const auto& line : lines_of(read_text(bundle / "MANIFEST"))) {
    ASSERT_GT(line.size(), 66u) << line;
    listed.push_back(line.substr(66));
  }
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(bundle)) {
    const std::string name = e.path().filename().string();
    if (name != "MANIFEST" && name != "MANIFEST.sig") files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  EXPECT_EQ(listed, files);
  for (const char* f : {"plan.toml", "inventory.json", "journal.jsonl", "summary.json", "report.md"}) {
    EXPECT_NE(std::find(listed.begin(), listed.end(), f), listed.end()) << f;
  }
  auto signatures = lines_of(read_text(bundle / "MANIFEST.sig"));
  ASSERT_EQ(signatures.size(), 1u);
  EXPECT_EQ(signatures[0].rfind("ed25519 ", 0), 0u) << signatures[0];
  EXPECT_NE(signatures[0].find(" acceptance engineer A. Li"), std::string::npos) << signatures[0];

  if (!fs::exists(kSha256sum)) GTEST_SKIP() << kSha256sum << " is not installed; the MANIFEST was not checked with it";
  r = testing::run_program(kSha256sum, {"-c", "--strict", "MANIFEST"}, bundle.string());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("journal.jsonl: OK"), std::string::npos) << r.out;

  // A witness appends a second signature; signing again replaces it rather than adding one.
  const std::string witness = keygen("witness", "witness B. Wang");
  for (int i = 0; i < 2; ++i) {
    r = run_assay({"sign", bundle.string(), "--key", witness});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  EXPECT_NE(r.out.find("witness B. Wang"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("INVALID"), std::string::npos) << r.out;
  signatures = lines_of(read_text(bundle / "MANIFEST.sig"));
  ASSERT_EQ(signatures.size(), 2u);
  EXPECT_NE(signatures[0].find(" acceptance engineer A. Li"), std::string::npos);
  EXPECT_NE(signatures[1].find(" witness B. Wang"), std::string::npos);

  // A modified bundle is not signed (exit 2, naming the file).
  const std::string signed_text = read_text(bundle / "MANIFEST.sig");
  std::ofstream(bundle / "report.md", std::ios::app) << "edited\n";
  r = run_assay({"sign", bundle.string(), "--key", witness});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("modified: report.md"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(bundle / "MANIFEST.sig"), signed_text);
  r = testing::run_program(kSha256sum, {"-c", "--quiet", "MANIFEST"}, bundle.string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("report.md: FAILED"), std::string::npos) << r.out;
}

TEST_F(SignCli, ResumeRewritesTheManifestAndDropsSignaturesOverTheOldOne) {
  const std::string engineer = keygen("engineer", "A. Li");
  CommandResult r = run_assay({"run", plan_, "--out", dir_ + "/results", "--sign", engineer});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.out << r.err;
  const fs::path bundle = only_bundle(dir_ + "/results");
  const std::string manifest_before = read_text(bundle / "MANIFEST");

  r = run_assay({"run", "--resume", bundle.string()});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.out << r.err;
  EXPECT_NE(r.err.find("removed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("MANIFEST.sig (signed by A. Li)"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(bundle / "MANIFEST.sig"));
  EXPECT_NE(read_text(bundle / "MANIFEST"), manifest_before);

  r = run_assay({"run", "--resume", bundle.string(), "--sign", engineer});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.out << r.err;
  EXPECT_EQ(lines_of(read_text(bundle / "MANIFEST.sig")).size(), 1u);
  if (!fs::exists(kSha256sum)) GTEST_SKIP() << kSha256sum << " is not installed";
  r = testing::run_program(kSha256sum, {"-c", "--strict", "--quiet", "MANIFEST"}, bundle.string());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(SignCli, ABadKeyFileExits2BeforeAnythingRuns) {
  const std::string out = dir_ + "/results";
  CommandResult r = run_assay({"run", plan_, "--out", out, "--sign", dir_ + "/no-such.key"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("no-such.key"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out)) << "a bundle was started";

  const std::string key = keygen("engineer", "A. Li");
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  r = run_assay({"run", plan_, "--out", out, "--sign", key});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out)) << "a bundle was started";

  // The public key is not a secret key.
  r = run_assay({"run", plan_, "--out", out, "--sign", key + ".pub"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_FALSE(fs::exists(out)) << "a bundle was started";
}

TEST_F(SignCli, SignNeedsABundleWithAManifest) {
  const std::string key = keygen("witness", "B. Wang");
  fs::create_directories(dir_ + "/not-a-bundle");
  const CommandResult r = run_assay({"sign", dir_ + "/not-a-bundle", "--key", key});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("no MANIFEST"), std::string::npos) << r.err;
}

// A probe that ignores its deadline makes the watchdog write the bundle and end the
// process; that bundle is sealed too. One 8192 x 8192 GEMM repetition takes longer than
// the 1 s deadline plus its 2 s grace on two cores, and does not look at its cancel
// flag until it is done.
TEST_F(SignCli, TheBundleOfAStuckProbeHasAManifestToo) {
  const long pages = ::sysconf(_SC_AVPHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0 && static_cast<double>(pages) * static_cast<double>(page) < 3e9) {
    GTEST_SKIP() << "needs 3 GB of free memory for the three 8192 x 8192 matrices";
  }
  testing::write_text(dir_ + "/stuck.toml", "[system]\nname = \"stuck\"\n[run]\nsuite = \"quick\"\n"
                                         "[probes]\nthreads = 2\n[probes.cpu.fma]\nrepetitions = 3\nseconds = 0.05\n"
                                         "[probes.cpu.gemm]\nn = 8192\nrepetitions = 3\n");
  const std::string key = keygen("engineer", "A. Li");
  const CommandResult r =
      run_assay({"run", dir_ + "/stuck.toml", "--out", dir_ + "/results", "--deadline", "1", "--sign", key});
  if (r.err.find("did not stop") == std::string::npos) {
    GTEST_SKIP() << "the probe stopped in time (exit " << r.exit_code << "); the watchdog's path was not taken";
  }
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  const fs::path bundle = only_bundle(dir_ + "/results");
  EXPECT_TRUE(fs::exists(bundle / "MANIFEST"));
  EXPECT_EQ(lines_of(read_text(bundle / "MANIFEST.sig")).size(), 1u);
  if (!fs::exists(kSha256sum)) GTEST_SKIP() << kSha256sum << " is not installed";
  const CommandResult check = testing::run_program(kSha256sum, {"-c", "--strict", "MANIFEST"}, bundle.string());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("summary.json: OK"), std::string::npos) << check.out;
}

}  // namespace
}  // namespace assay
