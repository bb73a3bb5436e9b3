// assay verify DIR [--pubkey FILE] [--json]
#include <optional>
#include <ostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "reports/manifest.h"
#include "suites/bundle_verify.h"

namespace assay::cli {

int verify_command(const std::vector<std::string>& args, CommandIo& io) {
  CLI::App app{"Re-check a bundle as an auditor would: every file against MANIFEST, the signatures in "
               "MANIFEST.sig, and every figure and verdict re-derived from the raw samples and the plan "
               "recorded in the bundle (docs/evidence.md).\n"
               "Exit 0: everything agrees; 1: a file, signature or verdict does not (each named); "
               "2: the bundle cannot be read.",
               "assay verify"};
  std::string dir, pubkey_path;
  bool json = false;
  app.add_option("DIR", dir, "bundle directory")->required();
  app.add_option("--pubkey", pubkey_path,
                 "public key file (from 'assay keygen'): require a valid signature by this key");
  app.add_flag("--json", json, "print the result as JSON (schema assay.verify/1) and nothing else");
  if (auto code = parse_arguments(app, "verify", args, io)) return *code;

  std::optional<PublicKey> required_key;
  if (!pubkey_path.empty()) {
    auto key = read_public_key(pubkey_path);
    if (!key) return report_error(io, "verify", key.error());
    required_key = std::move(*key);
  }
  auto report = verify_bundle(dir, required_key);
  if (!report) return report_error(io, "verify", report.error());
  if (json) {
    io.out << verify_report_json(*report).dump(2) << "\n";
  } else {
    io.out << verify_report_text(*report);
  }
  return report->passed() ? exit_accepted : exit_not_accepted;
}

}  // namespace assay::cli
