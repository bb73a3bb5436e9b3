#pragma once
// Buffered I/O measures the page cache unless the cache is emptied between writing a
// file and reading it back. posix_fadvise(DONTNEED) drops a file's clean pages (after
// fsync they all are); mincore() then tells how much is still resident, so a result
// can say whether the drop worked instead of assuming it.

#include <string>

#include "core/expected.h"

namespace assay {

/// fsyncs `path`, asks the kernel to drop its cached pages, and returns the fraction
/// (0..1) of the file's pages still in the page cache afterwards. An environment Error
/// names the file and the call that failed.
Expected<double> drop_cached_pages(const std::string& path);

}  // namespace assay
