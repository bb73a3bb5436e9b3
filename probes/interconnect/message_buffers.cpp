#include "probes/interconnect/message_buffers.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace assay {
namespace {

constexpr std::size_t page_bytes = 4096;
constexpr std::byte poison_byte{0xEE};

// splitmix64's finaliser: a cheap bijection whose outputs look unrelated for
// neighbouring inputs.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

MessageBuffer::MessageBuffer(std::size_t bytes) : size_(bytes) {
  const std::size_t rounded = std::max<std::size_t>((bytes + page_bytes - 1) / page_bytes, 1) * page_bytes;
  void* memory = std::aligned_alloc(page_bytes, rounded);
  if (!memory) throw std::bad_alloc();
  data_.reset(static_cast<std::byte*>(memory));
}

void MessageBuffer::Free::operator()(std::byte* p) const noexcept { std::free(p); }

std::span<float> MessageBuffer::floats(std::size_t count) const {
  return {reinterpret_cast<float*>(data_.get()), std::min(count, size_ / sizeof(float))};
}

void MessageBuffer::keep_for_pending_requests() {
  static std::mutex mutex;
  static std::vector<std::unique_ptr<std::byte[], Free>> kept;
  const std::lock_guard lock(mutex);
  kept.push_back(std::move(data_));
  size_ = 0;
}

void fill_pattern(std::span<std::byte> bytes, std::uint64_t seed) {
  const std::uint64_t base = mix(seed);
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    const std::uint64_t word = mix(base ^ (i / 8));
    std::memcpy(bytes.data() + i, &word, 8);
  }
  if (i < bytes.size()) {
    const std::uint64_t word = mix(base ^ (i / 8));
    std::memcpy(bytes.data() + i, &word, bytes.size() - i);
  }
}

void fill_poison(std::span<std::byte> bytes) { std::fill(bytes.begin(), bytes.end(), poison_byte); }

std::optional<std::size_t> first_difference(std::span<const std::byte> got, std::span<const std::byte> expected) {
  const std::size_t common = std::min(got.size(), expected.size());
  // memcmp first: it is several times faster than a byte loop over window slots of MiBs.
  if (common == 0 || std::memcmp(got.data(), expected.data(), common) == 0) {
    if (got.size() == expected.size()) return std::nullopt;
    return common;
  }
  const auto end = got.begin() + static_cast<std::ptrdiff_t>(common);
  return static_cast<std::size_t>(std::mismatch(got.begin(), end, expected.begin()).first - got.begin());
}

std::uint64_t pattern_seed(int sender) { return 0x617373617950ull ^ (static_cast<std::uint64_t>(sender) << 20); }

}  // namespace assay
