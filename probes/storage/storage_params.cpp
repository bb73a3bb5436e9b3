#include "probes/storage/storage_params.h"

#include <algorithm>

#include <fmt/format.h>

#include "probes/storage/direct_io.h"

namespace assay {
namespace {

constexpr double pib = 1125899906842624.0;

}  // namespace

ParamSpec storage_path_param() {
  return {"path", ParamKind::text, std::string("."),
          "directory to test in (a local disk's mount or the parallel file system's); assay writes only "
          "inside a directory of its own there and removes it afterwards",
          std::nullopt, std::nullopt};
}

ParamSpec storage_size_param(std::int64_t default_bytes, std::string help) {
  return {"size", ParamKind::size_bytes, default_bytes, std::move(help), 4096.0, pib};
}

ParamSpec storage_block_param(std::int64_t default_bytes, std::string help) {
  return {"block", ParamKind::size_bytes, default_bytes, std::move(help), 4096.0, 1024.0 * 1024 * 1024};
}

ParamSpec storage_depth_param(std::int64_t default_depth, std::string help) {
  return {"depth", ParamKind::integer, default_depth, std::move(help), 1.0, 4096.0};
}

ParamSpec storage_seconds_param(double default_seconds, std::string help) {
  return {"seconds", ParamKind::seconds, default_seconds, std::move(help), 0.001, 86400.0};
}

ParamSpec storage_threads_param(std::int64_t default_threads) {
  return {"threads", ParamKind::integer, default_threads,
          "threads doing I/O at once on this node (fio's numjobs), each with its own files", 1.0, 1024.0};
}

ParamSpec storage_files_param(std::int64_t default_files, std::string help, double min_files) {
  return {"files", ParamKind::integer, default_files, std::move(help), min_files, 1e9};
}

ParamSpec storage_direct_param() {
  return {"direct",
          ParamKind::text,
          std::string("auto"),
          "O_DIRECT: on (refuse a file system without it), off (buffered, fsync before the write clock stops, "
          "page cache dropped before reading), auto (on where the file system allows it)",
          std::nullopt,
          std::nullopt,
          {"auto", "on", "off"}};
}

ParamSpec storage_engine_param() {
  return {"engine",
          ParamKind::text,
          std::string("auto"),
          "how requests are kept in flight: io_uring, threads (one pread/pwrite per thread), auto (io_uring "
          "where the kernel allows it)",
          std::nullopt,
          std::nullopt,
          {"auto", "io_uring", "threads"}};
}

Expected<StorageIoPlan> plan_storage_io(const std::string& dir, const std::string& path_param,
                                        const std::string& direct_param) {
  StorageIoPlan plan;
  if (direct_param == "off") {
    plan.mode_note = "buffered (direct=off): writes made durable inside the clock, page cache of the files "
                     "dropped (posix_fadvise DONTNEED) before reading";
    return plan;
  }
  const DirectIoSupport support = probe_direct_io(dir);
  if (!support.supported) {
    if (direct_param == "on") {
      return bad_input(fmt::format("direct=on, but the file system of path={} does not take O_DIRECT: {} "
                                   "(use direct=auto or off)",
                                   path_param, support.detail));
    }
    plan.mode_note = fmt::format(
        "buffered: O_DIRECT not available here ({}); writes made durable inside the clock, page cache of "
        "the files dropped (posix_fadvise DONTNEED) before reading",
        support.detail);
    return plan;
  }
  plan.direct = true;
  plan.alignment_bytes = std::max(support.memory_alignment_bytes, support.offset_alignment_bytes);
  plan.mode_note = fmt::format("O_DIRECT (alignment {} B: {})", plan.alignment_bytes, support.detail);
  return plan;
}

Expected<void> check_multiple_of(std::string_view name, std::int64_t bytes, std::int64_t unit_bytes,
                                 std::string_view why) {
  if (unit_bytes <= 0) return internal_error(fmt::format("check_multiple_of({}): unit of {} bytes", name, unit_bytes));
  if (bytes <= 0 || bytes % unit_bytes != 0) {
    return bad_input(fmt::format("{}={} B is not a positive multiple of {} B, {}", name, bytes, unit_bytes, why));
  }
  return {};
}

}  // namespace assay
