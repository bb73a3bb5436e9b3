// report.html's own words in Simplified Chinese (the shared table has statuses and the
// common headings). Placeholders stay in the same order as in the English text.

#include <array>

#include "reports/report_html_parts.h"

namespace assay::html {
namespace {

constexpr std::array kWords = {
    // Verdict summary
    Translation{"Acceptance report: {}", "验收报告：{}"},
    Translation{"Every verdict is PASS or INFO: the system meets the plan's rated figures.",
                "所有判定均为通过或信息：系统达到测试计划的额定指标。"},
    Translation{"Not accepted: {} FAIL, {} ERROR, {} WARN.", "验收不通过：{} 项不通过，{} 项错误，{} 项警告。"},
    Translation{"Nothing needs attention.", "没有需要关注的项目。"},
    Translation{"Needs attention", "需要关注的项目"},
    Translation{"Measured against the rated figure (or the derived peak, the fleet median, or the limit); the "
                "ratio is measured / reference and the shortfall how far it misses.",
                "实测值与额定值（或推导峰值、集群中位数、限值）比较；比率为实测值 / 参考值，差距为未达到的幅度。"},
    Translation{"{} verdicts are inconclusive: the median's confidence interval straddles the threshold; rerun "
                "them with more repetitions.",
                "{} 项判定不确定：中位数的置信区间跨越阈值；请增加重复次数后重新测试。"},
    Translation{"Reference", "参考值"},
    Translation{"Shortfall", "差距"},
    Translation{"{:.1f}% short", "低 {:.1f}%"},
    Translation{"{:.1f}% over", "超出 {:.1f}%"},
    Translation{"and {} more in the verdict table.", "其余 {} 项见判定表。"},
    Translation{"rated", "额定值"},
    Translation{"fleet median", "集群中位数"},
    Translation{"limit", "限值"},
    // Run context
    Translation{"Run context", "运行环境"},
    Translation{"{} ({}, suite {})", "{}（{}，测试套件 {}）"},
    Translation{"{} planned, {} ok, {} missing", "计划 {} 个，正常 {} 个，缺失 {} 个"},
    Translation{"Node names", "节点名称"},
    Translation{"Missing nodes", "缺失节点"},
    Translation{"and {} more", "另有 {} 个"},
    Translation{"Started", "开始时间"},
    Translation{"Finished", "结束时间"},
    Translation{"assay build", "assay 构建"},
    Translation{"{} (git {}, {}, {}; MPI {}, CUDA {})", "{}（git {}，{}，{}；MPI {}，CUDA {}）"},
    Translation{"yes", "是"},
    Translation{"no", "否"},
    Translation{"Warnings about the measuring conditions", "测量条件警告"},
    Translation{"None.", "无。"},
    Translation{"Inventory", "硬件清单"},
    Translation{"Sockets / cores / threads", "插槽 / 核心 / 线程"},
    Translation{"Memory", "内存"},
    Translation{"Operating system", "操作系统"},
    Translation{"no inventory ({})", "无清单（{}）"},
    Translation{"{} nodes (e.g. {})", "{} 个节点（如 {}）"},
    // Families and charts
    Translation{"CPU", "CPU"},
    Translation{"GPU", "GPU"},
    Translation{"Interconnect", "互连"},
    Translation{"Storage", "存储"},
    Translation{"Power", "功耗"},
    Translation{"The figure compared with differs per node (a derived peak): the table gives each one.",
                "比较对象因节点而异（推导峰值）：各节点的数值见下表。"},
    Translation{"{}: measured per node", "{}：各节点实测值"},
    Translation{"{}: {} values, sorted", "{}：{} 个数值（排序）"},
    Translation{"entries from worst to best ({})", "由差到好排列的条目（{}）"},
    Translation{"{}: distribution", "{}：分布"},
    Translation{"rated {}", "额定值 {}"},
    Translation{"derived {}", "推导值 {}"},
    Translation{"threshold {}", "阈值 {}"},
    Translation{"fleet median {}", "集群中位数 {}"},
    Translation{"outlier limit {}", "离群限值 {}"},
    Translation{"Verdict", "判定"},
    Translation{"Evidence", "证据"},
    Translation{"journal.jsonl line {}", "journal.jsonl 第 {} 行"},
    Translation{"{} of {} entries pass or are not judged and are not listed.", "{} / {} 个条目通过或未判定，未列出。"},
    Translation{"Across the fleet", "集群统计"},
    Translation{"All (node, subject) values of a metric as one group; outliers lie beyond the limit, on the bad "
                "side of the median.",
                "同一指标的所有（节点，对象）数值作为一组；离群值位于中位数不利一侧的限值之外。"},
    Translation{"Entries", "条目"},
    Translation{"Median", "中位数"},
    Translation{"Min .. max", "最小 .. 最大"},
    Translation{"CV", "变异系数"},
    Translation{"Outlier limit", "离群限值"},
    Translation{"Outliers", "离群值"},
    Translation{"{} on {} nodes", "{} 个，来自 {} 个节点"},
    Translation{"not judged (fewer than 3 entries)", "未判定（少于 3 个条目）"},
    Translation{"none", "无"},
    Translation{"Link matrix", "链路矩阵"},
    Translation{"Point-to-point figures between nodes (interconnect.p2p): each cell is the link from the row's "
                "node to the column's, coloured from worst (red) to best (green); grey: not measured; a heavy "
                "outline: a WARN or FAIL verdict on that link.",
                "节点间点对点指标（interconnect.p2p）：每格为行节点到列节点的链路，由差（红）到好（绿）着色；"
                "灰色：未测量；粗边框：该链路有警告或不通过判定。"},
    Translation{"Link latency", "链路延迟"},
    Translation{"Link bandwidth (row sends to column)", "链路带宽（行发往列）"},
    Translation{"Bidirectional link bandwidth", "链路双向带宽"},
    Translation{"higher is better", "越高越好"},
    Translation{"lower is better", "越低越好"},
    Translation{"not measured", "未测量"},
    Translation{"needs attention", "需要关注"},
    Translation{"{}: {} pairs", "{}：{} 对"},
    Translation{"{} nodes are too many for a readable matrix; the {} worst of {} pairs:",
                "{} 个节点过多，无法绘制可读的矩阵；最差的 {} 对（共 {} 对）："},
    Translation{"Link", "链路"},
    Translation{"Power over time", "功耗随时间变化"},
    Translation{"Power sampled while each probe ran, from the start of its window; one line per node and probe.",
                "各测试项运行期间采样的功耗，自其时间窗口开始计；每个节点和测试项一条曲线。"},
    Translation{"{}: the first {} of {} traces; the rest are in journal.jsonl.", "{}：前 {} 条曲线（共 {} 条）；其余见 journal.jsonl。"},
    // Traceability
    Translation{"Traceability of the contract figures", "合同指标溯源"},
    Translation{"Each rated figure of the plan, the probe that measured it, where the raw evidence lies in this "
                "bundle and the verdicts it led to.",
                "测试计划中的每个额定指标、测量它的测试项、原始证据在本结果包中的位置，以及由此得出的判定。"},
    Translation{"Contract figure", "合同指标"},
    Translation{"Basis", "依据"},
    Translation{"{} figures, {} .. {}", "{} 个数值，{} .. {}"},
    Translation{"e.g. {}", "如 {}"},
    Translation{"{} results in journal.jsonl", "journal.jsonl 中 {} 条结果"},
    Translation{"worst: {}: {}", "最差：{}：{}"},
    Translation{"worst: {} {} ({})", "最差：{} {}（{}）"},
    Translation{"summary.json: rated[{}] and its verdicts", "summary.json：rated[{}] 及其判定"},
    Translation{"summary.json: rated[{}..{}] and their verdicts", "summary.json：rated[{}..{}] 及其判定"},
    Translation{"no verdict", "无判定"},
    // GB/T 46346-2025
    Translation{"GB/T 46346-2025 indicator groups", "GB/T 46346-2025 指标组"},
    Translation{"assay's mapping of its figures onto the indicator groups of GB/T 46346-2025 (AI computing "
                "centre: computing capability assessment). It is a reading, not the standard's assessment method.",
                "assay 将其测量指标对应到 GB/T 46346-2025（智算中心 算力能力评估）的指标组。此为对应关系，"
                "并非该标准的评估方法。"},
    Translation{"Indicator group", "指标组"},
    Translation{"Indicator", "指标项"},
    Translation{"Clause", "条款"},
    Translation{"Figures", "数值"},
    Translation{"Verdicts", "判定"},
    Translation{"Note", "说明"},
    Translation{"worst of {}", "{} 项中最差"},
    // Verdicts and results
    Translation{"No verdicts.", "无判定。"},
    Translation{"Every verdict that is not PASS or INFO; those are summarised per metric below.",
                "列出所有非通过、非信息的判定；通过和信息判定按指标汇总于下。"},
    Translation{"PASS and INFO verdicts per metric", "各指标的通过和信息判定"},
    Translation{"Results", "测试结果"},
    Translation{"{} on {}", "{}，节点 {}"},
    Translation{"ok", "正常"},
    Translation{"skipped", "已跳过"},
    Translation{"error", "错误"},
    Translation{"Skipped: {}", "已跳过：{}"},
    Translation{"Error: {}", "错误：{}"},
    Translation{"Parameters: {}", "参数：{}"},
    Translation{"Validation passed: {}", "自检通过：{}"},
    Translation{"Validation FAILED: {}", "自检失败：{}"},
    Translation{"The figures below come from a run whose self-check failed; they are shown, not judged.",
                "以下数值来自自检失败的运行，仅供展示，不作判定。"},
    Translation{"Value of", "取值方式"},
    Translation{"median", "中位数"},
    Translation{"best sample", "最佳样本"},
    Translation{"Median 95% CI", "中位数 95% 置信区间"},
    Translation{"n", "样本数"},
    Translation{"Min", "最小值"},
    Translation{"Max", "最大值"},
    Translation{"the first {} of {} rows; journal.jsonl has them all.", "前 {} 行（共 {} 行）；完整数据见 journal.jsonl。"},
    Translation{"{} results from {} nodes, summarised per probe; journal.jsonl holds each with its raw samples.",
                "{} 条结果来自 {} 个节点，按测试项汇总；journal.jsonl 保存每条结果及其原始样本。"},
    Translation{"Results that are not ok", "非正常结果"},
    Translation{"Reason", "原因"},
    Translation{"Metrics over all nodes", "所有节点的指标"},
    Translation{"Raw samples and every figure above are in summary.json and journal.jsonl beside this report; "
                "MANIFEST holds their SHA-256 and assay verify re-derives every verdict from them.",
                "原始样本及以上所有数值保存在本报告旁的 summary.json 和 journal.jsonl 中；MANIFEST 记录其 SHA-256，"
                "assay verify 可据此重新推导每项判定。"},
};

}  // namespace

std::span<const Translation> html_translations() { return kWords; }

}  // namespace assay::html
