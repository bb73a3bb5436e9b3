#include "suites/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "core/result_json.h"
#include "suites/bundle.h"

namespace assay {

Expected<Journal> Journal::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return file_write_error(fmt::format("cannot open journal {}", path), errno);
  }
  return Journal(fd, path);
}

Journal::Journal(Journal&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

Journal& Journal::operator=(Journal&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

Expected<void> Journal::append(const ProbeResult& result) {
  const std::string line = to_json_line(result) + "\n";
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return file_write_error(fmt::format("cannot append to journal {}", path_), errno);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd_) != 0) {
    return file_write_error(fmt::format("cannot flush journal {} to disk", path_), errno);
  }
  return {};
}

Expected<Journal::Contents> Journal::read(const std::string& path) {
  std::ifstream in(path);
  if (!in) return bad_input(fmt::format("cannot read journal {}", path));
  Contents contents;
  std::string line;
  std::size_t number = 0;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  const bool ends_with_newline = [&] {
    std::ifstream raw(path, std::ios::binary | std::ios::ate);
    const auto size = raw.tellg();
    if (size <= 0) return true;
    raw.seekg(-1, std::ios::end);
    return raw.get() == '\n';
  }();
  for (const auto& text : lines) {
    ++number;
    if (text.empty()) continue;
    const bool last = number == lines.size();
    Json json = Json::parse(text, nullptr, false);
    if (json.is_discarded()) {
      if (last && !ends_with_newline) {
        contents.truncated_tail = true;
        break;
      }
      return bad_input(fmt::format("{} line {}: not valid JSON", path, number));
    }
    auto result = result_from_json(json, fmt::format("{} line {}", path, number));
    if (!result) return result.error();
    contents.results.push_back(std::move(*result));
  }
  return contents;
}

std::vector<ProbeResult> latest_results(const std::vector<ProbeResult>& journal) {
  std::vector<ProbeResult> out;
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> index;
  for (const auto& r : journal) {
    const auto id = std::make_tuple(r.node, r.probe, r.subject);
    const auto it = index.find(id);
    if (it == index.end()) {
      index[id] = out.size();
      out.push_back(r);
    } else {
      out[it->second] = r;
    }
  }
  return out;
}

}  // namespace assay
