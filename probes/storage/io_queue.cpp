#include "probes/storage/io_queue.h"

#include <fmt/format.h>

#include "probes/storage/io_queue_engines.h"

namespace assay {

std::string_view io_engine_name(IoEngine engine) {
  switch (engine) {
    case IoEngine::io_uring:
      return "io_uring";
    case IoEngine::threads:
      return "threads";
  }
  return "unknown";
}

Expected<IoQueueChoice> make_io_queue(std::string_view engine, int depth) {
  if (depth < 1) return internal_error(fmt::format("make_io_queue: depth {} (at least 1 expected)", depth));
  if (engine != "auto" && engine != "io_uring" && engine != "threads") {
    return bad_input(fmt::format("engine={}: expected auto, io_uring or threads", engine));
  }
  if (engine == "threads") {
    auto queue = make_thread_io_queue(depth);
    if (!queue) return queue.error();
    return IoQueueChoice{std::move(*queue), "threads (asked for)"};
  }
  auto uring = make_uring_io_queue(depth);
  if (uring) return IoQueueChoice{std::move(*uring), "io_uring"};
  if (engine == "io_uring") {
    return environment_error(fmt::format("engine=io_uring, but io_uring cannot be used here: {} (use engine=auto "
                                         "or threads)",
                                         uring.error().message));
  }
  auto queue = make_thread_io_queue(depth);
  if (!queue) return queue.error();
  return IoQueueChoice{std::move(*queue), fmt::format("threads (io_uring unavailable: {})", uring.error().message)};
}

}  // namespace assay
