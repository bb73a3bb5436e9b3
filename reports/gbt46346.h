#pragma once
// assay's reading of GB/T 46346-2025 (AI computing centre — computing capability
// assessment): which of the standard's indicator groups assay's figures speak to, and
// the figures aggregated over the run's nodes. This is assay's mapping onto the
// indicator groups, not the standard's text or its assessment method: a board that
// assesses against the standard still follows the standard (docs/gbt46346.md).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/summary.h"
#include "core/units.h"
#include "core/verdict.h"

namespace assay {

/// The standard's three indicator groups.
enum class GbtGroup { hardware, infrastructure, business };

/// "hardware specification" / "infrastructure" / "business processing".
std::string_view gbt_group_name_en(GbtGroup group);
/// "硬件规格" / "基础设施" / "业务处理".
std::string_view gbt_group_name_zh(GbtGroup group);

/// One aggregated figure of an indicator, e.g. "total fp16" = sum over nodes of the
/// measured FP16 FLOP/s. Both labels are filled; a renderer picks the one of its
/// language (metric keys and precisions inside them stay as assay spells them).
struct GbtFigure {
  /// How `value` reads: a figure in `unit`, a count (nodes, pairs), or a fraction
  /// (nodes ok / planned) printed as a percentage.
  enum class Kind { quantity, count, fraction };
  std::string label_en;  ///< e.g. "total gpu.gemm.bf16", "nodes ok / planned"
  std::string label_zh;  ///< the same in Simplified Chinese
  Kind kind = Kind::quantity;
  Unit unit = Unit::ratio;  ///< for Kind::quantity
  double value = 0;         ///< base SI units (a count or a fraction for those kinds)
  std::size_t nodes = 0;    ///< how many nodes contributed (0 when not per node)
  std::string key;          ///< the assay metric key (or key prefix) it was made from
};

/// One indicator of the standard as assay reads it.
struct GbtIndicatorRow {
  GbtGroup group = GbtGroup::hardware;
  std::string id;             ///< stable short id, e.g. "compute_scale"
  std::string indicator_en;   ///< e.g. "compute scale"
  std::string indicator_zh;   ///< e.g. "算力规模"
  /// The standard's clause with the assessment method of this indicator, e.g. "7.2"
  /// (from its published table of contents).
  std::string clause;
  /// The assay metric keys (or key prefixes ending in ".", e.g. "storage.") that feed it.
  std::vector<std::string> metric_keys;
  std::vector<GbtFigure> figures;  ///< empty when nothing was measured
  /// The worst status among the run's verdicts on those keys (FAIL > ERROR > WARN > SKIP
  /// > INFO > PASS); nullopt when no verdict touches them.
  std::optional<VerdictStatus> worst;
  std::size_t verdicts = 0;   ///< how many verdicts touch those keys
  bool measured = false;      ///< assay measured something for it in this run
  /// Why it is empty or partial, e.g. "not measured by assay: run an MLPerf-style
  /// workload"; empty when the figures say it all.
  std::string note_en;
  std::string note_zh;
};

/// For every indicator, in a fixed order (hardware specification, infrastructure,
/// business processing), what the run measured of it. Always returns every indicator,
/// measured or not, so a board sees what assay does not cover.
std::vector<GbtIndicatorRow> map_to_gbt46346(const Summary& summary);

/// "1.98 PFLOP/s", "3" (a count), "75%" or "99.95%" (a fraction, never rounded up to
/// 100%): the same in every language.
std::string format_gbt_figure(const GbtFigure& figure);

/// The worse of two statuses in the order used for GbtIndicatorRow::worst.
VerdictStatus gbt_worse_status(VerdictStatus a, VerdictStatus b);

}  // namespace assay
