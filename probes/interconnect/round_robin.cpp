#include "probes/interconnect/round_robin.h"

namespace assay {
namespace {

// The circle method on an even number of seats: seat `seats-1` stays put while the
// others turn one place per round. In round r seat r meets the fixed seat and, for
// i = 1 .. seats/2-1, seat r+i meets seat r-i (mod seats-1), i.e. seat s meets 2r-s.
// With an odd node count the extra seat is empty, and its opponent has the bye.
int seats_for(int nodes) { return nodes % 2 == 0 ? nodes : nodes + 1; }

int seat_partner(int seats, int round, int seat) {
  const int fixed = seats - 1;
  if (seat == fixed) return round;
  const int turning = seats - 1;
  const int other = ((2 * round - seat) % turning + turning) % turning;
  return other == seat ? fixed : other;
}

}  // namespace

int round_robin_rounds(int nodes) {
  if (nodes < 2) return 0;
  return seats_for(nodes) - 1;
}

std::optional<int> round_robin_partner(int nodes, int round, int node) {
  if (node < 0 || node >= nodes || round < 0 || round >= round_robin_rounds(nodes)) {
    return std::nullopt;
  }
  const int partner = seat_partner(seats_for(nodes), round, node);
  if (partner >= nodes) return std::nullopt;  // the empty seat: a bye
  return partner;
}

std::vector<RoundPair> round_robin_pairs(int nodes, int round) {
  std::vector<RoundPair> pairs;
  if (round < 0 || round >= round_robin_rounds(nodes)) return pairs;
  pairs.reserve(static_cast<std::size_t>(nodes / 2));
  for (int node = 0; node < nodes; ++node) {
    const std::optional<int> partner = round_robin_partner(nodes, round, node);
    if (partner && node < *partner) pairs.push_back({node, *partner});
  }
  return pairs;
}

std::optional<int> round_robin_bye(int nodes, int round) {
  if (nodes % 2 == 0 || round < 0 || round >= round_robin_rounds(nodes)) return std::nullopt;
  const int seats = seats_for(nodes);
  return seat_partner(seats, round, seats - 1);
}

}  // namespace assay
