#pragma once
// The data gpu.hbm, gpu.pcie and gpu.p2p move, defined once for the device (whose kernels
// write and check it) and the host (which writes and checks its pinned buffers and
// knows every expected value without a copy of the data).
//
// Word i of a buffer with salt s holds i * kPatternStep + s (mod 2^64). kPatternStep is
// odd, so i -> word is one-to-one: a word written to the wrong place, left stale from
// an earlier salt or dropped never matches. The sum of all words has a closed form, so
// gpu.hbm's read kernel can be checked exactly whatever order the GPU adds in (integer
// addition mod 2^64 is associative; a floating-point sum would not be).
//
// Header-only and free of CUDA includes: nvcc compiles it as host+device code.

#include <cstdint>
#include <optional>

#if !defined(ASSAY_HOST_DEVICE)
#if defined(__CUDACC__)
#define ASSAY_HOST_DEVICE __host__ __device__
#else
#define ASSAY_HOST_DEVICE
#endif
#endif

namespace assay::gpu {

/// 2^64 / golden ratio, odd.
inline constexpr std::uint64_t kPatternStep = 0x9e3779b97f4a7c15ULL;

/// Salts: the source arrays, the poison written over destinations before each copy (so
/// a copy that did not happen is caught), and the first of gpu.hbm's per-repetition
/// write salts (base + repetition, never equal to the others for any count the probes
/// allow).
inline constexpr std::uint64_t kSourceSalt = 0x5a17'0000'0000'0001ULL;
inline constexpr std::uint64_t kPeerSourceSalt = 0x5a17'0000'0000'0002ULL;
inline constexpr std::uint64_t kPoisonSalt = 0xdead'0000'0000'0003ULL;
inline constexpr std::uint64_t kWriteSaltBase = 0x3717'0000'0000'0000ULL;

ASSAY_HOST_DEVICE inline std::uint64_t pattern_word(std::uint64_t index, std::uint64_t salt) {
  return index * kPatternStep + salt;
}

/// The sum of words 0 .. count-1 with `salt`, mod 2^64:
/// kPatternStep * count (count - 1) / 2 + salt * count. The halving is done on whichever
/// of count and count - 1 is even, so the product is exact mod 2^64.
inline constexpr std::uint64_t pattern_sum(std::uint64_t count, std::uint64_t salt) {
  if (count == 0) return 0;
  const std::uint64_t triangle = count % 2 == 0 ? (count / 2) * (count - 1) : count * ((count - 1) / 2);
  return kPatternStep * triangle + salt * count;
}

/// Fills `words` words at `data` with the pattern of `salt` (host memory).
inline void fill_pattern(std::uint64_t* data, std::uint64_t words, std::uint64_t salt) {
  for (std::uint64_t i = 0; i < words; ++i) data[i] = pattern_word(i, salt);
}

/// A word that differs from the pattern, and how many do.
struct PatternMismatch {
  std::uint64_t count = 0;
  std::uint64_t first_index = 0;
  std::uint64_t first_value = 0;
};

/// Compares `words` words at `data` (host memory) with the pattern of `salt`; nullopt
/// when all match.
inline std::optional<PatternMismatch> find_pattern_mismatch(const std::uint64_t* data, std::uint64_t words,
                                                            std::uint64_t salt) {
  // A branch-free count first: the common case (no mismatch) vectorises and runs at
  // memory speed; the first bad word is looked for only when there is one.
  std::uint64_t bad = 0;
  for (std::uint64_t i = 0; i < words; ++i) bad += data[i] != pattern_word(i, salt) ? 1 : 0;
  if (bad == 0) return std::nullopt;
  PatternMismatch mismatch;
  mismatch.count = bad;
  for (std::uint64_t i = 0; i < words; ++i) {
    if (data[i] != pattern_word(i, salt)) {
      mismatch.first_index = i;
      mismatch.first_value = data[i];
      break;
    }
  }
  return mismatch;
}

}  // namespace assay::gpu
