#include <algorithm>
#include <limits>

#include "probes/interconnect/collective_definition.h"

namespace assay {
namespace {

constexpr std::size_t largest_period = 31;  // prime: neighbouring elements differ
constexpr std::int64_t exact_float_integers = std::int64_t{1} << 24;
constexpr std::uint64_t moved_period = std::uint64_t{1} << 23;

// (7 index + 3 rank) mod period + 1: rank and position both change the term.
std::size_t term_of(int rank, std::size_t index, std::size_t period) {
  return (7 * (index % period) + 3 * static_cast<std::size_t>(rank)) % period + 1;
}

}  // namespace

float poison_value() { return std::numeric_limits<float>::quiet_NaN(); }

ReductionTerms::ReductionTerms(int ranks)
    : period_(static_cast<std::size_t>(
          std::clamp<std::int64_t>(exact_float_integers / std::max(ranks, 1), 1, largest_period))) {
  sums_.resize(period_);
  for (std::size_t k = 0; k < period_; ++k) {
    std::int64_t sum = 0;
    for (int r = 0; r < ranks; ++r) sum += static_cast<std::int64_t>(term_of(r, k, period_));
    sums_[k] = static_cast<float>(sum);
  }
}

float ReductionTerms::term(int rank, std::size_t index) const {
  return static_cast<float>(term_of(rank, index, period_));
}

float ReductionTerms::sum(std::size_t index) const { return sums_[index % period_]; }

void ReductionTerms::fill(int rank, std::size_t first, std::span<float> out) const {
  // One table of the period's terms, repeated: no division per element.
  std::vector<float> terms(period_);
  for (std::size_t k = 0; k < period_; ++k) terms[k] = term(rank, k);
  std::size_t k = first % period_;
  for (float& value : out) {
    value = terms[k];
    if (++k == period_) k = 0;
  }
}

ElementCheck ReductionTerms::check(std::size_t first, std::span<const float> got) const {
  ElementCheck result;
  std::size_t k = first % period_;
  for (std::size_t i = 0; i < got.size(); ++i) {
    result.compare(i, got[i], sums_[k]);
    if (++k == period_) k = 0;
  }
  return result;
}

float moved_value(std::uint64_t position) { return static_cast<float>(position % moved_period + 1); }

const CollectiveDefinition& collective_definition(Collective kind) {
  switch (kind) {
    case Collective::allreduce: return allreduce_definition();
    case Collective::allgather: return allgather_definition();
    case Collective::reduce_scatter: return reduce_scatter_definition();
    case Collective::alltoall: return alltoall_definition();
    case Collective::broadcast: return broadcast_definition();
  }
  return allreduce_definition();
}

}  // namespace assay
