#include "probes/power/ipmi_source.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "probes/power/bmc_credentials.h"

extern char** environ;

namespace assay {

namespace {

using Clock = std::chrono::steady_clock;

// More than any DCMI reading prints; a runaway child cannot make us hold its output.
constexpr std::size_t kOutputCap = 64 * 1024;

bool executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

/// The program to run, made absolute here so "not found" is reported before spawning.
Expected<std::string> find_program(const std::string& requested) {
  const std::string name = requested.empty() ? "ipmitool" : requested;
  if (name.find('/') != std::string::npos) {
    if (executable(name)) return name;
    return environment_error(fmt::format("ipmitool not found: {} is not an executable file", name));
  }
  const char* env_path = std::getenv("PATH");
  const std::string_view path = env_path && *env_path ? env_path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
  for (std::size_t start = 0; start <= path.size();) {
    const std::size_t stop = std::min(path.find(':', start), path.size());
    const std::string dir(path.substr(start, stop - start));
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (executable(candidate)) return candidate;
    start = stop + 1;
  }
  return environment_error(fmt::format(
      "ipmitool not found: no '{}' on PATH (install the ipmitool package, or set ipmitool to its path)", name));
}

bool local_bmc_present() {
  for (const char* device : {"/dev/ipmi0", "/dev/ipmi/0", "/dev/ipmidev/0"}) {
    if (::access(device, F_OK) == 0) return true;
  }
  return false;
}

/// HOST[:PORT] or [V6]:PORT -> host and port ("" when not given); a bare IPv6 address
/// has several colons and no port.
std::pair<std::string, std::string> split_host(const std::string& endpoint) {
  if (endpoint.starts_with('[')) {
    const auto close = endpoint.find(']');
    if (close != std::string::npos) {
      const std::string rest = endpoint.substr(close + 1);
      return {endpoint.substr(1, close - 1), rest.starts_with(':') ? rest.substr(1) : ""};
    }
  }
  const auto colon = endpoint.find(':');
  if (colon != std::string::npos && endpoint.find(':', colon + 1) == std::string::npos) {
    return {endpoint.substr(0, colon), endpoint.substr(colon + 1)};
  }
  return {endpoint, ""};
}

struct Child {
  int status = 0;
  bool timed_out = false;
  std::string out, err;
};

/// Closes the descriptors it holds on every path out of run().
struct Fds {
  std::array<int, 4> fd{-1, -1, -1, -1};  ///< out read, out write, err read, err write
  ~Fds() {
    for (int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
  void close(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
};

struct SpawnSetup {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attr{};
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

/// Runs argv[0] with `env`, no shell, stdin from /dev/null, collecting stdout and stderr.
/// A child still running at `timeout` is killed with its process group (a wrapper
/// script's own children too) and reported as timed out.
Expected<Child> run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    std::chrono::milliseconds timeout) {
  Fds fds;
  // O_CLOEXEC so a child spawned by another thread meanwhile does not inherit them.
  if (::pipe2(&fds.fd[0], O_CLOEXEC) != 0 || ::pipe2(&fds.fd[2], O_CLOEXEC) != 0) {
    return internal_error(fmt::format("ipmi: pipe: {}", std::strerror(errno)));
  }
  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, fds.fd[1], 1);
  posix_spawn_file_actions_adddup2(&setup.actions, fds.fd[3], 2);
  sigset_t none, all_default;
  sigemptyset(&none);
  sigfillset(&all_default);
  sigdelset(&all_default, SIGKILL);
  sigdelset(&all_default, SIGSTOP);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setsigdefault(&setup.attr, &all_default);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  if (const int rc = ::posix_spawn(&pid, args[0], &setup.actions, &setup.attr, args.data(), envp.data()); rc != 0) {
    return environment_error(fmt::format("ipmi: cannot run {}: {}", argv[0], std::strerror(rc)));
  }
  fds.close(1);
  fds.close(3);

  Child child;
  const auto deadline = Clock::now() + timeout;
  auto left_ms = [&] {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1000));
  };
  while (fds.fd[0] >= 0 || fds.fd[2] >= 0) {
    if (Clock::now() >= deadline) break;
    std::array<pollfd, 2> polled{{{fds.fd[0], POLLIN, 0}, {fds.fd[2], POLLIN, 0}}};
    const int ready = ::poll(polled.data(), polled.size(), left_ms());
    if (ready < 0 && errno != EINTR) break;
    for (int i : {0, 1}) {
      if (polled[i].fd < 0 || (polled[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buffer[4096];
      const ssize_t n = ::read(polled[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds.close(i * 2);
        continue;
      }
      std::string& sink = i == 0 ? child.out : child.err;
      sink.append(buffer, std::min(static_cast<std::size_t>(n), kOutputCap - std::min(kOutputCap, sink.size())));
    }
  }
  // Output closed; the exit usually follows at once, but may not (a child that closed
  // its streams and hangs).
  for (;;) {
    const pid_t done = ::waitpid(pid, &child.status, WNOHANG);
    if (done == pid) return child;
    if (done < 0 && errno != EINTR) return internal_error(fmt::format("ipmi: waitpid: {}", std::strerror(errno)));
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Not yet reaped, so the process group still exists and cannot be someone else's.
  ::kill(-pid, SIGKILL);
  while (::waitpid(pid, &child.status, 0) < 0 && errno == EINTR) {
  }
  child.timed_out = true;
  return child;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

/// Up to `count` non-blank lines of `text`, trimmed and joined with " | ", so a message
/// stays one line; ipmitool puts the cause first.
std::string first_lines(std::string_view text, int count) {
  std::string joined;
  while (!text.empty() && count > 0) {
    const auto end = text.find('\n');
    const std::string_view line = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty()) continue;
    if (!joined.empty()) joined += " | ";
    joined.append(line.substr(0, 300));
    --count;
  }
  return joined;
}

/// The value after "<label>:" on the output line that has it, trimmed.
std::optional<std::string_view> field(std::string_view output, std::string_view label) {
  const auto at = output.find(label);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = output.substr(at + label.size());
  rest = rest.substr(0, rest.find('\n'));
  if (!rest.starts_with(':')) return std::nullopt;
  return trim(rest.substr(1));
}

class IpmiSource final : public PowerSource {
 public:
  IpmiSource(std::vector<std::string> argv, std::vector<std::string> env, std::string shown, std::string reaches,
             std::string credentials_from, std::chrono::milliseconds timeout)
      : argv_(std::move(argv)),
        env_(std::move(env)),
        shown_(std::move(shown)),
        reaches_(std::move(reaches)),
        credentials_from_(std::move(credentials_from)),
        timeout_(timeout) {}

  std::string_view name() const override { return "ipmi"; }
  std::chrono::milliseconds min_interval() const override { return std::chrono::milliseconds(1000); }

  Expected<std::vector<DomainReading>> read() override {
    Expected<Child> child = run(argv_, env_, timeout_);
    if (!child) return child.error();
    if (child->timed_out) {
      return environment_error(fmt::format("ipmi: `{}` did not finish within {} s and was killed", shown_,
                                           static_cast<double>(timeout_.count()) / 1000));
    }
    if (!WIFEXITED(child->status) || WEXITSTATUS(child->status) != 0) {
      const std::string how = WIFEXITED(child->status) ? fmt::format("exited with status {}", WEXITSTATUS(child->status))
                                                       : fmt::format("was killed by signal {}", WTERMSIG(child->status));
      std::string said = first_lines(child->err, 3);
      if (said.empty()) said = first_lines(child->out, 3);
      return environment_error(fmt::format("ipmi: `{}` {}{}{}", shown_, how, said.empty() ? "" : ": ", said));
    }
    const std::string_view out = child->out;
    if (const auto state = field(out, "Power reading state is"); state && *state == "deactivated") {
      return environment_error(fmt::format(
          "ipmi: DCMI power reading is not activated on this BMC (`{}` says 'Power reading state is: deactivated', "
          "so its figures are stale); its firmware or settings must enable power measurement. It printed: {}",
          shown_, first_lines(out, 5)));
    }
    const auto reading = field(out, "Instantaneous power reading");
    std::optional<double> watts;
    if (reading) {
      const std::string text(*reading);
      char* stop = nullptr;
      const double value = std::strtod(text.c_str(), &stop);
      if (stop != text.c_str() && trim(std::string_view(stop)) == "Watts" && value >= 0) watts = value;
    }
    if (!watts) {
      const std::string said = first_lines(out, 5);
      return environment_error(fmt::format(
          "ipmi: DCMI power reading is not available on this BMC: `{}` printed no 'Instantaneous power reading: N "
          "Watts' line; it printed: {}",
          shown_, said.empty() ? "(nothing)" : said));
    }
    DomainReading node;
    node.domain = "node";
    node.watts = *watts;
    return std::vector<DomainReading>{std::move(node)};
  }

  std::vector<std::string> describe() const override {
    return {fmt::format("ipmitool dcmi power reading {}", reaches_),
            fmt::format("node: `{}`, Instantaneous power reading (watts)", shown_),
            fmt::format("ipmitool {}", argv_[0]), credentials_from_};
  }

 private:
  std::vector<std::string> argv_;
  std::vector<std::string> env_;  ///< holds IPMI_PASSWORD for lanplus: never shown
  std::string shown_;             ///< the command as messages show it, the user masked
  std::string reaches_;           ///< "(local BMC)" or "via lanplus to HOST"
  std::string credentials_from_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

Expected<std::unique_ptr<PowerSource>> open_ipmi_source(const PowerSourceOptions& options,
                                                        std::chrono::milliseconds timeout) {
  Expected<std::string> program = find_program(options.ipmitool);
  if (!program) return program.error();
  if (options.endpoint.empty() && options.ipmitool.empty() && !local_bmc_present()) {
    return environment_error(
        "no local BMC (/dev/ipmi0 absent): neither /dev/ipmi0, /dev/ipmi/0 nor /dev/ipmidev/0 exists; load the "
        "ipmi_si and ipmi_devintf kernel modules, or give the BMC's host to reach it over the network (lanplus)");
  }

  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    // A password inherited from our own environment must not reach a local run, and a
    // remote run gets exactly the one loaded below.
    if (!std::string_view(*e).starts_with("IPMI_PASSWORD=")) env.emplace_back(*e);
  }
  std::vector<std::string> argv = {*program};
  std::vector<std::string> shown = {options.ipmitool.empty() ? "ipmitool" : options.ipmitool};
  std::string credentials_from = "local BMC through the kernel's IPMI device, no credentials";
  // The user is left out like the password: describe() lines end up in shared bundles.
  std::string reaches = "(local BMC)";
  if (!options.endpoint.empty()) {
    Expected<BmcCredentials> credentials = load_bmc_credentials(options.credentials_file);
    if (!credentials) return credentials.error();
    const auto [host, port] = split_host(options.endpoint);
    if (host.empty() || host.starts_with('-')) {
      return bad_input(fmt::format("ipmi: BMC host '{}': expected HOST or HOST:PORT", options.endpoint));
    }
    std::vector<std::string> lan = {"-I", "lanplus", "-H", host};
    if (!port.empty()) lan.insert(lan.end(), {"-p", port});
    argv.insert(argv.end(), lan.begin(), lan.end());
    shown.insert(shown.end(), lan.begin(), lan.end());
    reaches = "via lanplus to " + options.endpoint;
    argv.insert(argv.end(), {"-U", credentials->user, "-E"});
    shown.insert(shown.end(), {"-U", "<user>", "-E"});
    env.push_back("IPMI_PASSWORD=" + credentials->password);
    credentials_from = options.credentials_file.empty()
                           ? "credentials from ASSAY_BMC_USER and ASSAY_BMC_PASSWORD; password passed in IPMI_PASSWORD"
                           : fmt::format("credentials from {}; password passed in IPMI_PASSWORD", options.credentials_file);
  }
  for (const char* word : {"dcmi", "power", "reading"}) {
    argv.emplace_back(word);
    shown.emplace_back(word);
  }
  std::string shown_text;
  for (const std::string& word : shown) shown_text += (shown_text.empty() ? "" : " ") + word;

  auto source = std::make_unique<IpmiSource>(std::move(argv), std::move(env), std::move(shown_text),
                                             std::move(reaches), std::move(credentials_from), timeout);
  // One reading now, so a BMC that does not answer is found when opening, not at the
  // first sample.
  if (Expected<std::vector<DomainReading>> first = source->read(); !first) return first.error();
  return std::unique_ptr<PowerSource>(std::move(source));
}

}  // namespace assay
