#pragma once
// The result model (DESIGN.md "The result model"): plain data, no I/O, no MPI, no CUDA.

#include <chrono>
#include <string>
#include <vector>

#include "core/params.h"
#include "core/stats.h"
#include "core/units.h"

namespace assay {

/// Which direction of a figure is good.
enum class Better { higher, lower };

/// How a metric's `value` follows from its samples.
enum class ValueRule {
  median,  ///< the median of the samples (the default)
  best,    ///< the best sample (max if higher is better, min if lower), as STREAM requires
};

/// One figure of one subject with its raw samples.
struct Metric {
  std::string key;      ///< family.probe.figure, e.g. "cpu.fma.fp64"
  Unit unit = Unit::ratio;
  Better better = Better::higher;
  std::string subject;  ///< empty: the probe result's subject
  ValueRule rule = ValueRule::median;
  std::vector<double> samples;  ///< one per repetition, base SI units
  double value = 0;             ///< derived from samples by `rule`
  SampleStats stats;            ///< derived from samples
  std::string note;             ///< e.g. how a derived figure was computed
};

/// Builds a metric and derives its value and statistics from the samples.
Metric make_metric(std::string key, Unit unit, Better better, std::vector<double> samples,
                   ValueRule rule = ValueRule::median, std::string subject = {},
                   std::string note = {});

/// Recomputes value and stats from samples (after reading a metric back, or in verify).
void derive_metric(Metric& metric);

/// Where a metric (key and subject) was measured within its probe's run.
struct MetricSpan {
  std::string key;
  std::string subject;
  std::chrono::steady_clock::time_point start{}, end{};
};

/// Outcome of a probe.
enum class ProbeStatus { ok, skipped, error };
std::string_view probe_status_name(ProbeStatus status);  ///< "ok" | "skipped" | "error"

/// How a probe checked its own result (GEMM against a reference, STREAM's arrays...).
struct Validation {
  bool checked = false;  ///< false: nothing was checked (only for skipped/error results)
  bool passed = false;
  std::string detail;    ///< what was checked, tolerance and worst deviation, or what failed
};

/// A column of a result table: a name and the unit its numbers are in.
struct TableColumn {
  std::string name;  ///< e.g. "bytes", "busbw"
  Unit unit = Unit::ratio;
};

/// Detail a probe keeps beside its headline metrics, e.g. a collective's whole message
/// size sweep (bytes, time, algbw, busbw per row). Numbers in base SI units; not judged.
struct ResultTable {
  std::string name;  ///< e.g. "sweep"
  std::vector<TableColumn> columns;
  std::vector<std::vector<double>> rows;  ///< each row has one number per column
};

/// One probe's run on one node.
struct ProbeResult {
  std::string probe;    ///< e.g. "cpu.fma"
  std::string node;     ///< host name, or host#local_rank when ranks share a host
  std::string subject;  ///< "cpu", "memory", "gpu0", ...
  ProbeStatus status = ProbeStatus::ok;
  std::string reason;   ///< why it was skipped
  std::string error;    ///< what failed and where
  ParamList params;     ///< the parameters actually used
  std::chrono::system_clock::time_point start{}, end{};
  std::vector<Metric> metrics;
  Validation validation;
  std::vector<std::string> notes;  ///< context a reader needs (kernel chosen, mode used)
  std::vector<ResultTable> tables;  ///< detail beside the metrics; omitted from JSON when empty
  /// When each metric's samples were taken, for probes that measure one device or
  /// precision after another (gpu.gemm: gpu0 bf16, then gpu1 bf16, ...), so power is
  /// attributed to the metric over its own span rather than the whole probe. Not
  /// stored: the runner uses it right after the probe returns.
  std::vector<MetricSpan> spans;
};

/// The metric with this key (and subject, when given), or nullptr.
const Metric* find_metric(const ProbeResult& result, std::string_view key,
                          std::string_view subject = {});

}  // namespace assay
