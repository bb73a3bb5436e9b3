#pragma once
// `assay verify`: the auditor's re-check of a bundle. Re-hashes every file against
// MANIFEST, checks the signatures in MANIFEST.sig, and re-derives every figure and
// verdict from the raw samples and the plan recorded in the bundle (never from this
// build's catalog), reporting each disagreement precisely (docs/evidence.md).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"
#include "core/result_json.h"
#include "reports/manifest.h"

namespace assay {

/// Relative tolerance of every numeric comparison: the figures round-trip JSON exactly,
/// so anything beyond rounding noise of the last bits is a real difference.
inline constexpr double verify_relative_tolerance = 1e-12;

/// What one disagreement is about.
enum class VerifyFindingKind {
  modified,   ///< a file's SHA-256 differs from MANIFEST's
  missing,    ///< MANIFEST lists a file that is not there (or MANIFEST itself is absent)
  extra,      ///< a file is there that MANIFEST does not list
  signature,  ///< a signature does not verify, or the required signer did not sign
  figure,     ///< a recorded value or statistic differs from what its samples give
  result,     ///< summary.json's results differ from the journal's
  verdict,    ///< a recorded verdict differs from the re-derived one
  summary,    ///< fleet statistics, rated figures, nodes, links or `accepted` differ
};
std::string_view verify_finding_kind_name(VerifyFindingKind kind);  ///< "modified", ...

struct VerifyFinding {
  VerifyFindingKind kind = VerifyFindingKind::modified;
  std::string file;    ///< the bundle file it is about, e.g. "summary.json"
  std::string detail;  ///< e.g. "verdict n1 cpu cpu.fma.fp64: status recorded PASS, re-derived FAIL"
};

/// One line of MANIFEST.sig as checked.
struct SignatureCheck {
  std::string signer;
  std::string public_key_hex;
  std::string signed_at;
  bool valid = false;        ///< verifies against the MANIFEST's bytes
  bool required_key = false;  ///< made with the key given by --pubkey
};

struct VerifyReport {
  std::string bundle_dir;
  // Files.
  bool has_manifest = false;
  std::size_t files_listed = 0;  ///< entries in MANIFEST
  std::size_t files_hashed = 0;  ///< files in the bundle (without MANIFEST and MANIFEST.sig)
  std::size_t files_ok = 0;      ///< listed and hashing to the recorded SHA-256
  // Signatures.
  std::vector<SignatureCheck> signatures;
  std::optional<std::string> required_key_hex;  ///< --pubkey, as hex
  // Re-derivation. False when a file it needs is missing (the finding says which).
  bool rederived = false;
  std::size_t journal_lines = 0;
  std::size_t figures_checked = 0, figures_agree = 0;  ///< metrics' value and stats vs samples
  std::size_t results_checked = 0, results_agree = 0;  ///< summary.json results vs journal
  std::size_t verdicts_rederived = 0, verdicts_agree = 0;
  std::vector<std::string> notes;  ///< things worth knowing that are not failures
  std::vector<VerifyFinding> findings;

  bool passed() const { return findings.empty(); }
};

/// Verifies the bundle in `dir`. With `required_key`, at least one valid signature by
/// that key is required; without it, every signature present must be valid and an
/// unsigned bundle passes on its hashes and verdicts. A bundle that cannot be read
/// (no summary.json or plan.toml without a MANIFEST listing them, malformed JSON, a
/// plan that does not load, a malformed MANIFEST or MANIFEST.sig) is a bad_input error
/// naming the file.
Expected<VerifyReport> verify_bundle(const std::string& dir, const std::optional<PublicKey>& required_key);

/// The checklist and every finding, for people.
std::string verify_report_text(const VerifyReport& report);

/// The report as JSON (schema "assay.verify/1").
Json verify_report_json(const VerifyReport& report);

}  // namespace assay
