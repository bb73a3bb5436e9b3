#include "core/verdict.h"

#include <array>

namespace assay {
namespace {
constexpr std::array<std::pair<VerdictStatus, std::string_view>, 6> kNames{{
    {VerdictStatus::pass, "PASS"},
    {VerdictStatus::warn, "WARN"},
    {VerdictStatus::fail, "FAIL"},
    {VerdictStatus::info, "INFO"},
    {VerdictStatus::skip, "SKIP"},
    {VerdictStatus::error, "ERROR"},
}};
}  // namespace

std::string_view verdict_status_name(VerdictStatus status) {
  for (const auto& [s, name] : kNames) {
    if (s == status) return name;
  }
  return "ERROR";
}

std::optional<VerdictStatus> verdict_status_from_name(std::string_view name) {
  for (const auto& [s, n] : kNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

}  // namespace assay
