#pragma once
// One collective as the harness (collective_probe.cpp) sees it, in the manner of
// nccl-tests: each collective is a small definition (collective_<name>.cpp) giving its
// data and the exact result it must leave; the harness does sizes, warm-up, timing and
// checking once for all of them. Byte counts and busbw factors are in bus_bandwidth.h.
//
// The data are small integers in float, so every sum is exact whatever order MPI adds
// in, and every received element is compared for equality, not within a tolerance.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "probes/common/communicator.h"
#include "probes/interconnect/bus_bandwidth.h"

namespace assay {

/// Elements of a receive buffer that differ from what the collective must leave.
struct ElementCheck {
  std::size_t checked = 0;
  std::size_t bad = 0;
  std::size_t first_bad = 0;  ///< index of the first bad element, when bad > 0
  float got = 0;              ///< its value
  float expected = 0;         ///< and what it should have been

  /// Compares one element (in index order).
  void compare(std::size_t index, float value, float want) {
    ++checked;
    if (value != want) {  // NaN (the poison) never equals anything
      if (bad++ == 0) {
        first_bad = index;
        got = value;
        expected = want;
      }
    }
  }
};

/// A collective's data and its expected result.
struct CollectiveDefinition {
  Collective kind;
  /// What every rank ends with, for the description and the notes.
  std::string_view result_text;
  /// Fills this rank's input for `layout` (broadcast: the root's buffer, which is
  /// `receive`) and poisons the rest of `receive`, so an element the collective does
  /// not write is caught.
  void (*fill)(const CollectiveLayout& layout, int rank, int ranks, int root, std::span<float> send,
               std::span<float> receive);
  /// Compares every element of `receive` with the exact result.
  ElementCheck (*check)(const CollectiveLayout& layout, int rank, int ranks, int root, std::span<const float> receive);
};

const CollectiveDefinition& allreduce_definition();
const CollectiveDefinition& allgather_definition();
const CollectiveDefinition& reduce_scatter_definition();
const CollectiveDefinition& alltoall_definition();
const CollectiveDefinition& broadcast_definition();

/// The definition of `kind`.
const CollectiveDefinition& collective_definition(Collective kind);

// ---- values shared by the definitions (collective_values.cpp) ------------------------

/// The poison written where a result is expected: a quiet NaN.
float poison_value();

/// Rank `rank`'s term at element `index` of a reduction: an integer in [1, period].
/// The period shrinks with the rank count so that sums stay at or below 2^24, where
/// floats hold every integer exactly (period 31 up to 541,200 ranks, 1 at 2^24 ranks).
class ReductionTerms {
 public:
  explicit ReductionTerms(int ranks);
  float term(int rank, std::size_t index) const;
  /// The exact sum over all ranks of term(r, index).
  float sum(std::size_t index) const;
  /// Fills `out[i]` with term(rank, first + i).
  void fill(int rank, std::size_t first, std::span<float> out) const;
  /// Compares `got[i]` with sum(first + i).
  ElementCheck check(std::size_t first, std::span<const float> got) const;

 private:
  std::size_t period_;
  std::vector<float> sums_;  // by index % period
};

/// A distinct small integer for position `position` of a moved (not reduced) message:
/// (position mod 2^23) + 1, exact in float.
float moved_value(std::uint64_t position);

}  // namespace assay
