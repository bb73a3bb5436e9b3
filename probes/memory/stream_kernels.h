#pragma once
// STREAM's four kernels (McCalpin), one implementation per instruction set, chosen at
// run time. Each call works on one thread's slice of the arrays; the probe splits the
// arrays and times the slices of all threads together.

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace assay {

/// The instruction sets the kernels are written for.
enum class StreamIsa { portable, avx2, avx512 };

/// "portable", "avx2", "avx512".
std::string_view stream_isa_name(StreamIsa isa);
/// The inverse of stream_isa_name(); nullopt for anything else.
std::optional<StreamIsa> stream_isa_from_name(std::string_view name);

/// Whether this build has the kernels and this CPU (and OS) can run them.
bool stream_isa_supported(StreamIsa isa);
/// The supported instruction sets, best first (portable is always last).
std::vector<StreamIsa> supported_stream_isas();

/// STREAM's scalar for Scale (b = s*c) and Triad (a = b + s*c).
inline constexpr double stream_scalar = 3.0;

/// Bytes STREAM counts per element: two arrays touched by Copy and Scale, three by Add
/// and Triad. Write-allocate traffic (reading a line before writing it) is not counted.
inline constexpr std::size_t stream_copy_bytes_per_element = 16;
inline constexpr std::size_t stream_scale_bytes_per_element = 16;
inline constexpr std::size_t stream_add_bytes_per_element = 24;
inline constexpr std::size_t stream_triad_bytes_per_element = 24;

/// The four kernels of one instruction set over `count` elements from the given
/// pointers (any alignment; the arrays must not overlap).
struct StreamKernels {
  StreamIsa isa = StreamIsa::portable;
  /// Non-temporal stores: the destination bypasses the caches, so no line is read
  /// before it is written (see docs/probes/memory-stream.md).
  bool streaming_stores = false;
  void (*copy)(const double* a, double* c, std::size_t count) = nullptr;  ///< c = a
  void (*scale)(const double* c, double* b, double scalar,
                std::size_t count) = nullptr;  ///< b = s*c
  void (*add)(const double* a, const double* b, double* c,
              std::size_t count) = nullptr;  ///< c = a+b
  void (*triad)(const double* b, const double* c, double* a, double scalar,
                std::size_t count) = nullptr;  ///< a = b + s*c
};

/// The kernels for `isa` with or without streaming stores; nullptr when this build has
/// no such combination (the portable kernels have no streaming stores). Does not check
/// that the CPU supports `isa`: see stream_isa_supported().
const StreamKernels* find_stream_kernels(StreamIsa isa, bool streaming_stores);

// Per instruction set tables, defined in stream_kernels_<isa>.cpp.
const StreamKernels& stream_kernels_portable();
#if defined(__x86_64__)
const StreamKernels& stream_kernels_avx2(bool streaming_stores);
const StreamKernels& stream_kernels_avx512(bool streaming_stores);
#endif

}  // namespace assay
