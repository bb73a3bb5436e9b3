#include "suites/node_names.h"

#include <map>

namespace assay {

std::vector<std::string> node_names(const std::vector<std::string>& hosts) {
  std::map<std::string, int> ranks_on_host;
  for (const auto& h : hosts) ++ranks_on_host[h];
  std::map<std::string, int> next_local_rank;
  std::vector<std::string> names;
  names.reserve(hosts.size());
  for (const auto& h : hosts) {
    if (ranks_on_host[h] == 1) {
      names.push_back(h);
    } else {
      names.push_back(h + "#" + std::to_string(next_local_rank[h]++));
    }
  }
  return names;
}

}  // namespace assay
