#pragma once
// How much CPU a probe really got. Compared with wall time x threads, CPU time shows
// whether the threads had their CPUs to themselves, so a figure lowered by other work
// on the machine is flagged instead of trusted.

#include <span>
#include <string>

namespace assay {

/// CPU time consumed by the whole process, in seconds (CLOCK_PROCESS_CPUTIME_ID).
double process_cpu_seconds();

/// CPU time consumed by the calling thread, in seconds (CLOCK_THREAD_CPUTIME_ID).
double thread_cpu_seconds();

/// Below this share of their CPUs (CPU time / (wall time x threads)), other work took
/// enough time to lower a probe's figures, and the probe says so in a note.
inline constexpr double disturbed_cpu_share = 0.9;

/// "0,1,2,3" for notes and messages.
std::string cpu_list_text(std::span<const int> cpus);

}  // namespace assay
