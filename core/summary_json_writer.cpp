#include <vector>

#include "core/parallel_chunks.h"
#include "core/summary_file.h"
#include "core/summary_json_parts.h"

namespace assay {
namespace {

// Elements serialised per thread before they are appended, in order, to the text: few
// enough that the pieces stay small beside the text, many enough to keep cores busy.
constexpr std::size_t kElementsPerBatch = 4096;

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
  for (std::size_t batch = 0; batch < n; batch += kElementsPerBatch * chunks) {
    const std::size_t batch_end = std::min(n, batch + kElementsPerBatch * chunks);
    run_in_chunks(batch_end - batch, chunks, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
      std::string& piece = pieces[chunk];
      piece.clear();
      for (std::size_t i = batch + begin; i < batch + end; ++i) {
        piece += to_json(items[i]).dump();
        piece += i + 1 < n ? ",\n" : "\n";
      }
    });
    const std::size_t before = out.size();
    for (const auto& piece : pieces) out += piece;
    if (batch == 0 && batch_end < n) {
      // Room for the rest at the first batch's bytes an element, plus a tenth: growing
      // by doubling would hold up to twice the text while copying it (docs/scale.md).
      const std::size_t per_element = (out.size() - before) / batch_end + 1;
      out.reserve(out.size() + (n - batch_end) * per_element * 11 / 10);
    }
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

}  // namespace

std::string summary_json_text(const Summary& summary) {
  const Json head = summary_json_head(summary);
  std::string out = "{\n";
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
