#pragma once
// The language of the reports people read (report.md, report.html, junit.xml messages):
// English by default, Simplified Chinese with --lang zh. Renderers write English text
// and ask a Words object for it in the report's language; numbers and SI units are the
// same in every language.

#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace assay {

enum class Lang { en, zh };

/// "en" | "zh".
std::string_view lang_name(Lang lang);
/// "en" / "zh" (also "zh-CN", "zh_CN"); nullopt for anything else.
std::optional<Lang> lang_from_name(std::string_view name);

/// One English text and its Simplified Chinese form. Texts may hold fmt placeholders
/// ("{} of {} nodes"); the translation keeps the same placeholders in the same order.
struct Translation {
  std::string_view en;
  std::string_view zh;
};

/// The words of one report in one language. The shared table (verdict statuses,
/// headings every format uses) is built in; each renderer passes its own table too.
class Words {
 public:
  explicit Words(Lang lang, std::span<const Translation> renderer_table = {});

  Lang lang() const { return lang_; }

  /// `english` in this report's language. An English text that has no translation is
  /// returned as it is and remembered (missing()), so tests can insist on none.
  std::string_view operator()(std::string_view english) const;

  /// "PASS" -> "通过" etc. in zh; the status name itself in en.
  std::string_view status(std::string_view status_name) const;

  /// English texts asked for that had no translation (always empty in en).
  const std::set<std::string, std::less<>>& missing() const { return missing_; }

 private:
  Lang lang_;
  std::span<const Translation> renderer_table_;
  mutable std::set<std::string, std::less<>> missing_;
};

/// The table shared by every renderer (statuses, common headings).
std::span<const Translation> shared_translations();

}  // namespace assay
