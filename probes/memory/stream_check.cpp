#include "probes/memory/stream_check.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "probes/memory/stream_kernels.h"

namespace assay {
namespace {

// Relative error, or absolute where the expected value is 0 (c before the first round).
double relative_error(double expected, double got) {
  const double difference = std::fabs(got - expected);
  return expected == 0 ? difference : difference / std::fabs(expected);
}

void check_array(char name, std::span<const double> values, std::size_t first_index,
                 double (StreamExpectation::*expected_at)(std::size_t) const,
                 const StreamExpectation& expected, double tolerance, StreamCheck& check) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::size_t index = first_index + i;
    const double want = (expected.*expected_at)(index);
    const double error = relative_error(want, values[i]);
    if (error <= tolerance) {
      if (error > check.worst_relative_error) check.worst_relative_error = error;
      continue;
    }
    // Not `error > tolerance`: NaN must fail too.
    check.worst_relative_error = std::isnan(error) ? std::numeric_limits<double>::infinity()
                                                   : std::max(check.worst_relative_error, error);
    ++check.mismatches;
    if (!check.first_mismatch || index < check.first_mismatch->index) {
      check.first_mismatch = StreamMismatch{name, index, want, values[i]};
    }
  }
}

}  // namespace

double stream_initial_a(std::size_t index) {
  return 1.0 + static_cast<double>(index % stream_pattern_period);
}

void stream_fill_initial(std::span<double> a, std::span<double> b, std::span<double> c,
                         std::size_t first_index) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = stream_initial_a(first_index + i);
    b[i] = stream_initial_b;
    c[i] = stream_initial_c;
  }
}

StreamExpectation::StreamExpectation(int rounds)
    : rounds_(rounds),
      a_(stream_pattern_period),
      b_(stream_pattern_period, stream_initial_b),
      c_(stream_pattern_period, stream_initial_c) {
  for (std::size_t p = 0; p < stream_pattern_period; ++p) {
    double a = stream_initial_a(p), b = b_[p], c = c_[p];
    for (int round = 0; round < rounds; ++round) {
      c = a;
      b = stream_scalar * c;
      c = a + b;
      a = b + stream_scalar * c;
    }
    a_[p] = a;
    b_[p] = b;
    c_[p] = c;
  }
}

void StreamCheck::merge(const StreamCheck& other) {
  elements_checked += other.elements_checked;
  mismatches += other.mismatches;
  worst_relative_error = std::max(worst_relative_error, other.worst_relative_error);
  if (other.first_mismatch &&
      (!first_mismatch || other.first_mismatch->index < first_mismatch->index)) {
    first_mismatch = other.first_mismatch;
  }
}

StreamCheck check_stream_arrays(const StreamExpectation& expected, std::span<const double> a,
                                std::span<const double> b, std::span<const double> c,
                                std::size_t first_index, double relative_tolerance) {
  StreamCheck check;
  check.elements_checked = a.size();
  check_array('a', a, first_index, &StreamExpectation::a, expected, relative_tolerance, check);
  check_array('b', b, first_index, &StreamExpectation::b, expected, relative_tolerance, check);
  check_array('c', c, first_index, &StreamExpectation::c, expected, relative_tolerance, check);
  return check;
}

std::string describe_mismatch(const StreamMismatch& mismatch, double relative_tolerance) {
  return fmt::format(
      "{}[{}] = {:.17g} but STREAM's recurrence gives {:.17g} (relative error {:.3g} > {:.3g})",
      mismatch.array, mismatch.index, mismatch.got, mismatch.expected,
      relative_error(mismatch.expected, mismatch.got), relative_tolerance);
}

}  // namespace assay
