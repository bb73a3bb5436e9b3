#include "probes/interconnect/bus_bandwidth.h"

#include <algorithm>

namespace assay {

CollectiveLayout collective_layout(Collective kind, std::int64_t bytes, int ranks) {
  const auto n = static_cast<std::size_t>(std::max(ranks, 1));
  auto count = static_cast<std::size_t>(std::max<std::int64_t>(bytes / collective_element_bytes, 1));
  CollectiveLayout layout;
  switch (kind) {
    case Collective::allreduce:
      layout.send_elements = layout.receive_elements = layout.block_elements = count;
      break;
    case Collective::broadcast:
      layout.receive_elements = layout.block_elements = count;
      break;
    case Collective::allgather:
    case Collective::reduce_scatter:
    case Collective::alltoall: {
      const std::size_t block = std::max<std::size_t>(count / n, 1);
      count = block * n;
      layout.block_elements = block;
      layout.send_elements = kind == Collective::allgather ? block : count;
      layout.receive_elements = kind == Collective::reduce_scatter ? block : count;
      break;
    }
  }
  layout.size_bytes = static_cast<std::int64_t>(count) * collective_element_bytes;
  return layout;
}

double bus_bandwidth_factor(Collective kind, int ranks) {
  const double n = std::max(ranks, 1);
  switch (kind) {
    case Collective::allreduce: return 2 * (n - 1) / n;
    case Collective::allgather:
    case Collective::reduce_scatter:
    case Collective::alltoall: return (n - 1) / n;
    case Collective::broadcast: return 1;
  }
  return 1;
}

double algorithm_bandwidth(std::int64_t size_bytes, double seconds) {
  return seconds > 0 ? static_cast<double>(size_bytes) / seconds : 0;
}

double bus_bandwidth(Collective kind, int ranks, std::int64_t size_bytes, double seconds) {
  return algorithm_bandwidth(size_bytes, seconds) * bus_bandwidth_factor(kind, ranks);
}

}  // namespace assay
