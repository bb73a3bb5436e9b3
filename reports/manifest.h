#pragma once
// MANIFEST: the SHA-256 of every file in a bundle, in the format of `sha256sum` so an
// auditor can check it with standard tools (`sha256sum -c MANIFEST`), and Ed25519
// signatures over the MANIFEST (libsodium) in MANIFEST.sig, one line per signer.
// docs/evidence.md describes the formats.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/expected.h"

namespace assay {

inline constexpr const char* manifest_file = "MANIFEST";
inline constexpr const char* manifest_signature_file = "MANIFEST.sig";

struct ManifestEntry {
  std::string path;        ///< relative to the bundle, '/' separated
  std::string sha256_hex;  ///< lowercase hex, 64 characters
};

struct Manifest {
  std::vector<ManifestEntry> entries;  ///< sorted by path
};

/// Hashes every regular file under `bundle_dir` (recursively) except MANIFEST and
/// MANIFEST.sig at its top. An unreadable directory or file, a symlink or special file,
/// and a name with a newline or backslash (sha256sum would escape it) are bad_input
/// errors naming it. Files are read in chunks: journals may be large.
Expected<Manifest> hash_bundle(const std::string& bundle_dir);

/// The lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(const std::string& bytes);

/// "<sha256>  <path>\n" per entry (sha256sum's text form).
std::string manifest_text(const Manifest& manifest);

/// Parses MANIFEST text (sha256sum's form; " *" binary-mode markers are accepted);
/// entries come back sorted by path. A malformed line, a path that is absolute, has an
/// empty, "." or ".." component, or appears twice is a bad_input error naming `where`
/// and the line number.
Expected<Manifest> parse_manifest(const std::string& text, const std::string& where);

/// Writes MANIFEST for the bundle as it is now (atomically) and returns what it lists.
Expected<Manifest> write_manifest(const std::string& bundle_dir);

/// How one file compares with the MANIFEST.
struct ManifestDifference {
  enum class Kind { modified, missing, extra };
  Kind kind = Kind::modified;
  std::string path;
};

/// Differences between the MANIFEST (as recorded) and the files (as hashed now), sorted
/// by path.
std::vector<ManifestDifference> compare_manifests(const Manifest& recorded, const Manifest& actual);

/// "modified: summary.json; missing: report.md; extra: notes.txt" (in path order).
std::string describe_differences(const std::vector<ManifestDifference>& differences);

// ---- Ed25519 (libsodium) ----

/// A secret key in memory; it is wiped (sodium_memzero) when destroyed.
struct SigningKey {
  std::array<std::uint8_t, 64> secret{};  ///< libsodium's secret key (seed + public key)
  std::array<std::uint8_t, 32> public_key{};
  std::string signer;  ///< who signs, e.g. "acceptance engineer A. Li" (may be empty)

  SigningKey() = default;
  SigningKey(const SigningKey&) = default;
  SigningKey& operator=(const SigningKey&) = default;
  ~SigningKey();
};

struct PublicKey {
  std::array<std::uint8_t, 32> key{};
  std::string signer;
};

/// A new key pair. A signer name with a line break or control character is bad_input.
Expected<SigningKey> generate_signing_key(std::string signer);

/// KEYFILE -> KEYFILE.pub, where keygen puts the public half.
std::string public_key_path(const std::string& secret_path);

/// Key files are text: the secret file ("assay-ed25519-secret-key v1") is created with
/// mode 0600 and never replaces an existing file unless `replace`; the public one
/// ("assay-ed25519-public-key v1") can be shared with the auditor. An existing file
/// (without `replace`) is a bad_input error naming it, and nothing is written.
Expected<void> write_signing_key(const SigningKey& key, const std::string& secret_path,
                                 const std::string& public_path, bool replace = false);
/// Reading a malformed or missing file is a bad_input error naming it; so is a secret
/// key file that its group or others may access (like ssh, the key is refused: chmod
/// 600 it).
Expected<SigningKey> read_signing_key(const std::string& path);
Expected<PublicKey> read_public_key(const std::string& path);

/// One line of MANIFEST.sig: who, with which public key, signed the MANIFEST's bytes.
struct ManifestSignature {
  std::array<std::uint8_t, 32> public_key{};
  std::array<std::uint8_t, 64> signature{};
  std::string signer;
  std::string signed_at;  ///< ISO 8601 UTC
};

/// What is signed: the MANIFEST's bytes with the signing time and signer name before
/// them, so neither can be changed without breaking the signature:
/// "assay-manifest-signature v1\n" "signed_at <signed_at>\n" "signer <signer>\n" then
/// the MANIFEST's bytes.
std::string signed_message(const std::string& manifest_bytes, const std::string& signed_at,
                           const std::string& signer);

/// Signs `manifest_bytes` (see signed_message()) as key.signer at `signed_at`.
ManifestSignature sign_manifest(const std::string& manifest_bytes, const SigningKey& key,
                                std::string signed_at);
/// Whether `signature` is a valid signature of `manifest_bytes` by its public key.
bool signature_valid(const std::string& manifest_bytes, const ManifestSignature& signature);

/// "ed25519 <public key hex> <signature hex> <signed_at> <signer>\n" per signature.
std::string signatures_text(const std::vector<ManifestSignature>& signatures);
/// Parses MANIFEST.sig; a malformed line is a bad_input error naming `where` and the
/// line number. Validity is not checked here (signature_valid() does that).
Expected<std::vector<ManifestSignature>> parse_signatures(const std::string& text, const std::string& where);

/// Adds a signature by `key` over the bundle's MANIFEST to MANIFEST.sig, replacing an
/// earlier one by the same key (a witness adds a second line the same way). The
/// MANIFEST must exist; the files are not re-hashed (the caller has just written it).
Expected<ManifestSignature> add_signature(const std::string& bundle_dir, const SigningKey& key);

/// What `assay sign` does: re-hashes the bundle, and refuses (bad_input naming every
/// difference, nothing written) when the files no longer match the MANIFEST, since a
/// witness must not sign a modified bundle; then add_signature().
Expected<ManifestSignature> sign_bundle(const std::string& bundle_dir, const SigningKey& key);

/// Lowercase hex of a public key, the way reports and `assay verify` name a signer.
std::string public_key_hex(const std::array<std::uint8_t, 32>& key);

}  // namespace assay
