// Ed25519 signatures over a MANIFEST: keys, key files, MANIFEST.sig, signing a bundle.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/file_io.h"
#include "reports/manifest.h"

namespace assay {
namespace {

namespace fs = std::filesystem;

const std::string kManifest =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  summary.json\n";
constexpr const char* kAt = "2026-11-22T01:02:03.000Z";

SigningKey new_key(const std::string& signer) {
  auto key = generate_signing_key(signer);
  EXPECT_TRUE(key.ok()) << key.error().message;
  return *key;
}

void write(const fs::path& path, const std::string& content) { std::ofstream(path, std::ios::binary) << content; }

std::string slurp(const fs::path& path) {
  auto text = read_file(path.string());
  return text ? *text : std::string();
}

class SignatureFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "assay-sign-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(Signature, RoundTrips) {
  const SigningKey key = new_key("acceptance engineer A. Li");
  const ManifestSignature signature = sign_manifest(kManifest, key, kAt);
  EXPECT_EQ(signature.public_key, key.public_key);
  EXPECT_EQ(signature.signer, "acceptance engineer A. Li");
  EXPECT_EQ(signature.signed_at, kAt);
  EXPECT_TRUE(signature_valid(kManifest, signature));
}

TEST(Signature, AFlippedBitInTheManifestOrTheSignatureFails) {
  const SigningKey key = new_key("A. Li");
  const ManifestSignature signature = sign_manifest(kManifest, key, kAt);
  for (std::size_t byte = 0; byte < kManifest.size(); byte += 7) {
    std::string changed = kManifest;
    changed[byte] = static_cast<char>(changed[byte] ^ 0x01);
    EXPECT_FALSE(signature_valid(changed, signature)) << "byte " << byte;
  }
  for (std::size_t byte = 0; byte < signature.signature.size(); ++byte) {
    ManifestSignature forged = signature;
    forged.signature[byte] ^= 0x80;
    EXPECT_FALSE(signature_valid(kManifest, forged)) << "byte " << byte;
  }
  EXPECT_FALSE(signature_valid(kManifest + "\n", signature));
}

TEST(Signature, TheTimeAndNameAreSignedToo) {
  const ManifestSignature signature = sign_manifest(kManifest, new_key("A. Li"), kAt);
  ManifestSignature renamed = signature;
  renamed.signer = "B. Wang";
  EXPECT_FALSE(signature_valid(kManifest, renamed));
  ManifestSignature backdated = signature;
  backdated.signed_at = "2025-01-01T00:00:00.000Z";
  EXPECT_FALSE(signature_valid(kManifest, backdated));
}

TEST(Signature, AnotherPublicKeyFails) {
  const ManifestSignature signature = sign_manifest(kManifest, new_key("A. Li"), kAt);
  ManifestSignature other = signature;
  other.public_key = new_key("B. Wang").public_key;
  EXPECT_FALSE(signature_valid(kManifest, other));
}

TEST(Signature, SignerNamesWithLineBreaksAreRefused) {
  auto key = generate_signing_key("A. Li\nsigner: someone else");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().kind, ErrorKind::bad_input);
  EXPECT_EQ(new_key("  padded  ").signer, "padded");
}

TEST(SignaturesText, RoundTripsOneLinePerSigner) {
  const SigningKey li = new_key("acceptance engineer A. Li");
  const SigningKey unnamed = new_key("");
  const std::vector<ManifestSignature> signatures{sign_manifest(kManifest, li, kAt),
                                                  sign_manifest(kManifest, unnamed, kAt)};
  const std::string text = signatures_text(signatures);
  EXPECT_EQ(text.substr(0, 8 + 64 + 1), "ed25519 " + public_key_hex(li.public_key) + " ");
  EXPECT_NE(text.find(std::string(kAt) + " acceptance engineer A. Li\n"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string(kAt) + "\n"), std::string::npos) << text;
  auto parsed = parse_signatures(text, "MANIFEST.sig");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].signer, "acceptance engineer A. Li");
  EXPECT_EQ((*parsed)[1].signer, "");
  EXPECT_TRUE(signature_valid(kManifest, (*parsed)[0]));
  EXPECT_TRUE(signature_valid(kManifest, (*parsed)[1]));
  EXPECT_EQ(signatures_text(*parsed), text);
}

TEST(SignaturesText, ParseErrorsNameTheLine) {
  const std::string good = signatures_text({sign_manifest(kManifest, new_key("A. Li"), kAt)});
  const std::string pk = good.substr(8, 64);
  const std::string sig = good.substr(8 + 65, 128);
  for (const std::string& bad : {std::string("\n"), "rsa " + pk + " " + sig + " " + kAt + " x\n",
                                 "ed25519 " + pk.substr(2) + " " + sig + " " + kAt + "\n",
                                 "ed25519 " + pk + " " + sig.substr(1) + " " + kAt + "\n",
                                 "ed25519 " + pk + " " + sig + " yesterday A. Li\n", "ed25519 " + pk + " " + sig + "\n"}) {
    auto parsed = parse_signatures(good + bad, "b/MANIFEST.sig");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().kind, ErrorKind::bad_input);
    EXPECT_NE(parsed.error().message.find("b/MANIFEST.sig, line 2"), std::string::npos) << parsed.error().message;
  }
}

TEST_F(SignatureFiles, KeyFilesRoundTripWithTheSecretOneOwnerOnly) {
  const SigningKey key = new_key("A. Li");
  const std::string secret = (dir_ / "li.key").string();
  ASSERT_EQ(public_key_path(secret), secret + ".pub");
  ASSERT_TRUE(write_signing_key(key, secret, public_key_path(secret)).ok());
  struct stat st {};
  ASSERT_EQ(::stat(secret.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(slurp(secret).rfind("assay-ed25519-secret-key v1\n", 0), 0u);
  EXPECT_EQ(slurp(secret + ".pub"),
            "assay-ed25519-public-key v1\npublic-key: " + public_key_hex(key.public_key) + "\nsigner: A. Li\n");

  auto read_back = read_signing_key(secret);
  ASSERT_TRUE(read_back.ok()) << read_back.error().message;
  EXPECT_EQ(read_back->secret, key.secret);
  EXPECT_EQ(read_back->public_key, key.public_key);
  EXPECT_EQ(read_back->signer, "A. Li");
  auto public_key = read_public_key(secret + ".pub");
  ASSERT_TRUE(public_key.ok()) << public_key.error().message;
  EXPECT_EQ(public_key->key, key.public_key);
  EXPECT_EQ(public_key->signer, "A. Li");
  // A signature by the key read back verifies with the public key read back.
  ManifestSignature signature = sign_manifest(kManifest, *read_back, kAt);
  signature.public_key = public_key->key;
  EXPECT_TRUE(signature_valid(kManifest, signature));
}

TEST_F(SignatureFiles, AnExistingKeyIsNeverReplacedWithoutForce) {
  const std::string secret = (dir_ / "li.key").string();
  const SigningKey first = new_key("A. Li");
  ASSERT_TRUE(write_signing_key(first, secret, public_key_path(secret)).ok());
  auto again = write_signing_key(new_key("A. Li"), secret, public_key_path(secret));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::bad_input);
  EXPECT_NE(again.error().message.find("--force"), std::string::npos) << again.error().message;
  EXPECT_EQ(read_signing_key(secret)->public_key, first.public_key);

  // Nor its public half: nothing is written when either exists.
  const std::string other = (dir_ / "other.key").string();
  write(public_key_path(other), "someone's\n");
  ASSERT_FALSE(write_signing_key(first, other, public_key_path(other)).ok());
  EXPECT_FALSE(fs::exists(other));

  const SigningKey second = new_key("A. Li");
  ASSERT_TRUE(write_signing_key(second, secret, public_key_path(secret), true).ok());
  EXPECT_EQ(read_signing_key(secret)->public_key, second.public_key);
  EXPECT_EQ(read_public_key(public_key_path(secret))->key, second.public_key);
}

TEST_F(SignatureFiles, ASecretKeyOthersCanReadIsRefused) {
  const std::string secret = (dir_ / "li.key").string();
  ASSERT_TRUE(write_signing_key(new_key("A. Li"), secret, public_key_path(secret)).ok());
  for (mode_t mode : {0644, 0640, 0604, 0660}) {
    ASSERT_EQ(::chmod(secret.c_str(), mode), 0);
    auto key = read_signing_key(secret);
    ASSERT_FALSE(key.ok()) << std::oct << mode;
    EXPECT_EQ(key.error().kind, ErrorKind::bad_input);
    EXPECT_NE(key.error().message.find("chmod 600"), std::string::npos) << key.error().message;
  }
  ASSERT_EQ(::chmod(secret.c_str(), 0400), 0);
  EXPECT_TRUE(read_signing_key(secret).ok());
}

TEST_F(SignatureFiles, MalformedKeyFilesAreBadInputNamingThem) {
  const std::string secret = (dir_ / "li.key").string();
  const SigningKey key = new_key("A. Li");
  ASSERT_TRUE(write_signing_key(key, secret, public_key_path(secret)).ok());
  const std::string text = slurp(secret);

  const auto refused = [&](const std::string& content, const std::string& expected) {
    const std::string path = (dir_ / "bad.key").string();
    fs::remove(path);
    write(path, content);
    ::chmod(path.c_str(), 0600);
    auto read = read_signing_key(path);
    ASSERT_FALSE(read.ok()) << content;
    EXPECT_EQ(read.error().kind, ErrorKind::bad_input);
    EXPECT_NE(read.error().message.find(path), std::string::npos) << read.error().message;
    EXPECT_NE(read.error().message.find(expected), std::string::npos) << read.error().message;
  };
  refused("", "empty");
  refused("ssh-ed25519 AAAA\n", "first line should be 'assay-ed25519-secret-key v1'");
  refused(slurp(secret + ".pub"), "is an assay-ed25519-public-key v1");
  refused("assay-ed25519-secret-key v1\nsecret-key: 00\npublic-key: " + public_key_hex(key.public_key) + "\n",
          "128 hex digits");
  refused(text + "colour: blue\n", "unknown field 'colour'");
  // Another key's public half: the file is damaged.
  const std::string other = public_key_hex(new_key("x").public_key);
  std::string mixed = text;
  const std::string mine = public_key_hex(key.public_key);
  mixed.replace(mixed.find("public-key: " + mine), 12 + mine.size(), "public-key: " + other);
  refused(mixed, "do not belong together");

  auto missing = read_signing_key((dir_ / "none.key").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("none.key"), std::string::npos);
  auto secret_as_public = read_public_key(secret);
  ASSERT_FALSE(secret_as_public.ok());
  EXPECT_NE(secret_as_public.error().message.find(".pub"), std::string::npos) << secret_as_public.error().message;
}

TEST_F(SignatureFiles, SigningABundleAppendsAWitnessAndReplacesTheSameKey) {
  write(dir_ / "summary.json", "abc");
  ASSERT_TRUE(write_manifest(dir_.string()).ok());
  const std::string manifest = slurp(dir_ / "MANIFEST");
  const SigningKey engineer = new_key("engineer");
  const SigningKey witness = new_key("witness");

  ASSERT_TRUE(add_signature(dir_.string(), engineer).ok());
  auto witnessed = sign_bundle(dir_.string(), witness);
  ASSERT_TRUE(witnessed.ok()) << witnessed.error().message;
  auto signatures = parse_signatures(slurp(dir_ / "MANIFEST.sig"), "MANIFEST.sig");
  ASSERT_TRUE(signatures.ok()) << signatures.error().message;
  ASSERT_EQ(signatures->size(), 2u);
  EXPECT_EQ((*signatures)[0].signer, "engineer");
  EXPECT_EQ((*signatures)[1].signer, "witness");
  for (const auto& s : *signatures) EXPECT_TRUE(signature_valid(manifest, s));

  ASSERT_TRUE(sign_bundle(dir_.string(), engineer).ok());
  signatures = parse_signatures(slurp(dir_ / "MANIFEST.sig"), "MANIFEST.sig");
  ASSERT_EQ(signatures->size(), 2u);
  EXPECT_EQ((*signatures)[0].signer, "engineer");
  EXPECT_EQ((*signatures)[1].signer, "witness");
}

TEST_F(SignatureFiles, AModifiedBundleIsNotSigned) {
  write(dir_ / "summary.json", "abc");
  write(dir_ / "report.md", "# report\n");
  ASSERT_TRUE(write_manifest(dir_.string()).ok());
  write(dir_ / "summary.json", "abd");
  fs::remove(dir_ / "report.md");
  write(dir_ / "extra.txt", "x");
  auto signed_bundle = sign_bundle(dir_.string(), new_key("witness"));
  ASSERT_FALSE(signed_bundle.ok());
  EXPECT_EQ(signed_bundle.error().kind, ErrorKind::bad_input);
  EXPECT_NE(signed_bundle.error().message.find(
                "modified: summary.json; missing: report.md; extra (not in the MANIFEST): extra.txt"),
            std::string::npos)
      << signed_bundle.error().message;
  EXPECT_FALSE(fs::exists(dir_ / "MANIFEST.sig"));
}

TEST_F(SignatureFiles, ABundleWithoutManifestOrWithABadSignatureFileIsBadInput) {
  write(dir_ / "summary.json", "abc");
  auto unsealed = sign_bundle(dir_.string(), new_key("witness"));
  ASSERT_FALSE(unsealed.ok());
  EXPECT_NE(unsealed.error().message.find("no MANIFEST"), std::string::npos) << unsealed.error().message;

  ASSERT_TRUE(write_manifest(dir_.string()).ok());
  write(dir_ / "MANIFEST.sig", "garbage\n");
  auto garbled = sign_bundle(dir_.string(), new_key("witness"));
  ASSERT_FALSE(garbled.ok());
  EXPECT_NE(garbled.error().message.find("MANIFEST.sig, line 1"), std::string::npos) << garbled.error().message;
  EXPECT_EQ(slurp(dir_ / "MANIFEST.sig"), "garbage\n");
}

}  // namespace
}  // namespace assay
