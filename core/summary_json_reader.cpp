#include <algorithm>
#include <array>
#include <atomic>
#include <optional>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/element_json_reader.h"
#include "core/file_io.h"
#include "core/parallel_chunks.h"
#include "core/summary_file.h"
#include "core/summary_json_parts.h"

namespace assay {
namespace {

constexpr std::array<std::string_view, 4> kBigArrays = {"rated", "verdicts", "fleet", "results"};

// summary.json cut in two: the text without the element lines of the big arrays (a
// small document), and those lines, one element each.
struct SplitSummary {
  std::string skeleton;
  std::array<std::optional<std::vector<std::string_view>>, kBigArrays.size()> elements;  // kBigArrays order
};

// The opening line of a big array in the element-per-line layout.
std::string opening_of(std::string_view name) { return fmt::format("\n  \"{}\": [\n", name); }

// Splits `text` if it has the layout summary_json_text writes, or says no. Anything
// unexpected is a no: the caller then reads the file as one document, which accepts
// every valid layout and reports every fault, so this need not.
std::optional<SplitSummary> split_summary(std::string_view text) {
  struct Block {
    std::size_t at;  // of the opening line's newline
    std::size_t array;
  };
  std::vector<Block> blocks;
  for (std::size_t a = 0; a < kBigArrays.size(); ++a) {
    if (const auto at = text.find(opening_of(kBigArrays[a])); at != std::string_view::npos) blocks.push_back({at, a});
  }
  if (blocks.empty()) return std::nullopt;
  std::sort(blocks.begin(), blocks.end(), [](const Block& x, const Block& y) { return x.at < y.at; });

  SplitSummary split;
  std::size_t copied = 0;  // text before this is in the skeleton or an element
  for (const Block& b : blocks) {
    if (b.at < copied) return std::nullopt;
    std::size_t line = b.at + opening_of(kBigArrays[b.array]).size();
    split.skeleton.append(text.substr(copied, line - copied));
    auto& lines = split.elements[b.array].emplace();
    bool comma_before = false;  // the element before ended with ','
    while (true) {
      const std::size_t eol = text.find('\n', line);
      if (eol == std::string_view::npos) return std::nullopt;
      std::string_view content = text.substr(line, eol - line);
      if (content.starts_with("  ]")) {
        if (comma_before) return std::nullopt;
        copied = line;
        break;
      }
      if (!lines.empty() && !comma_before) return std::nullopt;
      comma_before = content.ends_with(',');
      if (comma_before) content.remove_suffix(1);
      if (!content.starts_with('{') || !content.ends_with('}')) return std::nullopt;
      lines.push_back(content);
      line = eol + 1;
    }
  }
  split.skeleton.append(text.substr(copied));
  // A big array named twice would be read once by one path and differently by the other.
  for (const Block& b : blocks) {
    const std::string member = fmt::format("\n  \"{}\":", kBigArrays[b.array]);
    const auto first = split.skeleton.find(member);
    if (split.skeleton.find(member, first + 1) != std::string::npos) return std::nullopt;
  }
  return split;
}

// Reads each line into `out` (in order), on every core: with `fast` (a reader without a
// DOM, core/element_json_reader.h) when it takes the line, else parsed by nlohmann and
// read with `read`. False at the first line that is not valid JSON or not a valid
// element.
template <class T, class Fast, class Read>
bool read_lines(const std::vector<std::string_view>& lines, std::string_view where, std::string_view name,
                Fast fast, Read read, std::vector<T>& out) {
  out.resize(lines.size());
  std::atomic<bool> failed = false;
  run_in_chunks(lines.size(), chunk_count(lines.size()), [&](std::size_t, std::size_t begin, std::size_t end) {
    try {
      for (std::size_t i = begin; i < end && !failed.load(std::memory_order_relaxed); ++i) {
        if (auto value = fast(lines[i])) {
          out[i] = std::move(*value);
          continue;
        }
        const Json json = Json::parse(lines[i].begin(), lines[i].end(), nullptr, false);
        if (json.is_discarded()) {
          failed = true;
          return;
        }
        auto value = read(json, element_where(where, name, i));
        if (!value) {
          failed = true;
          return;
        }
        out[i] = std::move(*value);
      }
    } catch (...) {  // e.g. std::bad_alloc: a thread must not throw; the whole-document path reports it
      failed = true;
    }
  });
  return !failed;
}

// For arrays every line of which nlohmann reads.
template <class T>
std::optional<T> no_fast_reader(std::string_view) {
  return std::nullopt;
}

// The element-per-line layout read line by line; nullopt for any other layout or any
// fault, which the whole-document path then reads (or reports) exactly.
std::optional<Summary> read_split(std::string_view text, std::string_view where) {
  auto split = split_summary(text);
  if (!split) return std::nullopt;
  const Json skeleton = Json::parse(split->skeleton, nullptr, false);
  if (skeleton.is_discarded()) return std::nullopt;
  Summary s;
  auto arrays = summary_head_from_json(skeleton, where, s);
  if (!arrays) return std::nullopt;

  // Each big array from its lines when it has them, else from the skeleton.
  const auto read_array = [&](std::size_t a, const Json* in_skeleton, auto fast, auto read, auto& out) {
    if (const auto& lines = split->elements[a]) return read_lines(*lines, where, kBigArrays[a], fast, read, out);
    return !in_skeleton || read_elements(*in_skeleton, where, kBigArrays[a], read, out).ok();
  };
  // rated and fleet are a few percent of the text: nlohmann reads them.
  if (!read_array(0, arrays->rated, no_fast_reader<SummaryRated>, rated_from_json, s.rated)) return std::nullopt;
  if (!read_array(1, arrays->verdicts, verdict_from_line, verdict_from_json, s.verdicts)) return std::nullopt;
  if (!read_array(2, arrays->fleet, no_fast_reader<FleetStat>, fleet_from_json, s.fleet)) return std::nullopt;
  if (arrays->links) {
    auto m = links_from_json(*arrays->links, fmt::format("{}.links", where));
    if (!m) return std::nullopt;
    s.links = std::move(*m);
  }
  if (!read_array(3, arrays->results, result_from_line, result_from_json, s.results)) return std::nullopt;
  if (!journal_lines_from_json(arrays->journal_lines, where, s)) return std::nullopt;
  return s;
}

// A regular file mapped read-only: at half a gigabyte, reading it into a string costs
// seconds of copying and page faults on a VM (docs/scale.md); the mapping costs neither.
class MappedFile {
 public:
  static std::optional<MappedFile> open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    struct stat st {};
    void* data = MAP_FAILED;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      data = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    }
    ::close(fd);
    if (data == MAP_FAILED) return std::nullopt;
    ::madvise(data, static_cast<std::size_t>(st.st_size), MADV_SEQUENTIAL);
    return MappedFile(data, static_cast<std::size_t>(st.st_size));
  }
  MappedFile(MappedFile&& other) noexcept : data_(std::exchange(other.data_, nullptr)), size_(other.size_) {}
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile() {
    if (data_) ::munmap(data_, size_);
  }
  std::string_view text() const { return {static_cast<const char*>(data_), size_}; }

 private:
  MappedFile(void* data, std::size_t size) : data_(data), size_(size) {}
  void* data_;
  std::size_t size_;
};

}  // namespace

Expected<Summary> read_summary_text(std::string_view text, std::string_view where) {
  if (auto fast = read_split(text, where)) return std::move(*fast);
  Json json;
  try {
    json = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return bad_input(fmt::format("{} is not valid JSON: {}", where, e.what()));
  }
  return summary_from_json(json, where);
}

Expected<Summary> read_summary_file(const std::string& path) {
  if (const auto mapped = MappedFile::open(path)) return read_summary_text(mapped->text(), path);
  // Not a regular file, empty or not mappable: read_file reads it or names the problem.
  auto text = read_file(path);
  if (!text) return text.error();
  return read_summary_text(*text, path);
}

}  // namespace assay
