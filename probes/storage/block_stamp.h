#pragma once
// What the storage probes write, and how they check what they read back. Every 4 KiB
// unit of every file carries a 32-byte header (magic, run, file, unit index) and a
// payload taken from a 2 MiB pool of pseudo-random bytes at a place that depends on
// run, file and unit. So the content is incompressible, no two units are equal (a
// deduplicating array cannot shortcut the writes), and a reader can re-derive exactly
// what any unit must hold: a check is a header compare and a memcmp, no hashing, and
// it names what went wrong (lost write, misdirected write, stale data, flipped bits).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace assay {

/// The stamped and checked unit; block sizes and offsets are multiples of it.
inline constexpr std::size_t stamp_unit_bytes = 4096;

class StampPattern {
 public:
  /// Builds the payload pool from `run` (a nonce chosen per probe run, so data left by
  /// an earlier run never passes for this one's).
  explicit StampPattern(std::uint64_t run);

  std::uint64_t run() const { return run_; }

  /// Fills `block` (a multiple of stamp_unit_bytes) with what this run stores at byte
  /// `offset` (a multiple of stamp_unit_bytes) of file number `file`.
  void fill(std::span<std::byte> block, std::uint32_t file, std::uint64_t offset) const;

  /// Checks a block read back from byte `offset` of file `file`; nullopt when every
  /// unit is what fill() wrote there, otherwise what is wrong with the first unit that
  /// is not, with its offset ("offset 1052672: reads as zeros (the write was lost)",
  /// "... holds file 2 offset 8192 (a misdirected write)", "... holds data of another
  /// run (stale)", "... 3 bytes differ from what was written, first at byte 517 of the
  /// unit").
  std::optional<std::string> check(std::span<const std::byte> block, std::uint32_t file,
                                   std::uint64_t offset) const;

 private:
  const std::byte* payload_for(std::uint32_t file, std::uint64_t unit) const;

  std::uint64_t run_;
  std::vector<std::byte> pool_;
};

/// A run nonce from the system's random source (falls back to time and pid).
std::uint64_t new_run_nonce();

}  // namespace assay
