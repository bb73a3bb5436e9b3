#pragma once
// Every probe assay knows, registered explicitly in probe_registry.cpp (no static
// self-registration: the linker drops unreferenced objects from static libraries).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "probes/probe.h"

namespace assay {

class ProbeRegistry {
 public:
  /// The built-in probes.
  static const ProbeRegistry& builtin();

  void add(std::unique_ptr<Probe> probe);
  const Probe* find(std::string_view name) const;
  const std::vector<std::unique_ptr<Probe>>& probes() const { return probes_; }
  /// Names closest to `name`, for "did you mean" messages.
  std::vector<std::string> suggestions(std::string_view name, std::size_t max = 3) const;

 private:
  std::vector<std::unique_ptr<Probe>> probes_;
};

}  // namespace assay
