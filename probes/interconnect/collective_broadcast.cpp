// broadcast: the root's vector of `count` floats ends on every rank. Element k is
// moved_value(k); the other ranks start from poison.
#include <algorithm>

#include "probes/interconnect/collective_definition.h"

namespace assay {
namespace {

void fill(const CollectiveLayout&, int rank, int, int root, std::span<float>, std::span<float> receive) {
  if (rank == root) {
    for (std::size_t k = 0; k < receive.size(); ++k) receive[k] = moved_value(k);
  } else {
    std::fill(receive.begin(), receive.end(), poison_value());
  }
}

ElementCheck check(const CollectiveLayout&, int, int, int, std::span<const float> receive) {
  ElementCheck result;
  for (std::size_t k = 0; k < receive.size(); ++k) result.compare(k, receive[k], moved_value(k));
  return result;
}

}  // namespace

const CollectiveDefinition& broadcast_definition() {
  static const CollectiveDefinition definition{Collective::broadcast, "every rank holds the root's vector", fill,
                                               check};
  return definition;
}

}  // namespace assay
