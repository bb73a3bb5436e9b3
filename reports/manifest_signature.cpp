// Ed25519 signatures over a bundle's MANIFEST, kept in MANIFEST.sig (docs/evidence.md).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string_view>

#include <fmt/format.h>

#include "core/file_io.h"
#include "core/iso_time.h"
#include "reports/manifest.h"
#include "reports/manifest_sodium.h"

namespace assay {
namespace fs = std::filesystem;

namespace {

Expected<std::string> read_manifest_bytes(const std::string& bundle_dir) {
  const std::string path = (fs::path(bundle_dir) / manifest_file).string();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return bad_input(fmt::format("{} has no MANIFEST; it is not a bundle, or its run did not finish "
                                 "(`assay run --resume {}` completes it)",
                                 bundle_dir, bundle_dir));
  }
  return read_file(path);
}

}  // namespace

std::string signed_message(const std::string& manifest_bytes, const std::string& signed_at,
                           const std::string& signer) {
  return fmt::format("assay-manifest-signature v1\nsigned_at {}\nsigner {}\n", signed_at, signer) + manifest_bytes;
}

ManifestSignature sign_manifest(const std::string& manifest_bytes, const SigningKey& key, std::string signed_at) {
  (void)sodium_ready();
  ManifestSignature signature;
  signature.public_key = key.public_key;
  signature.signer = key.signer;
  signature.signed_at = std::move(signed_at);
  const std::string message = signed_message(manifest_bytes, signature.signed_at, signature.signer);
  crypto_sign_detached(signature.signature.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), key.secret.data());
  return signature;
}

bool signature_valid(const std::string& manifest_bytes, const ManifestSignature& signature) {
  if (!sodium_ready()) return false;
  const std::string message = signed_message(manifest_bytes, signature.signed_at, signature.signer);
  return crypto_sign_verify_detached(signature.signature.data(), reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), signature.public_key.data()) == 0;
}

std::string signatures_text(const std::vector<ManifestSignature>& signatures) {
  std::string text;
  for (const auto& s : signatures) {
    text += fmt::format("ed25519 {} {} {}", public_key_hex(s.public_key), to_hex(s.signature), s.signed_at);
    if (!s.signer.empty()) text += " " + s.signer;
    text += "\n";
  }
  return text;
}

Expected<std::vector<ManifestSignature>> parse_signatures(const std::string& text, const std::string& where) {
  std::vector<ManifestSignature> signatures;
  std::size_t start = 0;
  for (int line_number = 1; start < text.size(); ++line_number) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = std::string_view(text).substr(start, end - start);
    start = end + 1;
    const auto fail = [&](std::string_view what) {
      return bad_input(fmt::format("{}, line {}: {}; expected 'ed25519 <public key: 64 hex digits> <signature: 128 "
                                   "hex digits> <signed at, ISO 8601 UTC> <signer>'",
                                   where, line_number, what));
    };
    // Four space-separated fields, then the signer's name: the rest of the line.
    std::vector<std::string_view> fields;
    std::size_t at = 0;
    while (fields.size() < 4) {
      const std::size_t space = line.find(' ', at);
      fields.push_back(line.substr(at, space == std::string_view::npos ? std::string_view::npos : space - at));
      if (space == std::string_view::npos) {
        at = line.size();
        break;
      }
      at = space + 1;
    }
    if (fields.size() < 4) return fail(fmt::format("{} fields", fields.size()));
    if (fields[0] != "ed25519") return fail(fmt::format("unknown algorithm '{}'", fields[0]));
    ManifestSignature signature;
    if (!from_hex(fields[1], signature.public_key)) return fail("the public key is not 64 hex digits");
    if (!from_hex(fields[2], signature.signature)) return fail("the signature is not 128 hex digits");
    if (!parse_iso8601(fields[3])) return fail(fmt::format("'{}' is not an ISO 8601 time", fields[3]));
    signature.signed_at = std::string(fields[3]);
    signature.signer = std::string(line.substr(std::min(at, line.size())));
    signatures.push_back(std::move(signature));
  }
  return signatures;
}

Expected<ManifestSignature> add_signature(const std::string& bundle_dir, const SigningKey& key) {
  auto manifest = read_manifest_bytes(bundle_dir);
  if (!manifest) return manifest.error();
  const std::string sig_path = (fs::path(bundle_dir) / manifest_signature_file).string();
  std::vector<ManifestSignature> signatures;
  std::error_code ec;
  if (fs::exists(sig_path, ec)) {
    auto text = read_file(sig_path);
    if (!text) return text.error();
    auto parsed = parse_signatures(*text, sig_path);
    if (!parsed) return parsed.error();
    signatures = std::move(*parsed);
  }
  ManifestSignature signature = sign_manifest(*manifest, key, iso_utc(std::chrono::system_clock::now()));
  // One line per key: signing again replaces the signer's earlier line.
  const auto same_key = std::find_if(signatures.begin(), signatures.end(),
                                     [&](const ManifestSignature& s) { return s.public_key == key.public_key; });
  if (same_key != signatures.end()) {
    *same_key = signature;
  } else {
    signatures.push_back(signature);
  }
  if (auto w = write_file_atomic(sig_path, signatures_text(signatures)); !w) return w.error();
  return signature;
}

Expected<ManifestSignature> sign_bundle(const std::string& bundle_dir, const SigningKey& key) {
  auto bytes = read_manifest_bytes(bundle_dir);
  if (!bytes) return bytes.error();
  auto recorded = parse_manifest(*bytes, (fs::path(bundle_dir) / manifest_file).string());
  if (!recorded) return recorded.error();
  auto actual = hash_bundle(bundle_dir);
  if (!actual) return actual.error();
  if (const auto differences = compare_manifests(*recorded, *actual); !differences.empty()) {
    return bad_input(fmt::format("{}: the files no longer match its MANIFEST ({}); a modified bundle is not "
                                 "signed",
                                 bundle_dir, describe_differences(differences)));
  }
  return add_signature(bundle_dir, key);
}

}  // namespace assay
