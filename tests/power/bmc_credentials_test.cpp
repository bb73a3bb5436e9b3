// The BMC credentials loader shared by the IPMI and Redfish sources: the environment
// form, the file form, and that no failure ever quotes the secret.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "power_test_helpers.h"
#include "probes/power/bmc_credentials.h"

namespace assay {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::FixtureTree;

namespace fs = std::filesystem;

constexpr const char* kSecret = "s3cr3t-Value-0815";

class LoadBmcCredentials : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("ASSAY_BMC_USER");
    ::unsetenv("ASSAY_BMC_PASSWORD");
  }
  void TearDown() override { SetUp(); }

  std::string write(const std::string& text, mode_t mode = 0600) {
    tree_.write("creds", text);
    const fs::path file = tree_.path() / "creds";
    EXPECT_EQ(::chmod(file.c_str(), mode), 0);
    return file.string();
  }

  FixtureTree tree_{"bmc-credentials"};
};

TEST_F(LoadBmcCredentials, EnvironmentGivesBoth) {
  ::setenv("ASSAY_BMC_USER", "admin", 1);
  ::setenv("ASSAY_BMC_PASSWORD", kSecret, 1);
  auto credentials = load_bmc_credentials("");
  ASSERT_TRUE(credentials.ok()) << credentials.error().message;
  EXPECT_EQ(credentials->user, "admin");
  EXPECT_EQ(credentials->password, kSecret);
}

TEST_F(LoadBmcCredentials, EnvironmentNeedsBothVariablesAndNamesTheFileAlternative) {
  const auto expect_refused = [](const char* why) {
    auto missing = load_bmc_credentials("");
    ASSERT_FALSE(missing.ok()) << why;
    EXPECT_EQ(missing.error().kind, ErrorKind::bad_input) << why;
    EXPECT_THAT(missing.error().message, AllOf(HasSubstr("ASSAY_BMC_USER"), HasSubstr("ASSAY_BMC_PASSWORD"),
                                               HasSubstr("credentials_file"), Not(HasSubstr(kSecret))))
        << why;
  };
  expect_refused("neither set");
  ::setenv("ASSAY_BMC_USER", "admin", 1);
  expect_refused("no password");
  ::unsetenv("ASSAY_BMC_USER");
  ::setenv("ASSAY_BMC_PASSWORD", kSecret, 1);
  expect_refused("no user");
  ::setenv("ASSAY_BMC_USER", "", 1);
  expect_refused("empty user");
}

TEST_F(LoadBmcCredentials, FileWithCommentsBlankLinesAndSpaces) {
  const std::string file = write("# BMC of rack 3\n\n  user =  ops \r\npassword=a b=c#d\n");
  auto credentials = load_bmc_credentials(file);
  ASSERT_TRUE(credentials.ok()) << credentials.error().message;
  EXPECT_EQ(credentials->user, "ops");
  // Everything after the first '=', so a password may hold '=', '#' and inner blanks.
  EXPECT_EQ(credentials->password, "a b=c#d");
}

TEST_F(LoadBmcCredentials, TheFileWinsOverTheEnvironment) {
  ::setenv("ASSAY_BMC_USER", "env-user", 1);
  ::setenv("ASSAY_BMC_PASSWORD", "env-password", 1);
  auto credentials = load_bmc_credentials(write(std::string("user = ops\npassword = ") + kSecret + "\n"));
  ASSERT_TRUE(credentials.ok()) << credentials.error().message;
  EXPECT_EQ(credentials->user, "ops");
  EXPECT_EQ(credentials->password, kSecret);
}

TEST_F(LoadBmcCredentials, AFileOthersMayReadIsRefusedWithTheFix) {
  for (const mode_t mode : {0644, 0640, 0604, 0660}) {
    const std::string file = write(std::string("user = ops\npassword = ") + kSecret + "\n", mode);
    auto refused = load_bmc_credentials(file);
    ASSERT_FALSE(refused.ok()) << std::oct << mode;
    EXPECT_EQ(refused.error().kind, ErrorKind::bad_input);
    EXPECT_THAT(refused.error().message,
                AllOf(HasSubstr(file), HasSubstr("chmod 600"), Not(HasSubstr(kSecret))));
  }
  EXPECT_TRUE(load_bmc_credentials(write(std::string("user = ops\npassword = ") + kSecret + "\n", 0400)).ok());
}

TEST_F(LoadBmcCredentials, MissingKeysNameTheFileAndNeverTheSecret) {
  const std::string no_password = write("user = ops\n");
  auto a = load_bmc_credentials(no_password);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(a.error().message, AllOf(HasSubstr(no_password), HasSubstr("password = SECRET")));

  const std::string no_user = write(std::string("password = ") + kSecret + "\n");
  auto b = load_bmc_credentials(no_user);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(b.error().message, AllOf(HasSubstr(no_user), HasSubstr("user = NAME"), Not(HasSubstr(kSecret))));

  // A bare line may be the password written without its key: it is not quoted back.
  const std::string bare = write(std::string("user = ops\n") + kSecret + "\n");
  auto c = load_bmc_credentials(bare);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(c.error().message, AllOf(HasSubstr(bare), HasSubstr("line 2"), Not(HasSubstr(kSecret))));

  const std::string misspelt = write(std::string("user = ops\npasswd = ") + kSecret + "\n");
  auto d = load_bmc_credentials(misspelt);
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.error().message, AllOf(HasSubstr("line 2"), Not(HasSubstr(kSecret))));
}

TEST_F(LoadBmcCredentials, AFileThatCannotBeReadNamesIt) {
  const std::string absent = (tree_.path() / "absent").string();
  auto a = load_bmc_credentials(absent);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(a.error().message, HasSubstr(absent));

  // A directory (root reads any file, so mode 000 would not fail when tests run as root).
  const fs::path dir = tree_.path() / "creds.d";
  fs::create_directories(dir);
  ::chmod(dir.c_str(), 0700);
  auto b = load_bmc_credentials(dir.string());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(b.error().message, AllOf(HasSubstr(dir.string()), HasSubstr("regular file")));
}

}  // namespace
}  // namespace assay
