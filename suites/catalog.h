#pragma once
// The rated-spec catalog: datasheet figures per part (configs/specs/*.toml, embedded),
// keyed by the same metric keys probes emit. Format: docs/catalog.md.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/expected.h"
#include "core/units.h"

namespace assay {

/// One rated figure of a part.
struct RatedFigure {
  std::string key;      ///< metric key, e.g. "gpu.gemm.bf16"
  Quantity quantity;    ///< base SI units, dense (no sparsity)
  std::string note;     ///< e.g. "FP64 tensor core", or how it was derived
  bool unconfirmed = false;  ///< the source is weak; a plan should not rely on it
  bool derived = false;  ///< computed by the loader from the entry's attributes (CPU peaks)
};

/// The typed attributes of a CPU entry that the derived figures come from.
struct CpuSpec {
  std::int64_t cores = 0;    ///< per socket
  std::int64_t threads = 0;  ///< per socket
  double base_clock_hz = 0;
  std::optional<double> all_core_boost_clock_hz;
  std::optional<double> max_boost_clock_hz;
  std::string rated_clock = "base";  ///< "base" | "all_core_boost": the clock peaks assume
  double rated_clock_hz = 0;         ///< the value of that clock
  std::int64_t fp64_flops_per_cycle = 0;  ///< per core, widest ISA
  std::int64_t fp32_flops_per_cycle = 0;
  std::optional<std::int64_t> memory_channels;  ///< per socket
  std::optional<std::int64_t> memory_mts;       ///< mega-transfers per second
  std::optional<double> tdp_watts;              ///< per socket
};

/// One part (a GPU, a CPU SKU, ...).
struct CatalogEntry {
  std::string id;        ///< the table name, e.g. "nvidia-h100-sxm5"
  std::string kind;      ///< "gpu" | "cpu"
  std::string name;      ///< "NVIDIA H100 SXM5 80GB"
  std::string vendor;
  std::string source;    ///< the document the figures come from
  std::string revision;  ///< datasheet revision or date as cited
  std::string sparsity;  ///< "dense" for accelerators (sparse figures are 2x)
  std::string file;      ///< e.g. "specs/nvidia.toml", for messages
  std::string position;  ///< "specs/nvidia.toml:12:1" where the entry's table starts
  bool unconfirmed = false;
  /// Descriptive attributes as written (cores, clocks, memory, microarchitecture...).
  std::map<std::string, std::string> attributes;
  /// For CPUs: /proc/cpuinfo "model name" strings that identify this part.
  std::vector<std::string> match;
  /// For CPUs: the attributes the derived figures are computed from.
  std::optional<CpuSpec> cpu;
  /// Figures per device (GPU) or per socket (CPU), including figures a CPU entry
  /// derives from cores x clock x FLOPs/cycle and channels x transfer rate x 8 B.
  /// Sorted by key.
  std::vector<RatedFigure> figures;

  const RatedFigure* figure(std::string_view key) const;
};

class Catalog {
 public:
  /// Parses catalog files (path for messages, TOML text). Strict: unknown keys,
  /// unparseable figures, duplicate ids and entries without a source are errors
  /// naming file, line and column. All problems are reported, one a line.
  static Expected<Catalog> parse(std::span<const std::pair<std::string, std::string>> files);
  /// The catalog compiled into the binary (configs/specs/*.toml); parsed once.
  static Expected<Catalog> embedded();

  const CatalogEntry* find(std::string_view id) const;
  /// The CPU entry whose `match` equals (ignoring case and repeated blanks) this
  /// /proc/cpuinfo model name, or nullptr.
  const CatalogEntry* find_cpu_by_model_name(std::string_view model_name) const;
  const std::vector<CatalogEntry>& entries() const { return entries_; }
  /// Ids closest to `id` for "did you mean" messages.
  std::vector<std::string> suggestions(std::string_view id, std::size_t max = 3) const;
  /// The first figure any entry carries for `key` (its unit is the key's unit), or
  /// nullptr when no entry rates it.
  const RatedFigure* any_figure(std::string_view key) const;

 private:
  std::vector<CatalogEntry> entries_;
};

/// Whether `key` has the form of a metric key: at least three dot-separated parts of
/// lowercase letters, digits and underscores ("gpu.gemm.bf16").
bool is_metric_key(std::string_view key);

/// The unit a figure under `key` must have, judged from its family and name
/// ("gpu.gemm.*" -> FLOP/s, "*.int8" of a GEMM -> op/s, "memory.stream.*" -> B/s,
/// "power.*" -> W, "*latency*" -> s, ...); nullopt when the key says nothing.
std::optional<Unit> unit_for_metric_key(std::string_view key);

/// "gpu.gemm.bf16" -> "gpu".
std::string_view metric_family(std::string_view key);

}  // namespace assay
