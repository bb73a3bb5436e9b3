#include "probes/storage/meta_probe.h"

#include <unistd.h>

#include <algorithm>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/units.h"
#include "probes/storage/meta_phases.h"
#include "probes/storage/storage_area.h"
#include "probes/storage/storage_fleet.h"
#include "probes/storage/storage_params.h"

namespace assay {
namespace {

constexpr std::string_view probe_name = "storage.meta";
// What one empty file and its share of a directory may take on a file system (an
// inode and a directory entry); only for the free-space check.
constexpr std::int64_t bytes_per_file = 4096;
using Clock = std::chrono::steady_clock;

struct MetaSettings {
  std::string path;
  std::int64_t files = 0;
  int threads = 1;
  std::int64_t files_per_dir = 1000;
  double stonewall_seconds = 60;
  int repetitions = 3;

  std::int64_t needed_bytes() const { return files * threads * bytes_per_file; }
};

MetaSettings read_settings(const ParamList& params) {
  MetaSettings s;
  s.path = param_text(params, "path");
  s.files = param_int(params, "files");
  s.threads = static_cast<int>(param_int(params, "threads"));
  s.files_per_dir = param_int(params, "files_per_dir");
  s.stonewall_seconds = param_real(params, "seconds");
  s.repetitions = static_cast<int>(param_int(params, "repetitions"));
  return s;
}

struct NodeWork {
  std::vector<MetaThreadWork> threads;
  double seconds = 0;
  std::int64_t done = 0;
  bool stonewalled = false, interrupted = false;
  std::string error;
};

NodeWork run_phase(const MetaLayout& layout, MetaPhase phase, const std::vector<std::int64_t>& counts,
                   double stonewall_seconds, const std::atomic<bool>* cancel) {
  const auto start = Clock::now();
  const auto stonewall = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(stonewall_seconds));
  NodeWork node;
  node.threads.resize(static_cast<std::size_t>(layout.threads));
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < layout.threads; ++t) {
      threads.emplace_back([&, t] {
        const auto i = static_cast<std::size_t>(t);
        node.threads[i] = run_meta_thread(layout, t, phase, counts[i], stonewall, cancel);
      });
    }
  }
  auto last = start;
  for (const MetaThreadWork& w : node.threads) {
    node.done += w.done;
    last = std::max(last, w.end);
    node.stonewalled = node.stonewalled || w.stonewalled;
    node.interrupted = node.interrupted || w.interrupted;
    if (node.error.empty()) node.error = w.error;
  }
  node.seconds = std::chrono::duration<double>(last - start).count();
  return node;
}

class StorageMetaProbe final : public Probe {
 public:
  std::string_view name() const override { return probe_name; }

  std::string_view description() const override {
    return "create, stat and delete of empty files in a directory tree (mdtest style), every phase checked; "
           "stonewall and aggregate rates across nodes";
  }

  std::vector<ParamSpec> params() const override {
    return {
        storage_path_param(),
        storage_files_param(10000, "empty files each thread creates, stats and deletes per repetition (mdtest -n)"),
        storage_threads_param(1),
        {"files_per_dir", ParamKind::integer, std::int64_t{1000},
         "at most this many files per directory of a thread's tree (mdtest's branching, flattened)", 1.0, 1e9},
        storage_seconds_param(60.0, "stonewall of each phase: a thread stops this long after the phase started"),
        {"repetitions", ParamKind::integer, std::int64_t{3},
         "create-stat-delete cycles; each gives one sample per phase, the value is their median", 1.0, 1000.0},
    };
  }

  std::vector<MetricSpec> metrics() const override {
    return {
        {"storage.meta.create", Unit::op_per_s, Better::higher, "empty files created per second on this node"},
        {"storage.meta.stat", Unit::op_per_s, Better::higher, "files stat'ed per second on this node"},
        {"storage.meta.delete", Unit::op_per_s, Better::higher, "files deleted per second on this node"},
        {"storage.meta.create_aggregate", Unit::op_per_s, Better::higher,
         "all nodes creating at once (reported by the first node)"},
        {"storage.meta.stat_aggregate", Unit::op_per_s, Better::higher,
         "all nodes stat'ing at once (reported by the first node)"},
        {"storage.meta.delete_aggregate", Unit::op_per_s, Better::higher,
         "all nodes deleting at once (reported by the first node)"},
    };
  }

  Availability availability() const override { return {}; }
  bool uses_peers() const override { return true; }

  Expected<void> check_params(const ParamList& params) const override {
    const MetaSettings s = read_settings(params);
    auto area = StorageArea::create(s.path, "check", "params", s.needed_bytes());
    if (!area) return area.error();
    return {};
  }

  ProbeResult run(const ParamList& params, const ProbeContext& context) const override {
    ProbeResult result;
    result.subject = "storage";
    const MetaSettings s = read_settings(params);
    auto area = StorageArea::create(s.path, probe_name, context.node, s.needed_bytes());
    if (!area) return error_result(std::move(result), area.error().message);
    const MetaLayout layout{area->dir(), s.threads, s.files, s.files_per_dir};
    if (auto bad = make_meta_tree(layout, context.cancel); !bad.empty()) {
      return error_result(std::move(result), bad == "interrupted"
                                           ? fmt::format("{}: interrupted while building the directory tree", probe_name)
                                           : fmt::format("{}: building the directory tree: {}", probe_name, bad));
    }
    StorageFleet fleet(context, std::chrono::seconds(static_cast<long>(2 * s.stonewall_seconds) + 600));

    std::vector<double> rates[3], totals[3];
    std::int64_t checked_listings = 0, stats_checked = 0;
    bool stonewalled = false;
    for (int rep = 0; rep < s.repetitions; ++rep) {
      std::vector<std::int64_t> counts(static_cast<std::size_t>(s.threads), s.files);
      for (const MetaPhase phase : {MetaPhase::create, MetaPhase::stat, MetaPhase::remove}) {
        const std::string_view phase_name = meta_phase_name(phase);
        context.report(fmt::format("{} {}/{}", phase_name, rep + 1, s.repetitions));
        if (auto started = fleet.start_phase(phase_name); !started) {
          return error_result(std::move(result), started.error().message);
        }
        const NodeWork node = run_phase(layout, phase, counts, s.stonewall_seconds, context.cancel);
        auto total = fleet.end_phase(probe_name, context.node,
                                     fmt::format("{} phase of repetition {}", phase_name, rep + 1),
                                     {{static_cast<double>(node.done), node.seconds}, node.error, node.interrupted});
        if (!total) {
          if (!node.error.empty()) result.validation = {true, false, node.error};
          return error_result(std::move(result), total.error().message);
        }
        stonewalled = stonewalled || node.stonewalled;
        const auto index = static_cast<std::size_t>(phase);
        rates[index].push_back(static_cast<double>(node.done) / node.seconds);
        totals[index].push_back(total->rate());

        // Untimed checks, and what the next phase covers.
        for (int t = 0; t < s.threads; ++t) {
          const auto i = static_cast<std::size_t>(t);
          const std::int64_t done = node.threads[i].done;
          std::string bad;
          if (phase == MetaPhase::create) {
            bad = check_meta_tree(layout, t, done);
            counts[i] = done;
          } else if (phase == MetaPhase::stat) {
            stats_checked += done;
          } else {
            // Files a stonewalled delete left are removed untimed, so the next
            // repetition starts from empty directories.
            for (std::int64_t f = done; f < counts[i]; ++f) (void)::unlink(layout.file_path(t, f).c_str());
            bad = check_meta_tree(layout, t, 0);
          }
          if (phase != MetaPhase::stat) checked_listings += layout.dirs_per_thread();
          if (!bad.empty()) {
            result.validation = {true, false, bad};
            return error_result(std::move(result), fmt::format("{} on {}: after the {} phase of repetition {}: {}",
                                                         probe_name, context.node, phase_name, rep + 1, bad));
          }
        }
      }
    }

    const char* notes[3] = {"files created (open O_CREAT|O_EXCL, close) / phase time",
                            "files stat'ed / phase time", "files unlinked / phase time"};
    const char* keys[3] = {"storage.meta.create", "storage.meta.stat", "storage.meta.delete"};
    for (std::size_t i = 0; i < 3; ++i) {
      result.metrics.push_back(make_metric(keys[i], Unit::op_per_s, Better::higher, rates[i], ValueRule::median, {},
                                           notes[i]));
    }
    if (fleet.reports_aggregate()) {
      const std::string stonewall_note = fmt::format("stonewall {} s per phase", s.stonewall_seconds);
      for (std::size_t i = 0; i < 3; ++i) {
        result.metrics.push_back(aggregate_metric(keys[i], Unit::op_per_s, totals[i], fleet.nodes(), stonewall_note));
      }
    }
    result.validation = {true, true,
                         fmt::format("after every create and delete phase each directory was listed and held exactly "
                                     "the files expected ({} listings); each of {} stats found an empty regular file",
                                     checked_listings, stats_checked)};
    result.notes.push_back(fmt::format("path {} (tree in {})", s.path, area->dir()));
    result.notes.push_back(fmt::format("{} thread(s), {} files each in {} directories of at most {}; {} repetitions",
                                       s.threads, s.files, layout.dirs_per_thread(), s.files_per_dir,
                                       s.repetitions));
    if (stonewalled) {
      result.notes.push_back(fmt::format("the stonewall of {} s ended a phase before all files were done; the rates "
                                         "are over what was done in that time",
                                         s.stonewall_seconds));
    }
    if (fleet.together()) {
      result.notes.push_back(fmt::format("{} nodes ran each phase at the same time, each in its own tree under path",
                                         fleet.nodes()));
    }
    if (auto removed = area->remove(); !removed) result.notes.push_back(removed.error().message);
    return result;
  }
};

}  // namespace

std::unique_ptr<Probe> make_storage_meta_probe() { return std::make_unique<StorageMetaProbe>(); }

}  // namespace assay
