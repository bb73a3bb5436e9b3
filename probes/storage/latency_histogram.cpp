#include "probes/storage/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace assay {
namespace {

// Values below 2 * sub_buckets nanoseconds have a bucket each. Above, every power of
// two [2^k, 2^(k+1)) is split into sub_buckets equal buckets of width 2^(k-7), so a
// bucket is at most 1/128 of its lower bound wide and its middle is within 0.4% of
// every value in it.
constexpr int sub_bucket_bits = 7;
constexpr std::int64_t sub_buckets = std::int64_t{1} << sub_bucket_bits;  // 128
constexpr std::int64_t exact_below = 2 * sub_buckets;                     // 256 ns
constexpr int first_log_power = sub_bucket_bits + 1;                      // 2^8
// 2^42 ns is 73 minutes, past the "about 1 hour" the contract promises.
constexpr int top_power = 42;
constexpr std::int64_t limit_ns = std::int64_t{1} << top_power;
constexpr std::size_t bucket_count =
    static_cast<std::size_t>(exact_below + (top_power - first_log_power) * sub_buckets);

std::size_t bucket_of(std::int64_t ns) {
  if (ns < exact_below) return static_cast<std::size_t>(ns);
  const int power = static_cast<int>(std::bit_width(static_cast<std::uint64_t>(ns))) - 1;  // >= 8
  const int shift = power - sub_bucket_bits;
  const std::int64_t sub = (ns >> shift) - sub_buckets;  // 0 .. 127
  return static_cast<std::size_t>(exact_below + (power - first_log_power) * sub_buckets + sub);
}

// The lowest and highest nanosecond value that fall into bucket `b`.
std::pair<std::int64_t, std::int64_t> bounds_of(std::size_t b) {
  const auto index = static_cast<std::int64_t>(b);
  if (index < exact_below) return {index, index};
  const std::int64_t above = index - exact_below;
  const int power = first_log_power + static_cast<int>(above / sub_buckets);
  const int shift = power - sub_bucket_bits;
  const std::int64_t low = (sub_buckets + above % sub_buckets) << shift;
  return {low, low + (std::int64_t{1} << shift) - 1};
}

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(bucket_count, 0) {}

void LatencyHistogram::record(std::int64_t nanoseconds) {
  const std::int64_t ns = std::max<std::int64_t>(nanoseconds, 0);
  if (ns >= limit_ns) {
    ++clamped_;
    ++buckets_.back();
  } else {
    ++buckets_[bucket_of(ns)];
  }
  ++count_;
  sum_ns_ += static_cast<double>(ns);
  max_ns_ = std::max(max_ns_, ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t b = 0; b < buckets_.size(); ++b) buckets_[b] += other.buckets_[b];
  count_ += other.count_;
  clamped_ += other.clamped_;
  sum_ns_ += other.sum_ns_;
  max_ns_ = std::max(max_ns_, other.max_ns_);
}

double LatencyHistogram::percentile_seconds(double fraction) const {
  if (count_ == 0) return 0;
  const double wanted = std::clamp(fraction, 0.0, 1.0) * static_cast<double>(count_);
  // The rank of the value asked for, 1-based; the small allowance keeps 0.99 * 100
  // (99.00000000000001 in binary) at rank 99.
  const auto rank = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(wanted * (1 - 1e-12))), 1, count_);
  std::int64_t seen = 0;
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    seen += buckets_[b];
    if (seen < rank) continue;
    const auto [low, high] = bounds_of(b);
    // The middle of the bucket, but never beyond the largest value recorded.
    const std::int64_t middle = low + (high - low) / 2;
    return static_cast<double>(std::min(middle, max_ns_)) * 1e-9;
  }
  return static_cast<double>(max_ns_) * 1e-9;
}

double LatencyHistogram::mean_seconds() const {
  return count_ == 0 ? 0 : sum_ns_ / static_cast<double>(count_) * 1e-9;
}

double LatencyHistogram::max_seconds() const { return static_cast<double>(max_ns_) * 1e-9; }

}  // namespace assay
