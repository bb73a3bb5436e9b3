#include "suites/rated.h"

#include <algorithm>

namespace assay {
namespace {

std::string catalog_source(const CatalogEntry& entry) {
  std::string text = "catalog " + entry.id + ": " + entry.source;
  if (!entry.revision.empty()) text += " (" + entry.revision + ")";
  return text;
}

bool scales_with_sockets(std::string_view key) {
  const auto family = metric_family(key);
  return family == "cpu" || family == "memory" || key.starts_with("power.cpu.");
}

bool is_per_gpu(std::string_view key) {
  return metric_family(key) == "gpu" || key.starts_with("power.gpu.");
}

std::string sockets_text(std::int64_t sockets) {
  return std::to_string(sockets) + (sockets == 1 ? " socket" : " sockets");
}

RatedValue cpu_value(const CatalogEntry& entry, const RatedFigure& figure, std::int64_t sockets) {
  RatedValue v;
  v.key = figure.key;
  v.quantity = {figure.quantity.value * static_cast<double>(sockets), figure.quantity.unit};
  v.source = catalog_source(entry);
  v.unconfirmed = figure.unconfirmed;
  if (figure.derived) {
    v.basis = sockets_text(sockets) + " x " + figure.note;
  } else {
    v.basis = sockets_text(sockets) + " x " + format_quantity(figure.quantity, 6) + " per socket";
    if (!figure.note.empty()) v.basis += " (" + figure.note + ")";
  }
  return v;
}

RatedValue gpu_value(const CatalogEntry& entry, const RatedFigure& figure) {
  RatedValue v;
  v.key = figure.key;
  v.quantity = figure.quantity;
  v.source = catalog_source(entry);
  v.unconfirmed = figure.unconfirmed;
  // Only throughput figures have a sparse twice-as-high twin worth ruling out.
  v.basis = figure.key.starts_with("gpu.gemm.") ? "per GPU, dense" : "per GPU";
  if (!figure.note.empty()) v.basis += " (" + figure.note + ")";
  return v;
}

}  // namespace

std::vector<RatedValue> catalog_rated_values(const NodeSection& node, const Catalog& catalog) {
  std::vector<RatedValue> values;
  if (const auto* cpu = node.cpu.empty() ? nullptr : catalog.find(node.cpu)) {
    for (const auto& f : cpu->figures) {
      if (scales_with_sockets(f.key)) values.push_back(cpu_value(*cpu, f, node.cpu_sockets));
    }
  }
  if (const auto* gpu = node.gpu.empty() ? nullptr : catalog.find(node.gpu)) {
    for (const auto& f : gpu->figures) {
      if (is_per_gpu(f.key)) values.push_back(gpu_value(*gpu, f));
    }
  }
  return values;
}

RatedTable RatedTable::resolve(const Plan& plan, const Catalog& catalog) {
  RatedTable table;
  for (const auto& f : plan.rated) {
    RatedValue v;
    v.key = f.key;
    v.quantity = f.quantity;
    v.source = f.source;
    v.basis = f.basis;
    v.unconfirmed = f.unconfirmed;
    table.add(std::move(v));
  }
  if (!plan.catalog_resolved) {
    // The plan's own figures win: the catalog fills in only what it does not rate.
    for (auto& v : catalog_rated_values(plan.node, catalog)) {
      if (!table.find(v.key)) table.add(std::move(v));
    }
  }
  return table;
}

std::optional<RatedValue> RatedTable::find(std::string_view key) const {
  const auto it = std::lower_bound(values_.begin(), values_.end(), key,
                                   [](const RatedValue& v, std::string_view k) { return v.key < k; });
  if (it == values_.end() || it->key != key) return std::nullopt;
  return *it;
}

void RatedTable::add(RatedValue value) {
  const auto it = std::lower_bound(
      values_.begin(), values_.end(), value.key,
      [](const RatedValue& v, const std::string& k) { return v.key < k; });
  if (it != values_.end() && it->key == value.key) {
    *it = std::move(value);
  } else {
    values_.insert(it, std::move(value));
  }
}

}  // namespace assay
