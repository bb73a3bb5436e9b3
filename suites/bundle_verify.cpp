#include "suites/bundle_verify.h"

#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "reports/journal_evidence.h"
#include "suites/bundle.h"
#include "suites/bundle_verify_compare.h"
#include "suites/journal.h"
#include "suites/plan.h"
#include "suites/probe_registry.h"
#include "suites/run_summary.h"

namespace assay {
namespace fs = std::filesystem;
using verify_detail::check_recorded_figures;
using verify_detail::compare_keyed;
using verify_detail::describe_differences;
using verify_detail::json_differences;

namespace {

// A recorded plan carries every figure it judged against, so the bundle is re-judged
// with no catalog at all: a newer assay whose catalog changed derives the same verdicts.
const Catalog& no_catalog() {
  static const Catalog empty = Catalog::parse({}).value();
  return empty;
}

// What run_plan adds to the warnings when it is interrupted (and then refuses to accept).
constexpr std::string_view kInterruptedWarning = "the run was interrupted";

struct JournalLine {
  std::size_t line = 0;
  Json raw;
  ProbeResult result;
};

// "cpu.fma on vm", "gpu.gemm on gpu-017 gpu3": the subject only where the probe's
// name does not already say it.
std::string result_name(const ProbeResult& r) {
  if (r.subject.empty() || r.probe == r.subject || r.probe.starts_with(r.subject + ".")) {
    return fmt::format("{} on {}", r.probe, r.node);
  }
  return fmt::format("{} on {} {}", r.probe, r.node, r.subject);
}

std::string result_identity(const ProbeResult& r) { return r.node + '\n' + r.probe + '\n' + r.subject; }

Expected<Json> parse_json_file(const fs::path& path, const std::string& name) {
  auto text = read_file(path.string());
  if (!text) return bad_input(fmt::format("{}: cannot read it: {}", name, text.error().message));
  Json json = Json::parse(*text, nullptr, false);
  if (json.is_discarded()) return bad_input(fmt::format("{}: not valid JSON", name));
  if (!json.is_object()) return bad_input(fmt::format("{}: expected a JSON object", name));
  return json;
}

// journal.jsonl line by line, keeping each line's JSON as recorded (reading a result
// re-derives its figures, and verify needs both). A last line cut short by a crash is
// dropped as Journal::read drops it.
Expected<std::vector<JournalLine>> read_journal_lines(const fs::path& path, VerifyReport& report) {
  auto text = read_file(path.string());
  if (!text) return bad_input(fmt::format("{}: cannot read it: {}", bundle_file::journal, text.error().message));
  std::vector<JournalLine> lines;
  std::size_t start = 0;
  for (std::size_t number = 1; start < text->size(); ++number) {
    const std::size_t newline = text->find('\n', start);
    const bool last = newline == std::string::npos;
    const std::string line = text->substr(start, last ? std::string::npos : newline - start);
    start = last ? text->size() : newline + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json json = Json::parse(line, nullptr, false);
    if (json.is_discarded()) {
      if (last) {
        report.notes.push_back(fmt::format("{} line {} is cut short (a crash while it was written) and is ignored, "
                                           "as the run ignored it",
                                           bundle_file::journal, number));
        break;
      }
      return bad_input(fmt::format("{} line {}: not valid JSON", bundle_file::journal, number));
    }
    auto result = result_from_json(json, fmt::format("{} line {}", bundle_file::journal, number));
    if (!result) return result.error();
    lines.push_back({number, std::move(json), std::move(*result)});
  }
  report.journal_lines = lines.size();
  return lines;
}

// The signatures in MANIFEST.sig against the MANIFEST's bytes.
Expected<void> check_signatures(const fs::path& dir, const std::string& manifest_bytes,
                                const std::optional<PublicKey>& required_key, VerifyReport& report) {
  if (required_key) report.required_key_hex = public_key_hex(required_key->key);
  const fs::path sig_path = dir / manifest_signature_file;
  std::vector<ManifestSignature> signatures;
  if (fs::exists(sig_path)) {
    auto text = read_file(sig_path.string());
    if (!text) return bad_input(fmt::format("{}: cannot read it: {}", manifest_signature_file, text.error().message));
    auto parsed = parse_signatures(*text, manifest_signature_file);
    if (!parsed) return parsed.error();
    signatures = std::move(*parsed);
  }
  bool required_signed = false;
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    const ManifestSignature& s = signatures[i];
    SignatureCheck check{s.signer, public_key_hex(s.public_key), s.signed_at,
                         report.has_manifest && signature_valid(manifest_bytes, s),
                         required_key && required_key->key == s.public_key};
    if (!check.valid) {
      report.findings.push_back(
          {VerifyFindingKind::signature, manifest_signature_file,
           fmt::format("{} line {}: the signature by {} (key {}, {}) does not verify against {}",
                       manifest_signature_file, i + 1, s.signer.empty() ? "(unnamed signer)" : s.signer,
                       check.public_key_hex, s.signed_at,
                       report.has_manifest ? "MANIFEST's bytes" : "a MANIFEST (there is none)")});
    }
    if (check.valid && check.required_key) required_signed = true;
    report.signatures.push_back(std::move(check));
  }
  if (required_key && !required_signed) {
    report.findings.push_back({VerifyFindingKind::signature, manifest_signature_file,
                               fmt::format("{}: not signed by {}{}", manifest_signature_file, *report.required_key_hex,
                                           required_key->signer.empty() ? ""
                                                                        : " (" + required_key->signer + ")")});
  }
  return {};
}

// The verdicts and other judgements of summary.json against those re-derived from the
// journal's results and the recorded plan.
void compare_judgement(const Json& raw_summary, const Summary& recorded, Summary rederived, VerifyReport& report) {
  const std::string file = bundle_file::summary;
  const auto text_of = [](const Json& j, const char* field) {
    const auto it = j.find(field);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };

  // The run refuses acceptance beyond the verdicts when a node went missing or it was
  // interrupted; both are recorded in summary.json.
  for (const auto& n : recorded.nodes) {
    if (n.status != "ok") rederived.accepted = false;
  }
  for (const auto& w : recorded.context.warnings) {
    if (w.find(kInterruptedWarning) != std::string::npos) rederived.accepted = false;
  }
  const Json recorded_json = to_json(recorded);
  const Json rederived_json = to_json(rederived);

  const Json recorded_plan = {{"name", recorded.plan_name}, {"suite", recorded.suite}};
  const Json rederived_plan = {{"name", rederived.plan_name}, {"suite", rederived.suite}};
  if (auto d = json_differences(recorded_plan, rederived_plan); !d.empty()) {
    report.findings.push_back({VerifyFindingKind::summary, file,
                               fmt::format("{}: plan {}", file, describe_differences(d, "recorded", "in plan.toml"))});
  }

  // Verdicts: what decides acceptance. Their `message` is prose for people and may be
  // worded differently by another assay, so it is not compared.
  const auto verdict_fields = [](const Json& v) {
    Json out = Json::object();
    for (const char* f : {"status", "unit", "measured", "rated", "ratio", "inconclusive", "criterion", "source",
                          "derived"}) {
      if (v.contains(f)) out[f] = v[f];
    }
    return out;
  };
  Json recorded_verdicts = Json::array(), rederived_verdicts = Json::array();
  for (const auto& v : recorded_json["verdicts"]) {
    Json p = verdict_fields(v);
    p["node"] = v["node"];
    p["subject"] = v["subject"];
    p["key"] = v["key"];
    recorded_verdicts.push_back(std::move(p));
  }
  for (const auto& v : rederived_json["verdicts"]) {
    Json p = verdict_fields(v);
    p["node"] = v["node"];
    p["subject"] = v["subject"];
    p["key"] = v["key"];
    rederived_verdicts.push_back(std::move(p));
  }
  const auto verdict_identity = [&](const Json& v) {
    return text_of(v, "node") + '\n' + text_of(v, "subject") + '\n' + text_of(v, "key");
  };
  const auto verdict_name = [&](const Json& v) {
    std::string name = "verdict " + text_of(v, "node");
    if (!text_of(v, "subject").empty()) name += " " + text_of(v, "subject");
    return name + " " + text_of(v, "key");
  };
  report.verdicts_rederived = rederived.verdicts.size();
  report.verdicts_agree = compare_keyed(recorded_verdicts, rederived_verdicts, verdict_identity, verdict_name, file,
                                        VerifyFindingKind::verdict, report);

  compare_keyed(
      recorded_json["rated"], rederived_json["rated"], [&](const Json& r) { return text_of(r, "key"); },
      [&](const Json& r) { return "rated figure " + text_of(r, "key"); }, file, VerifyFindingKind::summary, report);
  compare_keyed(
      recorded_json["fleet"], rederived_json["fleet"],
      [&](const Json& f) { return text_of(f, "key") + '\n' + text_of(f, "scope"); },
      [&](const Json& f) {
        const std::string scope = text_of(f, "scope");
        return "fleet statistics of " + text_of(f, "key") + (scope.empty() ? "" : " (" + scope + ")");
      },
      file, VerifyFindingKind::summary, report);

  const auto compare_section = [&](const char* section, const Json& recorded_part, const Json& rederived_part) {
    if (auto d = json_differences(recorded_part, rederived_part); !d.empty()) {
      report.findings.push_back({VerifyFindingKind::summary, file,
                                 fmt::format("{}: {}: {}", file, section,
                                             describe_differences(d, "recorded", "re-derived"))});
    }
  };
  const Json null;
  compare_section("nodes", recorded_json["nodes"], rederived_json["nodes"]);
  compare_section("links", recorded_json.contains("links") ? recorded_json["links"] : null,
                  rederived_json.contains("links") ? rederived_json["links"] : null);
  // `counts` and `accepted` as the file has them: reading summary.json recomputes counts.
  if (raw_summary.contains("counts")) compare_section("counts", raw_summary["counts"], rederived_json["counts"]);
  compare_section("accepted", raw_summary.contains("accepted") ? raw_summary["accepted"] : null,
                  rederived_json["accepted"]);
}

// summary.json's results against the journal's latest result per node/probe/subject.
void compare_results(const Json& raw_summary, const Summary& recorded, const std::vector<JournalLine>& journal,
                     const std::vector<ProbeResult>& chosen, VerifyReport& report) {
  const std::string file = bundle_file::summary;
  std::map<std::string, std::size_t> latest_line;  // identity -> journal line
  for (const auto& l : journal) latest_line[result_identity(l.result)] = l.line;
  std::map<std::string, const ProbeResult*> by_identity;
  for (const auto& r : chosen) by_identity[result_identity(r)] = &r;

  const Json& raw_results = raw_summary["results"];
  for (std::size_t i = 0; i < recorded.results.size(); ++i) {
    const ProbeResult& r = recorded.results[i];
    const std::string where = fmt::format("{} results[{}] ({})", file, i, result_name(r));
    check_recorded_figures(raw_results[i], r, file, where, report);
    ++report.results_checked;
    const auto it = by_identity.find(result_identity(r));
    if (it == by_identity.end()) {
      report.findings.push_back(
          {VerifyFindingKind::result, file, fmt::format("{}: not in {}", where, bundle_file::journal)});
      continue;
    }
    const std::string journal_label = fmt::format("{} line {}", bundle_file::journal, latest_line[it->first]);
    // Values and statistics follow from the samples (checked above), so only the
    // samples and the rest of the result are compared here.
    const auto without_figures = [](Json j) {
      for (auto& m : j["metrics"]) {
        m.erase("value");
        m.erase("stats");
      }
      return j;
    };
    const Json summary_side = without_figures(to_json(r)), journal_side = without_figures(to_json(*it->second));
    const auto d = json_differences(summary_side, journal_side);
    by_identity.erase(it);
    if (d.empty()) {
      ++report.results_agree;
      continue;
    }
    report.findings.push_back({VerifyFindingKind::result, file,
                               fmt::format("{} differs from {}: {}", where, journal_label,
                                           describe_differences(d, file + " has", journal_label + " has"))});
  }
  for (const auto& [identity, r] : by_identity) {
    report.findings.push_back({VerifyFindingKind::result, file,
                               fmt::format("{}: the latest result of {} ({} line {}) is not in its results", file,
                                           result_name(*r), bundle_file::journal, latest_line[identity])});
  }
}

// summary.json's journal_lines (each result's line in journal.jsonl, which reports cite
// as evidence) against the lines the journal gives, when the run recorded them.
void compare_journal_lines(const Summary& recorded, const std::vector<JournalLine>& journal, VerifyReport& report) {
  if (recorded.journal_lines.empty()) return;
  std::vector<ProbeResult> in_order;
  in_order.reserve(journal.size());
  for (const auto& l : journal) in_order.push_back(l.result);
  // Positions among the journal's results, as the run counted them; the file's line
  // numbers are what a report cites, so a position is turned into its line.
  const std::vector<std::size_t> positions = journal_lines_for(recorded, in_order);
  const std::string file = bundle_file::summary;
  for (std::size_t i = 0; i < recorded.results.size() && i < recorded.journal_lines.size(); ++i) {
    const std::size_t line = positions[i] == 0 ? 0 : journal[positions[i] - 1].line;
    if (recorded.journal_lines[i] == line) continue;
    const std::string actual = line == 0 ? fmt::format("{} does not have that result", bundle_file::journal)
                                         : fmt::format("{} has that result on line {}", bundle_file::journal, line);
    report.findings.push_back({VerifyFindingKind::result, file,
                               fmt::format("{}: journal_lines[{}] ({}) recorded {}, {}", file, i,
                                           result_name(recorded.results[i]), recorded.journal_lines[i], actual)});
  }
}

}  // namespace

std::string_view verify_finding_kind_name(VerifyFindingKind kind) {
  switch (kind) {
    case VerifyFindingKind::modified: return "modified";
    case VerifyFindingKind::missing: return "missing";
    case VerifyFindingKind::extra: return "extra";
    case VerifyFindingKind::signature: return "signature";
    case VerifyFindingKind::figure: return "figure";
    case VerifyFindingKind::result: return "result";
    case VerifyFindingKind::verdict: return "verdict";
    case VerifyFindingKind::summary: return "summary";
  }
  return "unknown";
}

Expected<VerifyReport> verify_bundle(const std::string& dir, const std::optional<PublicKey>& required_key) {
  VerifyReport report;
  report.bundle_dir = dir;
  const fs::path root(dir);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return bad_input(fmt::format("'{}' is not a bundle directory", dir));

  // 1. Every file against MANIFEST.
  std::string manifest_bytes;
  Manifest recorded_manifest;
  report.has_manifest = fs::exists(root / manifest_file);
  if (report.has_manifest) {
    auto text = read_file((root / manifest_file).string());
    if (!text) return bad_input(fmt::format("{}: cannot read it: {}", manifest_file, text.error().message));
    manifest_bytes = std::move(*text);
    auto parsed = parse_manifest(manifest_bytes, manifest_file);
    if (!parsed) return parsed.error();
    recorded_manifest = std::move(*parsed);
  } else {
    report.findings.push_back({VerifyFindingKind::missing, manifest_file,
                               "MANIFEST: missing, so no file's integrity can be checked"});
  }
  auto actual = hash_bundle(dir);
  if (!actual) return actual.error();
  report.files_hashed = actual->entries.size();
  report.files_listed = recorded_manifest.entries.size();
  std::map<std::string, ManifestDifference::Kind> changed;
  if (report.has_manifest) {
    for (const auto& d : compare_manifests(recorded_manifest, *actual)) {
      changed[d.path] = d.kind;
      switch (d.kind) {
        case ManifestDifference::Kind::modified:
          report.findings.push_back({VerifyFindingKind::modified, d.path,
                                     fmt::format("{}: modified: its SHA-256 differs from MANIFEST's", d.path)});
          break;
        case ManifestDifference::Kind::missing:
          report.findings.push_back(
              {VerifyFindingKind::missing, d.path, fmt::format("{}: missing: MANIFEST lists it", d.path)});
          break;
        case ManifestDifference::Kind::extra:
          report.findings.push_back(
              {VerifyFindingKind::extra, d.path, fmt::format("{}: extra: not listed in MANIFEST", d.path)});
          break;
      }
    }
    for (const auto& e : recorded_manifest.entries) {
      if (!changed.count(e.path)) ++report.files_ok;
    }
  }

  // 2. The signatures over MANIFEST.
  if (auto signed_ok = check_signatures(root, manifest_bytes, required_key, report); !signed_ok) {
    return signed_ok.error();
  }

  // 3. Every figure and verdict re-derived from the samples and the recorded plan. A
  // file this needs that MANIFEST lists but is gone is already a finding; without a
  // MANIFEST saying it should be there, the directory is not a bundle.
  const auto unreadable = [&](const std::string& name, const Error& error) {
    const auto it = changed.find(name);
    if (it != changed.end() && it->second == ManifestDifference::Kind::modified) {
      return bad_input(error.message + " (and its SHA-256 differs from MANIFEST's)");
    }
    return error;
  };
  for (const char* needed : {bundle_file::summary, bundle_file::plan, bundle_file::journal}) {
    if (fs::exists(root / needed)) continue;
    const auto it = changed.find(needed);
    if (it != changed.end() && it->second == ManifestDifference::Kind::missing) {
      report.notes.push_back(fmt::format("verdicts not re-derived: {} is missing", needed));
      return report;
    }
    return bad_input(fmt::format("{} is not a bundle: it has no {}", dir, needed));
  }

  auto raw_summary = parse_json_file(root / bundle_file::summary, bundle_file::summary);
  if (!raw_summary) return unreadable(bundle_file::summary, raw_summary.error());
  auto recorded = summary_from_json(*raw_summary, bundle_file::summary);
  if (!recorded) return unreadable(bundle_file::summary, recorded.error());

  PlanLoadOptions load;
  load.recorded = true;
  auto plan = load_plan_file((root / bundle_file::plan).string(), no_catalog(), ProbeRegistry::builtin(), load);
  if (!plan) return unreadable(bundle_file::plan, plan.error());

  auto journal = read_journal_lines(root / bundle_file::journal, report);
  if (!journal) return unreadable(bundle_file::journal, journal.error());
  for (const auto& l : *journal) {
    check_recorded_figures(l.raw, l.result, bundle_file::journal,
                           fmt::format("{} line {} ({})", bundle_file::journal, l.line, result_name(l.result)),
                           report);
  }
  std::vector<ProbeResult> all;
  all.reserve(journal->size());
  for (const auto& l : *journal) all.push_back(l.result);
  const std::vector<ProbeResult> chosen = latest_results(all);

  compare_results(*raw_summary, *recorded, *journal, chosen, report);
  compare_journal_lines(*recorded, *journal, report);
  Summary rederived = summarize_run(*plan, no_catalog(), chosen, recorded->nodes, recorded->started,
                                    recorded->finished, recorded->context.warnings);
  compare_judgement(*raw_summary, *recorded, std::move(rederived), report);
  report.rederived = true;
  return report;
}

}  // namespace assay
