// What `assay verify` prints: a checklist and the findings, or the same as JSON.
#include <initializer_list>

#include <fmt/format.h>

#include "suites/bundle_verify.h"

namespace assay {
namespace {

std::size_t count_kinds(const VerifyReport& report, std::initializer_list<VerifyFindingKind> kinds) {
  std::size_t n = 0;
  for (const auto& f : report.findings) {
    for (const auto k : kinds) n += f.kind == k ? 1 : 0;
  }
  return n;
}

std::string check_line(bool ok, const std::string& text) { return fmt::format("  {:<5} {}\n", ok ? "ok" : "FAIL", text); }

std::string files_line(const VerifyReport& r) {
  if (!r.has_manifest) return check_line(false, fmt::format("files hashed: {}; no MANIFEST to check them against", r.files_hashed));
  const std::size_t modified = count_kinds(r, {VerifyFindingKind::modified});
  const std::size_t missing = count_kinds(r, {VerifyFindingKind::missing});
  const std::size_t extra = count_kinds(r, {VerifyFindingKind::extra});
  if (modified + missing + extra == 0) {
    return check_line(true, fmt::format("files hashed: {} ok, as MANIFEST lists them", r.files_ok));
  }
  return check_line(false, fmt::format("files hashed: {} ok of {} in MANIFEST ({} modified, {} missing, {} extra)",
                                       r.files_ok, r.files_listed, modified, missing, extra));
}

std::string signer_text(const SignatureCheck& s) {
  return fmt::format("{} (key {}, {})", s.signer.empty() ? "unnamed signer" : s.signer, s.public_key_hex,
                     s.signed_at);
}

std::string signatures_lines(const VerifyReport& r) {
  if (r.signatures.empty()) {
    if (r.required_key_hex) return check_line(false, "signatures: unsigned, but --pubkey requires one by " + *r.required_key_hex);
    return check_line(true, "signatures: unsigned (hashes and verdicts checked; no one vouches for the MANIFEST)");
  }
  std::string text;
  bool required_found = false;
  for (const auto& s : r.signatures) {
    std::string line = fmt::format("signature: {} {}", signer_text(s), s.valid ? "valid" : "INVALID");
    if (r.required_key_hex) line += s.required_key ? ", the --pubkey key" : ", not the --pubkey key";
    text += check_line(s.valid, line);
    required_found = required_found || (s.valid && s.required_key);
  }
  if (r.required_key_hex && !required_found) {
    text += check_line(false, "signatures: not signed by " + *r.required_key_hex);
  }
  return text;
}

}  // namespace

std::string verify_report_text(const VerifyReport& r) {
  std::string text = fmt::format("assay verify {}\n", r.bundle_dir);
  text += files_line(r);
  text += signatures_lines(r);
  if (r.rederived) {
    const std::size_t figure_findings = count_kinds(r, {VerifyFindingKind::figure});
    text += check_line(figure_findings == 0,
                       fmt::format("figures re-derived from their samples: {} agree of {} (journal.jsonl {} lines, "
                                   "and summary.json's results)",
                                   r.figures_agree, r.figures_checked, r.journal_lines));
    text += check_line(count_kinds(r, {VerifyFindingKind::result}) == 0,
                       fmt::format("results in summary.json: {} agree of {} with journal.jsonl", r.results_agree,
                                   r.results_checked));
    text += check_line(count_kinds(r, {VerifyFindingKind::verdict, VerifyFindingKind::summary}) == 0,
                       fmt::format("verdicts re-derived from the samples and plan.toml: {} agree of {}",
                                   r.verdicts_agree, r.verdicts_rederived));
    text += fmt::format("  (numbers agree within a relative tolerance of {:g})\n", verify_relative_tolerance);
  } else {
    text += check_line(false, "verdicts: not re-derived");
  }
  for (const auto& n : r.notes) text += "note: " + n + "\n";
  if (!r.findings.empty()) {
    text += fmt::format("\n{} finding{}:\n", r.findings.size(), r.findings.size() == 1 ? "" : "s");
    for (const auto& f : r.findings) text += "  " + f.detail + "\n";
  }
  text += r.passed() ? "\nVERIFIED: the files match MANIFEST and every verdict follows from the samples and the plan\n"
                     : fmt::format("\nNOT VERIFIED: {} finding{}\n", r.findings.size(),
                                   r.findings.size() == 1 ? "" : "s");
  return text;
}

Json verify_report_json(const VerifyReport& r) {
  Json j;
  j["schema"] = "assay.verify/1";
  j["bundle"] = r.bundle_dir;
  j["verified"] = r.passed();
  j["files"] = {{"manifest", r.has_manifest}, {"listed", r.files_listed}, {"hashed", r.files_hashed},
                {"ok", r.files_ok}};
  Json signatures = Json::array();
  for (const auto& s : r.signatures) {
    signatures.push_back({{"signer", s.signer},
                          {"public_key", s.public_key_hex},
                          {"signed_at", s.signed_at},
                          {"valid", s.valid},
                          {"required_key", s.required_key}});
  }
  j["signatures"] = std::move(signatures);
  j["required_key"] = r.required_key_hex ? Json(*r.required_key_hex) : Json(nullptr);
  j["rederived"] = r.rederived;
  j["journal_lines"] = r.journal_lines;
  j["figures"] = {{"checked", r.figures_checked}, {"agree", r.figures_agree}};
  j["results"] = {{"checked", r.results_checked}, {"agree", r.results_agree}};
  j["verdicts"] = {{"rederived", r.verdicts_rederived}, {"agree", r.verdicts_agree}};
  j["relative_tolerance"] = verify_relative_tolerance;
  j["notes"] = r.notes;
  Json findings = Json::array();
  for (const auto& f : r.findings) {
    findings.push_back({{"kind", verify_finding_kind_name(f.kind)}, {"file", f.file}, {"detail", f.detail}});
  }
  j["findings"] = std::move(findings);
  return j;
}

}  // namespace assay
