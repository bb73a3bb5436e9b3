#include "probes/power/sysfs_value.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace assay {

Expected<std::string> read_sysfs_text(const std::filesystem::path& file, int* failed_errno) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (failed_errno) *failed_errno = errno;
    return environment_error(fmt::format("cannot read {}: {}", file.string(), std::strerror(errno)));
  }
  char buffer[256];
  ssize_t got;
  do {
    got = ::read(fd, buffer, sizeof buffer);
  } while (got < 0 && errno == EINTR);
  const int read_errno = errno;
  ::close(fd);
  if (got < 0) {
    if (failed_errno) *failed_errno = read_errno;
    return environment_error(fmt::format("cannot read {}: {}", file.string(), std::strerror(read_errno)));
  }
  std::string text(buffer, static_cast<std::size_t>(got));
  if (const auto end = text.find('\n'); end != std::string::npos) text.resize(end);
  return text;
}

Expected<std::uint64_t> read_sysfs_uint(const std::filesystem::path& file, int* failed_errno) {
  auto text = read_sysfs_text(file, failed_errno);
  if (!text) return text.error();
  std::uint64_t value = 0;
  const char* begin = text->data();
  const char* end = begin + text->size();
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || text->empty()) {
    return environment_error(fmt::format("{} holds '{}'; expected a non-negative integer", file.string(), *text));
  }
  return value;
}

}  // namespace assay
