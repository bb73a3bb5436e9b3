#include "probes/memory/stream_kernels.h"

namespace assay {

std::string_view stream_isa_name(StreamIsa isa) {
  switch (isa) {
    case StreamIsa::portable: return "portable";
    case StreamIsa::avx2: return "avx2";
    case StreamIsa::avx512: return "avx512";
  }
  return "unknown";
}

std::optional<StreamIsa> stream_isa_from_name(std::string_view name) {
  for (StreamIsa isa : {StreamIsa::portable, StreamIsa::avx2, StreamIsa::avx512}) {
    if (stream_isa_name(isa) == name) return isa;
  }
  return std::nullopt;
}

bool stream_isa_supported(StreamIsa isa) {
  switch (isa) {
    case StreamIsa::portable: return true;
#if defined(__x86_64__)
    // libgcc's CPU model also checks XCR0, so an OS that does not save the wide
    // registers reports the feature as absent.
    case StreamIsa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case StreamIsa::avx512: return __builtin_cpu_supports("avx512f") != 0;
#else
    case StreamIsa::avx2:
    case StreamIsa::avx512: return false;
#endif
  }
  return false;
}

std::vector<StreamIsa> supported_stream_isas() {
  std::vector<StreamIsa> isas;
  for (StreamIsa isa : {StreamIsa::avx512, StreamIsa::avx2, StreamIsa::portable}) {
    if (stream_isa_supported(isa)) isas.push_back(isa);
  }
  return isas;
}

const StreamKernels* find_stream_kernels(StreamIsa isa, bool streaming_stores) {
  switch (isa) {
    case StreamIsa::portable: return streaming_stores ? nullptr : &stream_kernels_portable();
#if defined(__x86_64__)
    case StreamIsa::avx2: return &stream_kernels_avx2(streaming_stores);
    case StreamIsa::avx512: return &stream_kernels_avx512(streaming_stores);
#else
    case StreamIsa::avx2:
    case StreamIsa::avx512: return nullptr;
#endif
  }
  return nullptr;
}

}  // namespace assay
