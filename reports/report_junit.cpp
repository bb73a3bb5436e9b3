#include "reports/report_junit.h"

#include <array>
#include <chrono>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "core/iso_time.h"
#include "reports/fleet_outliers.h"
#include "reports/verdict_table.h"
#include "reports/xml_text.h"

namespace assay {
namespace {

constexpr std::array kJunitWords = {
    Translation{"{} vs {} {} ({})", "{}，{} {}（{}）"},
    Translation{"measured {}", "实测 {}"},
    Translation{"cv {}", "变异系数 {}"},
    Translation{"rated", "额定值"},
    Translation{"limit", "限值"},
    Translation{"fleet median", "集群中位数"},
    Translation{"Message", "说明"},
    Translation{"probe skipped", "测试项跳过"},
    Translation{"probe failed", "测试项失败"},
    Translation{"the probe's self-check must pass", "测试项自检必须通过"},
    Translation{"a figure the plan rates must be measured", "测试计划给出额定值的指标必须被测量"},
};

// The words of verdict texts the engine writes in English; anything else it writes
// (criteria with numbers, messages with causes) stays as written.
std::string criterion_text(const Words& words, const std::string& criterion) {
  if (words.lang() == Lang::en) return criterion;
  for (const auto& t : kJunitWords) {
    if (t.en == criterion) return std::string(words(criterion));
  }
  if (criterion == "no rated figure") return std::string(words(criterion));
  return criterion;
}

std::string family_of(const std::string& key) { return key.substr(0, key.find('.')); }

// At the milliseconds summary.json keeps, so the run's junit.xml and one redrawn from its
// bundle agree to the byte.
double seconds_between(std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to) {
  using std::chrono::floor;
  using std::chrono::milliseconds;
  const milliseconds span = floor<milliseconds>(to) - floor<milliseconds>(from);
  return span.count() > 0 ? static_cast<double>(span.count()) / 1000.0 : 0.0;
}

double run_seconds(const Summary& s) {
  const auto started = parse_iso_utc(s.started);
  const auto finished = parse_iso_utc(s.finished);
  return started && finished ? seconds_between(*started, *finished) : 0.0;
}

struct Suite {
  std::string family;
  std::vector<const Verdict*> cases;
  std::size_t failures = 0, errors = 0, skipped = 0;
  double seconds = 0;  // the probes of this family, each result once
};

std::vector<Suite> group_by_family(const Summary& s) {
  std::vector<Suite> suites;
  std::unordered_map<std::string, std::size_t> index;
  for (const auto& v : s.verdicts) {
    const auto [it, added] = index.emplace(family_of(v.key), suites.size());
    if (added) suites.push_back({it->first, {}, 0, 0, 0, 0.0});
    Suite& suite = suites[it->second];
    suite.cases.push_back(&v);
    if (v.status == VerdictStatus::fail) ++suite.failures;
    if (v.status == VerdictStatus::error) ++suite.errors;
    if (v.status == VerdictStatus::skip) ++suite.skipped;
  }
  for (const auto& r : s.results) {
    if (const auto it = index.find(family_of(r.probe)); it != index.end()) {
      suites[it->second].seconds += seconds_between(r.start, r.end);
    }
  }
  return suites;
}

class JunitWriter {
 public:
  JunitWriter(const ReportInput& input)
      : s_(input.summary), words_(input.lang, kJunitWords), outliers_(input.summary) {}

  std::string render() {
    const std::vector<Suite> suites = group_by_family(s_);
    const VerdictCounts c = count_verdicts(s_.verdicts);
    out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out_ += fmt::format("<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
                        "time=\"{:.3f}\">\n",
                        xml_attribute("assay: " + s_.plan_name), s_.verdicts.size(), c.fail, c.error, c.skip,
                        run_seconds(s_));
    for (const auto& suite : suites) write_suite(suite);
    out_ += "</testsuites>\n";
    return std::move(out_);
  }

 private:
  void write_suite(const Suite& suite) {
    out_ += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
                        "time=\"{:.3f}\" timestamp=\"{}\">\n",
                        xml_attribute(suite.family), suite.cases.size(), suite.failures, suite.errors,
                        suite.skipped, suite.seconds, xml_attribute(s_.started));
    write_properties();
    for (const Verdict* v : suite.cases) write_case(*v);
    out_ += "  </testsuite>\n";
  }

  void write_properties() {
    const std::array<std::pair<std::string_view, std::string>, 8> properties = {{
        {"plan", s_.plan_name},
        {"plan_file", s_.plan_file},
        {"suite", s_.suite},
        {"assay_version", s_.assay.version},
        {"build", s_.assay.git},
        {"started", s_.started},
        {"finished", s_.finished},
        {"accepted", s_.accepted ? "true" : "false"},
    }};
    out_ += "    <properties>\n";
    for (const auto& [name, value] : properties) {
      out_ += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", name, xml_attribute(value));
    }
    out_ += "    </properties>\n";
  }

  std::string reference_label(const Verdict& v) const {
    if (v.node == fleet_node) return std::string(words_("limit"));
    if (outliers_.is_outlier(v)) return std::string(words_("fleet median"));
    return std::string(words_(v.derived ? "derived" : "rated"));
  }

  // "measured 196 GFLOP/s vs derived 200 GFLOP/s (98.0%)"
  std::string figures(const Verdict& v) const {
    const std::string measured =
        fmt::format(fmt::runtime(words_(v.node == fleet_node ? "cv {}" : "measured {}")),
                    format_verdict_figure(v, *v.measured));
    if (!v.rated) return measured;
    return fmt::format(fmt::runtime(words_("{} vs {} {} ({})")), measured, reference_label(v),
                       format_verdict_figure(v, *v.rated), format_ratio(v.ratio));
  }

  // The one line a CI system shows beside the test's name.
  std::string headline(const Verdict& v) const {
    const std::string criterion = criterion_text(words_, v.criterion);
    if (!v.measured) return v.message.empty() ? criterion : criterion + ": " + v.message;
    std::string text = figures(v);
    if (!criterion.empty()) text += "; " + criterion;
    if (v.inconclusive && !v.message.empty()) text += "; " + v.message;
    return text;
  }

  // Every field of the verdict, one per line, for the test's detail page.
  std::string detail(const Verdict& v) const {
    std::string text;
    const auto line = [&](std::string_view label, const std::string& value) {
      if (!value.empty()) text += fmt::format("{}: {}\n", words_(label), value);
    };
    line("Status", std::string(words_.status(verdict_status_name(v.status))));
    line("Node", v.node);
    line("Subject", v.subject);
    line("Metric", v.key);
    if (v.measured) line("Measured", format_verdict_figure(v, *v.measured));
    if (v.rated) line("Rated", format_verdict_figure(v, *v.rated));
    if (v.ratio) line("Ratio", format_ratio(v.ratio));
    line("Criterion", criterion_text(words_, v.criterion));
    line("Source", v.source);
    line("Message", v.message);
    return text;
  }

  void write_case(const Verdict& v) {
    const std::string classname =
        v.node.empty() ? "plan" : (v.subject.empty() ? v.node : v.node + "." + v.subject);
    // The same measurement judged again against the fleet median gets its own name, so
    // the CI's test history keeps the two apart.
    const std::string name = outliers_.is_outlier(v) ? v.key + " (fleet outlier)" : v.key;
    out_ += fmt::format("    <testcase classname=\"{}\" name=\"{}\"", xml_attribute(classname), xml_attribute(name));
    switch (v.status) {
      case VerdictStatus::pass:
        out_ += "/>\n";
        return;
      case VerdictStatus::fail:
      case VerdictStatus::error: {
        const char* tag = v.status == VerdictStatus::fail ? "failure" : "error";
        out_ += fmt::format(">\n      <{} message=\"{}\" type=\"{}\">{}</{}>\n    </testcase>\n", tag,
                            xml_attribute(headline(v)), verdict_status_name(v.status), xml_text(detail(v)), tag);
        return;
      }
      case VerdictStatus::skip: {
        const std::string reason = v.message.empty() ? criterion_text(words_, v.criterion) : v.message;
        out_ += fmt::format(">\n      <skipped message=\"{}\"/>\n    </testcase>\n", xml_attribute(reason));
        return;
      }
      case VerdictStatus::warn:
        out_ += fmt::format(">\n      <system-out>{}: {}\n{}</system-out>\n    </testcase>\n",
                            words_.status("WARN"), xml_text(headline(v)), xml_text(detail(v)));
        return;
      case VerdictStatus::info:
        // One line: a fleet of 10,000 nodes has hundreds of thousands of these.
        out_ += fmt::format(">\n      <system-out>{}: {}</system-out>\n    </testcase>\n",
                            words_.status("INFO"), xml_text(headline(v)));
        return;
    }
  }

  const Summary& s_;
  Words words_;
  FleetOutliers outliers_;
  std::string out_;
};

}  // namespace

std::string render_junit(const ReportInput& input) { return JunitWriter(input).render(); }

}  // namespace assay
