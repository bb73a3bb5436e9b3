#pragma once
// Work over [0, n) split into contiguous chunks, one thread each: the big arrays of
// summary.json are read and written element by element, independently, on every core.

#include <cstddef>
#include <functional>

namespace assay {

/// How many chunks run_in_chunks uses for `n` items: one per hardware thread, but one
/// alone when there is too little work to pay for starting threads.
std::size_t chunk_count(std::size_t n);

/// Calls `work(chunk, begin, end)` for each of `chunks` contiguous ranges covering
/// [0, n) in order, each on its own thread (the first on the caller's), and returns when
/// all are done. `work` must not throw.
void run_in_chunks(std::size_t n, std::size_t chunks,
                   const std::function<void(std::size_t chunk, std::size_t begin, std::size_t end)>& work);

}  // namespace assay
