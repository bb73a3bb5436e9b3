#pragma once
// The rated figure for each (metric key, subject): the plan's [rated] table first,
// then the catalog entries named by [node] (CPU figures x sockets, GPU figures per
// device). Where neither has a figure, the runner may add a derived one (a CPU's
// cores x measured clock x FLOPs/cycle), marked as derived, not rated.

#include <optional>
#include <string>
#include <vector>

#include "core/units.h"
#include "suites/catalog.h"
#include "suites/plan.h"

namespace assay {

/// A figure a measurement is judged against, with where it came from.
struct RatedValue {
  std::string key;
  Quantity quantity;
  std::string source;  ///< "contract 4.3", "catalog amd-epyc-9654: AMD product page (rev 1)", ...
  std::string basis;   ///< e.g. "2 sockets x 96 cores x 2.4 GHz base x 16 FLOP/cycle"
  bool derived = false;  ///< computed from measurements on this node, not promised
  bool unconfirmed = false;  ///< the catalog marks the source as weak
};

/// The node-level figures the catalog entries named by `node` supply: every figure of
/// the CPU entry (cpu.*, memory.*, power.cpu.*) times cpu_sockets, and every figure of
/// the GPU entry (gpu.*, power.gpu.*) per device. Ids the catalog lacks give nothing.
std::vector<RatedValue> catalog_rated_values(const NodeSection& node, const Catalog& catalog);

/// Rated figures resolved for one plan.
class RatedTable {
 public:
  /// Resolves the plan's [rated] and its [node] catalog entries. The plan has already
  /// checked that the catalog ids exist. A loaded plan already holds the catalog's
  /// figures (Plan::catalog_resolved), so then the catalog is not consulted again.
  static RatedTable resolve(const Plan& plan, const Catalog& catalog);

  /// The rated figure for `key`, per subject it applies to (per GPU for gpu.*, per
  /// node for cpu.* and memory.*); nullopt when nothing is rated.
  std::optional<RatedValue> find(std::string_view key) const;
  /// Sorted by key.
  const std::vector<RatedValue>& all() const { return values_; }
  void add(RatedValue value);  ///< replaces an existing figure of the same key

 private:
  std::vector<RatedValue> values_;
};

}  // namespace assay
