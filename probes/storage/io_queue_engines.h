#pragma once
// The two engines behind make_io_queue() (io_queue.h), each in its own file.

#include <memory>

#include "core/expected.h"
#include "probes/storage/io_queue.h"

namespace assay {

/// An io_uring queue of `depth`; an environment Error saying which call failed and why
/// (io_uring_queue_init: Operation not permitted) when the kernel refuses, or when
/// assay was built without liburing.
Expected<std::unique_ptr<IoQueue>> make_uring_io_queue(int depth);

/// `depth` threads, each doing one pread/pwrite at a time.
Expected<std::unique_ptr<IoQueue>> make_thread_io_queue(int depth);

}  // namespace assay
