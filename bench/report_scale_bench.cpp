// Reports at scale (issue 7): a generated run of 10,000 nodes x 50 metrics must render
// every format in under 10 s and 2 GB on 2 cores. Measures each phase on its own:
// generating (not part of any other figure), writing and loading summary.json, and
// render_report for every format in English and Chinese. Method and figures: docs/scale.md.
//
// ASSAY_SCALE_NODES and ASSAY_SCALE_METRICS change the size (default 10000 x 50).
// Counters: bytes (output size), peak_rss_MB (the process's peak RSS during the
// benchmark, reset before it starts) and peak_extra_MB (that peak minus the RSS at its
// start, i.e. what the phase itself needed beyond the summary already in memory).
#include <benchmark/benchmark.h>

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "core/result_json.h"
#include "core/summary_file.h"
#include "reports/report_input.h"
#include "reports/scale_bundle.h"

namespace {

using assay::Json;
using assay::ReportFormat;
using assay::Summary;

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* text = std::getenv(name);
  return text && *text ? static_cast<std::size_t>(std::strtoull(text, nullptr, 10)) : fallback;
}

std::size_t scale_nodes() { return env_size("ASSAY_SCALE_NODES", 10'000); }
std::size_t scale_metrics() { return env_size("ASSAY_SCALE_METRICS", assay::testing::scale_default_metrics); }

double megabytes(double bytes) { return bytes / (1024.0 * 1024.0); }

double current_rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  double size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE));
}

// Writing 5 to clear_refs resets the peak RSS (VmHWM, which getrusage reports) to the
// current RSS (Linux >= 4.0), so each benchmark's peak is its own.
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

double peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0;
}

// Brackets a benchmark's timed loop: resets the peak and remembers where it started.
class MemoryWatch {
 public:
  MemoryWatch() {
    // Hand memory freed by earlier benchmarks back, or it hides this one's allocations.
    malloc_trim(0);
    reset_peak_rss();
    start_ = current_rss_bytes();
  }
  void report(benchmark::State& state) const {
    const double peak = peak_rss_bytes();
    state.counters["peak_rss_MB"] = megabytes(peak);
    state.counters["peak_extra_MB"] = megabytes(peak - start_);
  }

 private:
  double start_ = 0;
};

const Summary& scale_summary() {
  static const Summary summary = assay::testing::make_scale_summary(scale_nodes(), scale_metrics(), 1);
  return summary;
}

const Json& scale_inventory() {
  static const Json inventory = assay::testing::scale_inventory(scale_summary());
  return inventory;
}

// summary.json as a run writes it (one element of the big arrays a line).
const std::string& scale_summary_text() {
  static const std::string text = assay::summary_json_text(scale_summary());
  return text;
}

void BM_Generate(benchmark::State& state) {
  MemoryWatch watch;
  std::size_t verdicts = 0;
  for (auto _ : state) {
    const Summary s = assay::testing::make_scale_summary(scale_nodes(), scale_metrics(), 1);
    verdicts = s.verdicts.size();
  }
  watch.report(state);
  state.counters["verdicts"] = static_cast<double>(verdicts);
}
BENCHMARK(BM_Generate)->Iterations(1)->Unit(benchmark::kMillisecond);

// What a run does at its end (write_outputs): summary_json_text, an element at a time on
// every core. CPU time is the whole process's (all threads).
void BM_WriteSummaryJson(benchmark::State& state) {
  const Summary& summary = scale_summary();
  MemoryWatch watch;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = assay::summary_json_text(summary);
    bytes = text.size();
  }
  watch.report(state);
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_WriteSummaryJson)->Iterations(1)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

// The old way, for comparison: the DOM of the whole summary, then text (dump(2)).
void BM_WriteSummaryDom(benchmark::State& state) {
  const Summary& summary = scale_summary();
  MemoryWatch watch;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = assay::to_json(summary).dump(2);
    bytes = text.size();
  }
  watch.report(state);
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_WriteSummaryDom)->Iterations(1)->Unit(benchmark::kMillisecond);

// The text of summary.json to a DOM (nlohmann::ordered_json): the whole-document path,
// which read_summary_text still takes for older bundles.
void BM_ParseSummaryDom(benchmark::State& state) {
  const std::string& text = scale_summary_text();
  MemoryWatch watch;
  for (auto _ : state) {
    const Json json = Json::parse(text, nullptr, false);
    benchmark::DoNotOptimize(json.is_discarded());
  }
  watch.report(state);
  state.counters["bytes"] = static_cast<double>(text.size());
}
BENCHMARK(BM_ParseSummaryDom)->Iterations(1)->Unit(benchmark::kMillisecond);

// The DOM to the result model: strict field checks and every metric's statistics re-derived.
void BM_SummaryFromDom(benchmark::State& state) {
  const Json json = Json::parse(scale_summary_text(), nullptr, false);
  MemoryWatch watch;
  for (auto _ : state) {
    auto summary = assay::summary_from_json(json, "summary.json");
    if (!summary) state.SkipWithError(summary.error().message.c_str());
  }
  watch.report(state);
}
BENCHMARK(BM_SummaryFromDom)->Iterations(1)->Unit(benchmark::kMillisecond);

// What loading a bundle costs (`assay report`, `assay diff`): read_summary_text, the
// big arrays a line at a time on every core. CPU time is the whole process's.
void BM_LoadSummary(benchmark::State& state) {
  const std::string& text = scale_summary_text();
  MemoryWatch watch;
  for (auto _ : state) {
    auto summary = assay::read_summary_text(text, "summary.json");
    if (!summary) state.SkipWithError(summary.error().message.c_str());
  }
  watch.report(state);
  state.counters["bytes"] = static_cast<double>(text.size());
}
BENCHMARK(BM_LoadSummary)->Iterations(1)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

void BM_Render(benchmark::State& state) {
  const auto format = static_cast<ReportFormat>(state.range(0));
  const auto lang = static_cast<assay::Lang>(state.range(1));
  const assay::ReportInput input{.summary = scale_summary(), .inventory = scale_inventory(), .lang = lang,
                                 .journal_lines = {}};
  state.SetLabel(std::string(assay::report_format_name(format)) + " " + std::string(assay::lang_name(lang)));
  MemoryWatch watch;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = assay::render_report(format, input);
    bytes = text.size();
  }
  watch.report(state);
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Render)
    ->ArgsProduct({{static_cast<int>(ReportFormat::md), static_cast<int>(ReportFormat::html),
                    static_cast<int>(ReportFormat::junit), static_cast<int>(ReportFormat::csv),
                    static_cast<int>(ReportFormat::json)},
                   {static_cast<int>(assay::Lang::en), static_cast<int>(assay::Lang::zh)}})
    ->ArgNames({"format", "lang"})
    ->Iterations(1)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
