#pragma once
// The user name and password of a BMC, for the IPMI (lanplus) and Redfish sources.
// They come from a file or from the environment, never from a plan or the command line,
// so they stay out of plan.toml, the bundle and `ps`. The password is never formatted
// into any message, describe() line or log: nothing here has a way to print it.

#include <string>

#include "core/expected.h"

namespace assay {

struct BmcCredentials {
  std::string user;
  std::string password;
};

/// Empty `credentials_file`: the ASSAY_BMC_USER and ASSAY_BMC_PASSWORD environment
/// variables (both needed). Otherwise the file, which holds
///     user = NAME
///     password = SECRET
/// with blank lines and # comments allowed; the value is everything after the first '='
/// with surrounding blanks removed. Like ssh with its keys, a file that group or others
/// may read (mode & 077) is refused. Every failure is bad_input naming the file or the
/// variables and what was expected.
Expected<BmcCredentials> load_bmc_credentials(const std::string& credentials_file);

}  // namespace assay
