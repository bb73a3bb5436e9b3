// reduce_scatter: every rank contributes a vector of `count` floats; rank r ends with
// block r (count/n elements) of their element-wise sum.
#include <algorithm>

#include "probes/interconnect/collective_definition.h"

namespace assay {
namespace {

void fill(const CollectiveLayout&, int rank, int ranks, int, std::span<float> send, std::span<float> receive) {
  ReductionTerms(ranks).fill(rank, 0, send);
  std::fill(receive.begin(), receive.end(), poison_value());
}

ElementCheck check(const CollectiveLayout& layout, int rank, int ranks, int, std::span<const float> receive) {
  return ReductionTerms(ranks).check(static_cast<std::size_t>(rank) * layout.block_elements, receive);
}

}  // namespace

const CollectiveDefinition& reduce_scatter_definition() {
  static const CollectiveDefinition definition{Collective::reduce_scatter,
                                               "rank r holds block r of the element-wise sum of all ranks' vectors",
                                               fill, check};
  return definition;
}

}  // namespace assay
