#include "reports/report_html_test_helpers.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "reports/report_fixture.h"

namespace assay::testing {

Summary summary_with_power() {
  Summary s = fixed_summary();
  ProbeResult& fma = s.results[0];
  fma.metrics.push_back(make_metric("power.rapl.watts", Unit::watt, Better::lower, {182.5}, ValueRule::median,
                                    "package-0", "mean over 4.50 s, from the energy counter"));
  ResultTable trace{.name = "power.rapl:package-0", .columns = {{"time", Unit::second}, {"power", Unit::watt}},
                    .rows = {}};
  for (int i = 0; i <= 18; ++i) {
    const double t = 0.25 * i;
    trace.rows.push_back({t, i == 0 ? 60.0 : 180.0 + 5.0 * ((i % 3) - 1)});
  }
  fma.tables.push_back(trace);
  ResultTable sweep{.name = "sweep", .columns = {{"bytes", Unit::byte}, {"busbw", Unit::byte_per_s}}, .rows = {}};
  sweep.rows = {{1024, 1.5e9}, {1048576, 9.5e9}};
  fma.tables.push_back(sweep);
  return s;
}

std::vector<std::string> external_references(std::string_view html) {
  static const std::regex ref(R"re((?:\b(?:src|href|xlink:href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))|(?:url\(\s*["']?([^"')]*)))re",
                              std::regex::icase);
  std::vector<std::string> found;
  const std::string text(html);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), ref); it != std::sregex_iterator(); ++it) {
    std::string target;
    for (int g = 1; g <= 4; ++g) {
      if ((*it)[g].matched) target = (*it)[g].str();
    }
    std::string lower = target;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.starts_with("#") || lower.starts_with("data:")) continue;
    found.push_back(target);
  }
  return found;
}

std::string tag_balance_problem(std::string_view html) {
  static const std::set<std::string, std::less<>> void_elements = {"meta", "br", "hr", "img", "input", "link", "wbr"};
  std::vector<std::string> open;
  std::size_t at = 0;
  while ((at = html.find('<', at)) != std::string_view::npos) {
    if (html.substr(at, 2) == "<!") {
      at = html.find('>', at);
      if (at == std::string_view::npos) return "unterminated <!";
      continue;
    }
    const auto end = html.find('>', at);
    if (end == std::string_view::npos) return "unterminated tag at " + std::to_string(at);
    std::string_view tag = html.substr(at + 1, end - at - 1);
    const bool closing = tag.starts_with("/");
    if (closing) tag.remove_prefix(1);
    const auto name_end = tag.find_first_of(" \t\n/");
    const std::string name(tag.substr(0, name_end));
    if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) {
      return "a bare '<' at " + std::to_string(at) + ": " + std::string(html.substr(at, 40));
    }
    // A '<' inside an attribute value would have ended up here: values are escaped.
    if (tag.find('<') != std::string_view::npos) return "'<' inside tag at " + std::to_string(at);
    if (closing) {
      if (open.empty() || open.back() != name) {
        return "</" + name + "> at " + std::to_string(at) + " closes " + (open.empty() ? "nothing" : "<" + open.back() + ">");
      }
      open.pop_back();
    } else if (!tag.ends_with("/") && !void_elements.count(name)) {
      open.push_back(name);
      if (name == "style" || name == "title") {
        // Their content is text: skip to the end tag.
        const auto close = html.find("</" + name + ">", end);
        if (close == std::string_view::npos) return "unclosed <" + name + ">";
        at = close;
        continue;
      }
    }
    at = end + 1;
  }
  if (!open.empty()) return "unclosed <" + open.back() + "> (" + std::to_string(open.size()) + " open)";
  return {};
}

std::string joined(const std::set<std::string, std::less<>>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "\"" : ", \"") + w + "\"";
  return out;
}

}  // namespace assay::testing
