#include "core/parallel_chunks.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace assay {

std::size_t chunk_count(std::size_t n) {
  constexpr std::size_t kItemsWorthAThread = 512;
  const std::size_t cores = std::max(1U, std::thread::hardware_concurrency());
  return std::clamp<std::size_t>(n / kItemsWorthAThread, 1, cores);
}

void run_in_chunks(std::size_t n, std::size_t chunks,
                   const std::function<void(std::size_t chunk, std::size_t begin, std::size_t end)>& work) {
  chunks = std::max<std::size_t>(chunks, 1);
  const std::size_t size = (n + chunks - 1) / chunks;
  const auto range = [&](std::size_t c) {
    const std::size_t begin = std::min(n, c * size);
    return std::pair(begin, std::min(n, begin + size));
  };
  std::vector<std::jthread> threads;
  threads.reserve(chunks - 1);
  for (std::size_t c = 1; c < chunks; ++c) {
    threads.emplace_back([&work, c, r = range(c)] { work(c, r.first, r.second); });
  }
  const auto first = range(0);
  work(0, first.first, first.second);
}  // the jthreads join here

}  // namespace assay
