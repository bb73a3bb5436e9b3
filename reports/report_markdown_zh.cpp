// The Simplified Chinese of report.md's own texts. Placeholders ({}) stay in the
// English order; metric keys, node names, file names and SI units are not translated.

#include <array>

#include "reports/report_markdown.h"

namespace assay {
namespace {

constexpr std::array kMarkdownWords = {
    // Headline
    Translation{"Acceptance report: {}", "验收报告：{}"},
    Translation{", ", "，"},
    Translation{"{} (suite {})", "{}（测试套件 {}）"},
    Translation{"{} to {}", "{} 至 {}"},
    Translation{"{} (build {}, {}, {})", "{}（构建 {}，{}，{}）"},
    Translation{"{}: {}", "{}：{}"},
    Translation{"{} ({})", "{}（{}）"},
    Translation{". ", "。"},
    Translation{"{}, all ok", "{}，全部正常"},
    Translation{"{}: {} ok, {} missing (see Nodes)", "{}：{} 个正常，{} 个缺失（见“节点”）"},
    // What a measured figure was compared with
    Translation{"{} vs {} {} ({})", "{}，对比{} {}（{}）"},
    Translation{"limit", "限值"},
    Translation{"fleet median", "集群中位数"},
    Translation{"rated", "额定值"},
    // Needs attention
    Translation{"and {} more in Verdicts below", "另有 {} 项，见下方“判定”"},
    // Context
    Translation{"No warnings about the measuring conditions.", "没有关于测量条件的警告。"},
    Translation{"no inventory ({})", "无清单信息（{}）"},
    Translation{"{}, kernel {}", "{}，内核 {}"},
    Translation{"CPU", "CPU"},
    Translation{"Sockets / cores / threads", "插槽 / 核心 / 线程"},
    Translation{"Memory", "内存"},
    Translation{"OS", "操作系统"},
    Translation{"{} nodes in {} configurations; every node's inventory is in inventory.json.",
                "{} 个节点，共 {} 种配置；每个节点的清单见 inventory.json。"},
    Translation{"{} (first: {})", "{}（首个：{}）"},
    // Nodes
    Translation{"{} nodes in rank order, all ok.", "{} 个节点（按 rank 顺序），全部正常。"},
    Translation{"{} nodes in rank order; **{} missing**: they stopped answering or never reported, and their ERROR "
                "verdicts say what was lost.",
                "{} 个节点（按 rank 顺序）；**{} 个缺失**：这些节点停止应答或从未报告，其“错误”判定说明了缺失的内容。"},
    Translation{"{} nodes, all ok; the list in rank order is in summary.json.",
                "{} 个节点，全部正常；按 rank 顺序的列表见 summary.json。"},
    Translation{"{} nodes; **{} missing**, listed below by rank: they stopped answering or never reported, and "
                "their ERROR verdicts say what was lost. Every other node is ok; the list in rank order is in "
                "summary.json.",
                "{} 个节点；**{} 个缺失**，按 rank 顺序列于下表：这些节点停止应答或从未报告，其“错误”判定说明了"
                "缺失的内容。其余节点均正常；按 rank 顺序的完整列表见 summary.json。"},
    Translation{"Rank", "序号"},
    // Fleet
    Translation{"Each metric measured on two or more nodes, all its (node, subject) values as one group (power "
                "figures: one group per probe and domain): the spread is judged against the plan's "
                "`fleet_max_cv`; outliers lie beyond the limit, `fleet_outlier_mads` MADs from the median on the "
                "bad side (docs/verdicts-and-bundle.md).",
                "在两个或更多节点上测量的每个指标，其全部（节点，对象）数值作为一组（功率数据：每个测试项和域各为一组）："
                "离散度按测试计划的 `fleet_max_cv` 判定；离群值位于限值之外，即在较差一侧距中位数 "
                "`fleet_outlier_mads` 个 MAD（docs/verdicts-and-bundle.md）。"},
    Translation{"Entries", "条目"},
    Translation{"Min .. max", "最小 .. 最大"},
    Translation{"CV", "变异系数"},
    Translation{"Spread", "离散度"},
    Translation{"Limit", "限值"},
    Translation{"Outliers", "离群值"},
    Translation{"not judged (fewer than 3 entries)", "未判定（少于 3 个条目）"},
    Translation{"none", "无"},
    Translation{"; and {} more", "；另有 {} 个"},
    Translation{"{} on {} nodes", "{} 个，{} 个节点"},
    Translation{"below 0 (spread too wide)", "低于 0（离散过大）"},
    // Links
    Translation{"Latency", "时延"},
    Translation{"Bandwidth", "带宽"},
    Translation{"Bidirectional bandwidth", "双向带宽"},
    Translation{"from \\ to", "发送 \\ 接收"},
    Translation{"n/a", "未测"},
    Translation{"Point-to-point figures between the {} nodes (`interconnect.p2p`). Bandwidth is from the row's node "
                "to the column's; n/a: not measured; **bold**: needs attention (listed below the matrices).",
                "{} 个节点之间的点对点数据（`interconnect.p2p`）。带宽为从行节点到列节点；未测：未测量；"
                "**粗体**：需要关注（列于矩阵下方）。"},
    Translation{"{} nodes are too many for a readable matrix: the full matrices are in summary.json (`links`); the "
                "worst pairs of each figure follow.",
                "{} 个节点过多，矩阵无法阅读：完整矩阵见 summary.json（`links`）；以下列出每项数据最差的节点对。"},
    Translation{"{}: the {} worst of {} pairs", "{}：最差的 {} 对（共 {} 对）"},
    Translation{"Link", "链路"},
    Translation{"Of fleet median", "占集群中位数"},
    Translation{"No link is below its rated figure or far below the fleet's median.",
                "没有链路低于其额定值或远低于集群中位数。"},
    Translation{"Links that need attention", "需要关注的链路"},
    Translation{"{} `{}` (reported by {}): {}. {}", "{} `{}`（由 {} 报告）：{}。{}"},
    Translation{"and {} more in the verdicts below", "另有 {} 项，见下方判定"},
    // Verdicts
    Translation{"No verdicts.", "没有判定。"},
    Translation{"inconclusive: rerun with more repetitions; ", "不确定：请增加重复次数后重新运行；"},
    Translation{"{} verdicts. Every verdict other than PASS and INFO is listed in full ({}, with the fleet verdicts); "
                "PASS and INFO verdicts are summarised per metric below. Every verdict is in summary.json and "
                "results.csv.",
                "共 {} 项判定。除“通过”和“信息”以外的判定全部列出（{} 项，含集群判定）；“通过”和“信息”判定在下方"
                "按指标汇总。全部判定见 summary.json 与 results.csv。"},
    Translation{"PASS and INFO verdicts by metric", "按指标汇总的“通过”和“信息”判定"},
    Translation{"Verdicts", "判定"},
    Translation{"Worst", "最差"},
    // Results
    Translation{"{} on {} ({}, {:.1f} s)", "{}，节点 {}（{}，{:.1f} s）"},
    Translation{"Skipped: {}", "已跳过：{}"},
    Translation{"Error: {}", "错误：{}"},
    Translation{"Parameters: {}", "参数：{}"},
    Translation{"Validation: {} — {}", "自检：{} — {}"},
    Translation{"The figures below come from a run whose self-check failed; they are shown, not judged.",
                "以下数据来自自检未通过的运行，仅作展示，不参与判定。"},
    Translation{"Value of", "取值方式"},
    Translation{"Median 95% CI", "中位数 95% 置信区间"},
    Translation{"best sample", "最佳样本"},
    Translation{"{} probe runs on {} nodes. Every figure of every node with its statistics is in results.csv and "
                "summary.json; skipped and failed runs are the SKIP and ERROR verdicts above.",
                "{} 次测试项运行，{} 个节点。每个节点的全部数据及其统计见 results.csv 与 summary.json；"
                "跳过和失败的运行即上方的“跳过”和“错误”判定。"},
    Translation{"Runs", "运行次数"},
    // Rated figures
    Translation{"Figure", "数值"},
    Translation{"Basis", "依据"},
    Translation{"{} (derived)", "{}（推导值）"},
    Translation{"{} .. {} (derived on {} nodes)", "{} .. {}（在 {} 个节点上推导）"},
    Translation{"derived on each node from its own figures", "由各节点自身的数据推导"},
    Translation{"each node's basis is in summary.json", "各节点的推导依据见 summary.json"},
    // GB/T 46346-2025
    Translation{"assay's reading of GB/T 46346-2025 (Artificial intelligence — Computing center — Computing "
                "capability assessment): which of the standard's assessment methods (clauses 7.2 to 7.9) this "
                "run's figures speak to, aggregated over its nodes. It is not the standard's text or its assessment "
                "procedure, and placing each method under an indicator group is assay's reading; a board assessing "
                "against the standard follows the standard (docs/gbt46346.md).",
                "本节是 assay 对 GB/T 46346-2025《人工智能 计算中心 计算能力评估》的解读：本次运行的数据对应该标准的"
                "哪些评估方法（第 7.2 至 7.9 条），并按节点汇总。本节不是标准原文，也不是标准规定的评估程序；"
                "各评估方法归入哪个指标类别亦为 assay 的解读。依据该标准进行评估时，应以标准原文为准"
                "（docs/gbt46346.md）。"},
    Translation{"assay metrics", "assay 指标"},
    Translation{"Worst verdict", "最差判定"},
    Translation{"Figures", "数据"},
    Translation{"{} (verdicts: {})", "{}（判定数：{}）"},
    Translation{"no verdict", "无判定"},
    Translation{"not measured", "未测量"},
    Translation{"{}: {} (nodes: {})", "{}：{}（节点数：{}）"},
    // Closing line
    Translation{"Raw samples and every figure above are in summary.json and journal.jsonl beside this report.",
                "原始样本及以上全部数据见本报告旁的 summary.json 与 journal.jsonl。"},
    Translation{"Raw samples are in journal.jsonl, every figure in results.csv and summary.json, beside this report.",
                "原始样本见本报告旁的 journal.jsonl，全部数据见 results.csv 与 summary.json。"},
};

}  // namespace

std::span<const Translation> markdown_translations() { return kMarkdownWords; }

}  // namespace assay
