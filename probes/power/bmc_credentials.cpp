#include "probes/power/bmc_credentials.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string_view>

#include <fmt/format.h>

namespace assay {

namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

Expected<BmcCredentials> from_environment() {
  const char* user = std::getenv("ASSAY_BMC_USER");
  const char* password = std::getenv("ASSAY_BMC_PASSWORD");
  if (!user || !*user || !password) {
    return bad_input(
        "no BMC credentials: set the ASSAY_BMC_USER and ASSAY_BMC_PASSWORD environment variables, "
        "or give a credentials file (credentials_file) with 'user = NAME' and 'password = SECRET' lines");
  }
  return BmcCredentials{user, password};
}

}  // namespace

Expected<BmcCredentials> load_bmc_credentials(const std::string& credentials_file) {
  if (credentials_file.empty()) return from_environment();

  const std::string expected = "a file of mode 0600 with 'user = NAME' and 'password = SECRET' lines";
  struct stat st {};
  if (::stat(credentials_file.c_str(), &st) != 0) {
    return bad_input(fmt::format("BMC credentials file {}: {}; expected {}", credentials_file,
                                 std::strerror(errno), expected));
  }
  if (!S_ISREG(st.st_mode)) {
    return bad_input(fmt::format("BMC credentials file {} is not a regular file; expected {}", credentials_file,
                                 expected));
  }
  // A secret others can read is already leaked; refusing it, as ssh does with keys,
  // makes that visible instead of quietly using it.
  if ((st.st_mode & 077) != 0) {
    return bad_input(fmt::format("BMC credentials file {} is readable by group or others (mode {:04o}); "
                                 "expected mode 0600 (chmod 600 {})",
                                 credentials_file, st.st_mode & 07777, credentials_file));
  }
  std::ifstream in(credentials_file);
  if (!in) {
    return bad_input(fmt::format("BMC credentials file {} cannot be read; expected {}", credentials_file, expected));
  }

  std::optional<std::string> user, password;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    const auto equals = text.find('=');
    const std::string_view key = trim(text.substr(0, equals == std::string_view::npos ? 0 : equals));
    // The line may be the password itself written without a key, so it is never quoted.
    if (equals == std::string_view::npos || (key != "user" && key != "password")) {
      return bad_input(fmt::format("BMC credentials file {} line {}: expected 'user = NAME' or 'password = SECRET'",
                                   credentials_file, number));
    }
    std::string value(trim(text.substr(equals + 1)));
    (key == "user" ? user : password) = std::move(value);
  }
  if (in.bad()) {
    return bad_input(fmt::format("BMC credentials file {} cannot be read; expected {}", credentials_file, expected));
  }
  if (!user || user->empty()) {
    return bad_input(fmt::format("BMC credentials file {} has no 'user = NAME' line", credentials_file));
  }
  if (!password) {
    return bad_input(fmt::format("BMC credentials file {} has no 'password = SECRET' line", credentials_file));
  }
  return BmcCredentials{std::move(*user), std::move(*password)};
}

}  // namespace assay
