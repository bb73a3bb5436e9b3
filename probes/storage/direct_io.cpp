#include "probes/storage/direct_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

#include <fmt/format.h>

namespace assay {
namespace {

bool power_of_two(std::int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

// The logical block size of the device holding `st_dev`, from sysfs; 0 when unknown
// (no block device: network and FUSE file systems, overlay, tmpfs).
std::int64_t logical_block_size(dev_t device, std::string& source) {
  const std::string base = fmt::format("/sys/dev/block/{}:{}", major(device), minor(device));
  for (const std::string& candidate : {base + "/queue/logical_block_size", base + "/../queue/logical_block_size"}) {
    std::ifstream in(candidate);
    std::int64_t bytes = 0;
    if (in >> bytes && power_of_two(bytes)) {
      source = fmt::format("logical block size of device {}:{} (sysfs)", major(device), minor(device));
      return bytes;
    }
  }
  return 0;
}

struct Unlinker {
  std::string path;
  int fd = -1;
  ~Unlinker() {
    if (fd >= 0) ::close(fd);
    ::unlink(path.c_str());
  }
};

}  // namespace

DirectIoSupport probe_direct_io(const std::string& dir) {
  DirectIoSupport support;
  Unlinker scratch{fmt::format("{}/.assay-direct-io-{}", dir, ::getpid())};
  scratch.fd = ::open(scratch.path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_DIRECT | O_CLOEXEC, 0600);
  if (scratch.fd < 0) {
    support.detail = fmt::format("open with O_DIRECT failed: {}", std::strerror(errno));
    return support;
  }

  std::int64_t memory = 0, offset = 0;
  std::string source;
  struct statx sx {};
  if (::statx(scratch.fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 && (sx.stx_mask & STATX_DIOALIGN) != 0) {
    if (sx.stx_dio_offset_align == 0) {
      support.detail = "the file system reports no O_DIRECT support (statx dio_offset_align 0)";
      return support;
    }
    memory = sx.stx_dio_mem_align;
    offset = sx.stx_dio_offset_align;
    source = "statx dio_mem_align / dio_offset_align";
  } else {
    struct stat st {};
    if (::fstat(scratch.fd, &st) == 0) offset = memory = logical_block_size(st.st_dev, source);
    if (offset == 0) {
      offset = memory = 4096;
      source = "assumed 4096 B: neither statx nor sysfs gave the alignment";
    }
  }
  if (!power_of_two(memory) || !power_of_two(offset)) {
    support.detail = fmt::format("unusable alignment from {}: memory {} B, offset {} B", source, memory, offset);
    return support;
  }

  // Proof by use: one aligned block written and read back through O_DIRECT.
  const auto bytes = static_cast<std::size_t>(std::max<std::int64_t>({memory, offset, 4096}));
  void* raw = nullptr;
  if (posix_memalign(&raw, bytes, bytes) != 0) {
    support.detail = "could not allocate an aligned buffer";
    return support;
  }
  const std::unique_ptr<void, decltype(&std::free)> buffer(raw, &std::free);
  std::memset(raw, 0xa5, bytes);
  if (::pwrite(scratch.fd, raw, bytes, 0) != static_cast<ssize_t>(bytes)) {
    support.detail = fmt::format("a {} B O_DIRECT write failed: {}", bytes, std::strerror(errno));
    return support;
  }
  std::memset(raw, 0, bytes);
  if (::pread(scratch.fd, raw, bytes, 0) != static_cast<ssize_t>(bytes) ||
      static_cast<unsigned char*>(raw)[bytes - 1] != 0xa5) {
    support.detail = fmt::format("a {} B O_DIRECT read did not return what was written", bytes);
    return support;
  }
  support.supported = true;
  support.memory_alignment_bytes = memory;
  support.offset_alignment_bytes = offset;
  support.detail = source;
  return support;
}

}  // namespace assay
