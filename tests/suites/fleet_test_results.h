#pragma once
// Synthetic probe results for the fleet judgement, link matrix and summary tests.

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace assay::testing {

/// An ok result of `probe` on `node` (subject "cpu") with these metrics, self-check passed.
inline ProbeResult node_result(std::string node, std::vector<Metric> metrics, std::string probe = "cpu.fma") {
  ProbeResult r;
  r.probe = std::move(probe);
  r.node = std::move(node);
  r.subject = "cpu";
  r.metrics = std::move(metrics);
  r.validation = {true, true, "exact"};
  return r;
}

/// A metric whose repetitions all gave `value` (so its median interval is just `value`).
inline Metric steady(const std::string& key, Unit unit, Better better, double value, std::string subject = {}) {
  return make_metric(key, unit, better, {value, value, value, value, value}, ValueRule::median,
                     std::move(subject));
}

inline Metric fp64(double value) {
  return steady("cpu.fma.fp64", Unit::flop_per_s, Better::higher, value);
}

/// cpu.fma.fp64 results of nodes n0, n1, ... with these values.
inline std::vector<ProbeResult> fp64_fleet(const std::vector<double>& values) {
  std::vector<ProbeResult> results;
  for (std::size_t i = 0; i < values.size(); ++i) {
    results.push_back(node_result("n" + std::to_string(i), {fp64(values[i])}));
  }
  return results;
}

/// interconnect.p2p figures of the link between `a` and `b` as `a` (the lower rank)
/// reports them: latency and bibandwidth of "a<->b", bandwidth of "a->b".
inline std::vector<Metric> link_metrics(const std::string& a, const std::string& b, double latency_s,
                                        double bandwidth, double bibandwidth) {
  return {steady("interconnect.p2p.latency", Unit::second, Better::lower, latency_s, a + "<->" + b),
          steady("interconnect.p2p.bandwidth", Unit::byte_per_s, Better::higher, bandwidth, a + "->" + b),
          steady("interconnect.p2p.bibandwidth", Unit::byte_per_s, Better::higher, bibandwidth, a + "<->" + b)};
}

/// The sender's bandwidth metric of "a->b".
inline Metric bandwidth(const std::string& a, const std::string& b, double value) {
  return steady("interconnect.p2p.bandwidth", Unit::byte_per_s, Better::higher, value, a + "->" + b);
}

}  // namespace assay::testing
