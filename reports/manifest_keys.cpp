// Ed25519 key pairs and their text files (docs/evidence.md, "Keys").
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <string_view>

#include <fmt/format.h>

#include "core/file_io.h"
#include "reports/manifest.h"
#include "reports/manifest_sodium.h"

namespace assay {

namespace {

constexpr std::string_view secret_tag = "assay-ed25519-secret-key v1";
constexpr std::string_view public_tag = "assay-ed25519-public-key v1";

// Wipes a string that held key material once it goes out of scope.
class WipedText {
 public:
  WipedText() = default;
  explicit WipedText(std::string text) : text_(std::move(text)) {}
  WipedText(const WipedText&) = delete;
  WipedText& operator=(const WipedText&) = delete;
  ~WipedText() { sodium_memzero(text_.data(), text_.size()); }
  std::string& text() { return text_; }

 private:
  std::string text_;
};

Expected<std::string> checked_signer(std::string signer) {
  const auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!signer.empty() && space(signer.back())) signer.pop_back();
  signer.erase(signer.begin(), std::find_if_not(signer.begin(), signer.end(), space));
  for (char c : signer) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return bad_input(fmt::format("signer name '{}' contains a line break or control character", signer));
    }
  }
  return signer;
}

// "tag\n" then "field: value" lines; '#' comments and blank lines are skipped.
Expected<std::map<std::string, std::string>> parse_key_file(const std::string& text, const std::string& path,
                                                            std::string_view tag) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  for (int line_number = 1; start < text.size(); ++line_number) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = std::string_view(text).substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_number == 1) {
      if (line == tag) continue;
      if (line == secret_tag || line == public_tag) {
        return bad_input(fmt::format("{} is an {}, not an {}{}", path, line, tag,
                                     tag == public_tag ? " (give the .pub file beside it)" : ""));
      }
      return bad_input(fmt::format("{}: not an assay key file (its first line should be '{}')", path, tag));
    }
    if (line.empty() || line.front() == '#') continue;
    const std::size_t colon = line.find(": ");
    if (colon == std::string_view::npos && line.back() != ':') {
      return bad_input(fmt::format("{}, line {}: expected 'field: value'", path, line_number));
    }
    const std::string name(line.substr(0, std::min(colon, line.size() - 1)));
    if (name != "secret-key" && name != "public-key" && name != "signer") {
      return bad_input(fmt::format("{}, line {}: unknown field '{}' (expected secret-key, public-key, signer)",
                                   path, line_number, name));
    }
    if (fields.count(name)) return bad_input(fmt::format("{}, line {}: '{}' appears twice", path, line_number, name));
    fields[name] = colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 2));
  }
  if (start == 0) return bad_input(fmt::format("{} is empty; expected an assay key file", path));
  return fields;
}

Expected<std::array<std::uint8_t, 32>> decode_public_key(const std::map<std::string, std::string>& fields,
                                                         const std::string& path) {
  const auto it = fields.find("public-key");
  std::array<std::uint8_t, 32> key{};
  if (it == fields.end()) return bad_input(fmt::format("{}: no 'public-key:' line", path));
  if (!from_hex(it->second, key)) {
    return bad_input(fmt::format("{}: the public key should be 64 hex digits", path));
  }
  return key;
}

std::string signer_line(const std::string& signer) { return "signer: " + signer + "\n"; }

Expected<void> refuse_existing(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    return bad_input(fmt::format("{} exists; assay never replaces a key file (give --force to replace it, and "
                                 "the bundles it signed then need the old public key to be checked)",
                                 path));
  }
  return {};
}

// Created 0600 and exclusively: a secret key is never readable by others, not even for
// a moment, and an existing key is never overwritten by accident.
Expected<void> write_secret_file(const std::string& path, const std::string& content, bool replace) {
  if (replace && ::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return file_write_error(fmt::format("cannot replace {}", path), errno);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return file_write_error(fmt::format("cannot create {}", path), errno);
  std::size_t written = 0;
  int err = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = errno;
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(path.c_str());
    return file_write_error(fmt::format("cannot write {}", path), err);
  }
  return {};
}

}  // namespace

SigningKey::~SigningKey() { sodium_memzero(secret.data(), secret.size()); }

Expected<SigningKey> generate_signing_key(std::string signer) {
  if (!sodium_ready()) return environment_error("libsodium could not be initialised (no random source?)");
  auto name = checked_signer(std::move(signer));
  if (!name) return name.error();
  SigningKey key;
  crypto_sign_keypair(key.public_key.data(), key.secret.data());
  key.signer = std::move(*name);
  return key;
}

std::string public_key_path(const std::string& secret_path) { return secret_path + ".pub"; }

Expected<void> write_signing_key(const SigningKey& key, const std::string& secret_path,
                                 const std::string& public_path, bool replace) {
  auto signer = checked_signer(key.signer);
  if (!signer) return signer.error();
  if (!replace) {
    for (const std::string* path : {&secret_path, &public_path}) {
      if (auto refused = refuse_existing(*path); !refused) return refused;
    }
  }
  const std::string public_text =
      fmt::format("{}\npublic-key: {}\n{}", public_tag, public_key_hex(key.public_key), signer_line(*signer));
  WipedText secret_text(fmt::format(
      "{}\n# Keep this file secret (mode 0600): whoever holds it can sign bundles as this signer.\n"
      "# Give the .pub file beside it to the auditor.\nsecret-key: {}\npublic-key: {}\n{}",
      secret_tag, to_hex(key.secret), public_key_hex(key.public_key), signer_line(*signer)));
  if (auto w = write_secret_file(secret_path, secret_text.text(), replace); !w) return w;
  return write_file_atomic(public_path, public_text);
}

Expected<SigningKey> read_signing_key(const std::string& path) {
  if (!sodium_ready()) return environment_error("libsodium could not be initialised");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return bad_input(fmt::format("cannot read the key file {}: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return bad_input(fmt::format("{} is not a key file", path));
  }
  // As ssh does: a secret key that others may read is no longer secret to rely on.
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return bad_input(fmt::format("{}: permissions {:04o} are too open; a secret key must be accessible by its "
                                 "owner only (chmod 600 {})",
                                 path, st.st_mode & 07777, path));
  }
  WipedText text;
  char chunk[4096];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.text().append(chunk, static_cast<std::size_t>(n));
  }
  sodium_memzero(chunk, sizeof chunk);
  ::close(fd);

  auto fields = parse_key_file(text.text(), path, secret_tag);
  if (!fields) return fields.error();
  auto public_key = decode_public_key(*fields, path);
  if (!public_key) return public_key.error();
  SigningKey key;
  auto secret = fields->find("secret-key");
  const bool decoded = secret != fields->end() && from_hex(secret->second, key.secret);
  if (secret != fields->end()) sodium_memzero(secret->second.data(), secret->second.size());
  if (!decoded) return bad_input(fmt::format("{}: the secret key should be 128 hex digits", path));
  // A damaged file must not sign with a key other than the one it names.
  std::array<std::uint8_t, 32> derived{};
  crypto_sign_ed25519_sk_to_pk(derived.data(), key.secret.data());
  std::array<std::uint8_t, crypto_sign_SEEDBYTES> seed{};
  crypto_sign_ed25519_sk_to_seed(seed.data(), key.secret.data());
  SigningKey from_seed;
  crypto_sign_seed_keypair(from_seed.public_key.data(), from_seed.secret.data(), seed.data());
  sodium_memzero(seed.data(), seed.size());
  if (derived != *public_key || from_seed.secret != key.secret) {
    return bad_input(fmt::format("{}: its secret and public keys do not belong together (the file is damaged)", path));
  }
  key.public_key = *public_key;
  key.signer = fields->count("signer") ? fields->at("signer") : std::string();
  return key;
}

Expected<PublicKey> read_public_key(const std::string& path) {
  auto text = read_file(path);
  if (!text) return bad_input(fmt::format("cannot read the public key file: {}", text.error().message));
  auto fields = parse_key_file(*text, path, public_tag);
  if (!fields) return fields.error();
  if (fields->count("secret-key")) return bad_input(fmt::format("{}: a public key file holds no secret key", path));
  auto key = decode_public_key(*fields, path);
  if (!key) return key.error();
  return PublicKey{*key, fields->count("signer") ? fields->at("signer") : std::string()};
}

std::string public_key_hex(const std::array<std::uint8_t, 32>& key) { return to_hex(key); }

}  // namespace assay
