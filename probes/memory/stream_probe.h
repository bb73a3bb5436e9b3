#pragma once
// memory.stream: sustainable memory bandwidth by STREAM's rules (McCalpin): Copy,
// Scale, Add and Triad over arrays at least 4x the last-level cache, best of N rounds
// with the first discarded, bytes counted as STREAM counts them. See
// docs/probes/memory-stream.md.

#include <cstdint>
#include <memory>

#include "probes/probe.h"

namespace assay {

/// The probe, for the registry.
std::unique_ptr<Probe> make_memory_stream_probe();

/// Elements per array when none are given: the smallest multiple of 1,000,000 that
/// makes each array at least 4x `last_level_cache_bytes` and at least 10,000,000
/// (STREAM's own default) when the cache size is unknown or small.
std::int64_t stream_default_elements(std::int64_t last_level_cache_bytes);

}  // namespace assay
