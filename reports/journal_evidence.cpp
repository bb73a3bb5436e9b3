#include "reports/journal_evidence.h"

#include <algorithm>
#include <tuple>

namespace assay {
namespace {

auto identity(const ProbeResult& r) { return std::tie(r.node, r.probe, r.subject, r.start); }

}  // namespace

std::vector<std::size_t> journal_lines_for(const Summary& summary, const std::vector<ProbeResult>& journal_in_order) {
  // Journal positions sorted by identity, the later line after the earlier for equal ones.
  std::vector<std::size_t> order(journal_in_order.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto before = [&](std::size_t a, std::size_t b) {
    return std::tuple(identity(journal_in_order[a]), a) < std::tuple(identity(journal_in_order[b]), b);
  };
  std::sort(order.begin(), order.end(), before);

  std::vector<std::size_t> lines;
  lines.reserve(summary.results.size());
  for (const auto& r : summary.results) {
    // The first position past every entry of r's identity; the one before it is the last line.
    const auto past = std::upper_bound(order.begin(), order.end(), r, [&](const ProbeResult& key, std::size_t i) {
      return identity(key) < identity(journal_in_order[i]);
    });
    const bool found = past != order.begin() && identity(journal_in_order[*(past - 1)]) == identity(r);
    lines.push_back(found ? *(past - 1) + 1 : 0);
  }
  return lines;
}

}  // namespace assay
