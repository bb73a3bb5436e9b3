// allgather: every rank contributes a block of count/n floats; every rank ends with all
// n blocks in rank order. Element k of the gathered vector is moved_value(k).
#include <algorithm>

#include "probes/interconnect/collective_definition.h"

namespace assay {
namespace {

void fill(const CollectiveLayout& layout, int rank, int, int, std::span<float> send, std::span<float> receive) {
  const std::uint64_t first = static_cast<std::uint64_t>(rank) * layout.block_elements;
  for (std::size_t j = 0; j < send.size(); ++j) send[j] = moved_value(first + j);
  std::fill(receive.begin(), receive.end(), poison_value());
}

ElementCheck check(const CollectiveLayout&, int, int, int, std::span<const float> receive) {
  ElementCheck result;
  for (std::size_t k = 0; k < receive.size(); ++k) result.compare(k, receive[k], moved_value(k));
  return result;
}

}  // namespace

const CollectiveDefinition& allgather_definition() {
  static const CollectiveDefinition definition{Collective::allgather,
                                               "every rank holds all ranks' blocks in rank order", fill, check};
  return definition;
}

}  // namespace assay
