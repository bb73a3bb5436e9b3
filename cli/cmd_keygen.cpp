// assay keygen -o KEYFILE [--signer NAME] [--force]
#include <cstdlib>
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "reports/manifest.h"
#include "suites/inventory.h"

namespace assay::cli {
namespace {

// "user@host": who made the key, when no --signer is given.
std::string default_signer() {
  const char* user = std::getenv("USER");
  const std::string host = local_host_name();
  return user && *user ? fmt::format("{}@{}", user, host) : host;
}

}  // namespace

int keygen_command(const std::vector<std::string>& args, CommandIo& io) {
  CLI::App app{"Make an Ed25519 key pair for signing bundles: KEYFILE (secret, mode 0600) and KEYFILE.pub "
               "(give it to the auditor). See docs/evidence.md.",
               "assay keygen"};
  std::string key_path, signer;
  bool force = false;
  app.add_option("-o,--out", key_path, "where to write the secret key; the public key goes to KEYFILE.pub")
      ->required()
      ->type_name("KEYFILE");
  app.add_option("--signer", signer,
                 "who signs with this key, as MANIFEST.sig and reports will name them (default: user@host)")
      ->type_name("NAME");
  app.add_flag("--force", force, "replace existing key files (bundles they signed then need the old .pub)");
  if (auto code = parse_arguments(app, "keygen", args, io)) return *code;

  auto key = generate_signing_key(signer.empty() ? default_signer() : signer);
  if (!key) return report_error(io, "keygen", key.error());
  const std::string public_path = public_key_path(key_path);
  if (auto written = write_signing_key(*key, key_path, public_path, force); !written) {
    return report_error(io, "keygen", written.error());
  }
  io.out << fmt::format("public key {}\nsigner     {}\nsecret key {} (mode 0600: keep it secret)\npublic key {} "
                        "(give it to the auditor)\n",
                        public_key_hex(key->public_key), key->signer.empty() ? "(none)" : key->signer, key_path,
                        public_path);
  return exit_accepted;
}

}  // namespace assay::cli
