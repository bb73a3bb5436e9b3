#include "reports/report_html_test_helpers.h"

#include <algorithm>
#include <cctype>
#include <optional>

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

namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_space_char(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// One reference found in the page: where it starts and ends, and what it points at.
struct Reference {
  std::size_t begin = 0, end = 0;
  std::string target;
};

std::size_t skip_spaces(std::string_view text, std::size_t at) {
  while (at < text.size() && is_space_char(text[at])) ++at;
  return at;
}

// src= / href= (also xlink:href=) with a quoted or bare value, as a browser reads it.
std::optional<Reference> attribute_at(std::string_view html, std::string_view lower, std::size_t at,
                                      std::string_view name) {
  if (lower.compare(at, name.size(), name) != 0 || (at > 0 && is_word_char(lower[at - 1]))) return std::nullopt;
  std::size_t q = skip_spaces(html, at + name.size());
  if (q >= html.size() || html[q] != '=') return std::nullopt;
  q = skip_spaces(html, q + 1);
  if (q < html.size() && (html[q] == '"' || html[q] == '\'')) {
    const auto close = html.find(html[q], q + 1);
    if (close != std::string_view::npos) return Reference{at, close + 1, std::string(html.substr(q + 1, close - q - 1))};
  }
  std::size_t e = q;
  while (e < html.size() && !is_space_char(html[e]) && html[e] != '>') ++e;
  if (e == q) return std::nullopt;
  return Reference{at, e, std::string(html.substr(q, e - q))};
}

// CSS url(...), quoted or not.
std::optional<Reference> css_url_at(std::string_view html, std::string_view lower, std::size_t at) {
  if (lower.compare(at, 4, "url(") != 0) return std::nullopt;
  std::size_t q = skip_spaces(html, at + 4);
  if (q < html.size() && (html[q] == '"' || html[q] == '\'')) ++q;
  std::size_t e = q;
  while (e < html.size() && html[e] != '"' && html[e] != '\'' && html[e] != ')') ++e;
  return Reference{at, e, std::string(html.substr(q, e - q))};
}

}  // namespace

std::vector<std::string> external_references(std::string_view html) {
  std::string lower(html);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::vector<std::string> found;
  std::size_t at = 0;
  // Left to right; a reference inside another one's value (url() in an href) is part of it.
  while (at < html.size()) {
    std::optional<Reference> ref = attribute_at(html, lower, at, "src");
    if (!ref) ref = attribute_at(html, lower, at, "href");
    if (!ref) ref = css_url_at(html, lower, at);
    if (!ref) {
      ++at;
      continue;
    }
    std::string target_lower = ref->target;
    std::transform(target_lower.begin(), target_lower.end(), target_lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (!target_lower.starts_with("#") && !target_lower.starts_with("data:")) found.push_back(ref->target);
    at = std::max(ref->end, at + 1);
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
