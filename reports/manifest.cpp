#include "reports/manifest.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/file_io.h"
#include "reports/manifest_sodium.h"

namespace assay {
namespace fs = std::filesystem;

namespace {

// sha256sum escapes names with these (and `sha256sum -c` then expects the escaped
// form); a bundle never needs them, so they are refused rather than escaped.
std::optional<std::string> unusable_name(std::string_view name) {
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') return "a line break";
    if (c == '\\') return "a backslash";
    if (u < 0x20 || u == 0x7f) return "a control character";
  }
  return std::nullopt;
}

// Reads in chunks so that a journal of gigabytes never has to fit in memory.
Expected<std::string> hash_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return bad_input(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<unsigned char> chunk(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return bad_input(fmt::format("cannot read {}: {}", path.string(), std::strerror(err)));
    }
    crypto_hash_sha256_update(&state, chunk.data(), static_cast<unsigned long long>(n));
  }
  ::close(fd);
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&state, digest.data());
  return to_hex(digest);
}

Expected<void> hash_directory(const fs::path& root, const std::string& relative, Manifest& manifest) {
  const fs::path dir = relative.empty() ? root : root / relative;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return bad_input(fmt::format("cannot read bundle directory {}: {}", dir.string(), ec.message()));
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::string path = relative.empty() ? name : relative + "/" + name;
    if (auto why = unusable_name(name)) {
      return bad_input(fmt::format("bundle {}: the file name '{}' contains {}; MANIFEST lists only plain "
                                   "names (rename or remove it)",
                                   root.string(), path, *why));
    }
    const fs::file_status status = it->symlink_status(ec);
    if (ec) return bad_input(fmt::format("cannot stat {}: {}", (root / path).string(), ec.message()));
    if (fs::is_symlink(status)) {
      return bad_input(fmt::format("bundle {}: {} is a symbolic link; a bundle holds only regular files "
                                   "(copy the file in instead)",
                                   root.string(), path));
    }
    if (fs::is_directory(status)) {
      if (auto sub = hash_directory(root, path, manifest); !sub) return sub;
      continue;
    }
    if (!fs::is_regular_file(status)) {
      return bad_input(fmt::format("bundle {}: {} is not a regular file (a device, socket or pipe); a "
                                   "bundle holds only regular files",
                                   root.string(), path));
    }
    if (relative.empty() && (name == manifest_file || name == manifest_signature_file)) continue;
    auto digest = hash_file(root / path);
    if (!digest) return digest.error();
    manifest.entries.push_back({path, std::move(*digest)});
  }
  if (ec) return bad_input(fmt::format("cannot read bundle directory {}: {}", dir.string(), ec.message()));
  return {};
}

bool is_lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// A path from a MANIFEST is later opened below the bundle: it must stay inside it.
std::optional<std::string> unsafe_path(std::string_view path) {
  if (path.front() == '/') return "is absolute";
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, end - start);
    if (part.empty()) return "has an empty component";
    if (part == "." || part == "..") return fmt::format("has a '{}' component", part);
    start = end + 1;
  }
  if (auto why = unusable_name(path)) return "contains " + *why;
  return std::nullopt;
}

}  // namespace

std::string sha256_hex(const std::string& bytes) {
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return to_hex(digest);
}

Expected<Manifest> hash_bundle(const std::string& bundle_dir) {
  (void)sodium_ready();
  std::error_code ec;
  if (!fs::is_directory(bundle_dir, ec)) {
    return bad_input(fmt::format("'{}' is not a bundle directory", bundle_dir));
  }
  Manifest manifest;
  if (auto walked = hash_directory(bundle_dir, "", manifest); !walked) return walked.error();
  std::sort(manifest.entries.begin(), manifest.entries.end(),
            [](const ManifestEntry& a, const ManifestEntry& b) { return a.path < b.path; });
  return manifest;
}

std::string manifest_text(const Manifest& manifest) {
  std::string text;
  text.reserve(manifest.entries.size() * 96);
  for (const auto& e : manifest.entries) {
    text += e.sha256_hex;
    text += "  ";
    text += e.path;
    text += '\n';
  }
  return text;
}

Expected<Manifest> parse_manifest(const std::string& text, const std::string& where) {
  Manifest manifest;
  std::size_t start = 0;
  for (int line_number = 1; start < text.size(); ++line_number) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = std::string_view(text).substr(start, end - start);
    start = end + 1;
    const auto fail = [&](const std::string& what) {
      return bad_input(fmt::format("{}, line {}: {}", where, line_number, what));
    };
    if (line.empty()) return fail("empty line; expected '<64 hex digits>  <path>'");
    if (line.front() == '\\') {
      return fail("an escaped file name (a backslash or line break in it); bundles do not use such names");
    }
    if (line.size() < 67 || !is_lower_hex(line.substr(0, 64)) || line[64] != ' ' ||
        (line[65] != ' ' && line[65] != '*')) {
      return fail(fmt::format("expected '<64 lowercase hex digits>  <path>' (sha256sum's form), found '{}'",
                              line.substr(0, 100)));
    }
    const std::string_view path = line.substr(66);
    if (auto why = unsafe_path(path)) return fail(fmt::format("the path '{}' {}", path, *why));
    manifest.entries.push_back({std::string(path), std::string(line.substr(0, 64))});
  }
  std::stable_sort(manifest.entries.begin(), manifest.entries.end(),
                   [](const ManifestEntry& a, const ManifestEntry& b) { return a.path < b.path; });
  const auto twice = std::adjacent_find(manifest.entries.begin(), manifest.entries.end(),
                                        [](const auto& a, const auto& b) { return a.path == b.path; });
  if (twice != manifest.entries.end()) {
    return bad_input(fmt::format("{}: {} is listed twice", where, twice->path));
  }
  return manifest;
}

Expected<Manifest> write_manifest(const std::string& bundle_dir) {
  auto manifest = hash_bundle(bundle_dir);
  if (!manifest) return manifest;
  if (auto w = write_file_atomic((fs::path(bundle_dir) / manifest_file).string(), manifest_text(*manifest)); !w) {
    return w.error();
  }
  return manifest;
}

std::vector<ManifestDifference> compare_manifests(const Manifest& recorded, const Manifest& actual) {
  std::map<std::string, std::pair<const std::string*, const std::string*>> by_path;
  for (const auto& e : recorded.entries) by_path[e.path].first = &e.sha256_hex;
  for (const auto& e : actual.entries) by_path[e.path].second = &e.sha256_hex;
  std::vector<ManifestDifference> differences;
  for (const auto& [path, hashes] : by_path) {
    const auto& [was, now] = hashes;
    if (!now) {
      differences.push_back({ManifestDifference::Kind::missing, path});
    } else if (!was) {
      differences.push_back({ManifestDifference::Kind::extra, path});
    } else if (*was != *now) {
      differences.push_back({ManifestDifference::Kind::modified, path});
    }
  }
  return differences;
}

std::string describe_differences(const std::vector<ManifestDifference>& differences) {
  std::string text;
  for (const auto kind : {ManifestDifference::Kind::modified, ManifestDifference::Kind::missing,
                          ManifestDifference::Kind::extra}) {
    std::string paths;
    for (const auto& d : differences) {
      if (d.kind == kind) paths += (paths.empty() ? "" : ", ") + d.path;
    }
    if (paths.empty()) continue;
    const char* label = kind == ManifestDifference::Kind::modified ? "modified"
                        : kind == ManifestDifference::Kind::missing ? "missing"
                                                                    : "extra (not in the MANIFEST)";
    text += fmt::format("{}{}: {}", text.empty() ? "" : "; ", label, paths);
  }
  return text;
}

}  // namespace assay
