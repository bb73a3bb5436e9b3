#include "suites/bundle.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/iso_time.h"

namespace assay {
namespace fs = std::filesystem;

std::string bundle_slug(const std::string& plan_name) {
  std::string slug;
  for (char c : plan_name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) && u < 128) {
      slug += static_cast<char>(std::tolower(u));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.size() > 60) slug.resize(60);
  return slug.empty() ? "run" : slug;
}

Expected<std::string> create_bundle_dir(const std::string& out_root, const std::string& plan_name,
                                        std::chrono::system_clock::time_point when) {
  std::error_code ec;
  fs::create_directories(out_root, ec);
  if (ec || !fs::is_directory(out_root)) {
    return bad_input(fmt::format("cannot use '{}' as the results directory: {}", out_root,
                                 ec ? ec.message() : "not a directory"));
  }
  const std::string base = compact_utc(when) + "-" + bundle_slug(plan_name);
  for (int attempt = 1; attempt < 1000; ++attempt) {
    const fs::path dir = fs::path(out_root) / (attempt == 1 ? base : fmt::format("{}-{}", base, attempt));
    if (fs::create_directory(dir, ec)) return dir.string();
    if (ec) {
      return bad_input(fmt::format("cannot create bundle directory {}: {}", dir.string(), ec.message()));
    }
  }
  return bad_input(fmt::format("cannot create a new bundle directory under {}", out_root));
}

Error file_write_error(const std::string& what, int errno_value) {
  const std::string message = fmt::format("{}: {}", what, std::strerror(errno_value));
  switch (errno_value) {
    case ENOSPC:
    case EDQUOT:
    case EROFS:
    case EACCES:
    case EPERM:
      return bad_input(message + " (free space or choose another --out directory)");
    default:
      return environment_error(message);
  }
}

Expected<void> write_file_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return file_write_error(fmt::format("cannot write {}", tmp), errno);
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return file_write_error(fmt::format("cannot write {}", path), err);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return file_write_error(fmt::format("cannot flush {} to disk", path), err);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return file_write_error(fmt::format("cannot rename {} to {}", tmp, path), err);
  }
  return {};
}

Expected<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return bad_input(fmt::format("'{}' is a directory, not a file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad_input(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace assay
