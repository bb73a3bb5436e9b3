#include "reports/report_csv.h"

#include <algorithm>
#include <array>
#include <exception>
#include <iterator>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "core/parallel_chunks.h"
#include "reports/fleet_outliers.h"

namespace assay {
namespace {

constexpr std::array<std::string_view, 25> kColumns = {
    "node",   "probe",         "subject",        "key",             "unit",    "value",      "value_rule",
    "n",      "min",           "median",         "max",             "mean",    "stdev",      "cv",
    "p05",    "p95",           "median_ci_low",  "median_ci_high",  "median_ci_level",
    "verdict", "rated",        "ratio",          "criterion",       "rated_source", "fleet_outlier"};
constexpr std::size_t kVerdictColumn = 19, kCriterionColumn = 22;
static_assert(kColumns[kVerdictColumn] == "verdict" && kColumns[kCriterionColumn] == "criterion");

void append_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// What a verdict is about. The views point into the summary's own strings (or, for a
// lookup, the row's), so the index copies no text.
struct Identity {
  std::string_view node, subject, key;
  bool operator==(const Identity&) const = default;
};

struct IdentityHash {
  std::size_t operator()(const Identity& id) const {
    const std::hash<std::string_view> h;
    std::size_t seed = h(id.node);
    for (const std::string_view part : {id.subject, id.key}) seed ^= h(part) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    return seed;
  }
};

// Each measurement's verdicts, found in O(1): the one against its rated figure (or INFO)
// and the fleet's outlier verdict when it has one.
class VerdictIndex {
 public:
  explicit VerdictIndex(const Summary& s) {
    const FleetOutliers outliers(s);
    measured_.reserve(s.verdicts.size());
    for (const auto& v : s.verdicts) {
      auto& index = outliers.is_outlier(v) ? outlier_ : measured_;
      index.emplace(Identity{v.node, v.subject, v.key}, &v);  // the first one stays
    }
  }
  const Verdict* measured(std::string_view node, std::string_view subject, std::string_view key) const {
    return find(measured_, {node, subject, key});
  }
  const Verdict* outlier(std::string_view node, std::string_view subject, std::string_view key) const {
    return find(outlier_, {node, subject, key});
  }

 private:
  using Index = std::unordered_map<Identity, const Verdict*, IdentityHash>;
  static const Verdict* find(const Index& index, const Identity& id) {
    if (index.empty()) return nullptr;
    const auto it = index.find(id);
    return it == index.end() ? nullptr : it->second;
  }
  Index measured_, outlier_;
};

// The verdict about a whole probe that did not end ok: SKIP, ERROR, or a failed self-check.
const Verdict* probe_verdict(const VerdictIndex& index, const ProbeResult& r) {
  if (const Verdict* v = index.measured(r.node, r.subject, r.probe)) return v;
  return index.measured(r.node, r.subject, r.probe + ".validation");
}

std::string criterion_of(const Verdict& v) {
  if (v.message.empty()) return v.criterion;
  return v.criterion.empty() ? v.message : v.criterion + ": " + v.message;
}

// Appends one record field by field, straight into the file's text.
class RecordWriter {
 public:
  explicit RecordWriter(std::string& out) : out_(out) {}
  RecordWriter& text(std::string_view field) {
    separate();
    append_field(out_, field);
    return *this;
  }
  // Shortest text that reads back to the same double; numbers never need quotes.
  RecordWriter& number(double value) {
    separate();
    fmt::format_to(std::back_inserter(out_), "{}", value);
    return *this;
  }
  RecordWriter& number(const std::optional<double>& value) { return value ? number(*value) : text({}); }
  RecordWriter& count(std::size_t value) {
    separate();
    fmt::format_to(std::back_inserter(out_), "{}", value);
    return *this;
  }
  RecordWriter& empty(std::size_t fields) {
    for (std::size_t i = 0; i < fields; ++i) text({});
    return *this;
  }
  void end() { out_ += "\r\n"; }

 private:
  void separate() {
    if (fields_++) out_ += ',';
  }
  std::string& out_;
  std::size_t fields_ = 0;
};

class CsvWriter {
 public:
  explicit CsvWriter(const Summary& s) : s_(s), index_(s) {}

  // The rows are written a contiguous run of results per core (half a million rows at
  // 10,000 nodes, docs/scale.md) and joined in order, so the text is the same on any
  // number of cores. The first run is written straight after the header into the text
  // returned; the others are appended to it and freed one by one.
  std::string render() {
    const std::size_t n = s_.results.size();
    const std::size_t chunks = chunk_count(n);
    const auto rows_of = [&](std::size_t begin, std::size_t end) {
      std::size_t rows = 0;
      for (std::size_t i = begin; i < end; ++i) rows += std::max<std::size_t>(s_.results[i].metrics.size(), 1);
      return rows;
    };
    // Reserved, not touched: only the pages written count, so room for long rows is free,
    // and the text is never copied to grow.
    constexpr std::size_t kReservedBytesPerRow = 1024;
    std::vector<std::string> pieces(chunks);
    pieces[0].reserve((rows_of(0, n) + 1) * kReservedBytesPerRow);
    RecordWriter header(pieces[0]);
    for (const auto& name : kColumns) header.text(name);
    header.end();
    std::vector<std::exception_ptr> failures(chunks);
    run_in_chunks(n, chunks, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
      try {
        if (chunk > 0) pieces[chunk].reserve(rows_of(begin, end) * kReservedBytesPerRow);
        for (std::size_t i = begin; i < end; ++i) write_result(pieces[chunk], s_.results[i]);
      } catch (...) {  // e.g. std::bad_alloc: a worker thread must not throw
        failures[chunk] = std::current_exception();
      }
    });
    for (const auto& failure : failures) {
      if (failure) std::rethrow_exception(failure);
    }
    for (std::size_t c = 1; c < chunks; ++c) {
      pieces[0] += pieces[c];
      std::string().swap(pieces[c]);
    }
    return std::move(pieces[0]);
  }

 private:
  void write_result(std::string& out, const ProbeResult& r) const {
    // Measurements of a probe that did not end ok carry that probe's verdict: their
    // figures were not judged.
    const Verdict* whole = r.status == ProbeStatus::ok ? nullptr : probe_verdict(index_, r);
    if (r.metrics.empty()) {
      std::string_view status = r.status == ProbeStatus::skipped ? "SKIP" : r.status == ProbeStatus::error ? "ERROR" : "";
      std::string criterion = r.status == ProbeStatus::skipped ? r.reason : r.error;
      if (whole) {
        status = verdict_status_name(whole->status);
        criterion = criterion_of(*whole);
      }
      RecordWriter(out)
          .text(r.node)
          .text(r.probe)
          .text(r.subject)
          .empty(kVerdictColumn - 3)
          .text(status)
          .empty(kCriterionColumn - kVerdictColumn - 1)
          .text(criterion)
          .empty(kColumns.size() - kCriterionColumn - 1)
          .end();
      return;
    }
    const std::string whole_criterion = whole ? criterion_of(*whole) : std::string();
    for (const auto& m : r.metrics) {
      const std::string& subject = m.subject.empty() ? r.subject : m.subject;
      const SampleStats& st = m.stats;
      const Verdict* v = whole ? whole : index_.measured(r.node, subject, m.key);
      const Verdict* outlier = whole ? nullptr : index_.outlier(r.node, subject, m.key);
      const Verdict* judged = whole ? nullptr : v;  // a judgement of this figure itself
      RecordWriter(out)
          .text(r.node)
          .text(r.probe)
          .text(subject)
          .text(m.key)
          .text(unit_symbol(m.unit))
          .number(m.value)
          .text(m.rule == ValueRule::best ? "best" : "median")
          .count(st.n)
          .number(st.min)
          .number(st.median)
          .number(st.max)
          .number(st.mean)
          .number(st.stdev)
          .number(st.cv)
          .number(st.p05)
          .number(st.p95)
          .number(st.median_ci_low)
          .number(st.median_ci_high)
          .number(st.median_ci_level)
          .text(v ? verdict_status_name(v->status) : "")
          .number(judged ? judged->rated : std::nullopt)
          .number(judged ? judged->ratio : std::nullopt)
          .text(whole ? std::string_view(whole_criterion) : v ? std::string_view(v->criterion) : "")
          .text(judged ? std::string_view(judged->source) : "")
          .text(outlier ? verdict_status_name(outlier->status) : "")
          .end();
    }
  }

  const Summary& s_;
  VerdictIndex index_;
};

}  // namespace

const std::vector<std::string_view>& csv_columns() {
  static const std::vector<std::string_view> columns(kColumns.begin(), kColumns.end());
  return columns;
}

std::string render_csv(const ReportInput& input) { return CsvWriter(input.summary).render(); }

}  // namespace assay
