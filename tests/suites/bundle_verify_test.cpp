// verify_bundle on bundles written in a temp dir: untouched ones verify; every kind of
// change is found and named; unreadable bundles are bad_input naming the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/file_io.h"
#include "core/result_json.h"
#include "reports/journal_evidence.h"
#include "reports/manifest.h"
#include "suites/bundle_verify.h"
#include "suites/journal.h"
#include "suites/plan.h"
#include "suites/run_summary.h"

namespace assay {
namespace {

namespace fs = std::filesystem;

// A plan as a run records it (plan_to_toml's form): the rated figure names its catalog
// entry, which no catalog has, so the verdicts can only come from plan.toml itself.
constexpr const char* kPlan = R"(
[system]
name = "verify unit"
nodes = 2
description = ""

[node]
cpu = "acme-cpu-that-no-catalog-has"
cpu_sockets = 1
gpus = 0

[rated]
"cpu.fma.fp64" = { value = "1e11 FLOP/s", source = "catalog acme-cpu-that-no-catalog-has: datasheet", catalog = "acme-cpu-that-no-catalog-has" }

[criteria]
min_fraction = 0.9
fleet_max_cv = 0.05
fleet_outlier_mads = 3.0

[run]
suite = "quick"
probes = ["cpu.fma"]
)";

ProbeResult fma_result(const std::string& node, std::vector<double> samples) {
  ProbeResult r;
  r.probe = "cpu.fma";
  r.node = node;
  r.subject = "cpu";
  r.params = {{"threads", ParamValue{std::int64_t{2}}}};
  r.start = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  r.end = r.start + std::chrono::seconds(2);
  r.metrics.push_back(make_metric("cpu.fma.fp64", Unit::flop_per_s, Better::higher, std::move(samples)));
  r.validation = {true, true, "exact"};
  return r;
}

std::string slurp(const fs::path& path) {
  auto text = read_file(path.string());
  return text ? *text : std::string();
}

void write(const fs::path& path, const std::string& content) { std::ofstream(path, std::ios::binary) << content; }

std::string findings_text(const VerifyReport& report) {
  std::string text;
  for (const auto& f : report.findings) text += std::string(verify_finding_kind_name(f.kind)) + " " + f.file + ": " + f.detail + "\n";
  return text;
}

bool has_finding(const VerifyReport& report, VerifyFindingKind kind, const std::string& file,
                 const std::string& detail_part) {
  return std::any_of(report.findings.begin(), report.findings.end(), [&](const VerifyFinding& f) {
    return f.kind == kind && f.file == file && f.detail.find(detail_part) != std::string::npos;
  });
}

class BundleVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "assay-verify-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    write_bundle();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // n0 passes (1.2e11 against 1e11 x 0.9); n1 failed once, was run again after
  // --resume, and then fails on its figure (5e10).
  void write_bundle() {
    static const Catalog no_catalog = Catalog::parse({}).value();
    PlanLoadOptions load;
    load.recorded = true;
    auto plan = parse_plan(kPlan, "plan.toml", no_catalog, ProbeRegistry::builtin(), load);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    write(dir_ / "plan.toml", plan_to_toml(*plan));

    ProbeResult lost = fma_result("n1", {});
    lost.metrics.clear();
    lost.status = ProbeStatus::error;
    lost.error = "cpu.fma: exceeded its deadline";
    const std::vector<ProbeResult> journal = {fma_result("n0", {1.21e11, 1.2e11, 1.19e11, 1.2e11, 1.22e11}), lost,
                                              fma_result("n1", {5.1e10, 5e10, 4.9e10, 5e10, 5.05e10})};
    std::string lines;
    for (const auto& r : journal) lines += to_json_line(r) + "\n";
    write(dir_ / "journal.jsonl", lines);
    Summary summary = summarize_run(*plan, no_catalog, latest_results(journal), {{"n0", "ok"}, {"n1", "ok"}},
                                    "2027-01-15T08:00:00Z", "2027-01-15T08:01:00Z", {"a warning"});
    ASSERT_FALSE(summary.accepted);
    summary.journal_lines = journal_lines_for(summary, journal);  // as a run records them
    ASSERT_EQ(summary.journal_lines, (std::vector<std::size_t>{1, 3}));
    write(dir_ / "summary.json", to_json(summary).dump(2) + "\n");
    write(dir_ / "inventory.json", "{\"schema\": \"assay.inventory/1\", \"nodes\": []}\n");
    rehash();
  }

  void fresh_bundle() {
    fs::remove_all(dir_);
    SetUp();
  }

  void rehash() { ASSERT_TRUE(write_manifest(dir_.string()).ok()); }

  VerifyReport verify(const std::optional<PublicKey>& key = std::nullopt) {
    auto report = verify_bundle(dir_.string(), key);
    EXPECT_TRUE(report.ok()) << report.error().message;
    return report.ok() ? *report : VerifyReport{};
  }

  Error verify_error() {
    auto report = verify_bundle(dir_.string(), std::nullopt);
    EXPECT_FALSE(report.ok()) << findings_text(*report);
    return report.ok() ? Error{} : report.error();
  }

  // Rewrites summary.json through `change`, as an attacker with a JSON editor would.
  template <class F>
  void edit_summary(F change) {
    Json j = Json::parse(slurp(dir_ / "summary.json"));
    change(j);
    write(dir_ / "summary.json", j.dump(2) + "\n");
  }

  fs::path dir_;
};

TEST_F(BundleVerify, AnUntouchedBundleVerifies) {
  const VerifyReport report = verify();
  EXPECT_TRUE(report.passed()) << findings_text(report);
  EXPECT_TRUE(report.has_manifest);
  EXPECT_EQ(report.files_ok, 4u);
  EXPECT_EQ(report.files_hashed, 4u);
  EXPECT_TRUE(report.rederived);
  EXPECT_EQ(report.journal_lines, 3u);
  EXPECT_EQ(report.results_checked, 2u);
  EXPECT_EQ(report.results_agree, 2u);
  // Two journal lines with a metric, and the two results in summary.json.
  EXPECT_EQ(report.figures_checked, 4u);
  EXPECT_EQ(report.figures_agree, 4u);
  EXPECT_GE(report.verdicts_rederived, 2u);
  EXPECT_EQ(report.verdicts_agree, report.verdicts_rederived);
  EXPECT_TRUE(report.signatures.empty());
}

TEST_F(BundleVerify, AChangedSampleInTheJournalIsFoundWithWhatItChanges) {
  // n1's latest result (line 3) raised above the threshold: the figures recorded beside
  // the samples no longer follow, summary.json no longer matches, and the verdict would
  // now be PASS.
  std::string journal = slurp(dir_ / "journal.jsonl");
  const std::size_t line3 = journal.find('\n', journal.find('\n') + 1) + 1;
  Json result = Json::parse(journal.substr(line3));
  result["metrics"][0]["samples"] = {1.3e11, 1.3e11, 1.3e11, 1.3e11, 1.3e11};
  write(dir_ / "journal.jsonl", journal.substr(0, line3) + result.dump() + "\n");

  const VerifyReport report = verify();
  EXPECT_FALSE(report.passed());
  const std::string all = findings_text(report);
  EXPECT_TRUE(has_finding(report, VerifyFindingKind::modified, "journal.jsonl", "SHA-256")) << all;
  EXPECT_TRUE(has_finding(report, VerifyFindingKind::figure, "journal.jsonl",
                          "journal.jsonl line 3 (cpu.fma on n1): cpu.fma.fp64 value recorded 5e+10, re-derived from its "
                          "samples 1.3e+11"))
      << all;
  EXPECT_TRUE(has_finding(report, VerifyFindingKind::result, "summary.json",
                          "summary.json results[1] (cpu.fma on n1) differs from journal.jsonl line 3: metrics[0].samples"))
      << all;
  EXPECT_TRUE(has_finding(report, VerifyFindingKind::verdict, "summary.json",
                          "summary.json: verdict n1 cpu cpu.fma.fp64: status recorded FAIL, re-derived PASS"))
      << all;
}

TEST_F(BundleVerify, AVerdictChangedBySomeoneWhoAlsoRewroteTheManifestIsFound) {
  edit_summary([](Json& j) {
    for (auto& v : j["verdicts"]) {
      if (v["node"] == "n1" && v["key"] == "cpu.fma.fp64") v["status"] = "PASS";
    }
  });
  rehash();
  const VerifyReport report = verify();
  ASSERT_EQ(report.findings.size(), 1u) << findings_text(report);
  EXPECT_EQ(report.findings[0].kind, VerifyFindingKind::verdict);
  EXPECT_EQ(report.findings[0].file, "summary.json");
  EXPECT_EQ(report.findings[0].detail, "summary.json: verdict n1 cpu cpu.fma.fp64: status recorded PASS, re-derived FAIL");
  EXPECT_EQ(report.verdicts_agree + 1, report.verdicts_rederived);
}

TEST_F(BundleVerify, ARecordedValueThatItsSamplesDoNotGiveIsFound) {
  edit_summary([](Json& j) { j["results"][1]["metrics"][0]["value"] = 9.5e10; });
  rehash();
  const VerifyReport report = verify();
  EXPECT_TRUE(has_finding(report, VerifyFindingKind::figure, "summary.json",
                          "summary.json results[1] (cpu.fma on n1): cpu.fma.fp64 value recorded 9.5e+10, re-derived "
                          "from its samples 5e+10"))
      << findings_text(report);
}

TEST_F(BundleVerify, RecordedJournalLinesMustBeWhereTheJournalHasEachResult) {
  // A report cites "journal.jsonl line N" from summary.json alone, so a wrong N is a finding.
  edit_summary([](Json& j) { j["journal_lines"] = {1, 2}; });
  rehash();
  const VerifyReport report = verify();
  ASSERT_EQ(report.findings.size(), 1u) << findings_text(report);
  EXPECT_EQ(report.findings[0].kind, VerifyFindingKind::result);
  EXPECT_EQ(report.findings[0].file, "summary.json");
  EXPECT_EQ(report.findings[0].detail,
            "summary.json: journal_lines[1] (cpu.fma on n1) recorded 2, journal.jsonl has that result on line 3");

  edit_summary([](Json& j) { j["journal_lines"] = {7, 3}; });
  rehash();
  EXPECT_TRUE(has_finding(verify(), VerifyFindingKind::result, "summary.json",
                          "summary.json: journal_lines[0] (cpu.fma on n0) recorded 7, journal.jsonl has that result "
                          "on line 1"));

  // Bundles written before summary.json recorded the lines have none to compare.
  edit_summary([](Json& j) { j.erase("journal_lines"); });
  rehash();
  EXPECT_TRUE(verify().passed());

  edit_summary([](Json& j) { j["journal_lines"] = {1}; });
  rehash();
  EXPECT_EQ(verify_error().message,
            "summary.json.journal_lines: expected an array of 2 non-negative integers (each result's line in "
            "journal.jsonl, 0 where it has none), one per entry of 'results'");
}

TEST_F(BundleVerify, AcceptedAndCountsMustFollowFromTheVerdicts) {
  edit_summary([](Json& j) {
    j["accepted"] = true;
    j["counts"]["FAIL"] = 0;
  });
  rehash();
  const VerifyReport report = verify();
  EXPECT_TRUE(has_finding(report, VerifyFindingKind::summary, "summary.json",
                          "summary.json: accepted: recorded true, re-derived false"))
      << findings_text(report);
  EXPECT_TRUE(has_finding(report, VerifyFindingKind::summary, "summary.json", "counts: FAIL recorded 0, re-derived 2"))
      << findings_text(report);
}

TEST_F(BundleVerify, ChangedFleetStatisticsAreFound) {
  edit_summary([](Json& j) {
    ASSERT_FALSE(j["fleet"].empty());
    j["fleet"][0]["median"] = j["fleet"][0]["median"].get<double>() * 1.01;
  });
  rehash();
  const VerifyReport report = verify();
  EXPECT_TRUE(has_finding(report, VerifyFindingKind::summary, "summary.json",
                          "fleet statistics of cpu.fma.fp64: median recorded"))
      << findings_text(report);
}

TEST_F(BundleVerify, NumbersAgreeWithinTheRelativeTolerance) {
  edit_summary([](Json& j) {
    for (auto& v : j["verdicts"]) {
      if (v["measured"].is_number()) v["measured"] = v["measured"].get<double>() * (1 + 1e-14);
    }
  });
  rehash();
  EXPECT_TRUE(verify().passed());
  edit_summary([](Json& j) {
    for (auto& v : j["verdicts"]) {
      if (v["measured"].is_number()) v["measured"] = v["measured"].get<double>() * (1 + 1e-9);
    }
  });
  rehash();
  EXPECT_FALSE(verify().passed());
}

TEST_F(BundleVerify, ModifiedMissingAndExtraFilesAreNamed) {
  write(dir_ / "inventory.json", "{}\n");
  write(dir_ / "notes.txt", "added later\n");
  fs::remove(dir_ / "summary.json");
  const VerifyReport report = verify();
  const std::string all = findings_text(report);
  EXPECT_TRUE(has_finding(report, VerifyFindingKind::modified, "inventory.json", "inventory.json: modified")) << all;
  EXPECT_TRUE(has_finding(report, VerifyFindingKind::extra, "notes.txt", "notes.txt: extra")) << all;
  EXPECT_TRUE(has_finding(report, VerifyFindingKind::missing, "summary.json", "summary.json: missing")) << all;
  EXPECT_FALSE(report.rederived);
  EXPECT_EQ(report.files_ok, 2u);
}

TEST_F(BundleVerify, ABundleWithoutManifestIsReportedButStillReDerived) {
  fs::remove(dir_ / "MANIFEST");
  const VerifyReport report = verify();
  ASSERT_EQ(report.findings.size(), 1u) << findings_text(report);
  EXPECT_EQ(report.findings[0].kind, VerifyFindingKind::missing);
  EXPECT_EQ(report.findings[0].file, "MANIFEST");
  EXPECT_TRUE(report.rederived);
}

TEST_F(BundleVerify, UnreadableBundlesAreBadInputNamingTheFile) {
  write(dir_ / "summary.json", "{\"schema\": ");
  Error e = verify_error();
  EXPECT_EQ(e.kind, ErrorKind::bad_input);
  EXPECT_NE(e.message.find("summary.json: not valid JSON"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("differs from MANIFEST"), std::string::npos) << e.message;

  fresh_bundle();
  write(dir_ / "plan.toml", "[system]\nname = 3\n");
  e = verify_error();
  EXPECT_NE(e.message.find("plan.toml"), std::string::npos) << e.message;

  fresh_bundle();
  write(dir_ / "MANIFEST", "not a manifest\n");
  e = verify_error();
  EXPECT_NE(e.message.find("MANIFEST, line 1"), std::string::npos) << e.message;

  fresh_bundle();
  fs::remove(dir_ / "MANIFEST");
  fs::remove(dir_ / "journal.jsonl");
  e = verify_error();
  EXPECT_NE(e.message.find("no journal.jsonl"), std::string::npos) << e.message;
}

TEST_F(BundleVerify, SignaturesAreCheckedAndAForgedOneFails) {
  auto key = generate_signing_key("auditor test");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(add_signature(dir_.string(), *key).ok());
  const PublicKey public_key{key->public_key, key->signer};

  VerifyReport report = verify();
  EXPECT_TRUE(report.passed()) << findings_text(report);
  ASSERT_EQ(report.signatures.size(), 1u);
  EXPECT_TRUE(report.signatures[0].valid);
  EXPECT_EQ(report.signatures[0].signer, "auditor test");
  EXPECT_EQ(report.signatures[0].public_key_hex, public_key_hex(key->public_key));

  report = verify(public_key);
  EXPECT_TRUE(report.passed()) << findings_text(report);
  EXPECT_TRUE(report.signatures[0].required_key);

  auto other = generate_signing_key("someone else");
  ASSERT_TRUE(other.ok());
  report = verify(PublicKey{other->public_key, other->signer});
  EXPECT_TRUE(has_finding(report, VerifyFindingKind::signature, "MANIFEST.sig",
                          "not signed by " + public_key_hex(other->public_key)))
      << findings_text(report);

  // Same format, wrong bytes: one hex digit of the signature changed.
  std::string sig = slurp(dir_ / "MANIFEST.sig");
  const std::size_t signature_at = sig.find(' ', sig.find(' ') + 1) + 1;
  sig[signature_at] = sig[signature_at] == '0' ? '1' : '0';
  write(dir_ / "MANIFEST.sig", sig);
  report = verify();
  EXPECT_TRUE(has_finding(report, VerifyFindingKind::signature, "MANIFEST.sig", "does not verify"))
      << findings_text(report);
}

TEST_F(BundleVerify, TheReportReadsAsAChecklistAndAsJson) {
  edit_summary([](Json& j) { j["accepted"] = true; });
  rehash();
  const VerifyReport report = verify();
  const std::string text = verify_report_text(report);
  EXPECT_NE(text.find("ok    files hashed: 4 ok"), std::string::npos) << text;
  EXPECT_NE(text.find("signatures: unsigned"), std::string::npos) << text;
  EXPECT_NE(text.find("summary.json: accepted: recorded true, re-derived false"), std::string::npos) << text;
  EXPECT_NE(text.find("NOT VERIFIED: 1 finding"), std::string::npos) << text;
  const Json json = verify_report_json(report);
  EXPECT_EQ(json["schema"], "assay.verify/1");
  EXPECT_EQ(json["verified"], false);
  ASSERT_EQ(json["findings"].size(), 1u);
  EXPECT_EQ(json["findings"][0]["kind"], "summary");
  EXPECT_EQ(json["findings"][0]["file"], "summary.json");
  EXPECT_EQ(json["relative_tolerance"], 1e-12);
}

}  // namespace
}  // namespace assay
