#include "suites/link_matrix.h"

#include <cmath>
#include <map>

namespace assay {
namespace {

LinkMatrix::Grid* grid_for(LinkMatrix& m, std::string_view key) {
  if (key == p2p_latency_key) return &m.latency;
  if (key == p2p_bandwidth_key) return &m.bandwidth;
  if (key == p2p_bibandwidth_key) return &m.bibandwidth;
  return nullptr;
}

}  // namespace

std::optional<LinkEnds> parse_link_subject(std::string_view subject) {
  // Host names hold no '<' or '>', so the first arrow is the only one.
  LinkEnds ends;
  std::size_t at = subject.find("<->");
  std::size_t width = 3;
  if (at == std::string_view::npos) {
    at = subject.find("->");
    width = 2;
  } else {
    ends.both_ways = true;
  }
  if (at == std::string_view::npos) return std::nullopt;
  ends.from = std::string(subject.substr(0, at));
  ends.to = std::string(subject.substr(at + width));
  if (ends.from.empty() || ends.to.empty() || ends.from == ends.to ||
      ends.to.find_first_of("<>") != std::string::npos) {
    return std::nullopt;
  }
  return ends;
}

std::optional<LinkMatrix> build_link_matrix(std::span<const NodeStatus> nodes,
                                            std::span<const ProbeResult> results) {
  struct Cell {
    std::string_view key;
    LinkEnds ends;
    double value;
  };
  std::vector<Cell> cells;
  LinkMatrix m;
  std::map<std::string, std::size_t, std::less<>> index;
  const auto add_node = [&](const std::string& name) {
    if (index.emplace(name, m.nodes.size()).second) m.nodes.push_back(name);
  };
  for (const auto& n : nodes) add_node(n.name);
  for (const auto& r : results) {
    if (r.status != ProbeStatus::ok) continue;
    for (const auto& metric : r.metrics) {
      if (!grid_for(m, metric.key) || metric.samples.empty() || !std::isfinite(metric.value)) continue;
      auto ends = parse_link_subject(metric.subject.empty() ? r.subject : metric.subject);
      if (!ends) continue;
      add_node(ends->from);
      add_node(ends->to);
      cells.push_back({metric.key, std::move(*ends), metric.value});
    }
  }
  if (cells.empty()) return std::nullopt;

  const std::size_t size = m.nodes.size();
  const LinkMatrix::Grid empty(size, std::vector<std::optional<double>>(size));
  m.latency = m.bandwidth = m.bibandwidth = empty;
  for (const auto& c : cells) {
    LinkMatrix::Grid& grid = *grid_for(m, c.key);
    const std::size_t from = index.find(c.ends.from)->second;
    const std::size_t to = index.find(c.ends.to)->second;
    grid[from][to] = c.value;
    if (c.ends.both_ways) grid[to][from] = c.value;
  }
  return m;
}

}  // namespace assay
