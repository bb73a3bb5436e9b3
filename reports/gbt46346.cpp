#include "reports/gbt46346.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include <fmt/format.h>

#include "reports/verdict_table.h"

namespace assay {
namespace {

// A result whose own self-check failed has figures that are shown, not counted.
bool counts(const ProbeResult& r) {
  return r.status == ProbeStatus::ok && (!r.validation.checked || r.validation.passed);
}

bool matches_prefix(std::string_view key, std::string_view prefix) {
  if (key.starts_with(prefix)) return true;
  // A SKIP or ERROR of a whole probe has the probe's name as its key ("gpu.gemm").
  return prefix.ends_with('.') && key == prefix.substr(0, prefix.size() - 1);
}

bool matches_any(std::string_view key, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return matches_prefix(key, p); });
}

// Figures that are rates, sizes or times: counts of problems, ratios and temperatures are
// judged by their verdicts, not aggregated.
bool is_aggregable(Unit unit) {
  return unit == Unit::flop_per_s || unit == Unit::op_per_s || unit == Unit::byte_per_s || unit == Unit::second;
}

// The device a subject names: "gpu0@all" and "gpu0" are the same GPU measured with its
// neighbours loaded or alone.
std::string_view device_of(std::string_view subject) {
  const auto at = subject.find('@');
  return at == std::string_view::npos ? subject : subject.substr(0, at);
}

GbtFigure quantity(std::string label_en, std::string label_zh, Unit unit, double value, std::size_t nodes,
                   std::string key) {
  return {.label_en = std::move(label_en),
          .label_zh = std::move(label_zh),
          .kind = GbtFigure::Kind::quantity,
          .unit = unit,
          .value = value,
          .nodes = nodes,
          .key = std::move(key)};
}

GbtFigure plain(GbtFigure::Kind kind, std::string label_en, std::string label_zh, double value) {
  return {.label_en = std::move(label_en),
          .label_zh = std::move(label_zh),
          .kind = kind,
          .unit = Unit::ratio,
          .value = value,
          .nodes = 0,
          .key = {}};
}

// Compute scale: per key, the sum over nodes of each device's measured throughput. A GPU
// measured both alone and with the whole node loaded counts once, by the loaded figure,
// since that is what the node delivers when all of it works.
std::vector<GbtFigure> compute_totals(const Summary& s, const std::vector<std::string>& prefixes) {
  struct Total {
    Unit unit = Unit::flop_per_s;
    double sum = 0;
    std::unordered_set<std::string> nodes;
  };
  std::map<std::string, Total, std::less<>> totals;
  for (const auto& r : s.results) {
    if (!counts(r)) continue;
    // (key, device) -> (value, measured with all devices loaded)
    std::map<std::pair<std::string_view, std::string_view>, std::pair<double, bool>> per_device;
    for (const auto& m : r.metrics) {
      if (m.unit != Unit::flop_per_s && m.unit != Unit::op_per_s) continue;
      if (m.key.ends_with("_derived") || !matches_any(m.key, prefixes)) continue;
      const std::string_view subject = m.subject.empty() ? std::string_view(r.subject) : std::string_view(m.subject);
      const bool loaded = subject.find('@') != std::string_view::npos;
      const auto [it, inserted] = per_device.try_emplace({m.key, device_of(subject)}, m.value, loaded);
      if (!inserted && loaded && !it->second.second) it->second = {m.value, true};
      totals[m.key].unit = m.unit;
    }
    for (const auto& [id, figure] : per_device) {
      Total& t = totals.find(id.first)->second;
      t.sum += figure.first;
      t.nodes.insert(r.node);
    }
  }
  std::vector<GbtFigure> out;
  for (const auto& [key, t] : totals) {
    out.push_back(quantity("total " + key, key + " 合计", t.unit, t.sum, t.nodes.size(), key));
  }
  return out;
}

// Performance indicators: per key, the median over every (node, subject) value and the
// worst of them; a key measured once (an aggregate, a collective over all nodes) is
// given as it is.
std::vector<GbtFigure> spread_figures(const Summary& s, const std::vector<std::string>& prefixes) {
  struct Values {
    Unit unit = Unit::ratio;
    Better better = Better::higher;
    std::vector<double> values;
    std::unordered_set<std::string> nodes;
  };
  std::map<std::string, Values, std::less<>> by_key;
  for (const auto& r : s.results) {
    if (!counts(r)) continue;
    for (const auto& m : r.metrics) {
      if (!is_aggregable(m.unit) || m.key.ends_with("_derived") || !matches_any(m.key, prefixes)) continue;
      Values& v = by_key[m.key];
      v.unit = m.unit;
      v.better = m.better;
      v.values.push_back(m.value);
      v.nodes.insert(r.node);
    }
  }
  std::vector<GbtFigure> out;
  for (auto& [key, v] : by_key) {
    if (v.values.size() == 1) {
      out.push_back(quantity(key, key, v.unit, v.values.front(), v.nodes.size(), key));
      continue;
    }
    std::sort(v.values.begin(), v.values.end());
    const std::size_t n = v.values.size();
    const double median = n % 2 ? v.values[n / 2] : (v.values[n / 2 - 1] + v.values[n / 2]) / 2;
    const double worst = v.better == Better::higher ? v.values.front() : v.values.back();
    out.push_back(quantity("median " + key, key + " 中位数", v.unit, median, v.nodes.size(), key));
    out.push_back(quantity("worst " + key, key + " 最差值", v.unit, worst, v.nodes.size(), key));
  }
  return out;
}

std::vector<GbtFigure> network_figures(const Summary& s) {
  if (!s.links) return {};
  const LinkMatrix& m = *s.links;
  const auto measured = [&](std::size_t i, std::size_t j) {
    for (const auto* grid : {&m.latency, &m.bandwidth, &m.bibandwidth}) {
      if (i < grid->size() && j < (*grid)[i].size() && (*grid)[i][j]) return true;
    }
    return false;
  };
  std::vector<bool> linked(m.nodes.size(), false);
  std::size_t pairs = 0;
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    for (std::size_t j = i + 1; j < m.nodes.size(); ++j) {
      if (measured(i, j) || measured(j, i)) {
        ++pairs;
        linked[i] = linked[j] = true;
      }
    }
  }
  const auto nodes = static_cast<double>(std::count(linked.begin(), linked.end(), true));
  if (pairs == 0) return {};
  return {plain(GbtFigure::Kind::count, "nodes with a measured link", "有实测链路的节点数", nodes),
          plain(GbtFigure::Kind::count, "node pairs measured", "已测节点对数", static_cast<double>(pairs))};
}

std::vector<GbtFigure> availability_figures(const Summary& s) {
  std::vector<GbtFigure> out;
  if (!s.nodes.empty()) {
    const auto ok = static_cast<double>(
        std::count_if(s.nodes.begin(), s.nodes.end(), [](const NodeStatus& n) { return n.status == "ok"; }));
    const auto planned = static_cast<double>(s.nodes.size());
    out.push_back(plain(GbtFigure::Kind::fraction, "nodes ok / planned", "正常节点 / 计划节点", ok / planned));
    out.push_back(plain(GbtFigure::Kind::count, "nodes planned", "计划节点数", planned));
    out.push_back(plain(GbtFigure::Kind::count, "nodes ok", "正常节点数", ok));
  }
  if (!s.results.empty()) {
    std::size_t ok = 0, skipped = 0, error = 0;
    for (const auto& r : s.results) {
      if (r.status == ProbeStatus::ok) ++ok;
      else if (r.status == ProbeStatus::skipped) ++skipped;
      else ++error;
    }
    out.push_back(plain(GbtFigure::Kind::fraction, "probe runs ok / all", "正常完成的测试项运行 / 全部",
                        static_cast<double>(ok) / static_cast<double>(s.results.size())));
    out.push_back(plain(GbtFigure::Kind::count, "probe runs skipped", "跳过的测试项运行", static_cast<double>(skipped)));
    out.push_back(plain(GbtFigure::Kind::count, "probe runs with errors", "出错的测试项运行", static_cast<double>(error)));
  }
  return out;
}

struct IndicatorSpec {
  GbtGroup group;
  std::string_view id, en, zh, clause;
  std::vector<std::string> keys;
};

// The standard's assessment methods (clauses 7.2 to 7.9 of its table of contents) in
// the group assay reads each under.
std::vector<IndicatorSpec> indicator_specs() {
  return {
      {GbtGroup::hardware, "compute_scale", "compute scale", "算力规模", "7.2", {"gpu.gemm.", "cpu.gemm.", "cpu.fma."}},
      {GbtGroup::infrastructure, "network_scale", "network scale", "组网规模", "7.3", {"interconnect.p2p."}},
      {GbtGroup::infrastructure, "storage_scale", "storage scale", "存储规模", "7.4", {}},
      {GbtGroup::infrastructure, "communication_performance", "communication performance", "通信性能", "7.5",
       {"interconnect.", "gpu.p2p."}},
      {GbtGroup::infrastructure, "storage_performance", "storage performance", "存储性能", "7.6", {"storage."}},
      {GbtGroup::business, "training_performance", "training performance", "训练性能", "7.7", {}},
      {GbtGroup::business, "inference_performance", "inference performance", "推理性能", "7.8", {}},
      {GbtGroup::business, "compute_availability", "compute availability", "算力可用度", "7.9", {"gpu.health."}},
  };
}

void judge(GbtIndicatorRow& row, const Summary& s) {
  // An ERROR verdict (a probe that failed, a node that stopped answering) is compute
  // that was not available, whatever the key.
  const bool availability = row.id == "compute_availability";
  for (const auto& v : s.verdicts) {
    if (!matches_any(v.key, row.metric_keys) && !(availability && v.status == VerdictStatus::error)) continue;
    row.worst = row.worst ? gbt_worse_status(*row.worst, v.status) : v.status;
    ++row.verdicts;
  }
}

void set_note(GbtIndicatorRow& row, std::string en, std::string zh) {
  row.note_en = std::move(en);
  row.note_zh = std::move(zh);
}

void explain(GbtIndicatorRow& row) {
  const std::string& id = row.id;
  if (id == "compute_scale") {
    if (!row.measured) {
      return set_note(row, "no compute figure in this run: add gpu.gemm (or cpu.gemm, cpu.fma) to the plan",
                      "本次运行没有算力数据：请在测试计划中加入 gpu.gemm（或 cpu.gemm、cpu.fma）");
    }
    return set_note(row,
                    "measured throughput summed over nodes, per key (precision); for GPUs, the figure with all "
                    "of a node's GPUs loaded at once (gpuN@all) where measured. Compare with a design peak at "
                    "the same precision, dense: a peak quoted with sparsity is twice the dense one",
                    "按指标键（精度）对各节点的实测算力求和；GPU 在有测量时取整机所有 GPU 同时加载时的数值"
                    "（gpuN@all）。应与相同精度的稠密设计峰值比较：含稀疏的峰值是稠密峰值的两倍");
  }
  if (id == "network_scale") {
    if (!row.measured) {
      return set_note(row, "not measured in this run: add interconnect.p2p to the plan (needs an MPI build)",
                      "本次运行未测量：请在测试计划中加入 interconnect.p2p（需要 MPI 构建）");
    }
    return set_note(row,
                    "the nodes and node pairs interconnect.p2p measured; the fabric itself (switches, ports, "
                    "topology) is not inventoried by assay",
                    "interconnect.p2p 实测到的节点与节点对；网络设备本身（交换机、端口、拓扑）不在 assay 的清单范围内");
  }
  if (id == "storage_scale") {
    return set_note(row,
                    "not measured by assay: storage capacity comes from the storage system's own report and the "
                    "contract; assay measures storage performance (7.6)",
                    "assay 不测量：存储容量取自存储系统自身的报告与合同；assay 测量的是存储性能（7.6）");
  }
  if (id == "communication_performance" && !row.measured) {
    return set_note(row,
                    "not measured in this run: add interconnect.p2p, an interconnect collective or "
                    "interconnect.nccl (and gpu.p2p within a node) to the plan",
                    "本次运行未测量：请在测试计划中加入 interconnect.p2p、interconnect 集合通信或 "
                    "interconnect.nccl（节点内加入 gpu.p2p）");
  }
  if (id == "storage_performance" && !row.measured) {
    return set_note(row, "not measured in this run: add storage.seq, storage.rand or storage.meta to the plan",
                    "本次运行未测量：请在测试计划中加入 storage.seq、storage.rand 或 storage.meta");
  }
  if (id == "training_performance") {
    return set_note(row,
                    "not measured by assay: run an MLPerf Training-style workload (a reference model trained to "
                    "a target quality, time to train) and keep its report beside this bundle",
                    "assay 不测量：请运行 MLPerf Training 类负载（参考模型训练到目标精度所需时间），"
                    "并将其报告与本结果包一并保存");
  }
  if (id == "inference_performance") {
    return set_note(row,
                    "not measured by assay: run an MLPerf Inference-style workload (throughput within a latency "
                    "bound) and keep its report beside this bundle",
                    "assay 不测量：请运行 MLPerf Inference 类负载（满足时延约束下的吞吐量），"
                    "并将其报告与本结果包一并保存");
  }
  if (id == "compute_availability") {
    return set_note(row,
                    "availability during this run only (nodes that answered, probe runs that completed, GPU "
                    "health checks, ERROR verdicts); availability over a service period needs the centre's "
                    "operating and fault records",
                    "仅为本次运行期间的可用情况（应答的节点、完成的测试项运行、GPU 健康检查、错误判定）；"
                    "服务期内的可用度需要依据算力中心的运行与故障记录");
  }
}

}  // namespace

std::string_view gbt_group_name_en(GbtGroup group) {
  switch (group) {
    case GbtGroup::hardware: return "hardware specification";
    case GbtGroup::infrastructure: return "infrastructure";
    case GbtGroup::business: return "business processing";
  }
  return "?";
}

std::string_view gbt_group_name_zh(GbtGroup group) {
  switch (group) {
    case GbtGroup::hardware: return "硬件规格";
    case GbtGroup::infrastructure: return "基础设施";
    case GbtGroup::business: return "业务处理";
  }
  return "?";
}

VerdictStatus gbt_worse_status(VerdictStatus a, VerdictStatus b) {
  return verdict_status_severity(b) > verdict_status_severity(a) ? b : a;
}

std::string format_gbt_figure(const GbtFigure& figure) {
  switch (figure.kind) {
    case GbtFigure::Kind::count: return fmt::format("{:.0f}", figure.value);
    case GbtFigure::Kind::fraction: {
      // 9,995 of 10,000 nodes must not read as 100%.
      std::string text = fmt::format("{:.4g}%", figure.value * 100.0);
      if (figure.value < 1 && text == "100%") text = fmt::format("{:.7g}%", figure.value * 100.0);
      return text;
    }
    case GbtFigure::Kind::quantity: break;
  }
  return format_quantity(figure.value, figure.unit);
}

std::vector<GbtIndicatorRow> map_to_gbt46346(const Summary& summary) {
  std::vector<GbtIndicatorRow> rows;
  for (auto& spec : indicator_specs()) {
    GbtIndicatorRow row;
    row.group = spec.group;
    row.id = spec.id;
    row.indicator_en = spec.en;
    row.indicator_zh = spec.zh;
    row.clause = spec.clause;
    row.metric_keys = std::move(spec.keys);
    if (row.id == "compute_scale") row.figures = compute_totals(summary, row.metric_keys);
    if (row.id == "network_scale") row.figures = network_figures(summary);
    if (row.id == "communication_performance" || row.id == "storage_performance") {
      row.figures = spread_figures(summary, row.metric_keys);
    }
    if (row.id == "compute_availability") row.figures = availability_figures(summary);
    row.measured = !row.figures.empty();
    judge(row, summary);
    explain(row);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace assay
