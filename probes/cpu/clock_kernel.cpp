#include "probes/cpu/clock_kernel.h"

#include "probes/common/cpu_usage.h"

#include <time.h>

#include <chrono>

namespace assay {

#if defined(__x86_64__)

std::uint64_t run_add_chain(std::uint64_t iterations) {
  if (iterations == 0) return 0;
  std::uint64_t chain = 0;
  std::uint64_t left = iterations;
  const std::uint64_t step = 1;
  // The whole loop is assembly so that no build type can put the chain through memory;
  // the counter's dec/jnz is independent of the chain and runs beside it.
  static_assert(kClockAddsPerIteration == 32, "the .rept count below must match");
  asm volatile(
      "1:\n\t"
      ".rept 32\n\t"
      "add %[step], %[chain]\n\t"
      ".endr\n\t"
      "dec %[left]\n\t"
      "jnz 1b"
      : [chain] "+r"(chain), [left] "+r"(left)
      : [step] "r"(step)
      : "cc");
  return chain;
}

bool add_chain_exact() { return true; }

#else

std::uint64_t run_add_chain(std::uint64_t iterations) {
  std::uint64_t chain = 0;
  const std::uint64_t step = 1;
  for (std::uint64_t i = 0; i < iterations; ++i) {
    for (int a = 0; a < kClockAddsPerIteration; ++a) {
      chain += step;
      // An empty statement that "changes" the chain, so the compiler can neither merge
      // the adds into one nor reorder them.
      asm volatile("" : "+r"(chain));
    }
  }
  return chain;
}

bool add_chain_exact() { return false; }

#endif

std::uint64_t add_chain_expected(std::uint64_t iterations) {
  return iterations * static_cast<std::uint64_t>(kClockAddsPerIteration);
}

ClockReading time_add_chain(AddChainFn chain, std::uint64_t iterations) {
  const auto wall_begin = std::chrono::steady_clock::now();
  const double cpu_begin = thread_cpu_seconds();
  const std::uint64_t result = chain(iterations);
  const double cpu_end = thread_cpu_seconds();
  const auto wall_end = std::chrono::steady_clock::now();
  ClockReading reading;
  reading.cpu_seconds = cpu_end - cpu_begin;
  reading.wall_seconds = std::chrono::duration<double>(wall_end - wall_begin).count();
  reading.result = result;
  const double seconds = reading.cpu_seconds > 0 ? reading.cpu_seconds : reading.wall_seconds;
  if (seconds > 0) reading.hertz = static_cast<double>(add_chain_expected(iterations)) / seconds;
  return reading;
}

}  // namespace assay
