// Both I/O engines for real on a scratch file: writes read back byte for byte with many
// requests in flight, errors and short transfers come back as completions, a wait with
// nothing to reap times out with zero, and the engine asked for is the one used.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "probes/storage/io_queue.h"

namespace assay {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

constexpr std::size_t block_bytes = 4096;

class IoQueueOnFile : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("assay-io-queue-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    fd_ = ::open((dir_ / "data").c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(fd_, 0);
    auto choice = make_io_queue(GetParam(), 8);
    if (!choice && GetParam() == "io_uring") GTEST_SKIP() << "io_uring not usable here: " << choice.error().message;
    ASSERT_TRUE(choice.ok()) << choice.error().message;
    queue_ = std::move(choice->queue);
    note_ = choice->note;
  }
  void TearDown() override {
    queue_.reset();
    if (fd_ >= 0) ::close(fd_);
    fs::remove_all(dir_);
  }

  // Waits for `count` completions (failing the test after 10 s).
  std::vector<IoCompletion> reap(std::size_t count) {
    std::vector<IoCompletion> all, batch(count);
    const auto give_up = Clock::now() + std::chrono::seconds(10);
    while (all.size() < count && Clock::now() < give_up) {
      auto got = queue_->wait(batch, count - all.size(), std::chrono::milliseconds(100));
      EXPECT_TRUE(got.ok()) << got.error().message;
      if (!got) break;
      all.insert(all.end(), batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(*got));
    }
    EXPECT_EQ(all.size(), count);
    return all;
  }

  fs::path dir_;
  int fd_ = -1;
  std::unique_ptr<IoQueue> queue_;
  std::string note_;
};

TEST_P(IoQueueOnFile, WritesThenReadsBackWithTheWholeDepthInFlight) {
  const int depth = queue_->depth();
  ASSERT_EQ(depth, 8);
  EXPECT_EQ(io_engine_name(queue_->engine()), GetParam() == "threads" ? "threads" : "io_uring");
  // Blocks written in reverse order of offset, each filled with its own number.
  std::vector<std::vector<std::byte>> out(static_cast<std::size_t>(depth), std::vector<std::byte>(block_bytes));
  std::vector<IoRequest> writes;
  for (int i = 0; i < depth; ++i) {
    std::fill(out[static_cast<std::size_t>(i)].begin(), out[static_cast<std::size_t>(i)].end(),
              static_cast<std::byte>(i + 1));
    writes.push_back({IoRequest::Kind::write, fd_, static_cast<std::uint64_t>(depth - 1 - i) * block_bytes,
                      out[static_cast<std::size_t>(i)], static_cast<std::uint64_t>(100 + i)});
  }
  ASSERT_TRUE(queue_->submit(writes).ok());
  EXPECT_EQ(queue_->in_flight(), depth);
  IoRequest one_more = writes.front();
  EXPECT_FALSE(queue_->submit({&one_more, 1}).ok()) << "more than depth in flight must be refused";
  std::set<std::uint64_t> tags;
  for (const IoCompletion& c : reap(static_cast<std::size_t>(depth))) {
    EXPECT_EQ(c.result, static_cast<std::int64_t>(block_bytes));
    EXPECT_LE(c.submitted, c.completed);
    tags.insert(c.tag);
  }
  EXPECT_EQ(tags.size(), static_cast<std::size_t>(depth));
  EXPECT_EQ(*tags.begin(), 100u);
  EXPECT_EQ(queue_->in_flight(), 0);

  std::vector<std::vector<std::byte>> in(static_cast<std::size_t>(depth), std::vector<std::byte>(block_bytes));
  std::vector<IoRequest> reads;
  for (int i = 0; i < depth; ++i) {
    reads.push_back({IoRequest::Kind::read, fd_, static_cast<std::uint64_t>(i) * block_bytes,
                     in[static_cast<std::size_t>(i)], static_cast<std::uint64_t>(i)});
  }
  // Submitted in two halves, as a probe refills a queue.
  ASSERT_TRUE(queue_->submit(std::span(reads).first(3)).ok());
  ASSERT_TRUE(queue_->submit(std::span(reads).subspan(3)).ok());
  for (const IoCompletion& c : reap(static_cast<std::size_t>(depth))) {
    EXPECT_EQ(c.result, static_cast<std::int64_t>(block_bytes));
    // Offset i holds the block written by request depth-1-i.
    const auto expected = static_cast<std::byte>(depth - static_cast<int>(c.tag));
    const auto& got = in[c.tag];
    EXPECT_TRUE(std::all_of(got.begin(), got.end(), [&](std::byte b) { return b == expected; })) << "tag " << c.tag;
  }
}

TEST_P(IoQueueOnFile, ABadDescriptorCompletesWithEbadf) {
  std::vector<std::byte> buffer(block_bytes);
  const IoRequest bad{IoRequest::Kind::read, 1000000, 0, buffer, 7};
  ASSERT_TRUE(queue_->submit({&bad, 1}).ok());
  const auto done = reap(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].tag, 7u);
  EXPECT_EQ(done[0].result, -EBADF);
}

TEST_P(IoQueueOnFile, AReadPastTheEndIsReportedShortAsItIs) {
  std::vector<std::byte> buffer(block_bytes, std::byte{1});
  ASSERT_EQ(::pwrite(fd_, buffer.data(), 100, 0), 100);
  const IoRequest read{IoRequest::Kind::read, fd_, 0, buffer, 3};
  ASSERT_TRUE(queue_->submit({&read, 1}).ok());
  const auto done = reap(1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].result, 100);
}

TEST_P(IoQueueOnFile, AWaitWithNothingInFlightReturnsZeroAtOnce) {
  std::vector<IoCompletion> out(4);
  const auto start = Clock::now();
  auto got = queue_->wait(out, 1, std::chrono::milliseconds(2000));
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, 0u);
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500));
}

TEST_P(IoQueueOnFile, ARequestStillInFlightIsWaitedForByTheDestructor) {
  std::vector<std::byte> buffer(block_bytes, std::byte{9});
  const IoRequest write{IoRequest::Kind::write, fd_, 0, buffer, 1};
  ASSERT_TRUE(queue_->submit({&write, 1}).ok());
  queue_.reset();
  std::byte first{};
  ASSERT_EQ(::pread(fd_, &first, 1, 0), 1);
  EXPECT_EQ(first, std::byte{9});
}

INSTANTIATE_TEST_SUITE_P(Engines, IoQueueOnFile, ::testing::Values("io_uring", "threads"),
                         [](const auto& engine) { return engine.param; });

double thread_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_THREAD, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

// A read from an empty pipe stays in flight until something is written to it.
TEST(IoUringQueue, AWaitForARequestThatDoesNotCompleteTimesOutWithZeroWithoutSpinning) {
  auto choice = make_io_queue("io_uring", 2);
  if (!choice) GTEST_SKIP() << "io_uring not usable here: " << choice.error().message;
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  std::vector<std::byte> buffer(16);
  const IoRequest read{IoRequest::Kind::read, pipe_fds[0], 0, buffer, 5};
  ASSERT_TRUE(choice->queue->submit({&read, 1}).ok());
  std::vector<IoCompletion> out(2);
  const auto start = Clock::now();
  const double cpu_before = thread_cpu_seconds();
  auto got = choice->queue->wait(out, 1, std::chrono::milliseconds(300));
  const double cpu_used = thread_cpu_seconds() - cpu_before;
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, 0u);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(290));
  EXPECT_LT(cpu_used, 0.05) << "waiting must block, not spin";
  EXPECT_EQ(choice->queue->in_flight(), 1);
  ASSERT_EQ(::write(pipe_fds[1], "hello", 5), 5);
  got = choice->queue->wait(out, 1, std::chrono::milliseconds(5000));
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(*got, 1u);
  EXPECT_EQ(out[0].tag, 5u);
  EXPECT_EQ(out[0].result, 5);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST(IoQueueChoice, AutoPrefersIoUringAndNamesTheEngine) {
  auto choice = make_io_queue("auto", 4);
  ASSERT_TRUE(choice.ok()) << choice.error().message;
  if (choice->queue->engine() == IoEngine::threads) {
    EXPECT_THAT(choice->note, HasSubstr("threads (io_uring unavailable: "));
  } else {
    EXPECT_EQ(choice->note, "io_uring");
  }
  EXPECT_EQ(choice->queue->depth(), 4);
}

TEST(IoQueueChoice, ThreadsAskedForSaysSo) {
  auto choice = make_io_queue("threads", 2);
  ASSERT_TRUE(choice.ok()) << choice.error().message;
  EXPECT_EQ(choice->queue->engine(), IoEngine::threads);
  EXPECT_EQ(choice->note, "threads (asked for)");
}

TEST(IoQueueChoice, EngineNames) {
  EXPECT_EQ(io_engine_name(IoEngine::io_uring), "io_uring");
  EXPECT_EQ(io_engine_name(IoEngine::threads), "threads");
}

TEST(IoQueueChoice, AnUnknownEngineIsBadInputNamingIt) {
  auto choice = make_io_queue("aio", 2);
  ASSERT_FALSE(choice.ok());
  EXPECT_EQ(choice.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(choice.error().message, HasSubstr("engine=aio"));
}

}  // namespace
}  // namespace assay
