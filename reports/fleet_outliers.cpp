#include "reports/fleet_outliers.h"

namespace assay {
namespace {

std::string identity(const std::string& key, const std::string& node, const std::string& subject) {
  std::string id;
  id.reserve(key.size() + node.size() + subject.size() + 2);
  id.append(key).push_back('\0');
  id.append(node).push_back('\0');
  id.append(subject);
  return id;
}

}  // namespace

FleetOutliers::FleetOutliers(const Summary& summary) {
  for (const auto& f : summary.fleet) {
    for (const auto& o : f.outliers) {
      // An outlier verdict of a scoped group (power) names the scope as its subject.
      median_of_.emplace(identity(f.key, o.node, f.scope.empty() ? o.subject : f.scope), f.median);
    }
  }
}

bool FleetOutliers::is_outlier(const Verdict& verdict) const {
  if (verdict.node == fleet_node || !verdict.rated || median_of_.empty()) return false;
  const auto it = median_of_.find(identity(verdict.key, verdict.node, verdict.subject));
  return it != median_of_.end() && it->second == *verdict.rated;
}

}  // namespace assay
