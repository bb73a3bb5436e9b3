#include "probes/storage/storage_area.h"

#include <ftw.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <random>
#include <set>

#include <fmt/format.h>

#include "core/units.h"

namespace assay {
namespace {

constexpr std::int64_t min_margin_bytes = std::int64_t{256} << 20;

std::string bytes_text(std::int64_t bytes) {
  return fmt::format("{} ({} B)", format_quantity(static_cast<double>(bytes), Unit::byte), bytes);
}

// The areas that exist now, for remove_live_storage_areas().
std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
std::set<std::string>& live_areas() {
  static std::set<std::string> areas;
  return areas;
}

std::string first_failure;  // set by remove_entry(); guarded by the registry mutex

int remove_entry(const char* path, const struct stat*, int type, struct FTW*) {
  const int rc = type == FTW_DP ? ::rmdir(path) : ::unlink(path);
  if (rc != 0 && errno != ENOENT && first_failure.empty()) {
    first_failure = fmt::format("cannot remove {}: {}", path, std::strerror(errno));
  }
  return 0;  // go on: remove as much as possible
}

// Removes `dir` and everything in it; the first entry that would not go, or "".
std::string remove_tree(const std::string& dir) {
  std::lock_guard lock(registry_mutex());
  first_failure.clear();
  if (::nftw(dir.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT && first_failure.empty()) {
    first_failure = fmt::format("cannot walk {} to remove it: {}", dir, std::strerror(errno));
  }
  live_areas().erase(dir);
  return first_failure;
}

std::string safe_name(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
    out.push_back(keep ? c : '_');
  }
  return out.empty() ? std::string("node") : out;
}

}  // namespace

std::int64_t storage_margin_bytes(std::int64_t needed_bytes) {
  return std::max(min_margin_bytes, needed_bytes / 20);
}

Expected<void> check_storage_path(const std::string& path, std::int64_t needed_bytes) {
  struct stat st {};
  if (path.empty()) return bad_input("path is empty: give the directory to test in (--set path=DIR)");
  if (::stat(path.c_str(), &st) != 0) {
    return bad_input(fmt::format("path={}: {} (expected an existing directory to test in)", path,
                                 errno == ENOENT ? "does not exist" : std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) return bad_input(fmt::format("path={}: not a directory", path));
  struct statvfs fs {};
  if (::statvfs(path.c_str(), &fs) != 0) {
    return bad_input(fmt::format("path={}: cannot read its file system's free space: {}", path, std::strerror(errno)));
  }
  const auto free_bytes = static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
  const std::int64_t margin = storage_margin_bytes(needed_bytes);
  if (needed_bytes > free_bytes - margin) {
    return bad_input(fmt::format("path={}: the file system has {} free; the probe needs {} plus a margin of {} "
                                 "(lower size or free some space)",
                                 path, bytes_text(free_bytes), bytes_text(needed_bytes), bytes_text(margin)));
  }
  return {};
}

Expected<StorageArea> StorageArea::create(const std::string& path, std::string_view probe, std::string_view node,
                                          std::int64_t needed_bytes) {
  if (auto ok = check_storage_path(path, needed_bytes); !ok) return ok.error();
  std::random_device random;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::string dir = fmt::format("{}/assay-{}-{}-{}-{:08x}", path, safe_name(probe), safe_name(node),
                                        ::getpid(), random());
    if (::mkdir(dir.c_str(), 0700) == 0) {
      std::lock_guard lock(registry_mutex());
      live_areas().insert(dir);
      return StorageArea(dir);
    }
    if (errno != EEXIST) {
      // Writability is proven here: root passes access(W_OK) on read-only trees.
      return bad_input(fmt::format("path={}: cannot create a directory there: {}", path, std::strerror(errno)));
    }
  }
  return environment_error(fmt::format("path={}: could not find an unused directory name after 8 tries", path));
}

StorageArea::StorageArea(std::string dir) : dir_(std::move(dir)) {}

StorageArea::StorageArea(StorageArea&& other) noexcept : dir_(std::move(other.dir_)) { other.dir_.clear(); }

StorageArea& StorageArea::operator=(StorageArea&& other) noexcept {
  if (this != &other) {
    if (!dir_.empty()) (void)remove_tree(dir_);
    dir_ = std::move(other.dir_);
    other.dir_.clear();
  }
  return *this;
}

StorageArea::~StorageArea() {
  if (!dir_.empty()) (void)remove_tree(dir_);
}

std::string StorageArea::file(std::string_view name) const { return fmt::format("{}/{}", dir_, name); }

Expected<void> StorageArea::remove() {
  if (dir_.empty()) return {};
  const std::string failure = remove_tree(dir_);
  const std::string dir = std::move(dir_);
  dir_.clear();
  if (!failure.empty()) return environment_error(fmt::format("removing {}: {}", dir, failure));
  return {};
}

void remove_live_storage_areas() {
  std::set<std::string> areas;
  {
    std::lock_guard lock(registry_mutex());
    areas = live_areas();
  }
  for (const std::string& dir : areas) (void)remove_tree(dir);
}

}  // namespace assay
