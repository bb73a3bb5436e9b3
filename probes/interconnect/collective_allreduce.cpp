// allreduce: every rank contributes a vector of `count` floats and every rank ends with
// their element-wise sum.
#include <algorithm>

#include "probes/interconnect/collective_definition.h"

namespace assay {
namespace {

void fill(const CollectiveLayout&, int rank, int ranks, int, std::span<float> send, std::span<float> receive) {
  ReductionTerms(ranks).fill(rank, 0, send);
  std::fill(receive.begin(), receive.end(), poison_value());
}

ElementCheck check(const CollectiveLayout&, int, int ranks, int, std::span<const float> receive) {
  return ReductionTerms(ranks).check(0, receive);
}

}  // namespace

const CollectiveDefinition& allreduce_definition() {
  static const CollectiveDefinition definition{Collective::allreduce,
                                               "every rank holds the element-wise sum of all ranks' vectors", fill,
                                               check};
  return definition;
}

}  // namespace assay
