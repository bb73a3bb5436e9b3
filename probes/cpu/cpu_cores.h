#pragma once
// Which logical CPUs share a physical core. SMT siblings share one core's FMA units,
// so a peak derived per core must count cores, and threads should fill distinct cores
// before doubling up on siblings.

#include <span>
#include <string>
#include <vector>

namespace assay {

/// The physical core of each CPU in `cpus`, as an opaque key: the sibling list sysfs
/// gives below `root` (core_cpus_list, else thread_siblings_list). A CPU whose topology
/// is missing is keyed by itself, i.e. counted as a core of its own.
std::vector<std::string> core_keys(std::span<const int> cpus, const std::string& root = "/");

/// Number of distinct physical cores among `cpus`.
int count_physical_cores(std::span<const int> cpus, const std::string& root = "/");

/// `cpus` reordered so that one CPU of every physical core comes before any second
/// sibling (first siblings, then second siblings, ...), keeping the given order within
/// each round; taking the first N then uses as many cores as N allows.
std::vector<int> order_cpus_by_core(std::span<const int> cpus, const std::string& root = "/");

}  // namespace assay
