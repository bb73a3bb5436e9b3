#pragma once
// How the collective probes count bytes and bandwidth, exactly as nccl-tests does
// (its doc/PERFORMANCE.md), so a figure from assay and one from nccl-tests mean the
// same thing.
//
// "size" (the bytes of a sweep row) is the larger of a rank's two buffers:
//   allreduce       send = receive = size                    (count elements each)
//   allgather       send = size/n, receive = size            (n blocks of count/n)
//   reduce_scatter  send = size,   receive = size/n
//   alltoall        send = receive = size                    (n blocks of count/n each)
//   broadcast       one buffer of size, the root's is sent
// algbw = size / time. busbw = algbw x factor, the factor turning algbw into what each
// rank's link must carry, whatever n is, so busbw compares with the link's rated speed:
//   allreduce 2(n-1)/n, allgather (n-1)/n, reduce_scatter (n-1)/n, alltoall (n-1)/n,
//   broadcast 1.

#include <cstddef>
#include <cstdint>

#include "probes/common/communicator.h"

namespace assay {

/// Bytes per element: the collectives move 32-bit floats.
inline constexpr std::int64_t collective_element_bytes = 4;

/// A rank's buffers for one message size of one collective.
struct CollectiveLayout {
  std::int64_t size_bytes = 0;    ///< the size as nccl-tests counts it (see above)
  std::size_t send_elements = 0;  ///< floats in the send buffer (0 for broadcast)
  std::size_t receive_elements = 0;  ///< floats in the receive buffer (broadcast: the one buffer)
  std::size_t block_elements = 0;    ///< floats per rank's block (count/n), or the count
};

/// The layout for a requested size of `bytes` over `ranks` ranks. The element count is
/// bytes/4 rounded down, at least 1; for allgather, reduce_scatter and alltoall it is
/// rounded down to a multiple of `ranks` (nccl-tests does the same), at least `ranks`,
/// so the smallest sizes may grow to `ranks` x 4 bytes.
CollectiveLayout collective_layout(Collective kind, std::int64_t bytes, int ranks);

/// busbw / algbw for `kind` over `ranks` ranks (2(n-1)/n, (n-1)/n or 1).
double bus_bandwidth_factor(Collective kind, int ranks);

/// algbw = size / time, B/s.
double algorithm_bandwidth(std::int64_t size_bytes, double seconds);

/// busbw = algbw x bus_bandwidth_factor, B/s.
double bus_bandwidth(Collective kind, int ranks, std::int64_t size_bytes, double seconds);

}  // namespace assay
