#include "suites/probe_registry.h"

#include "core/text_match.h"

namespace assay {

void ProbeRegistry::add(std::unique_ptr<Probe> probe) { probes_.push_back(std::move(probe)); }

const Probe* ProbeRegistry::find(std::string_view name) const {
  for (const auto& p : probes_) {
    if (p->name() == name) return p.get();
  }
  return nullptr;
}

std::vector<std::string> ProbeRegistry::suggestions(std::string_view name, std::size_t max) const {
  std::vector<std::string> names;
  for (const auto& p : probes_) names.emplace_back(p->name());
  return closest_names(name, names, max);
}

}  // namespace assay
