#pragma once
// One value from a sysfs attribute file (powercap, hwmon): the file is opened anew for
// every read, as sysfs attributes are generated on read and fixture trees are replaced
// by rename.

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/expected.h"

namespace assay {

/// The file's first line without its newline; an environment error naming the file and
/// the system's reason (e.g. "Permission denied") when it cannot be read; then
/// `failed_errno`, when given, receives errno so callers can explain EACCES.
Expected<std::string> read_sysfs_text(const std::filesystem::path& file, int* failed_errno = nullptr);

/// The file's content as a non-negative decimal integer; an environment error naming
/// the file when it cannot be read or holds something else.
Expected<std::uint64_t> read_sysfs_uint(const std::filesystem::path& file, int* failed_errno = nullptr);

}  // namespace assay
