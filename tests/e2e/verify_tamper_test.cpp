// `assay verify` end to end, as an auditor meets it: a bundle from `assay run`, signed,
// then tampered with in each way issue 7 names; every change is found and named.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "core/result_json.h"
#include "e2e/run_assay.h"

namespace assay {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::read_text;
using testing::run_assay;
using testing::write_text;

std::string describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.out + "stderr:\n" + r.err;
}

// One signed bundle for all tests (the run is the slow part); each test tampers with
// its own copy.
class VerifyTamper : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = testing::make_temp_dir("verify");
    const fs::path root(root_);
    write_text(root / "plan.toml", testing::small_quick_plan("verify e2e"));
    const auto keygen = run_assay({"keygen", "-o", (root / "key").string(), "--signer", "e2e signer"});
    ASSERT_EQ(keygen.exit_code, 0) << describe(keygen);
    const auto other = run_assay({"keygen", "-o", (root / "other").string(), "--signer", "someone else"});
    ASSERT_EQ(other.exit_code, 0) << describe(other);
    const auto run = run_assay({"run", (root / "plan.toml").string(), "--out", (root / "results").string(), "--sign",
                                (root / "key").string()});
    ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << describe(run);
    bundle_ = testing::only_bundle(root / "results");
  }
  static void TearDownTestSuite() {
    fs::remove_all(root_);
  }

  void SetUp() override {
    ASSERT_FALSE(bundle_.empty()) << "assay run left no bundle";
    ASSERT_TRUE(fs::exists(fs::path(bundle_) / "MANIFEST.sig")) << "run --sign wrote no MANIFEST.sig";
    copy_ = testing::make_temp_dir("verify-copy");
    fs::remove(copy_);
    fs::copy(bundle_, copy_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(copy_); }

  static std::string key(const char* name) { return (fs::path(root_) / name).string(); }
  static std::string public_key_hex(const char* name) {
    const std::string text = read_text(key(name) + ".pub");
    const auto at = text.find("public-key: ");
    return at == std::string::npos ? std::string() : text.substr(at + 12, 64);
  }
  fs::path file(const std::string& name) const { return fs::path(copy_) / name; }
  CommandResult verify(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"verify", copy_};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_assay(args);
  }
  // What an attacker with shell access does after editing: MANIFEST rewritten with
  // sha256sum over the files it lists.
  void rehash_with_sha256sum() const {
    std::vector<std::string> paths;
    std::istringstream manifest(read_text(file("MANIFEST")));
    for (std::string line; std::getline(manifest, line);) paths.push_back(line.substr(66));
    const auto sums = testing::run_program("/usr/bin/sha256sum", paths, copy_);
    ASSERT_EQ(sums.exit_code, 0) << describe(sums);
    write_text(file("MANIFEST"), sums.out);
  }

  static inline std::string root_, bundle_;
  std::string copy_;
};

TEST_F(VerifyTamper, AnUntouchedSignedBundleVerifies) {
  auto r = verify();
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("VERIFIED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("e2e signer"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("valid"), std::string::npos) << r.out;

  r = verify({"--pubkey", key("key.pub")});
  EXPECT_EQ(r.exit_code, 0) << describe(r);

  r = verify({"--json"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  const Json json = Json::parse(r.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << "--json printed something else: " << r.out;
  EXPECT_EQ(json["verified"], true);
  EXPECT_GT(json["verdicts"]["rederived"].get<int>(), 0);
  EXPECT_EQ(json["verdicts"]["agree"], json["verdicts"]["rederived"]);
}

TEST_F(VerifyTamper, AnUnsignedBundleVerifiesAndSaysSo) {
  fs::remove(file("MANIFEST.sig"));
  auto r = verify();
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("unsigned"), std::string::npos) << r.out;
  r = verify({"--pubkey", key("key.pub")});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
}

TEST_F(VerifyTamper, ASignatureByAnotherKeyThanPubkeyFails) {
  const auto r = verify({"--pubkey", key("other.pub")});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.out.find("not signed by " + public_key_hex("other")), std::string::npos) << r.out;
}

TEST_F(VerifyTamper, AForgedSignatureFails) {
  // A line in the right format whose signature bytes are wrong.
  std::string sig = read_text(file("MANIFEST.sig"));
  const std::size_t signature_at = sig.find(' ', sig.find(' ') + 1) + 1;
  ASSERT_LT(signature_at + 128, sig.size()) << sig;
  sig[signature_at + 5] = sig[signature_at + 5] == 'a' ? 'b' : 'a';
  write_text(file("MANIFEST.sig"), sig);
  const auto r = verify();
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.out.find("MANIFEST.sig line 1: the signature by e2e signer"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("does not verify"), std::string::npos) << r.out;
}

TEST_F(VerifyTamper, OneChangedSampleInTheJournalIsNamed) {
  std::string journal = read_text(file("journal.jsonl"));
  const std::size_t end = journal.find('\n');
  Json first = Json::parse(journal.substr(0, end));
  ASSERT_FALSE(first["metrics"].empty()) << first.dump();
  auto& samples = first["metrics"][0]["samples"];
  samples[0] = samples[0].get<double>() * 1.5;
  write_text(file("journal.jsonl"), first.dump() + journal.substr(end));

  const auto r = verify();
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.out.find("journal.jsonl: modified"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("journal.jsonl line 1 (" + first["probe"].get<std::string>() + " on "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("re-derived from its samples"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("differs from journal.jsonl line 1: metrics[0].samples[0]"), std::string::npos) << r.out;
}

TEST_F(VerifyTamper, OneChangedByteOfTheSummaryIsNamed) {
  std::string summary = read_text(file("summary.json"));
  const auto at = summary.find("verify e2e");
  ASSERT_NE(at, std::string::npos);
  summary[at] = 'V';
  write_text(file("summary.json"), summary);
  const auto r = verify();
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.out.find("summary.json: modified"), std::string::npos) << r.out;
}

TEST_F(VerifyTamper, ADeletedFileIsNamedMissing) {
  fs::remove(file("report.md"));
  const auto r = verify();
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.out.find("report.md: missing"), std::string::npos) << r.out;
}

TEST_F(VerifyTamper, AnAddedFileIsNamedExtra) {
  write_text(file("corrections.txt"), "the FAILs were a measuring error\n");
  const auto r = verify();
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.out.find("corrections.txt: extra"), std::string::npos) << r.out;
}

TEST_F(VerifyTamper, AVerdictChangedWithTheManifestRehashedIsCaughtByReDerivation) {
  fs::remove(file("MANIFEST.sig"));  // the attacker's MANIFEST would break it anyway
  Json summary = Json::parse(read_text(file("summary.json")));
  ASSERT_FALSE(summary["verdicts"].empty());
  Json& verdict = summary["verdicts"][0];
  const std::string was = verdict["status"];
  const std::string now = was == "PASS" ? "FAIL" : "PASS";
  verdict["status"] = now;
  write_text(file("summary.json"), summary.dump(2) + "\n");
  rehash_with_sha256sum();

  const auto r = verify();
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.out.find("ok    files hashed"), std::string::npos) << r.out;
  std::string name = verdict["node"].get<std::string>();
  if (!verdict["subject"].get<std::string>().empty()) name += " " + verdict["subject"].get<std::string>();
  name += " " + verdict["key"].get<std::string>();
  EXPECT_NE(r.out.find("summary.json: verdict " + name + ": status recorded " + now + ", re-derived " + was),
            std::string::npos)
      << r.out;
}

TEST_F(VerifyTamper, AnUnreadableSummaryIsBadInput) {
  write_text(file("summary.json"), "garbage {");
  const auto r = verify();
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("summary.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace assay
