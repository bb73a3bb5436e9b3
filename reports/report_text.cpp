#include "reports/report_text.h"

#include <algorithm>
#include <array>

namespace assay {

namespace {

// Verdict statuses and the words every report uses. Statuses follow the usual wording
// of Chinese acceptance reports (合格/不合格 would judge the whole system; these judge
// one figure).
constexpr std::array kShared = {
    Translation{"PASS", "通过"},
    Translation{"WARN", "警告"},
    Translation{"FAIL", "不通过"},
    Translation{"INFO", "信息"},
    Translation{"SKIP", "跳过"},
    Translation{"ERROR", "错误"},
    Translation{"ACCEPTED", "验收通过"},
    Translation{"NOT ACCEPTED", "验收不通过"},
    Translation{"Node", "节点"},
    Translation{"Nodes", "节点"},
    Translation{"Subject", "对象"},
    Translation{"Metric", "指标"},
    Translation{"Status", "状态"},
    Translation{"Measured", "实测值"},
    Translation{"Rated", "额定值"},
    Translation{"Ratio", "比率"},
    Translation{"Criterion", "判定准则"},
    Translation{"Source", "来源"},
    Translation{"Unit", "单位"},
    Translation{"Value", "数值"},
    Translation{"Probe", "测试项"},
    Translation{"Plan", "测试计划"},
    Translation{"Run", "运行时间"},
    Translation{"derived", "推导值"},
    Translation{"missing", "缺失"},
    Translation{"inconclusive", "不确定"},
    Translation{"no rated figure", "无额定值"},
    // Probe and node states, validation outcomes.
    Translation{"ok", "正常"},
    Translation{"skipped", "跳过"},
    Translation{"error", "错误"},
    Translation{"passed", "通过"},
    Translation{"FAILED", "未通过"},
    // Statistics.
    Translation{"median", "中位数"},
    Translation{"Median", "中位数"},
    Translation{"Min", "最小值"},
    Translation{"Max", "最大值"},
    // Section headings.
    Translation{"Needs attention", "需要关注"},
    Translation{"Context", "测量条件"},
    Translation{"Fleet", "集群"},
    Translation{"Links", "链路"},
    Translation{"Results", "测试结果"},
    Translation{"Rated figures", "额定值清单"},
    // GB/T 46346-2025 mapping (reports/gbt46346.h).
    Translation{"GB/T 46346-2025 indicator mapping", "GB/T 46346-2025 指标映射"},
    Translation{"Group", "指标类别"},
    Translation{"Indicator", "指标"},
    Translation{"Clause", "条款"},
};

std::string_view find_in(std::span<const Translation> table, std::string_view english) {
  const auto it = std::find_if(table.begin(), table.end(), [&](const Translation& t) { return t.en == english; });
  return it == table.end() ? std::string_view{} : it->zh;
}

}  // namespace

std::span<const Translation> shared_translations() { return kShared; }

std::string_view lang_name(Lang lang) { return lang == Lang::zh ? "zh" : "en"; }

std::optional<Lang> lang_from_name(std::string_view name) {
  if (name == "en") return Lang::en;
  if (name == "zh" || name == "zh-CN" || name == "zh_CN") return Lang::zh;
  return std::nullopt;
}

Words::Words(Lang lang, std::span<const Translation> renderer_table) : lang_(lang), renderer_table_(renderer_table) {}

std::string_view Words::operator()(std::string_view english) const {
  if (lang_ == Lang::en) return english;
  if (auto zh = find_in(renderer_table_, english); !zh.empty()) return zh;
  if (auto zh = find_in(kShared, english); !zh.empty()) return zh;
  missing_.emplace(english);
  return english;
}

std::string_view Words::status(std::string_view status_name) const { return (*this)(status_name); }

}  // namespace assay
