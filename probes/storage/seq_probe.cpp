#include "probes/storage/seq_probe.h"

#include <algorithm>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/units.h"
#include "probes/storage/block_stamp.h"
#include "probes/storage/page_cache.h"
#include "probes/storage/seq_transfer.h"
#include "probes/storage/storage_area.h"
#include "probes/storage/storage_fleet.h"
#include "probes/storage/storage_params.h"

namespace assay {
namespace {

constexpr std::string_view probe_name = "storage.seq";
constexpr std::int64_t mib = std::int64_t{1} << 20;
constexpr std::int64_t gib = std::int64_t{1} << 30;
using Clock = std::chrono::steady_clock;

struct SeqSettings {
  std::string path;
  std::int64_t size_bytes = 0;
  std::int64_t block_bytes = 0;
  int files = 1;
  int threads = 1;
  int depth = 4;
  double stonewall_seconds = 300;
  int repetitions = 3;
  std::string direct, engine;

  std::int64_t file_bytes() const { return size_bytes / files / block_bytes * block_bytes; }
  std::int64_t planned_bytes() const { return file_bytes() * files; }
};

Expected<SeqSettings> read_settings(const ParamList& params) {
  SeqSettings s;
  s.path = param_text(params, "path");
  s.size_bytes = param_int(params, "size");
  s.block_bytes = param_int(params, "block");
  s.threads = static_cast<int>(param_int(params, "threads"));
  s.files = static_cast<int>(param_int(params, "files"));
  if (s.files == 0) s.files = s.threads;
  s.depth = static_cast<int>(param_int(params, "depth"));
  s.stonewall_seconds = param_real(params, "seconds");
  s.repetitions = static_cast<int>(param_int(params, "repetitions"));
  s.direct = param_text(params, "direct");
  s.engine = param_text(params, "engine");
  if (auto ok = check_multiple_of("block", s.block_bytes, stamp_unit_bytes, "the 4 KiB unit assay stamps and checks");
      !ok) {
    return ok.error();
  }
  if (s.files < s.threads) {
    return bad_input(fmt::format("{}: files={} is fewer than threads={}; every thread needs a file of its own",
                                 probe_name, s.files, s.threads));
  }
  if (s.file_bytes() < s.block_bytes) {
    return bad_input(fmt::format("{}: size={} B over files={} leaves less than one block={} B per file", probe_name,
                                 s.size_bytes, s.files, s.block_bytes));
  }
  return s;
}

// What the file system under `dir` demands of O_DIRECT, checked against block and size.
Expected<StorageIoPlan> plan_io(const SeqSettings& s, const std::string& dir) {
  auto io = plan_storage_io(dir, s.path, s.direct);
  if (!io) return io.error();
  if (io->direct) {
    const std::string why = fmt::format("the alignment O_DIRECT needs on path={} ({})", s.path, io->mode_note);
    if (auto ok = check_multiple_of("block", s.block_bytes, io->alignment_bytes, why); !ok) return ok.error();
    if (auto ok = check_multiple_of("size", s.size_bytes, io->alignment_bytes, why); !ok) return ok.error();
  }
  return io;
}

// One phase of one repetition on this node: threads over their share of the files.
struct NodePhase {
  std::int64_t bytes = 0;
  double seconds = 0;
  bool stonewalled = false;
  bool interrupted = false;
  std::string error;
  std::string engine_note;
};

NodePhase run_node_phase(std::vector<SeqFile>& files, const SeqSettings& s, SeqPhase phase,
                         const StampPattern& pattern) {
  const auto start = Clock::now();
  phase.stonewall = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s.stonewall_seconds));
  std::vector<SeqThreadOutcome> outcomes(static_cast<std::size_t>(s.threads));
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < s.threads; ++t) {
      const auto begin = static_cast<std::size_t>(t) * files.size() / static_cast<std::size_t>(s.threads);
      const auto end = static_cast<std::size_t>(t + 1) * files.size() / static_cast<std::size_t>(s.threads);
      threads.emplace_back([&, t, begin, end] {
        outcomes[static_cast<std::size_t>(t)] =
            run_seq_thread(std::span<SeqFile>(files).subspan(begin, end - begin), phase, pattern);
      });
    }
  }
  NodePhase node;
  auto last = start;
  for (const SeqThreadOutcome& o : outcomes) {
    node.bytes += o.bytes;
    last = std::max(last, o.end);
    node.stonewalled = node.stonewalled || o.stonewalled;
    node.interrupted = node.interrupted || o.interrupted;
    if (node.error.empty()) node.error = o.error;
    if (node.engine_note.empty()) node.engine_note = o.engine_note;
  }
  node.seconds = std::chrono::duration<double>(last - start).count();
  return node;
}

class StorageSeqProbe final : public Probe {
 public:
  std::string_view name() const override { return probe_name; }

  std::string_view description() const override {
    return "sequential write then read-back of large blocks (fio rw=write/read, bs=1M style), O_DIRECT where "
           "possible, every block read back checked; IO500-style stonewall and aggregate across nodes";
  }

  std::vector<ParamSpec> params() const override {
    return {
        storage_path_param(),
        storage_size_param(gib, "bytes this node writes and then reads back, spread evenly over its files (each "
                                "file a whole number of blocks)"),
        storage_block_param(mib, "bytes per write and read request; a multiple of 4 KiB"),
        storage_files_param(0, "files on this node, shared out among the threads (at least one per thread); 0: one "
                               "per thread",
                            0),
        storage_threads_param(1),
        storage_depth_param(4, "requests in flight per thread (as fio's iodepth); reading, the checking of one "
                               "block overlaps the transfer of the next"),
        storage_seconds_param(300.0, "stonewall of each phase: a node stops issuing I/O this long after the "
                                     "phase started, even if its files are not done (IO500 uses 300 s)"),
        {"repetitions", ParamKind::integer, std::int64_t{3},
         "write-then-read cycles, each with fresh data; each gives one sample, the value is their median", 1.0,
         1000.0},
        storage_direct_param(),
        storage_engine_param(),
    };
  }

  std::vector<MetricSpec> metrics() const override {
    return {
        {"storage.seq.write", Unit::byte_per_s, Better::higher,
         "sequential write bandwidth of this node, fsync inside the clock"},
        {"storage.seq.read", Unit::byte_per_s, Better::higher,
         "sequential read bandwidth of this node, every block checked"},
        {"storage.seq.write_aggregate", Unit::byte_per_s, Better::higher,
         "all nodes writing at once: their bytes over the longest node's time (reported by the first node)"},
        {"storage.seq.read_aggregate", Unit::byte_per_s, Better::higher,
         "all nodes reading at once: their bytes over the longest node's time (reported by the first node)"},
    };
  }

  Availability availability() const override { return {}; }
  bool uses_peers() const override { return true; }

  Expected<void> check_params(const ParamList& params) const override {
    auto s = read_settings(params);
    if (!s) return s.error();
    auto area = StorageArea::create(s->path, "check", "params", s->size_bytes);
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
    const SeqSettings& s = *settings;
    auto area = StorageArea::create(s.path, probe_name, context.node, s.planned_bytes());
    if (!area) return error_result(std::move(result), area.error().message);
    auto io = plan_io(s, area->dir());
    if (!io) return error_result(std::move(result), io.error().message);

    std::vector<SeqFile> files;
    for (int i = 0; i < s.files; ++i) {
      files.push_back({area->file(fmt::format("seq-{}.dat", i)), static_cast<std::uint32_t>(i), s.file_bytes(), 0});
    }
    // Waiting for the other nodes: up to a stonewall plus the time to flush and drain.
    StorageFleet fleet(context, std::chrono::seconds(static_cast<long>(2 * s.stonewall_seconds) + 600));
    SeqPhase phase;
    phase.direct = io->direct;
    phase.block_bytes = s.block_bytes;
    phase.alignment_bytes = io->alignment_bytes;
    phase.depth = s.depth;
    phase.engine = s.engine;
    phase.cancel = context.cancel;

    std::vector<double> write_rates, read_rates, write_totals, read_totals;
    double checked_bytes = 0, worst_resident = 0;
    bool stonewalled = false, preallocated = true;
    std::string engine_note;
    for (int rep = 0; rep < s.repetitions; ++rep) {
      const StampPattern pattern(new_run_nonce());
      // Untimed, as fio lays out its files before its clock starts.
      for (SeqFile& f : files) {
        std::string error;
        preallocated = preallocate_seq_file(f, error) && preallocated;
        if (!error.empty()) return error_result(std::move(result), fmt::format("{}: {}", probe_name, error));
        f.written_bytes = 0;
      }
      for (const bool write : {true, false}) {
        const std::string_view phase_name = write ? "write" : "read";
        if (!write && !io->direct) {
          for (const SeqFile& f : files) {
            auto resident = drop_cached_pages(f.path);
            if (!resident) return error_result(std::move(result), resident.error().message);
            worst_resident = std::max(worst_resident, *resident);
          }
        }
        context.report(fmt::format("{} {}/{}", phase_name, rep + 1, s.repetitions));
        if (auto started = fleet.start_phase(phase_name); !started) {
          return error_result(std::move(result), started.error().message);
        }
        phase.write = write;
        const NodePhase node = run_node_phase(files, s, phase, pattern);
        auto totals = fleet.end_phase(probe_name, context.node,
                                      fmt::format("{} phase of repetition {}", phase_name, rep + 1),
                                      {{static_cast<double>(node.bytes), node.seconds}, node.error, node.interrupted});
        if (!totals) {
          if (!node.error.empty()) result.validation = {true, false, node.error};
          return error_result(std::move(result), totals.error().message);
        }
        stonewalled = stonewalled || node.stonewalled;
        if (engine_note.empty()) engine_note = node.engine_note;
        (write ? write_rates : read_rates).push_back(static_cast<double>(node.bytes) / node.seconds);
        (write ? write_totals : read_totals).push_back(totals->rate());
        if (!write) checked_bytes += static_cast<double>(node.bytes);
      }
    }

    result.metrics.push_back(make_metric("storage.seq.write", Unit::byte_per_s, Better::higher, write_rates,
                                         ValueRule::median, {}, "bytes written and fsynced / phase time"));
    result.metrics.push_back(make_metric("storage.seq.read", Unit::byte_per_s, Better::higher, read_rates,
                                         ValueRule::median, {}, "bytes read back and checked / phase time"));
    const std::string stonewall_note = fmt::format("stonewall {} s per phase", s.stonewall_seconds);
    if (fleet.reports_aggregate()) {
      result.metrics.push_back(
          aggregate_metric("storage.seq.write", Unit::byte_per_s, write_totals, fleet.nodes(), stonewall_note));
      result.metrics.push_back(
          aggregate_metric("storage.seq.read", Unit::byte_per_s, read_totals, fleet.nodes(), stonewall_note));
    }
    result.validation = {true, true,
                         fmt::format("every block read back ({} in {} repetitions) was compared with what was written: "
                                     "each 4 KiB unit's stamp (run, file, offset) and payload",
                                     format_quantity(checked_bytes, Unit::byte), s.repetitions)};
    result.notes.push_back(fmt::format("path {} (files in {})", s.path, area->dir()));
    result.notes.push_back(fmt::format("I/O: {}; engine {}", io->mode_note, engine_note));
    result.notes.push_back(fmt::format("{} file(s) of {} each, {} thread(s), block {}, {} in flight per thread; "
                                       "{}",
                                       s.files, format_quantity(static_cast<double>(s.file_bytes()), Unit::byte),
                                       s.threads, format_quantity(static_cast<double>(s.block_bytes), Unit::byte),
                                       s.depth,
                                       preallocated ? "files created and preallocated (fallocate) before each write "
                                                      "clock starts, as fio does"
                                                    : "the file system has no fallocate: the writes extend the files"));
    if (!io->direct) {
      result.notes.push_back(fmt::format("page cache after dropping it before each read phase: at most {:.1f}% of a "
                                         "file still cached{}",
                                         100 * worst_resident,
                                         worst_resident > 0.01 ? " (the read figure is partly the cache's)" : ""));
    }
    if (stonewalled) {
      result.notes.push_back(fmt::format("the stonewall of {} s ended a phase before all {} were moved; the figures "
                                         "are over what was moved in that time",
                                         s.stonewall_seconds,
                                         format_quantity(static_cast<double>(s.planned_bytes()), Unit::byte)));
    }
    if (fleet.together()) {
      result.notes.push_back(fmt::format("{} nodes ran each phase at the same time against their own directories "
                                         "under path",
                                         fleet.nodes()));
    }
    if (auto removed = area->remove(); !removed) result.notes.push_back(removed.error().message);
    return result;
  }
};

}  // namespace

std::unique_ptr<Probe> make_storage_seq_probe() { return std::make_unique<StorageSeqProbe>(); }

}  // namespace assay
