#pragma once
// Whether a directory's file system takes O_DIRECT, and the alignment it then demands
// of buffers, offsets and lengths.

#include <cstdint>
#include <string>

namespace assay {

struct DirectIoSupport {
  bool supported = false;
  /// Required alignment of buffer addresses and of file offsets and lengths, in bytes
  /// (both powers of two); 0 when unsupported.
  std::int64_t memory_alignment_bytes = 0;
  std::int64_t offset_alignment_bytes = 0;
  /// Where the alignment came from ("statx dio_offset_align", "logical block size of
  /// /dev/vda", "assumed 4096"), or why O_DIRECT is not available ("tmpfs: open with
  /// O_DIRECT failed: Invalid argument").
  std::string detail;
};

/// Opens a scratch file in `dir` with O_DIRECT, writes and reads one aligned block, and
/// removes the file. Alignment: statx(STATX_DIOALIGN) where the kernel reports it (Linux
/// 6.1+), else the logical block size of the block device under `dir` (sysfs), else
/// 4096. Never throws; anything unexpected means unsupported, with the reason.
DirectIoSupport probe_direct_io(const std::string& dir);

}  // namespace assay
