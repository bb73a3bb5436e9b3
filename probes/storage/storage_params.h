#pragma once
// The parameters the storage probes share, defined once so that a plan's
// [probes.storage] section means the same to storage.seq, storage.rand and
// storage.meta, and the up-front checks every one of them makes.

#include <cstdint>
#include <string>

#include "core/expected.h"
#include "core/params.h"

namespace assay {

ParamSpec storage_path_param();  ///< `path`: the directory to test in (default ".", as fio)
ParamSpec storage_size_param(std::int64_t default_bytes, std::string help);
ParamSpec storage_block_param(std::int64_t default_bytes, std::string help);
ParamSpec storage_depth_param(std::int64_t default_depth, std::string help);
ParamSpec storage_seconds_param(double default_seconds, std::string help);
ParamSpec storage_threads_param(std::int64_t default_threads);
ParamSpec storage_files_param(std::int64_t default_files, std::string help, double min_files = 1);
ParamSpec storage_direct_param();  ///< `direct`: auto | on | off
ParamSpec storage_engine_param();  ///< `engine`: auto | io_uring | threads

/// How a probe's data will move, decided once per run from `direct` and the file system.
struct StorageIoPlan {
  bool direct = false;                    ///< O_DIRECT
  std::int64_t alignment_bytes = 4096;    ///< of buffers, offsets and lengths
  std::string mode_note;                  ///< "O_DIRECT (alignment 512 B: statx dio_offset_align)" or
                                          ///< "buffered: O_DIRECT not supported here (...); fsync ..."
};

/// Decides direct or buffered I/O for `dir` (an existing directory of the probe's own):
/// direct=on and the file system refuses O_DIRECT -> bad_input naming `path`;
/// direct=auto falls back to buffered with the reason in mode_note.
Expected<StorageIoPlan> plan_storage_io(const std::string& dir, const std::string& path_param,
                                        const std::string& direct_param);

/// Checks that `bytes` (the value of parameter `name`) is a positive multiple of
/// `unit_bytes`, saying why the unit is required (`why`: "the 4 KiB unit assay stamps
/// and checks", "the logical block size O_DIRECT needs on /mnt/x (statx)").
Expected<void> check_multiple_of(std::string_view name, std::int64_t bytes, std::int64_t unit_bytes,
                                 std::string_view why);

}  // namespace assay
