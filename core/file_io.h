#pragma once
// Whole files in and out: written whole or not at all (a temporary name, fsync,
// rename), so a crash never leaves half a report, key or MANIFEST behind.

#include <string>

#include "core/expected.h"

namespace assay {

/// Writes `content` to `path` atomically and durably.
Expected<void> write_file_atomic(const std::string& path, const std::string& content);

/// An Error for a failed write of `path`: a full disk, a quota, a read-only file system
/// or a permission the user can fix is bad_input (exit 2), anything else is an
/// environment failure. `errno_value` is the errno of the failed call.
Error file_write_error(const std::string& what, int errno_value);

/// Reads a whole file; a missing or unreadable one is a bad_input error naming it.
Expected<std::string> read_file(const std::string& path);

}  // namespace assay
