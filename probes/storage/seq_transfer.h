#pragma once
// One thread's share of a storage.seq phase: its files written (or read back and
// checked) from the start, block after block, with `depth` requests in flight, until
// done, the stonewall, an error or a cancel.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "probes/storage/block_stamp.h"

namespace assay {

struct SeqFile {
  std::string path;
  std::uint32_t number = 0;         ///< stamped into every unit (block_stamp.h)
  std::int64_t planned_bytes = 0;   ///< a whole number of blocks
  std::int64_t written_bytes = 0;   ///< set by the write phase: what the read phase reads
};

struct SeqPhase {
  bool write = true;
  bool direct = false;
  std::int64_t block_bytes = 1 << 20;
  std::int64_t alignment_bytes = 4096;  ///< of the buffers (O_DIRECT)
  int depth = 4;
  std::string engine = "auto";  ///< make_io_queue()'s choice
  std::chrono::steady_clock::time_point stonewall = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* cancel = nullptr;
};

struct SeqThreadOutcome {
  std::int64_t bytes = 0;   ///< transferred (and, reading, checked)
  std::chrono::steady_clock::time_point end{};
  bool stonewalled = false;  ///< stopped by the stonewall before its files were done
  bool interrupted = false;  ///< stopped by the cancel flag
  std::string error;         ///< empty: no error; else names the file, offset and what failed
  std::string engine_note;   ///< make_io_queue()'s note
};

/// Creates `file` empty and reserves its planned size with fallocate, as fio does before
/// its clock starts (fallocate=native): O_DIRECT writes beyond the end of a file are
/// serialised by some file systems (ext4), which would measure the allocator, not the
/// device. Returns false, with `error` unset, where the file system has no fallocate
/// (the writes then extend the file); an error names the file and the call.
bool preallocate_seq_file(const SeqFile& file, std::string& error);

/// Writes (phase.write) every file from offset 0 to planned_bytes and fsyncs it inside
/// the clock, recording written_bytes; or reads each file's written_bytes and checks
/// every block against `pattern`.
SeqThreadOutcome run_seq_thread(std::span<SeqFile> files, const SeqPhase& phase, const StampPattern& pattern);

}  // namespace assay
