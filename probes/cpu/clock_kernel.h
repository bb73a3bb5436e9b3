#pragma once
// The effective core clock, counted with a dependent chain of single-cycle integer
// adds: every add needs the previous result, so the chain advances exactly one add per
// cycle whatever the core's width, and adds / seconds is the clock in hertz. This is
// the clock the core really ran at (turbo, power limits, AVX licences included), not
// the nominal one in /proc/cpuinfo.

#include <cstdint>

namespace assay {

/// Dependent adds in one iteration of every add-chain loop (plain and FMA-loaded).
inline constexpr int kClockAddsPerIteration = 32;

/// An add-chain loop: runs `iterations` x kClockAddsPerIteration dependent adds of 1
/// and returns the chain's final value (iterations x kClockAddsPerIteration).
using AddChainFn = std::uint64_t (*)(std::uint64_t iterations);

/// The plain chain on the calling thread. On x86-64 the whole loop is assembly, so it
/// is exactly one add per cycle; elsewhere the compiler writes it (see
/// add_chain_exact()).
std::uint64_t run_add_chain(std::uint64_t iterations);

/// Whether run_add_chain() is written in assembly for this architecture; false means
/// the clock is approximate (it assumes the compiler kept one add per cycle).
bool add_chain_exact();

/// The value a chain must return after `iterations`; anything else means the chain did
/// not run as written.
std::uint64_t add_chain_expected(std::uint64_t iterations);

/// One timing of a chain on the calling thread.
struct ClockReading {
  /// adds / cpu_seconds: the clock while the thread ran. Time the OS gave to other
  /// processes is not the core's clock, so it is left out. (A hypervisor's steal time
  /// is invisible here and still counts.)
  double hertz = 0;
  double cpu_seconds = 0;    ///< CPU time of the calling thread during the chain
  double wall_seconds = 0;   ///< steady-clock time of the chain
  std::uint64_t result = 0;  ///< what the chain returned
};

/// Runs `chain` for `iterations` and times it.
ClockReading time_add_chain(AddChainFn chain, std::uint64_t iterations);

}  // namespace assay
