#pragma once
// journal.jsonl: one probe result per line, appended and fsynced as each arrives, so
// a crash or a lost node costs only the probe that was running.

#include <string>
#include <vector>

#include "core/expected.h"
#include "core/result.h"

namespace assay {

class Journal {
 public:
  /// Opens (creating if needed) a journal for appending.
  static Expected<Journal> open(const std::string& path);
  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&& other) noexcept;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  ~Journal();

  /// Appends one result as a line and fsyncs; a full disk is reported, not ignored.
  Expected<void> append(const ProbeResult& result);

  /// What a journal holds. A last line cut short by a crash is dropped and reported in
  /// `truncated_tail`; any other bad line is an error naming its line number.
  struct Contents {
    std::vector<ProbeResult> results;
    bool truncated_tail = false;
  };
  static Expected<Contents> read(const std::string& path);

 private:
  explicit Journal(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

/// The latest result per (node, probe, subject), in first-seen order: a probe re-run after
/// --resume replaces its earlier error.
std::vector<ProbeResult> latest_results(const std::vector<ProbeResult>& journal);

}  // namespace assay
