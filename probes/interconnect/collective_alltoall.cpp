// alltoall: rank s sends block d of its vector (count/n floats) to rank d; rank r ends
// with block r of every rank, in rank order. Element j of block d sent by s is
// moved_value((s n + d) m + j), m = count/n: distinct for every sender, receiver and
// position.
#include <algorithm>

#include "probes/interconnect/collective_definition.h"

namespace assay {
namespace {

std::uint64_t position(int sender, int receiver, int ranks, std::size_t block, std::size_t j) {
  const auto n = static_cast<std::uint64_t>(ranks);
  return (static_cast<std::uint64_t>(sender) * n + static_cast<std::uint64_t>(receiver)) * block + j;
}

void fill(const CollectiveLayout& layout, int rank, int ranks, int, std::span<float> send,
          std::span<float> receive) {
  const std::size_t m = layout.block_elements;
  for (int d = 0; d < ranks; ++d) {
    for (std::size_t j = 0; j < m; ++j) {
      send[static_cast<std::size_t>(d) * m + j] = moved_value(position(rank, d, ranks, m, j));
    }
  }
  std::fill(receive.begin(), receive.end(), poison_value());
}

ElementCheck check(const CollectiveLayout& layout, int rank, int ranks, int, std::span<const float> receive) {
  const std::size_t m = layout.block_elements;
  ElementCheck result;
  for (int s = 0; s < ranks; ++s) {
    for (std::size_t j = 0; j < m; ++j) {
      const std::size_t k = static_cast<std::size_t>(s) * m + j;
      result.compare(k, receive[k], moved_value(position(s, rank, ranks, m, j)));
    }
  }
  return result;
}

}  // namespace

const CollectiveDefinition& alltoall_definition() {
  static const CollectiveDefinition definition{Collective::alltoall,
                                               "rank r holds block r of every rank's vector, in rank order", fill,
                                               check};
  return definition;
}

}  // namespace assay
