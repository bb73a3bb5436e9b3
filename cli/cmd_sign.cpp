// assay sign DIR --key KEYFILE
#include <filesystem>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/file_io.h"
#include "reports/manifest.h"

namespace assay::cli {

int sign_command(const std::vector<std::string>& args, CommandIo& io) {
  CLI::App app{"Add a signature to a bundle's MANIFEST (MANIFEST.sig), e.g. as a witness of the run. The "
               "bundle is re-hashed first: if its files no longer match the MANIFEST nothing is signed and "
               "the exit code is 2. See docs/evidence.md.",
               "assay sign"};
  std::string dir, key_path;
  app.add_option("DIR", dir, "the bundle")->required();
  app.add_option("--key", key_path, "the secret key file (made by 'assay keygen')")
      ->required()
      ->type_name("KEYFILE");
  if (auto code = parse_arguments(app, "sign", args, io)) return *code;

  auto key = read_signing_key(key_path);
  if (!key) return report_error(io, "sign", key.error());
  auto signature = sign_bundle(dir, *key);
  if (!signature) return report_error(io, "sign", signature.error());

  // What MANIFEST.sig holds now, so a signer sees whose signatures they stand beside.
  const std::filesystem::path bundle(dir);
  auto manifest = read_file((bundle / manifest_file).string());
  const std::string sig_path = (bundle / manifest_signature_file).string();
  auto text = read_file(sig_path);
  if (!manifest || !text) return report_error(io, "sign", !manifest ? manifest.error() : text.error());
  auto signatures = parse_signatures(*text, sig_path);
  if (!signatures) return report_error(io, "sign", signatures.error());
  io.out << fmt::format("signed {} as {}\n{} now holds:\n", (bundle / manifest_file).string(),
                        key->signer.empty() ? "(no name)" : key->signer, sig_path);
  for (const auto& s : *signatures) {
    io.out << fmt::format("  {}  {}  {}  {}\n", signature_valid(*manifest, s) ? "valid  " : "INVALID",
                          public_key_hex(s.public_key), s.signed_at, s.signer);
  }
  return exit_accepted;
}

}  // namespace assay::cli
