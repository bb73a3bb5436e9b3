#pragma once
// STREAM's arrays: how they start and what they must hold after a number of rounds of
// Copy, Scale, Add, Triad. Like STREAM's checkSTREAMresults(), but every element is
// compared, so one corrupted element is caught and named.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace assay {

/// a starts as 1 + (index mod this period), so a kernel that reads the wrong elements
/// leaves a wrong pattern behind (STREAM's own a = 1 everywhere cannot show that). The
/// period is prime, so no power-of-two stride lines up with it.
inline constexpr std::size_t stream_pattern_period = 1021;
inline constexpr double stream_initial_b = 2.0;
inline constexpr double stream_initial_c = 0.0;

/// Relative tolerance per element, as in STREAM's checkSTREAMresults() for doubles.
/// The values stay exact integers for the first 13 rounds; later the vector kernels
/// and the scalar recurrence may round differently (a fused multiply-add in Triad),
/// well inside this bound for up to 100 rounds.
inline constexpr double stream_relative_tolerance = 1e-13;

/// The starting value of a[index].
double stream_initial_a(std::size_t index);

/// Writes the starting values into a slice of the arrays that begins at element
/// `first_index` of the whole arrays (the slices must have the same length).
void stream_fill_initial(std::span<double> a, std::span<double> b, std::span<double> c,
                         std::size_t first_index);

/// What a, b and c hold after `rounds` rounds of Copy c=a, Scale b=s*c, Add c=a+b,
/// Triad a=b+s*c, from STREAM's scalar recurrence for each value of the pattern.
class StreamExpectation {
 public:
  explicit StreamExpectation(int rounds);
  int rounds() const { return rounds_; }
  double a(std::size_t index) const { return a_[index % stream_pattern_period]; }
  double b(std::size_t index) const { return b_[index % stream_pattern_period]; }
  double c(std::size_t index) const { return c_[index % stream_pattern_period]; }

 private:
  int rounds_ = 0;
  std::vector<double> a_, b_, c_;  // one entry per value of the pattern
};

/// One element that differs from the recurrence by more than the tolerance.
struct StreamMismatch {
  char array = 'a';  ///< 'a', 'b' or 'c'
  std::size_t index = 0;
  double expected = 0;
  double got = 0;
};

/// The outcome of comparing (a slice of) the arrays with the recurrence.
struct StreamCheck {
  std::size_t elements_checked = 0;              ///< per array
  std::size_t mismatches = 0;                    ///< over the three arrays
  double worst_relative_error = 0;               ///< infinity when an element is NaN or infinite
  std::optional<StreamMismatch> first_mismatch;  ///< the one with the lowest index

  bool passed() const { return mismatches == 0; }
  /// Combines the check of another slice into this one.
  void merge(const StreamCheck& other);
};

/// Compares a slice of the arrays beginning at element `first_index` of the whole
/// arrays with `expected`, element by element.
StreamCheck check_stream_arrays(const StreamExpectation& expected, std::span<const double> a,
                                std::span<const double> b, std::span<const double> c,
                                std::size_t first_index,
                                double relative_tolerance = stream_relative_tolerance);

/// "a[123456] = 4 but STREAM's recurrence gives 5.006e+13 (relative error 1 > 1e-13)".
std::string describe_mismatch(const StreamMismatch& mismatch,
                              double relative_tolerance = stream_relative_tolerance);

}  // namespace assay
