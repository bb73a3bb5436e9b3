// report.html opened in a real browser (issue 7): headless Chromium takes a screenshot,
// which must not be blank, and the page must make no network request. Chromium's proxy
// is a loopback listener this test runs, and every host name resolves to nothing, so any
// fetch the page tries shows up as a request to the listener; a page with an injected
// remote image proves that the check sees one. Requests Chromium makes for itself (its
// updater, network time) are told apart by host: kChromiumOwnHosts.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "reports/report_fixture.h"
#include "reports/report_html.h"
#include "reports/report_html_test_helpers.h"

namespace assay {
namespace {

namespace fs = std::filesystem;

std::optional<fs::path> find_chromium() {
  const char* path = std::getenv("PATH");
  if (!path) return std::nullopt;
  for (const char* name : {"chromium", "chromium-browser"}) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return std::nullopt;
}

// A TCP listener on 127.0.0.1 that counts the connections it is offered and closes each
// at once (so a page waiting for it fails fast instead of hanging).
class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0) {
      return;
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackListener() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  int port() const { return port_; }
  int connections() const { return connections_; }
  /// The first line of every request seen ("GET http://example.com/x.png HTTP/1.1").
  std::string requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      ++connections_;
      pollfd c{client, POLLIN, 0};
      if (::poll(&c, 1, 500) > 0) {
        char buffer[512];
        const auto n = ::recv(client, buffer, sizeof buffer, 0);
        std::lock_guard lock(mutex_);
        const std::string text(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
        requests_ += text.substr(0, text.find('\r')) + "\n";
      }
      ::close(client);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::string requests_;
  std::thread thread_;
};

// Decodes the PNG's upper rows with python3's zlib (PNG: zlib-compressed scanlines, each
// with a filter byte) and prints: width height distinct_colours non_white_fraction.
constexpr std::string_view kPngProbe = R"py(
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, width, height, depth, ctype = 8, b'', 0, 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        width, height, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6), 'unexpected PNG format %d/%d' % (depth, ctype)
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = width * bpp
rows = min(height, int(sys.argv[2]))
prev = bytearray(stride)
colours, non_white, total = set(), 0, 0
for y in range(rows):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for i in range(bpp, stride): line[i] = (line[i] + line[i - bpp]) & 255
    elif f == 2:
        for i in range(stride): line[i] = (line[i] + prev[i]) & 255
    elif f == 3:
        for i in range(stride): line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
    elif f == 4:
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        colours.add(px)
        total += 1
        if px != b'\xff\xff\xff': non_white += 1
    prev = line
print(width, height, len(colours), non_white / max(total, 1))
)py";

// Chromium itself calls these services (component updates, network time, sign-in) even
// with a fresh profile and its background networking switched off; they are not the
// page's. Any other host (fonts.googleapis.com included) is.
constexpr std::string_view kChromiumOwnHosts[] = {
    "update.googleapis.com", "accounts.google.com", "clients2.google.com", "clients1.google.com",
    "clientservices.googleapis.com", "safebrowsingohttpgateway.googleapis.com", "redirector.gvt1.com",
    "edgedl.me.gvt1.com", "optimizationguide-pa.googleapis.com", "content-autofill.googleapis.com",
    "www.googleapis.com", "android.clients.google.com"};

// The request lines of `requests` (one a line) whose host is not one of Chromium's own.
std::vector<std::string> page_requests(const std::string& requests) {
  std::vector<std::string> page;
  std::stringstream lines(requests);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;  // a connection that sent nothing fetched nothing
    // "CONNECT host:443 HTTP/1.1" or "GET http://host/path HTTP/1.1"
    std::string target = line.substr(line.find(' ') + 1);
    target = target.substr(0, target.find(' '));
    if (const auto scheme = target.find("://"); scheme != std::string::npos) target = target.substr(scheme + 3);
    const std::string host = target.substr(0, target.find_first_of(":/"));
    if (std::find(std::begin(kChromiumOwnHosts), std::end(kChromiumOwnHosts), host) == std::end(kChromiumOwnHosts)) {
      page.push_back(line);
    }
  }
  return page;
}

struct Screenshot {
  int width = 0, height = 0;
  std::size_t colours = 0;
  double non_white = 0;
};

std::optional<Screenshot> probe_png(const fs::path& dir, const fs::path& png, int rows) {
  const fs::path script = dir / "png_probe.py", out = dir / "png_probe.out";
  std::ofstream(script) << kPngProbe;
  const std::string command = "python3 '" + script.string() + "' '" + png.string() + "' " + std::to_string(rows) +
                              " > '" + out.string() + "' 2>&1";
  if (std::system(command.c_str()) != 0) return std::nullopt;
  Screenshot s;
  std::ifstream in(out);
  if (!(in >> s.width >> s.height >> s.colours >> s.non_white)) return std::nullopt;
  return s;
}

class ReportHtmlChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    if (!chromium_) GTEST_SKIP() << "chromium not installed: scripts/install-deps installs it";
    dir_ = fs::temp_directory_path() / ("assay-html-chromium-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
  }

  // Opens `html` in headless Chromium behind the listener's proxy and screenshots it.
  // Returns the exit status; `log` gets Chromium's output.
  int open_in_chromium(const std::string& html, const LoopbackListener& listener, const fs::path& png,
                       std::string& log) {
    const fs::path page = dir_ / "report.html", profile = dir_ / "profile", log_file = dir_ / "chromium.log";
    std::ofstream(page) << html;
    const std::string command =
        "timeout 60 '" + chromium_->string() +
        "' --headless --no-sandbox --disable-gpu --user-data-dir='" + profile.string() + "' --screenshot='" +
        png.string() +
        "' --window-size=1280,2400 --proxy-server=127.0.0.1:" + std::to_string(listener.port()) +
        " --proxy-bypass-list='<-loopback>' --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'"
        // Chromium's own background traffic (updates, metrics) is not the page's.
        " --no-first-run --no-default-browser-check --disable-background-networking --disable-component-update"
        " --disable-sync --disable-domain-reliability --disable-features=Translate,OptimizationHints,MediaRouter,NetworkTimeServiceQuerying,AutofillServerCommunication,CertificateTransparencyComponentUpdater"
        " 'file://" + page.string() + "' > '" + log_file.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in(log_file);
    std::stringstream text;
    text << in.rdbuf();
    log = text.str();
    return status;
  }

  std::optional<fs::path> chromium_;
  fs::path dir_;
};

TEST_F(ReportHtmlChromium, RendersTheFleetReportWithoutTouchingTheNetwork) {
  const Summary s = testing::fleet_summary();
  const std::string html =
      render_html(ReportInput{.summary = s, .inventory = testing::fleet_inventory(), .lang = Lang::en,
                              .journal_lines = {}});
  EXPECT_EQ(testing::external_references(html), std::vector<std::string>{});
  LoopbackListener listener;
  ASSERT_GT(listener.port(), 0) << "could not listen on 127.0.0.1";
  const fs::path png = dir_ / "report.png";
  std::string log;
  const int status = open_in_chromium(html, listener, png, log);
  ASSERT_EQ(status, 0) << "chromium failed or timed out (60 s):\n" << log;
  ASSERT_TRUE(fs::exists(png)) << "no screenshot written:\n" << log;
  EXPECT_EQ(page_requests(listener.requests()), std::vector<std::string>{})
      << "the page made a network request; all requests seen:\n" << listener.requests();

  const auto shot = probe_png(dir_, png, 900);
  ASSERT_TRUE(shot) << "could not decode " << png;
  EXPECT_EQ(shot->width, 1280);
  EXPECT_EQ(shot->height, 2400);
  // The verdict banner, status badges and a chart are on the first screen: many colours,
  // and far from all white.
  EXPECT_GE(shot->colours, 50u);
  EXPECT_GT(shot->non_white, 0.05);
}

TEST_F(ReportHtmlChromium, TheListenerSeesARequestWhenThePageMakesOne) {
  const Summary s = testing::fixed_summary();
  std::string html = render_html(
      ReportInput{.summary = s, .inventory = testing::fixed_inventory(), .lang = Lang::en, .journal_lines = {}});
  html.insert(html.find("<body>") + 6, R"(<img src="http://example.com/x.png" alt="">)");
  EXPECT_EQ(testing::external_references(html), std::vector<std::string>{"http://example.com/x.png"});
  LoopbackListener listener;
  ASSERT_GT(listener.port(), 0);
  std::string log;
  const int status = open_in_chromium(html, listener, dir_ / "injected.png", log);
  ASSERT_EQ(status, 0) << "chromium failed or timed out (60 s):\n" << log;
  EXPECT_EQ(page_requests(listener.requests()), std::vector<std::string>{"GET http://example.com/x.png HTTP/1.1"})
      << "the injected image's request did not reach the listener; it saw:\n" << listener.requests() << log;
}

}  // namespace
}  // namespace assay
