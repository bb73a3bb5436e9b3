#include "reports/scale_bundle.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <utility>

#include <fmt/format.h>

#include "core/iso_time.h"
#include "core/summary_file.h"
#include "suites/catalog.h"
#include "suites/run_summary.h"

namespace assay::testing {
namespace {

// One metric every node reports: its probe, where it sits and a typical measured value.
struct MetricTemplate {
  std::string probe;
  std::string result_subject;
  std::string key;
  Unit unit = Unit::ratio;
  Better better = Better::higher;
  std::string subject;  // empty: the result's subject
  double typical = 0;   // base SI units
  ValueRule rule = ValueRule::median;
  std::string note;
};

constexpr int gpus_per_node = 8;

std::vector<MetricTemplate> node_templates() {
  std::vector<MetricTemplate> t;
  const auto add = [&t](std::string probe, std::string result_subject, std::string key, Unit unit, Better better,
                        std::string subject, double typical, ValueRule rule = ValueRule::median,
                        std::string note = {}) {
    t.push_back({std::move(probe), std::move(result_subject), std::move(key), unit, better, std::move(subject),
                 typical, rule, std::move(note)});
  };
  const auto per_gpu = [&add](const std::string& probe, const std::string& key, Unit unit, double typical) {
    for (int g = 0; g < gpus_per_node; ++g) add(probe, "gpus", key, unit, Better::higher, fmt::format("gpu{}", g), typical);
  };
  const auto H = Better::higher;
  const auto L = Better::lower;
  // 50 by default, in the order the suite runs them.
  add("cpu.fma", "cpu", "cpu.fma.fp64", Unit::flop_per_s, H, "", 4.6e12);
  add("cpu.fma", "cpu", "cpu.fma.fp32", Unit::flop_per_s, H, "", 9.2e12);
  add("cpu.fma", "cpu", "cpu.fma.fp64_peak_derived", Unit::flop_per_s, H, "", 4.9152e12, ValueRule::median,
      "2 sockets x 96 cores x 1.6 GHz x 16 FLOP/cycle");
  add("cpu.fma", "cpu", "cpu.fma.fp32_peak_derived", Unit::flop_per_s, H, "", 9.8304e12, ValueRule::median,
      "2 sockets x 96 cores x 1.6 GHz x 32 FLOP/cycle");
  add("cpu.fma", "cpu", "power.rapl.watts", Unit::watt, L, "package-0", 340);
  add("cpu.fma", "cpu", "power.rapl.energy", Unit::joule, L, "package-0", 340 * 60.0);
  add("cpu.gemm", "cpu", "cpu.gemm.fp64", Unit::flop_per_s, H, "", 4.2e12);
  add("cpu.gemm", "cpu", "cpu.gemm.fp32", Unit::flop_per_s, H, "", 8.4e12);
  add("memory.stream", "memory", "memory.stream.copy", Unit::byte_per_s, H, "", 4.3e11, ValueRule::best);
  add("memory.stream", "memory", "memory.stream.scale", Unit::byte_per_s, H, "", 4.3e11, ValueRule::best);
  add("memory.stream", "memory", "memory.stream.add", Unit::byte_per_s, H, "", 4.6e11, ValueRule::best);
  add("memory.stream", "memory", "memory.stream.triad", Unit::byte_per_s, H, "", 4.6e11, ValueRule::best);
  per_gpu("gpu.gemm", "gpu.gemm.bf16", Unit::flop_per_s, 7.4e14);
  per_gpu("gpu.gemm", "gpu.gemm.fp8", Unit::flop_per_s, 1.45e15);
  per_gpu("gpu.hbm", "gpu.hbm.read", Unit::byte_per_s, 3.0e12);
  for (int g = 0; g < gpus_per_node; g += 2) {
    add("gpu.p2p", "gpus", "gpu.p2p.bandwidth", Unit::byte_per_s, H, fmt::format("gpu{}->gpu{}", g, g + 1), 4.2e11);
  }
  add("storage.seq", "storage", "storage.seq.read", Unit::byte_per_s, H, "", 5.4e9);
  add("storage.seq", "storage", "storage.seq.write", Unit::byte_per_s, H, "", 4.1e9);
  add("storage.rand", "storage", "storage.rand.read_iops", Unit::op_per_s, H, "", 9.0e5);
  add("storage.rand", "storage", "storage.rand.write_iops", Unit::op_per_s, H, "", 3.1e5);
  add("storage.rand", "storage", "storage.rand.read_p99", Unit::second, L, "", 1.8e-4);
  add("storage.meta", "storage", "storage.meta.create", Unit::op_per_s, H, "", 4.2e4);
  add("storage.meta", "storage", "storage.meta.stat", Unit::op_per_s, H, "", 1.1e5);
  add("storage.meta", "storage", "storage.meta.delete", Unit::op_per_s, H, "", 3.8e4);
  add("gpu.gemm", "gpus", "power.ipmi.watts", Unit::watt, L, "node", 8900);
  add("gpu.hbm", "gpus", "power.ipmi.watts", Unit::watt, L, "node", 7200);
  // Beyond 50: the other GEMM precisions.
  per_gpu("gpu.gemm", "gpu.gemm.fp16", Unit::flop_per_s, 7.4e14);
  per_gpu("gpu.gemm", "gpu.gemm.tf32", Unit::flop_per_s, 3.7e14);
  per_gpu("gpu.gemm", "gpu.gemm.fp64", Unit::flop_per_s, 5.2e13);
  per_gpu("gpu.gemm", "gpu.gemm.fp32", Unit::flop_per_s, 4.9e13);
  per_gpu("gpu.gemm", "gpu.gemm.int8", Unit::op_per_s, 1.45e15);
  return t;
}

PlanRatedFigure rated(std::string key, double value, Unit unit, std::string source, std::string basis,
                      bool from_catalog) {
  PlanRatedFigure f;
  f.key = std::move(key);
  f.quantity = {value, unit};
  f.source = std::move(source);
  f.basis = std::move(basis);
  f.from_catalog = from_catalog;
  if (from_catalog) f.catalog_id = "nvidia-h100-sxm5";
  return f;
}

CriterionRule rule(std::string pattern, double min_fraction, double warn_fraction) {
  CriterionRule r;
  r.pattern = std::move(pattern);
  r.min_fraction = min_fraction;
  r.warn_fraction = warn_fraction;
  r.position = {"scale-plan.toml", 0, 0};
  return r;
}

std::chrono::system_clock::time_point run_start() { return *parse_iso_utc("2026-11-22T01:02:03.000Z"); }

std::string node_name(std::size_t i) { return fmt::format("node-{:05}", i); }

// Which nodes misbehave, and how (see make_scale_summary's comment in the header).
bool is_missing(std::size_t i) { return i % 2000 == 1999; }
bool fails_stream_check(std::size_t i) { return i % 2000 == 777; }

class NodeMaker {
 public:
  NodeMaker(const std::vector<MetricTemplate>& templates, unsigned seed) : templates_(templates), rng_(seed) {}

  // The results of node i in probe order.
  std::vector<ProbeResult> make(std::size_t i, std::size_t node_count, bool links) {
    const std::string node = node_name(i);
    const double speed = normal_(rng_) * 0.01 + 1.0;  // whole-node spread across the fleet
    const bool skip_meta = uniform_(rng_) < 0.01;
    const int slow_gpu = uniform_(rng_) < 1.0 / 300 ? static_cast<int>(rng_() % gpus_per_node) : -1;
    const int weak_hbm = uniform_(rng_) < 0.01 ? static_cast<int>(rng_() % gpus_per_node) : -1;

    std::vector<ProbeResult> results;
    const auto result_for = [&](const MetricTemplate& t) -> ProbeResult& {
      for (auto& r : results) {
        if (r.probe == t.probe) return r;
      }
      ProbeResult& r = results.emplace_back();
      r.probe = t.probe;
      r.node = node;
      r.subject = t.result_subject;
      r.start = run_start() + std::chrono::seconds(60 * static_cast<int>(results.size()));
      r.end = r.start + std::chrono::seconds(45);
      r.params = {{"repetitions", std::int64_t{10}}, {"seconds", 2.0}};
      r.validation = {true, true, "result checked against the reference"};
      r.notes = {"synthetic: generated for the scale test (docs/scale.md)"};
      return r;
    };
    for (const MetricTemplate& t : templates_) {
      ProbeResult& r = result_for(t);
      double value = t.typical * speed * (normal_(rng_) * 0.005 + 1.0);
      const std::string subject = t.subject.empty() ? r.subject : t.subject;
      if (slow_gpu >= 0 && t.probe == "gpu.gemm" && subject == fmt::format("gpu{}", slow_gpu)) value *= 0.80;
      if (weak_hbm >= 0 && t.key == "gpu.hbm.read" && subject == fmt::format("gpu{}", weak_hbm)) value = 0.825 * 3.35e12;
      r.metrics.push_back(make_metric(t.key, t.unit, t.better, samples_around(value), t.rule, t.subject, t.note));
    }
    if (links && node_count > 1) {
      const std::string next = node_name((i + 1) % node_count);
      ProbeResult& r = result_for({"interconnect.p2p", "links", "", Unit::ratio, Better::higher, "", 0,
                                   ValueRule::median, ""});
      r.metrics.push_back(make_metric("interconnect.p2p.latency", Unit::second, Better::lower,
                                      samples_around(2.1e-6 * speed), ValueRule::median, node + "<->" + next));
      r.metrics.push_back(make_metric("interconnect.p2p.bandwidth", Unit::byte_per_s, Better::higher,
                                      samples_around(2.4e10 * speed), ValueRule::median, node + "->" + next));
      r.metrics.push_back(make_metric("interconnect.p2p.bibandwidth", Unit::byte_per_s, Better::higher,
                                      samples_around(4.8e10 * speed), ValueRule::median, node + "<->" + next));
    }
    for (auto& r : results) {
      if (r.probe == "storage.meta" && skip_meta) {
        r.metrics.clear();
        r.status = ProbeStatus::skipped;
        r.reason = "no writable scratch directory: /mnt/fs/assay does not exist on this node";
        r.validation = {};
        r.end = r.start;
      }
      if (r.probe == "memory.stream" && fails_stream_check(i)) {
        r.status = ProbeStatus::error;
        r.validation = {true, false, "a[1234567] = 2, expected 3"};
        r.error = "memory.stream: validation failed";
      }
    }
    return results;
  }

 private:
  std::vector<double> samples_around(double value) {
    std::vector<double> samples(5 + rng_() % 6);
    for (double& s : samples) s = value * (normal_(rng_) * 0.003 + 1.0);
    return samples;
  }

  const std::vector<MetricTemplate>& templates_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_{0.0, 1.0};
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

Expected<void> write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return bad_input(fmt::format("cannot write {}", path.string()));
  return {};
}

}  // namespace

Plan scale_plan(std::size_t nodes) {
  Plan plan;
  plan.file = "scale-plan.toml";
  plan.system.name = "Scale test fleet";
  plan.system.nodes = static_cast<std::int64_t>(nodes);
  plan.system.description = "synthetic run for measuring reports at scale (docs/scale.md)";
  plan.node.cpu = "";
  plan.node.gpu = "nvidia-h100-sxm5";
  plan.node.gpus = gpus_per_node;
  plan.catalog_resolved = true;
  plan.suite = "standard";
  const std::string h100 = "catalog nvidia-h100-sxm5: NVIDIA H100 Tensor Core GPU datasheet";
  const std::string dense = "per GPU, dense";
  plan.rated = {
      rated("gpu.gemm.bf16", 989.5e12, Unit::flop_per_s, h100, dense, true),
      rated("gpu.gemm.fp16", 989.5e12, Unit::flop_per_s, h100, dense, true),
      rated("gpu.gemm.fp32", 67e12, Unit::flop_per_s, h100, dense, true),
      rated("gpu.gemm.fp64", 67e12, Unit::flop_per_s, h100, dense, true),
      rated("gpu.gemm.fp8", 1979e12, Unit::flop_per_s, h100, dense, true),
      rated("gpu.gemm.int8", 1979e12, Unit::op_per_s, h100, dense, true),
      rated("gpu.gemm.tf32", 494.5e12, Unit::flop_per_s, h100, dense, true),
      rated("gpu.hbm.read", 3.35e12, Unit::byte_per_s, h100, "per GPU", true),
      rated("gpu.p2p.bandwidth", 450e9, Unit::byte_per_s, h100, "per GPU", true),
      // Contract figures are judged even where no probe measured them; catalog ones only where measured.
      rated("memory.stream.triad", 4.8e11, Unit::byte_per_s, "contract 5.2 (STREAM triad, both sockets)", "", false),
      rated("storage.seq.read", 5e9, Unit::byte_per_s, "contract 4.3", "", false),
  };
  plan.criteria.min_fraction = 0.85;
  plan.criteria.warn_fraction = 0.90;
  // Dense GEMM reaches 70-75% of the datasheet on H100; contracts rate it accordingly.
  plan.criteria.rules = {rule("gpu.gemm.*", 0.65, 0.70), rule("gpu.hbm.*", 0.80, 0.85)};
  return plan;
}

Summary make_scale_summary(const ScaleOptions& options) {
  std::vector<MetricTemplate> templates = node_templates();
  templates.resize(std::clamp<std::size_t>(options.metrics_per_node, 1, scale_max_metrics));
  NodeMaker maker(templates, options.seed);
  std::vector<ProbeResult> results;
  std::vector<NodeStatus> nodes;
  results.reserve(options.nodes * 10);
  nodes.reserve(options.nodes);
  for (std::size_t i = 0; i < options.nodes; ++i) {
    const std::string name = node_name(i);
    if (is_missing(i)) {
      nodes.push_back({name, "missing"});
      ProbeResult lost;
      lost.probe = templates.front().probe;
      lost.node = name;
      lost.subject = templates.front().result_subject;
      lost.status = ProbeStatus::error;
      lost.error = fmt::format("{} stopped answering during {} (no word for 60 s)", name, lost.probe);
      lost.start = lost.end = run_start();
      results.push_back(std::move(lost));
      continue;
    }
    nodes.push_back({name, "ok"});
    for (auto& r : maker.make(i, options.nodes, options.links)) results.push_back(std::move(r));
  }
  const Plan plan = scale_plan(options.nodes);
  const Catalog catalog;
  Summary s = summarize_run(plan, catalog, results, std::move(nodes), "2026-11-22T01:02:03.000Z",
                            "2026-11-22T03:14:15.000Z", {"synthetic run generated for the scale test (docs/scale.md)"});
  s.assay = {"0.1.0", "v0.1.0-scale", "Release", "GNU 12.2.0", "-O3", true, true};
  // write_scale_bundle writes the journal in result order, so result i is on line i + 1.
  s.journal_lines.resize(s.results.size());
  std::iota(s.journal_lines.begin(), s.journal_lines.end(), std::size_t{1});
  return s;
}

Summary make_scale_summary(std::size_t nodes, std::size_t metrics_per_node, unsigned seed) {
  return make_scale_summary(ScaleOptions{.nodes = nodes, .metrics_per_node = metrics_per_node, .seed = seed,
                                         .links = false});
}

Json scale_inventory(const Summary& summary) {
  Json nodes = Json::array();
  for (const auto& n : summary.nodes) {
    if (n.status != "ok") {
      nodes.push_back({{"name", n.name}, {"status", n.status}});
      continue;
    }
    Json gpus = Json::array();
    for (int g = 0; g < gpus_per_node; ++g) {
      gpus.push_back({{"index", g},
                      {"model", "NVIDIA H100 80GB HBM3"},
                      {"serial", fmt::format("1650{}{:02}", n.name.substr(5), g)},
                      {"driver", "550.127.08"}});
    }
    nodes.push_back({{"node", n.name},
                     {"cpu", {{"model_name", "Intel(R) Xeon(R) Platinum 8480+"}, {"sockets", 2}, {"cores", 112},
                              {"logical_cpus", 224}}},
                     {"memory", {{"total_bytes", 2199023255552}}},
                     {"gpus", std::move(gpus)},
                     {"os", {{"pretty_name", "Debian GNU/Linux 12 (bookworm)"}, {"kernel", "6.1.0-28-amd64"}}}});
  }
  return {{"schema", "assay.inventory/1"}, {"nodes", std::move(nodes)}};
}

Expected<void> write_scale_bundle(const std::string& dir, const Summary& summary) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return bad_input(fmt::format("cannot create {}: {}", dir, ec.message()));
  const fs::path root(dir);
  // A run appends and fsyncs one line per result; the content is the same.
  std::ofstream journal(root / "journal.jsonl", std::ios::binary);
  for (const auto& r : summary.results) journal << to_json_line(r) << '\n';
  journal.close();
  if (!journal) return bad_input(fmt::format("cannot write {}/journal.jsonl", dir));
  if (auto w = write_text(root / "plan.toml", plan_to_toml(scale_plan(summary.nodes.size()))); !w) return w;
  if (auto w = write_text(root / "inventory.json", scale_inventory(summary).dump(2) + "\n"); !w) return w;
  return write_text(root / "summary.json", summary_json_text(summary));
}

std::size_t count_measurements(const Summary& summary) {
  std::size_t n = 0;
  for (const auto& r : summary.results) n += r.metrics.size();
  return n;
}

}  // namespace assay::testing
