#pragma once
// MANIFEST: the SHA-256 of every file in a bundle, in the format of `sha256sum` so an
// auditor can check it with standard tools (`sha256sum -c MANIFEST`), and Ed25519
// signatures over the MANIFEST's bytes (libsodium) in MANIFEST.sig, one line per signer.

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
/// MANIFEST.sig. An unreadable directory or file is a bad_input error naming it.
Expected<Manifest> hash_bundle(const std::string& bundle_dir);

/// "<sha256>  <path>\n" per entry (sha256sum's text form).
std::string manifest_text(const Manifest& manifest);

/// Parses MANIFEST text; a malformed line is a bad_input error naming its line number.
Expected<Manifest> parse_manifest(const std::string& text, const std::string& where);

/// Writes MANIFEST for the bundle as it is now (atomically).
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

// ---- Ed25519 (libsodium) ----

struct SigningKey {
  std::array<std::uint8_t, 64> secret{};  ///< libsodium's secret key (seed + public key)
  std::array<std::uint8_t, 32> public_key{};
  std::string signer;  ///< who signs, e.g. "acceptance engineer A. Li" (may be empty)
};

struct PublicKey {
  std::array<std::uint8_t, 32> key{};
  std::string signer;
};

/// A new key pair.
Expected<SigningKey> generate_signing_key(std::string signer);

/// Key files are text: the secret file ("assay-ed25519-secret-key ...") is written with
/// mode 0600; the public one ("assay-ed25519-public-key ...") can be shared with the
/// auditor. Reading a malformed or missing file is a bad_input error naming it.
Expected<void> write_signing_key(const SigningKey& key, const std::string& secret_path,
                                 const std::string& public_path);
Expected<SigningKey> read_signing_key(const std::string& path);
Expected<PublicKey> read_public_key(const std::string& path);

/// One line of MANIFEST.sig: who, with which public key, signed the MANIFEST's bytes.
struct ManifestSignature {
  std::array<std::uint8_t, 32> public_key{};
  std::array<std::uint8_t, 64> signature{};
  std::string signer;
  std::string signed_at;  ///< ISO 8601 UTC
};

/// Signs `manifest_bytes`.
ManifestSignature sign_manifest(const std::string& manifest_bytes, const SigningKey& key,
                                std::string signed_at);
/// Whether `signature` is a valid signature of `manifest_bytes` by its public key.
bool signature_valid(const std::string& manifest_bytes, const ManifestSignature& signature);

std::string signatures_text(const std::vector<ManifestSignature>& signatures);
Expected<std::vector<ManifestSignature>> parse_signatures(const std::string& text, const std::string& where);

/// Appends a signature by `key` over the bundle's MANIFEST to MANIFEST.sig (a witness
/// adds a second one the same way). The MANIFEST must exist.
Expected<ManifestSignature> sign_bundle(const std::string& bundle_dir, const SigningKey& key);

/// Lowercase hex of a public key, the way reports and `assay verify` name a signer.
std::string public_key_hex(const std::array<std::uint8_t, 32>& key);

}  // namespace assay
