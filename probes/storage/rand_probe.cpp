#include "probes/storage/rand_probe.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/units.h"
#include "probes/storage/block_stamp.h"
#include "probes/storage/page_cache.h"
#include "probes/storage/rand_worker.h"
#include "probes/storage/storage_area.h"
#include "probes/storage/storage_fleet.h"
#include "probes/storage/storage_params.h"

namespace assay {
namespace {

constexpr std::string_view probe_name = "storage.rand";
constexpr std::int64_t kib = 1024;
constexpr std::int64_t gib = std::int64_t{1} << 30;
using Clock = std::chrono::steady_clock;

struct RandSettings {
  std::string path;
  std::int64_t size_bytes = 0;
  std::int64_t block_bytes = 0;
  int depth = 32;
  double seconds = 10;
  double ramp_seconds = 2;
  int threads = 1;
  std::string direct, engine;

  std::int64_t planned_bytes() const { return size_bytes * threads; }
  /// The timed window in parts of about a second, one IOPS sample each.
  int intervals() const { return std::max(1, static_cast<int>(std::lround(seconds))); }
  double interval_seconds() const { return seconds / intervals(); }
};

Expected<RandSettings> read_settings(const ParamList& params) {
  RandSettings s;
  s.path = param_text(params, "path");
  s.size_bytes = param_int(params, "size");
  s.block_bytes = param_int(params, "block");
  s.depth = static_cast<int>(param_int(params, "depth"));
  s.seconds = param_real(params, "seconds");
  s.ramp_seconds = param_real(params, "ramp");
  s.threads = static_cast<int>(param_int(params, "threads"));
  s.direct = param_text(params, "direct");
  s.engine = param_text(params, "engine");
  if (auto ok = check_multiple_of("block", s.block_bytes, stamp_unit_bytes, "the 4 KiB unit assay stamps and checks");
      !ok) {
    return ok.error();
  }
  if (s.size_bytes < s.block_bytes) {
    return bad_input(fmt::format("{}: size={} B is smaller than block={} B; the file must hold at least one block",
                                 probe_name, s.size_bytes, s.block_bytes));
  }
  if (auto ok = check_multiple_of("size", s.size_bytes, s.block_bytes,
                                  fmt::format("a whole number of blocks (block={} B), so that every random "
                                              "offset is a whole block of the file",
                                              s.block_bytes));
      !ok) {
    return ok.error();
  }
  return s;
}

// What the file system under `dir` demands of O_DIRECT, checked against block (size
// is a multiple of block).
Expected<StorageIoPlan> plan_io(const RandSettings& s, const std::string& dir) {
  auto io = plan_storage_io(dir, s.path, s.direct);
  if (!io) return io.error();
  if (io->direct) {
    const std::string why = fmt::format("the alignment O_DIRECT needs on path={} ({})", s.path, io->mode_note);
    if (auto ok = check_multiple_of("block", s.block_bytes, io->alignment_bytes, why); !ok) return ok.error();
  }
  return io;
}

// Runs `stage` on every worker at once, one thread each; the first failure, or an
// interruption, is what the node reports.
template <class Stage>
RandStageEnd on_every_worker(std::vector<RandWorker>& workers, Stage stage) {
  std::vector<RandStageEnd> ends(workers.size());
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < workers.size(); ++i) {
      threads.emplace_back([&, i] { ends[i] = stage(workers[i], i); });
    }
  }
  RandStageEnd node;
  for (const RandStageEnd& e : ends) {
    node.interrupted = node.interrupted || e.interrupted;
    if (node.error.empty()) node.error = e.error;
  }
  return node;
}

// One phase on this node: every thread's figures added up.
struct NodePhase {
  RandStageEnd end;
  std::int64_t ops = 0;
  std::vector<double> interval_rates;  ///< op/s of each interval of the window
  LatencyHistogram latency;
  std::int64_t checked_reads = 0;
  std::vector<std::vector<std::uint64_t>> written_offsets;  ///< per worker
};

NodePhase run_node_phase(std::vector<RandWorker>& workers, const RandSettings& s, bool write,
                         const StampPattern& pattern, const std::atomic<bool>* cancel) {
  const auto start = Clock::now();
  const auto ramp = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s.ramp_seconds));
  const auto window_length = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s.seconds));
  const RandWindow window{start + ramp, start + ramp + window_length, s.intervals()};
  const std::uint64_t seed = new_run_nonce();
  std::vector<RandPhaseOutcome> outcomes(workers.size());
  NodePhase node;
  node.end = on_every_worker(workers, [&](RandWorker& w, std::size_t i) {
    outcomes[i] = w.run_phase(write, window, pattern, seed + i, cancel);
    return outcomes[i].end;
  });
  std::vector<std::int64_t> interval_ops(static_cast<std::size_t>(s.intervals()), 0);
  for (RandPhaseOutcome& o : outcomes) {
    node.ops += o.counted_ops;
    for (std::size_t k = 0; k < interval_ops.size(); ++k) interval_ops[k] += o.interval_ops[k];
    node.latency.merge(o.latency);
    node.checked_reads += o.checked_reads;
    node.written_offsets.push_back(std::move(o.written_offsets));
  }
  for (const std::int64_t ops : interval_ops) {
    node.interval_rates.push_back(static_cast<double>(ops) / s.interval_seconds());
  }
  return node;
}

std::vector<Metric> latency_metrics(std::string_view kind, const LatencyHistogram& latency) {
  const std::string note = fmt::format("of the {} {}s completed in the timed window, submission to completion as the "
                                       "process saw it; mean {}, max {}",
                                       latency.count(), kind, format_quantity(latency.mean_seconds(), Unit::second),
                                       format_quantity(latency.max_seconds(), Unit::second));
  std::vector<Metric> metrics;
  for (const auto& [suffix, fraction] : {std::pair{"p50", 0.5}, std::pair{"p99", 0.99}, std::pair{"p999", 0.999}}) {
    metrics.push_back(make_metric(fmt::format("storage.rand.{}_{}", kind, suffix), Unit::second, Better::lower,
                                  {latency.percentile_seconds(fraction)}, ValueRule::median, {}, note));
  }
  return metrics;
}

double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0;
}

class StorageRandProbe final : public Probe {
 public:
  std::string_view name() const override { return probe_name; }

  std::string_view description() const override {
    return "4 KiB random reads then writes with a queue of requests in flight (fio randread/randwrite, "
           "ioengine=io_uring, direct=1, iodepth=32, time_based, ramp_time): IOPS and latency percentiles, every "
           "read checked";
  }

  std::vector<ParamSpec> params() const override {
    return {
        storage_path_param(),
        storage_size_param(gib, "bytes of the file the random offsets span (fio's size), one file per thread; a "
                                "whole number of blocks"),
        storage_block_param(4 * kib, "bytes per request (fio's bs); a multiple of 4 KiB"),
        storage_depth_param(32, "requests in flight per thread (fio's iodepth)"),
        storage_seconds_param(10.0, "the timed window of each phase (fio's runtime with time_based); one IOPS "
                                    "sample per second of it"),
        {"ramp", ParamKind::seconds, 2.0,
         "seconds of I/O before the timed window of each phase, issued but not counted (fio's ramp_time)", 0.0,
         3600.0},
        storage_threads_param(1),
        storage_direct_param(),
        storage_engine_param(),
    };
  }

  std::vector<MetricSpec> metrics() const override {
    return {
        {"storage.rand.read_iops", Unit::op_per_s, Better::higher,
         "random block reads per second of this node (median of the seconds of the timed window)"},
        {"storage.rand.write_iops", Unit::op_per_s, Better::higher,
         "random block writes per second of this node (median of the seconds of the timed window)"},
        {"storage.rand.read_p50", Unit::second, Better::lower, "median latency of a random read"},
        {"storage.rand.read_p99", Unit::second, Better::lower, "99th percentile latency of a random read"},
        {"storage.rand.read_p999", Unit::second, Better::lower, "99.9th percentile latency of a random read"},
        {"storage.rand.write_p50", Unit::second, Better::lower, "median latency of a random write"},
        {"storage.rand.write_p99", Unit::second, Better::lower, "99th percentile latency of a random write"},
        {"storage.rand.write_p999", Unit::second, Better::lower, "99.9th percentile latency of a random write"},
        {"storage.rand.read_iops_aggregate", Unit::op_per_s, Better::higher,
         "all nodes reading at once: their reads over the timed window (reported by the first node)"},
        {"storage.rand.write_iops_aggregate", Unit::op_per_s, Better::higher,
         "all nodes writing at once: their writes over the timed window (reported by the first node)"},
    };
  }

  // The thread engine works everywhere; io_uring is used where the kernel allows it.
  Availability availability() const override { return {}; }
  bool uses_peers() const override { return true; }

  Expected<void> check_params(const ParamList& params) const override {
    auto s = read_settings(params);
    if (!s) return s.error();
    auto area = StorageArea::create(s->path, "check", "params", s->planned_bytes());
    if (!area) return area.error();
    auto io = plan_io(*s, area->dir());
    if (!io) return io.error();
    return {};
  }

  ProbeResult run(const ParamList& params, const ProbeContext& context) const override {
    ProbeResult result;
    result.subject = "storage";
    auto settings = read_settings(params);
    if (!settings) return error_result(std::move(result), settings.error().message);
    const RandSettings& s = *settings;
    // Waiting for the other nodes: a slow layout (10 MB/s), both phases twice over,
    // and time to drain.
    const auto timeout = std::chrono::seconds(
        600 + static_cast<long>(2 * (s.ramp_seconds + s.seconds)) + static_cast<long>(s.planned_bytes() / 10000000));
    StorageFleet fleet(context, timeout);

    // Setting up: the area, the I/O mode, each thread's engine and buffers, and the
    // files laid out.
    // Every node says whether this worked before any phase starts.
    std::optional<StorageArea> area;
    StorageIoPlan io;
    std::vector<RandWorker> workers;
    const StampPattern laid_out(new_run_nonce());
    double worst_resident = 0;
    bool interrupted = false;
    const std::string setup_error = [&]() -> std::string {
      auto created = StorageArea::create(s.path, probe_name, context.node, s.planned_bytes());
      if (!created) return created.error().message;
      area.emplace(std::move(*created));
      auto planned = plan_io(s, area->dir());
      if (!planned) return planned.error().message;
      io = *planned;
      const RandIo rand_io{io.direct, io.alignment_bytes, s.block_bytes, s.depth, s.engine};
      for (int t = 0; t < s.threads; ++t) {
        auto worker = RandWorker::create(
            {area->file(fmt::format("rand-{}.dat", t)), static_cast<std::uint32_t>(t), s.size_bytes}, rand_io);
        if (!worker) return fmt::format("{}: starting I/O thread {}: {}", probe_name, t, worker.error().message);
        workers.push_back(std::move(*worker));
      }
      context.report("laying out");
      const RandStageEnd end = on_every_worker(
          workers, [&](RandWorker& w, std::size_t) { return w.lay_out(laid_out, context.cancel); });
      interrupted = end.interrupted;
      if (!end.error.empty()) return fmt::format("{}: laying out the files: {}", probe_name, end.error);
      if (!io.direct && !interrupted) {
        for (const RandWorker& w : workers) {
          auto resident = drop_cached_pages(w.file().path);
          if (!resident) return resident.error().message;
          worst_resident = std::max(worst_resident, *resident);
        }
      }
      return {};
    }();
    auto any_setup = fleet.any_failed(!setup_error.empty() || interrupted);
    if (!setup_error.empty()) return error_result(std::move(result), setup_error);
    if (interrupted) {
      return error_result(std::move(result), fmt::format("{}: interrupted while laying out the files", probe_name));
    }
    if (!any_setup) return error_result(std::move(result), any_setup.error().message);
    if (*any_setup) {
      return error_result(std::move(result), fmt::format("{}: another node failed to set up (see its result); this node "
                                                   "stopped with it",
                                                   probe_name));
    }

    const StampPattern written(new_run_nonce());
    std::optional<NodePhase> reads, writes;
    std::vector<Metric> aggregates;
    for (const bool write : {false, true}) {
      const std::string_view phase = write ? "randwrite" : "randread";
      context.report(fmt::format("{}: ramp {} s, then {} s timed", phase, s.ramp_seconds, s.seconds));
      if (auto started = fleet.start_phase(phase); !started) return error_result(std::move(result), started.error().message);
      NodePhase node = run_node_phase(workers, s, write, write ? written : laid_out, context.cancel);
      auto totals = fleet.finish_phase(phase, {static_cast<double>(node.ops), s.seconds});
      if (!totals) return error_result(std::move(result), totals.error().message);
      auto any = fleet.any_failed(!node.end.error.empty() || node.end.interrupted);
      if (!any) return error_result(std::move(result), any.error().message);
      if (!node.end.error.empty()) {
        result.validation = {true, false, node.end.error};
        return error_result(std::move(result),
                      fmt::format("{} on {}: {} phase: {}", probe_name, context.node, phase, node.end.error));
      }
      if (node.end.interrupted) {
        return error_result(std::move(result), fmt::format("{}: interrupted during the {} phase", probe_name, phase));
      }
      if (*any) {
        return error_result(std::move(result), fmt::format("{}: another node failed in the {} phase (see its result); "
                                                     "this node stopped with it",
                                                     probe_name, phase));
      }
      if (node.ops == 0) {
        return error_result(std::move(result), fmt::format("{}: no {} completed within the timed window of {} s",
                                                     probe_name, write ? "write" : "read", s.seconds));
      }
      if (fleet.reports_aggregate()) {
        aggregates.push_back(aggregate_metric(
            write ? "storage.rand.write_iops" : "storage.rand.read_iops", Unit::op_per_s, {totals->rate()},
            fleet.nodes(),
            fmt::format("timed window of {} s after a ramp of {} s, started on all nodes together", s.seconds,
                        s.ramp_seconds)));
      }
      (write ? writes : reads).emplace(std::move(node));
    }

    // Untimed: a sample of the blocks written is read back, from the device (buffered:
    // written O_DSYNC, and their cached pages dropped first).
    context.report("read-back check");
    if (!io.direct) {
      for (const RandWorker& w : workers) {
        if (auto dropped = drop_cached_pages(w.file().path); !dropped) {
          return error_result(std::move(result), dropped.error().message);
        }
      }
    }
    std::vector<std::int64_t> read_back(workers.size(), 0);
    const RandStageEnd checked = on_every_worker(workers, [&](RandWorker& w, std::size_t i) {
      std::vector<std::uint64_t>& offsets = writes->written_offsets[i];
      std::sort(offsets.begin(), offsets.end());
      offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
      return w.check_blocks(offsets, written, context.cancel, read_back[i]);
    });
    if (!checked.error.empty()) {
      result.validation = {true, false, checked.error};
      return error_result(std::move(result), fmt::format("{} on {}: {}", probe_name, context.node, checked.error));
    }
    if (checked.interrupted) {
      return error_result(std::move(result), fmt::format("{}: interrupted during the read-back check", probe_name));
    }
    std::int64_t read_back_blocks = 0;
    for (const std::int64_t n : read_back) read_back_blocks += n;

    for (const bool write : {false, true}) {
      const NodePhase& node = write ? *writes : *reads;
      const std::string_view kind = write ? "write" : "read";
      result.metrics.push_back(make_metric(
          fmt::format("storage.rand.{}_iops", kind), Unit::op_per_s, Better::higher, node.interval_rates,
          ValueRule::median, {},
          fmt::format("median of {} intervals of {} s of the timed window; mean over the window {} ({} {}s in {} s), "
                      "after a ramp of {} s",
                      node.interval_rates.size(), s.interval_seconds(),
                      format_quantity(static_cast<double>(node.ops) / s.seconds, Unit::op_per_s), node.ops, kind,
                      s.seconds, s.ramp_seconds)));
      for (Metric& m : latency_metrics(kind, node.latency)) result.metrics.push_back(std::move(m));
    }
    for (Metric& m : aggregates) result.metrics.push_back(std::move(m));
    result.validation = {
        true, true,
        fmt::format("{} random reads each compared with what was laid out (every 4 KiB unit's stamp and payload); "
                    "{} distinct blocks written in the write phase read back afterwards and compared",
                    reads->checked_reads, read_back_blocks)};
    result.notes.push_back(fmt::format("path {} (files in {})", s.path, area->dir()));
    result.notes.push_back(fmt::format("I/O: {}; engine {}", io.mode_note, workers.front().engine_note()));
    result.notes.push_back(fmt::format("{} file(s) of {}, one per thread, laid out before the phases; block {}, {} "
                                       "in flight per thread, uniform random block offsets",
                                       s.threads, format_quantity(static_cast<double>(s.size_bytes), Unit::byte),
                                       format_quantity(static_cast<double>(s.block_bytes), Unit::byte), s.depth));
    if (!io.direct) {
      const double memory = physical_memory_bytes();
      result.notes.push_back(fmt::format(
          "buffered: writes opened O_DSYNC (each completes on stable storage, as fio's sync=dsync); page cache "
          "dropped after the layout (at most {:.1f}% of a file still cached){}",
          100 * worst_resident,
          static_cast<double>(s.planned_bytes()) < memory
              ? fmt::format("; the files ({}) are smaller than memory ({}), so reads repeated within the run may "
                            "come from the page cache",
                            format_quantity(static_cast<double>(s.planned_bytes()), Unit::byte),
                            format_quantity(memory, Unit::byte))
              : std::string()));
    }
    if (fleet.together()) {
      result.notes.push_back(fmt::format("{} nodes ran each phase at the same time against their own directories "
                                         "under path",
                                         fleet.nodes()));
    }
    workers.clear();
    if (auto removed = area->remove(); !removed) result.notes.push_back(removed.error().message);
    return result;
  }
};

}  // namespace

std::unique_ptr<Probe> make_storage_rand_probe() { return std::make_unique<StorageRandProbe>(); }

}  // namespace assay
