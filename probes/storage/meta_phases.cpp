#include "probes/storage/meta_phases.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace assay {
namespace {

// How often the loops look at the clock and the cancel flag: often enough to stop
// within milliseconds, rarely enough to cost nothing beside a system call per file.
constexpr std::int64_t poll_every = 64;

}  // namespace

std::string_view meta_phase_name(MetaPhase phase) {
  switch (phase) {
    case MetaPhase::create: return "create";
    case MetaPhase::stat: return "stat";
    case MetaPhase::remove: return "delete";
  }
  return "?";
}

std::string MetaLayout::thread_dir(int thread) const { return fmt::format("{}/t{}", root, thread); }

std::string MetaLayout::dir_of(int thread, std::int64_t file) const {
  return fmt::format("{}/t{}/d{}", root, thread, file / files_per_dir);
}

std::string MetaLayout::file_path(int thread, std::int64_t file) const {
  return fmt::format("{}/t{}/d{}/f{}", root, thread, file / files_per_dir, file);
}

std::string make_meta_tree(const MetaLayout& layout, const std::atomic<bool>* cancel) {
  for (int t = 0; t < layout.threads; ++t) {
    const std::string top = layout.thread_dir(t);
    if (::mkdir(top.c_str(), 0700) != 0 && errno != EEXIST) {
      return fmt::format("mkdir {}: {}", top, std::strerror(errno));
    }
    for (std::int64_t d = 0; d < layout.dirs_per_thread(); ++d) {
      if (d % poll_every == 0 && cancel && cancel->load(std::memory_order_relaxed)) return "interrupted";
      const std::string dir = layout.dir_of(t, d * layout.files_per_dir);
      if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return fmt::format("mkdir {}: {}", dir, std::strerror(errno));
      }
    }
  }
  return {};
}

MetaThreadWork run_meta_thread(const MetaLayout& layout, int thread, MetaPhase phase, std::int64_t count,
                               std::chrono::steady_clock::time_point stonewall, const std::atomic<bool>* cancel) {
  MetaThreadWork work;
  for (std::int64_t i = 0; i < count; ++i) {
    if (i % poll_every == 0 && i > 0) {
      if (cancel && cancel->load(std::memory_order_relaxed)) {
        work.interrupted = true;
        break;
      }
      if (std::chrono::steady_clock::now() >= stonewall) {
        work.stonewalled = true;
        break;
      }
    }
    const std::string path = layout.file_path(thread, i);
    if (phase == MetaPhase::create) {
      const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
      if (fd < 0 || ::close(fd) != 0) {
        work.error = fmt::format("{}: create failed: {}", path, std::strerror(errno));
        break;
      }
    } else if (phase == MetaPhase::stat) {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) {
        work.error = fmt::format("{}: stat failed: {}", path, std::strerror(errno));
        break;
      }
      if (!S_ISREG(st.st_mode) || st.st_size != 0) {
        work.error = fmt::format("{}: stat says {} of {} B, but an empty regular file was created", path,
                                 S_ISREG(st.st_mode) ? "a regular file" : "not a regular file", st.st_size);
        break;
      }
    } else if (::unlink(path.c_str()) != 0) {
      work.error = fmt::format("{}: delete failed: {}", path, std::strerror(errno));
      break;
    }
    ++work.done;
  }
  work.end = std::chrono::steady_clock::now();
  return work;
}

std::string check_meta_tree(const MetaLayout& layout, int thread, std::int64_t present) {
  for (std::int64_t d = 0; d < layout.dirs_per_thread(); ++d) {
    const std::int64_t first = d * layout.files_per_dir;
    const std::int64_t expected = std::clamp<std::int64_t>(present - first, 0, layout.files_per_dir);
    const std::string dir = layout.dir_of(thread, first);
    DIR* handle = ::opendir(dir.c_str());
    if (!handle) return fmt::format("{}: cannot list it: {}", dir, std::strerror(errno));
    std::int64_t found = 0;
    while (const dirent* entry = ::readdir(handle)) {
      if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0) ++found;
    }
    ::closedir(handle);
    if (found != expected) {
      return fmt::format("{} lists {} entries where {} files should be", dir, found, expected);
    }
  }
  return {};
}

}  // namespace assay
