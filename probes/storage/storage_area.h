#pragma once
// Where a storage probe may write: a directory of its own inside the path the user
// gave, checked before anything is written, and removed with everything in it when
// the probe ends: normally, on error, after Ctrl-C / SIGTERM (the runner cancels the
// probe, which returns and destroys its area), and when the watchdog abandons a probe
// that does not return (remove_live_storage_areas() before the process ends).

#include <cstdint>
#include <string>
#include <string_view>

#include "core/expected.h"

namespace assay {

/// The free space a probe must leave beside what it writes: 5% of `needed_bytes`,
/// at least 256 MiB, so a probe never fills a file system that others are using.
std::int64_t storage_margin_bytes(std::int64_t needed_bytes);

/// Checks `path` (the `path` parameter) before a probe writes there: it exists, is a
/// directory, this process may create files in it, and its file system has
/// `needed_bytes` plus storage_margin_bytes() free for this user. Each failure is a
/// bad_input Error naming the path and what was expected ("path=/mnt/x: not a
/// directory", "... has 1.2 GiB free, the probe needs 4 GiB plus a margin of 256 MiB").
Expected<void> check_storage_path(const std::string& path, std::int64_t needed_bytes);

/// A directory of the probe's own, `<path>/assay-<probe>-<node>-<pid>-<random>`
/// (mode 0700; node names are reduced to [A-Za-z0-9._-]). Removed with its contents
/// by the destructor (best effort) or by remove() (reporting what it could not remove).
class StorageArea {
 public:
  /// Checks `path` as check_storage_path() does, then creates the directory.
  static Expected<StorageArea> create(const std::string& path, std::string_view probe, std::string_view node,
                                      std::int64_t needed_bytes);

  StorageArea(StorageArea&& other) noexcept;
  StorageArea& operator=(StorageArea&& other) noexcept;
  StorageArea(const StorageArea&) = delete;
  StorageArea& operator=(const StorageArea&) = delete;
  ~StorageArea();

  /// The area's directory (absolute when `path` was).
  const std::string& dir() const { return dir_; }
  /// `dir()/name`.
  std::string file(std::string_view name) const;
  /// Removes the directory and everything in it; an environment Error naming the first
  /// entry that could not be removed. Afterwards the destructor does nothing.
  Expected<void> remove();

 private:
  explicit StorageArea(std::string dir);
  std::string dir_;
};

/// Removes every StorageArea that still exists in this process. For the watchdog's
/// last act before it ends a process whose probe would not return; safe to call from
/// any thread (not from a signal handler).
void remove_live_storage_areas();

}  // namespace assay
