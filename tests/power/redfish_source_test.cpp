// The Redfish source for real, over HTTPS to a loopback BMC (fixtures/redfish_server.py)
// with a self-signed certificate made by the openssl CLI. The credentials loader it
// shares with the IPMI source has its own tests (bmc_credentials_test.cpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "power_test_helpers.h"
#include "probes/power/redfish_source.h"

extern char** environ;

namespace assay {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::FixtureTree;

namespace fs = std::filesystem;

constexpr const char* kUser = "assay-admin";
constexpr const char* kPassword = "pw-Zq7!secret-4711";

bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t stop = std::min(dirs.find(':', start), dirs.size());
    if (::access((dirs.substr(start, stop - start) + "/" + name).c_str(), X_OK) == 0) return true;
    start = stop + 1;
  }
  return false;
}

/// Starts argv (looked up on PATH) with stdout and stderr to /dev/null; -1 on failure.
pid_t spawn_quiet(const std::vector<std::string>& argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

int run_quiet(const std::vector<std::string>& argv) {
  const pid_t pid = spawn_quiet(argv);
  if (pid < 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// A loopback Redfish BMC in a child python3, killed and reaped on destruction.
class RedfishServer {
 public:
  /// TLS with `cert`/`key` unless they are empty; `variant` as in redfish_server.py.
  RedfishServer(const fs::path& dir, const std::string& variant, const fs::path& cert, const fs::path& key,
                double watts = 250) {
    static int count = 0;
    const fs::path port_file = dir / ("port-" + std::to_string(++count));
    std::vector<std::string> argv = {"python3",  std::string(ASSAY_SOURCE_DIR) + "/tests/power/fixtures/redfish_server.py",
                                     "--port-file", port_file.string(), "--variant", variant, "--user", kUser,
                                     "--password", kPassword, "--watts", std::to_string(watts)};
    if (!cert.empty()) argv.insert(argv.end(), {"--cert", cert.string(), "--key", key.string()});
    pid_ = spawn_quiet(argv);
    if (pid_ < 0) return;
    // Python's start-up on a loaded 2-core machine can take a few seconds.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(port_file);
      if (in >> port_) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    port_ = 0;
  }
  ~RedfishServer() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  RedfishServer(const RedfishServer&) = delete;
  RedfishServer& operator=(const RedfishServer&) = delete;

  int port() const { return port_; }
  std::string https() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string http() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

class RedfishSource : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!on_path("python3")) {
      skip_reason_ = new std::string("python3 is not on PATH (the loopback Redfish server needs it)");
      return;
    }
    if (!on_path("openssl")) {
      skip_reason_ = new std::string("openssl is not on PATH (the test's certificate is made with it)");
      return;
    }
    dir_ = new FixtureTree("redfish");
    // A self-signed P-256 certificate for the loopback address: quick to make, and both
    // the CA file given to the reader and the server's own certificate.
    const int rc = run_quiet({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                              "-nodes", "-keyout", (dir_->path() / "key.pem").string(), "-out",
                              (dir_->path() / "cert.pem").string(), "-days", "2", "-subj", "/CN=127.0.0.1",
                              "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"});
    if (rc != 0) skip_reason_ = new std::string("openssl could not make a self-signed certificate");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
    delete skip_reason_;
    skip_reason_ = nullptr;
  }

  void SetUp() override {
    if (skip_reason_) GTEST_SKIP() << *skip_reason_;
    ::setenv("ASSAY_BMC_USER", kUser, 1);
    ::setenv("ASSAY_BMC_PASSWORD", kPassword, 1);
  }
  void TearDown() override {
    ::unsetenv("ASSAY_BMC_USER");
    ::unsetenv("ASSAY_BMC_PASSWORD");
  }

  static fs::path dir() { return dir_->path(); }
  static fs::path cert() { return dir_->path() / "cert.pem"; }
  static fs::path key() { return dir_->path() / "key.pem"; }

  /// A TLS server of `variant`, checked to be listening.
  static std::unique_ptr<RedfishServer> tls_server(const std::string& variant, double watts = 250) {
    auto server = std::make_unique<RedfishServer>(dir(), variant, cert(), key(), watts);
    EXPECT_GT(server->port(), 0) << "the loopback Redfish server did not start";
    return server;
  }

  static PowerSourceOptions verified(const RedfishServer& server) {
    PowerSourceOptions options;
    options.endpoint = server.https();
    options.ca_file = cert().string();
    return options;
  }

  static std::optional<DomainReading> find(const std::vector<DomainReading>& readings, const std::string& domain) {
    for (const DomainReading& r : readings) {
      if (r.domain == domain) return r;
    }
    return std::nullopt;
  }

  static void expect_no_password(const std::vector<std::string>& lines) {
    for (const std::string& line : lines) EXPECT_THAT(line, Not(HasSubstr(kPassword)));
  }

  static inline FixtureTree* dir_ = nullptr;
  static inline std::string* skip_reason_ = nullptr;
};

TEST_F(RedfishSource, LegacyPowerControlOverVerifiedHttps) {
  auto server = tls_server("legacy", 250);
  ASSERT_GT(server->port(), 0);
  auto source = open_redfish_source(verified(*server));
  ASSERT_TRUE(source.ok()) << source.error().message;
  EXPECT_EQ((*source)->name(), "redfish");
  EXPECT_EQ((*source)->min_interval(), std::chrono::milliseconds(1000));

  auto readings = (*source)->read();
  ASSERT_TRUE(readings.ok()) << readings.error().message;
  ASSERT_EQ(readings->size(), 3u);
  // One PowerControl: the chassis; several: one domain each, by MemberId or Name. An
  // entry with a null reading is no domain.
  const auto one_u = find(*readings, "chassis/1U");
  const auto cpu = find(*readings, "chassis/Blade/CPU");
  const auto memory = find(*readings, "chassis/Blade/Memory");
  ASSERT_TRUE(one_u && cpu && memory);
  EXPECT_DOUBLE_EQ(one_u->watts.value_or(-1), 250);
  EXPECT_DOUBLE_EQ(cpu->watts.value_or(-1), 90);
  EXPECT_DOUBLE_EQ(memory->watts.value_or(-1), 30.5);
  EXPECT_FALSE(one_u->energy_joules);

  const auto lines = (*source)->describe();
  EXPECT_THAT(lines, Contains(HasSubstr(server->https() + "/redfish/v1/Chassis/1U/Power PowerControl[0]")));
  EXPECT_THAT(lines, Contains(HasSubstr("TLS verified against ca_file " + cert().string())));
  EXPECT_THAT(lines, Contains(AllOf(HasSubstr("left out"), HasSubstr("chassis/Rack"))));
  expect_no_password(lines);
}

TEST_F(RedfishSource, EnvironmentMetricsEnergyCounterGivesTheKnownPower) {
  auto server = tls_server("environment", 180);
  ASSERT_GT(server->port(), 0);
  auto source = open_redfish_source(verified(*server));
  ASSERT_TRUE(source.ok()) << source.error().message;

  // Each read is timed by the middle of its request, as the server samples its clock
  // while answering.
  const auto timed_read = [&](double& at) {
    const auto before = std::chrono::steady_clock::now();
    auto readings = (*source)->read();
    const auto after = std::chrono::steady_clock::now();
    at = std::chrono::duration<double>((before.time_since_epoch() + after.time_since_epoch()) / 2).count();
    return readings;
  };
  double t0 = 0, t1 = 0;
  auto first = timed_read(t0);
  ASSERT_TRUE(first.ok()) << first.error().message;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto second = timed_read(t1);
  ASSERT_TRUE(second.ok()) << second.error().message;

  ASSERT_EQ(first->size(), 1u);
  ASSERT_EQ(second->size(), 1u);
  const DomainReading& a = (*first)[0];
  const DomainReading& b = (*second)[0];
  EXPECT_EQ(b.domain, "chassis/1U");
  // EnvironmentMetrics is preferred over the chassis' legacy Power (which says 1 W).
  EXPECT_DOUBLE_EQ(b.watts.value_or(-1), 180);
  ASSERT_TRUE(a.energy_joules && b.energy_joules);
  // Relative to the counter at open, not to its origin (the server starts it at 1 MJ).
  EXPECT_GE(*a.energy_joules, 0);
  EXPECT_LT(*a.energy_joules, 180 * 2.0);
  EXPECT_NEAR((*b.energy_joules - *a.energy_joules) / (t1 - t0), 180, 180 * 0.02);
  EXPECT_THAT((*source)->describe(),
              Contains(AllOf(HasSubstr("/redfish/v1/Chassis/1U/EnvironmentMetrics"), HasSubstr("EnergyJoules"))));
}

TEST_F(RedfishSource, PowerSubsystemSumsTheSuppliesInputPower) {
  auto server = tls_server("subsystem");
  ASSERT_GT(server->port(), 0);
  auto source = open_redfish_source(verified(*server));
  ASSERT_TRUE(source.ok()) << source.error().message;
  auto readings = (*source)->read();
  ASSERT_TRUE(readings.ok()) << readings.error().message;
  ASSERT_EQ(readings->size(), 1u);
  EXPECT_EQ((*readings)[0].domain, "chassis/1U");
  EXPECT_DOUBLE_EQ((*readings)[0].watts.value_or(-1), 120.25 + 130.5);
  EXPECT_THAT((*source)->describe(),
              Contains(AllOf(HasSubstr("PowerSupplies/PSU1/Metrics"), HasSubstr("PowerSupplies/PSU2/Metrics"))));
}

TEST_F(RedfishSource, WrongPasswordIsBadInputThatDoesNotShowIt) {
  auto server = tls_server("legacy");
  ASSERT_GT(server->port(), 0);
  const std::string wrong = "not-the-Pa55word-9876";
  ::setenv("ASSAY_BMC_PASSWORD", wrong.c_str(), 1);
  auto source = open_redfish_source(verified(*server));
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(source.error().message,
              HasSubstr("the BMC at " + server->https() + " refused the credentials (HTTP 401)"));
  EXPECT_THAT(source.error().message, Not(HasSubstr(wrong)));
  EXPECT_THAT(source.error().message, Not(HasSubstr(kPassword)));
}

TEST_F(RedfishSource, AUserWithoutAccessIsBadInputToo) {
  auto server = tls_server("legacy");
  ASSERT_GT(server->port(), 0);
  // The server answers 403 to this user whatever the password, as a BMC does for an
  // account that lacks the Login privilege.
  ::setenv("ASSAY_BMC_USER", "readonly", 1);
  auto source = open_redfish_source(verified(*server));
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(source.error().message, HasSubstr("refused the credentials (HTTP 403)"));
  EXPECT_THAT(source.error().message, Not(HasSubstr(kPassword)));
}

TEST_F(RedfishSource, UntrustedCertificateIsRefusedSinceVerificationIsOn) {
  auto server = tls_server("legacy");
  ASSERT_GT(server->port(), 0);
  PowerSourceOptions options;
  options.endpoint = server->https();  // no ca_file: the system's CAs do not know it
  auto source = open_redfish_source(options);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_THAT(source.error().message, AllOf(HasSubstr("TLS"), HasSubstr("ca_file"), HasSubstr(server->https())));
}

TEST_F(RedfishSource, PlainHttpIsRefusedUnlessAllowed) {
  RedfishServer server(dir(), "legacy", "", "", 200);
  ASSERT_GT(server.port(), 0);
  PowerSourceOptions options;
  options.endpoint = server.http();
  auto refused = open_redfish_source(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(refused.error().message,
              AllOf(HasSubstr("plain http:// sends the BMC password unencrypted"), HasSubstr("allow_http")));
  EXPECT_THAT(refused.error().message, Not(HasSubstr(kPassword)));

  options.allow_http = true;
  auto source = open_redfish_source(options);
  ASSERT_TRUE(source.ok()) << source.error().message;
  auto readings = (*source)->read();
  ASSERT_TRUE(readings.ok()) << readings.error().message;
  const auto one_u = find(*readings, "chassis/1U");
  ASSERT_TRUE(one_u);
  EXPECT_DOUBLE_EQ(one_u->watts.value_or(-1), 200);
  EXPECT_THAT((*source)->describe(), Contains(HasSubstr("plain http")));
}

TEST_F(RedfishSource, CredentialsFromAPrivateFileAndNotAReadableOne) {
  auto server = tls_server("legacy");
  ASSERT_GT(server->port(), 0);
  ::unsetenv("ASSAY_BMC_USER");
  ::unsetenv("ASSAY_BMC_PASSWORD");
  const fs::path file = dir() / "bmc-credentials";
  dir_->write("bmc-credentials", std::string("# the BMC of node 7\n\nuser = ") + kUser + "\npassword = " + kPassword +
                                     "\n");
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  PowerSourceOptions options = verified(*server);
  options.credentials_file = file.string();
  auto source = open_redfish_source(options);
  ASSERT_TRUE(source.ok()) << source.error().message;
  auto readings = (*source)->read();
  ASSERT_TRUE(readings.ok()) << readings.error().message;
  const auto lines = (*source)->describe();
  EXPECT_THAT(lines, Contains(HasSubstr(file.string())));
  expect_no_password(lines);

  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  auto refused = open_redfish_source(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(refused.error().message, AllOf(HasSubstr(file.string()), HasSubstr("0600")));
  EXPECT_THAT(refused.error().message, Not(HasSubstr(kPassword)));
}

TEST_F(RedfishSource, CredentialsFromTheEnvironmentNeverShown) {
  auto server = tls_server("environment");
  ASSERT_GT(server->port(), 0);
  auto source = open_redfish_source(verified(*server));
  ASSERT_TRUE(source.ok()) << source.error().message;
  const auto lines = (*source)->describe();
  EXPECT_THAT(lines, Contains(HasSubstr("ASSAY_BMC_USER")));
  expect_no_password(lines);
  for (const std::string& line : lines) EXPECT_THAT(line, Not(HasSubstr(kUser)));
}

TEST_F(RedfishSource, NoChassisWithPowerIsAnEnvironmentError) {
  auto server = tls_server("none");
  ASSERT_GT(server->port(), 0);
  auto source = open_redfish_source(verified(*server));
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_THAT(source.error().message, AllOf(HasSubstr("no chassis"), HasSubstr("chassis/Rack")));
}

TEST_F(RedfishSource, UnreachableBmcIsAnEnvironmentErrorNamingTheEndpoint) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  PowerSourceOptions options;
  options.endpoint = "https://127.0.0.1:1";
  options.ca_file = cert().string();
  auto source = open_redfish_source(options);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::environment);
  EXPECT_THAT(source.error().message, HasSubstr("https://127.0.0.1:1"));
}

TEST_F(RedfishSource, EndpointsThatAreNotAnHttpsOriginAreBadInput) {
  PowerSourceOptions options;
  for (const char* endpoint : {"bmc.example", "https://", "https://bmc.example/redfish/v1", "ftp://bmc.example"}) {
    options.endpoint = endpoint;
    auto source = open_redfish_source(options);
    ASSERT_FALSE(source.ok()) << endpoint;
    EXPECT_EQ(source.error().kind, ErrorKind::bad_input) << endpoint;
    EXPECT_THAT(source.error().message, HasSubstr("https://HOST[:PORT]")) << endpoint;
  }
  // Credentials in the URL: refused without repeating them.
  options.endpoint = std::string("https://root:") + kPassword + "@bmc.example";
  auto source = open_redfish_source(options);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(source.error().message, AllOf(HasSubstr("credentials file"), Not(HasSubstr(kPassword))));
}

}  // namespace
}  // namespace assay
