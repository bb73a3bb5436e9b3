#pragma once
// Buffers of the interconnect probes and the patterns that validate what they carry:
// the sender fills its message with a pattern derived from its rank, the receiver
// poisons its buffers before a timed loop and compares every byte with the pattern
// after it, so a message that never arrived, arrived from the wrong peer, or arrived
// damaged is caught.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

namespace assay {

/// Page-aligned memory, untouched until filled.
class MessageBuffer {
 public:
  MessageBuffer() = default;
  /// Allocates `bytes` (at least one page of address space); throws std::bad_alloc.
  explicit MessageBuffer(std::size_t bytes);

  std::span<std::byte> bytes() const { return {data_.get(), size_}; }
  /// The first `count` floats (the memory is page-aligned, so floats fit it).
  std::span<float> floats(std::size_t count) const;
  std::size_t size() const { return size_; }

  /// Hands the memory to the end of the process: for buffers that MPI requests still
  /// pending after a wait gave up may write into or read from later. Reachable, so
  /// not reported as a leak.
  void keep_for_pending_requests();

 private:
  struct Free {
    void operator()(std::byte* p) const noexcept;
  };
  std::unique_ptr<std::byte[], Free> data_;
  std::size_t size_ = 0;
};

/// Fills `bytes` with the pattern of `seed`: byte i depends on seed and i, so a shifted
/// or foreign message differs from it almost everywhere.
void fill_pattern(std::span<std::byte> bytes, std::uint64_t seed);

/// Fills `bytes` with a constant byte (0xEE): a pattern matches it over a whole 8-byte
/// word with a chance of 2^-64.
void fill_poison(std::span<std::byte> bytes);

/// The offset of the first byte where `got` differs from `expected`, nullopt when
/// they are equal (sizes must match; a size mismatch is a difference at the shorter
/// end).
std::optional<std::size_t> first_difference(std::span<const std::byte> got, std::span<const std::byte> expected);

/// The seed of the messages that rank `sender` sends.
std::uint64_t pattern_seed(int sender);

}  // namespace assay
