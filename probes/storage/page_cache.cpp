#include "probes/storage/page_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace assay {

Expected<double> drop_cached_pages(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return environment_error(fmt::format("{}: cannot open to drop its cached pages: {}", path, std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::fsync(fd) != 0) return environment_error(fmt::format("{}: fsync failed: {}", path, std::strerror(errno)));
  if (const int rc = ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED); rc != 0) {
    return environment_error(fmt::format("{}: posix_fadvise(DONTNEED) failed: {}", path, std::strerror(rc)));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) return environment_error(fmt::format("{}: fstat failed: {}", path, std::strerror(errno)));
  if (st.st_size == 0) return 0.0;
  const auto bytes = static_cast<std::size_t>(st.st_size);
  void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return environment_error(fmt::format("{}: mmap to count cached pages failed: {}", path, std::strerror(errno)));
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((bytes + page - 1) / page);
  const int rc = ::mincore(map, bytes, resident.data());
  const int mincore_errno = errno;
  ::munmap(map, bytes);
  if (rc != 0) return environment_error(fmt::format("{}: mincore failed: {}", path, std::strerror(mincore_errno)));
  std::size_t cached = 0;
  for (const unsigned char r : resident) cached += r & 1U;
  return static_cast<double>(cached) / static_cast<double>(resident.size());
}

}  // namespace assay
