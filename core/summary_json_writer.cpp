#include <algorithm>
#include <cstdint>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "core/element_json_text.h"
#include "core/parallel_chunks.h"
#include "core/summary_file.h"
#include "core/summary_json_parts.h"

namespace assay {
namespace {

// Text each thread serialises before its piece is appended, in order, to the text:
// small enough that the pieces stay small beside the text and in cache, big enough to
// keep both cores busy between thread starts. Sized in bytes, not elements: a result
// (50 metrics, ~32 KB) is ninety times a verdict, and 4096 results a piece made pieces
// of 130 MB that cost more to grow and copy than to write.
constexpr std::size_t kBytesPerPiece = std::size_t{1} << 20;
// The first batch, before the size of an element is known; and the most in any batch.
constexpr std::size_t kFirstElementsPerChunk = 16;
constexpr std::size_t kMaxElementsPerChunk = 4096;

// Asks for transparent huge pages under the text's spare capacity. Touching a fresh
// 4 KB page costs a fault, and on the virtual machines these runs are measured on a
// fault is dear: the ~130,000 faults of a 518 MB text cost more CPU than serialising
// it. Only advice: where it is not supported nothing changes.
void advise_huge_pages(std::string& out) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<std::uintptr_t>(out.data() + out.size());
  const auto end = reinterpret_cast<std::uintptr_t>(out.data() + out.capacity());
  const std::uintptr_t first = (begin + kHugePage - 1) & ~(kHugePage - 1);
  const std::uintptr_t last = end & ~(kHugePage - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  static_cast<void>(out);
#endif
}

// An element as to_json(element).dump() writes it; results and verdicts, nearly all of
// the text, are written without a DOM (core/element_json_text.h).
template <class T>
void append_element(std::string& out, const T& element) {
  out += to_json(element).dump();
}

void append_element(std::string& out, const ProbeResult& result) { append_result_json(out, result); }
void append_element(std::string& out, const Verdict& verdict) { append_verdict_json(out, verdict); }

// `[`, each element of `items` as compact JSON on its own line, `]`: the elements are
// serialised in parallel a batch at a time, so no DOM of the whole array ever exists.
template <class T>
void append_array(std::string& out, const std::vector<T>& items) {
  if (items.empty()) {
    out += "[]";
    return;
  }
  out += "[\n";
  const std::size_t n = items.size();
  const std::size_t chunks = chunk_count(n);
  std::vector<std::string> pieces(chunks);
  const std::size_t start = out.size();
  std::size_t per_chunk = kFirstElementsPerChunk;
  for (std::size_t batch = 0; batch < n;) {
    const std::size_t batch_end = std::min(n, batch + per_chunk * chunks);
    run_in_chunks(batch_end - batch, chunks, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
      std::string& piece = pieces[chunk];
      piece.clear();
      for (std::size_t i = batch + begin; i < batch + end; ++i) {
        append_element(piece, items[i]);
        piece += i + 1 < n ? ",\n" : "\n";
      }
    });
    std::size_t batch_bytes = 0;
    for (const auto& piece : pieces) batch_bytes += piece.size();
    const std::size_t per_element = (out.size() + batch_bytes - start) / batch_end + 1;
    if (out.size() + batch_bytes > out.capacity()) {
      // Room for the rest at the bytes an element so far, plus a tenth: growing by
      // doubling would hold up to twice the text while copying it (docs/scale.md).
      out.reserve(out.size() + batch_bytes + (n - batch_end) * per_element * 11 / 10 + 8);
      advise_huge_pages(out);
    }
    for (const auto& piece : pieces) out += piece;
    per_chunk = std::clamp<std::size_t>(kBytesPerPiece / per_element, 1, kMaxElementsPerChunk);
    batch = batch_end;
  }
  out += "  ]";
}

// A member's value as dump(2) writes it one level down: continuation lines indented by
// two more spaces. JSON strings hold no raw newline, so every newline is a line break.
void append_indented(std::string& out, const Json& value) {
  const std::string text = value.dump(2);
  for (const char c : text) {
    out += c;
    if (c == '\n') out += "  ";
  }
}

// The text's size guessed from up to 64 elements spread over `items`: reserving the
// whole text once spares copying the arrays written so far into a bigger buffer.
template <class T>
std::size_t estimated_bytes(const std::vector<T>& items) {
  if (items.empty()) return 0;
  const std::size_t step = std::max<std::size_t>(1, items.size() / 64);
  std::size_t bytes = 0, sampled = 0;
  std::string piece;
  for (std::size_t i = 0; i < items.size(); i += step, ++sampled) {
    piece.clear();
    append_element(piece, items[i]);
    bytes += piece.size() + 2;
  }
  return bytes / sampled * items.size();
}

}  // namespace

std::string summary_json_text(const Summary& summary) {
  const Json head = summary_json_head(summary);
  std::string out = "{\n";
  const std::size_t arrays = estimated_bytes(summary.rated) + estimated_bytes(summary.verdicts) +
                             estimated_bytes(summary.fleet) + estimated_bytes(summary.results);
  out.reserve((arrays + 16 * summary.journal_lines.size() + 64 * summary.nodes.size()) * 11 / 10 + 4096);
  advise_huge_pages(out);
  bool first = true;
  for (const auto& [name, value] : head.items()) {
    out += first ? "  " : ",\n  ";
    first = false;
    out += Json(name).dump();
    out += ": ";
    if (name == "rated") {
      append_array(out, summary.rated);
    } else if (name == "verdicts") {
      append_array(out, summary.verdicts);
    } else if (name == "fleet") {
      append_array(out, summary.fleet);
    } else if (name == "results") {
      append_array(out, summary.results);
    } else if (name == "journal_lines") {
      out += value.dump();  // one line: a number per result would be 90,000 lines at scale
    } else {
      append_indented(out, value);
    }
  }
  out += "\n}\n";
  return out;
}

}  // namespace assay
