// The interconnect probes over a real MPI world. ctest launches this program under
// mpirun (2, 3 and 4 ranks, default transport and TCP; tests/mpi/CMakeLists.txt); every
// rank runs every test in the same order, as the probes need. The world is built here
// directly (MPI_Init, MPI_COMM_WORLD), not through the engine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "probes/common/mpi/mpi_communicator.h"
#include "probes/interconnect/bus_bandwidth.h"
#include "probes/interconnect/collective_probe.h"
#include "probes/interconnect/p2p_probe.h"
#include "probes/interconnect/round_robin.h"

namespace assay {
namespace {

using ::testing::HasSubstr;

MpiCommunicator* world = nullptr;

std::vector<std::string> node_names() {
  std::vector<std::string> names;
  for (int r = 0; r < world->size(); ++r) names.push_back("node-" + std::string(1, static_cast<char>('a' + r)));
  return names;
}

ProbeContext context_for(Communicator& peers) {
  ProbeContext context;
  context.peers = &peers;
  context.peer_nodes = node_names();
  context.node = context.peer_nodes[static_cast<std::size_t>(peers.rank())];
  return context;
}

ParamList resolve(const Probe& probe, const std::vector<std::pair<std::string, std::string>>& values) {
  std::vector<ParamOverride> overrides;
  for (const auto& [name, text] : values) overrides.push_back({name, text, "test"});
  const auto specs = probe.params();
  auto params = resolve_params(probe.name(), specs, overrides);
  EXPECT_TRUE(params.ok()) << (params.ok() ? "" : params.error().message);
  return params.ok() ? *params : ParamList{};
}

// Every rank's text, on rank 0 (empty elsewhere).
std::vector<std::string> gather_on_root(const std::string& text) {
  const int length = static_cast<int>(text.size());
  std::vector<int> lengths(static_cast<std::size_t>(world->size()));
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(lengths.size());
  std::exclusive_scan(lengths.begin(), lengths.end(), offsets.begin(), 0);
  std::string all(static_cast<std::size_t>(offsets.back() + lengths.back()), '\0');
  MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0,
              MPI_COMM_WORLD);
  std::vector<std::string> texts;
  if (world->rank() == 0) {
    for (std::size_t r = 0; r < lengths.size(); ++r) texts.push_back(all.substr(offsets[r], lengths[r]));
  }
  return texts;
}

// One line per metric: key, subject, sample count, smallest sample.
std::string metric_lines(const ProbeResult& result) {
  std::ostringstream out;
  for (const Metric& m : result.metrics) {
    double least = m.samples.empty() ? 0 : m.samples.front();
    for (double s : m.samples) least = std::min(least, s);
    out << m.key << '|' << m.subject << '|' << m.samples.size() << '|' << least << '|' << m.value << '\n';
  }
  return out.str();
}

// What a FaultyCommunicator does wrong on this rank.
enum class Fault {
  none,
  corrupt,  ///< damages what it receives in bandwidth windows and collectives, as a bad link or NIC would
  silent,   ///< takes no part in the ping-pong, as a node that hangs would
};

// Passes everything through except its fault: the probes must notice.
class FaultyCommunicator final : public Communicator {
 public:
  FaultyCommunicator(Communicator& inner, Fault fault) : inner_(inner), fault_(fault) {}
  int rank() const override { return inner_.rank(); }
  int size() const override { return inner_.size(); }
  int world_rank_of(int r) const override { return inner_.world_rank_of(r); }
  std::string transport() const override { return inner_.transport(); }
  Expected<void> send_text(int to, int tag, std::string_view text, const CommStop& stop) override {
    return inner_.send_text(to, tag, text, stop);
  }
  Expected<std::optional<std::string>> receive_text(int from, int tag, const CommStop& stop) override {
    return inner_.receive_text(from, tag, stop);
  }
  Expected<std::unique_ptr<Communicator>> group(const std::vector<int>& ranks) override { return inner_.group(ranks); }
  Expected<void> barrier(const CommStop& stop) override { return inner_.barrier(stop); }
  Expected<double> ping_pong(int peer, PeerRole role, std::span<std::byte> buffer, int warmup, int iterations,
                             const CommStop& stop) override {
    if (fault_ == Fault::silent) return environment_error("ping_pong: this node was told to stay silent");
    return inner_.ping_pong(peer, role, buffer, warmup, iterations, stop);
  }
  Expected<double> stream_window(int peer, PeerRole role, std::span<const std::span<std::byte>> windows, int warmup,
                                 int iterations, const CommStop& stop) override {
    auto seconds = inner_.stream_window(peer, role, windows, warmup, iterations, stop);
    if (seconds && fault_ == Fault::corrupt && role == PeerRole::responder) windows.back()[windows.back().size() / 2] ^= std::byte{4};
    return seconds;
  }
  Expected<double> exchange_window(int peer, std::span<const std::span<std::byte>> send,
                                   std::span<const std::span<std::byte>> receive, int warmup, int iterations,
                                   const CommStop& stop) override {
    return inner_.exchange_window(peer, send, receive, warmup, iterations, stop);
  }
  Expected<double> collective(Collective kind, std::span<const float> send, std::span<float> receive, int root,
                              int warmup, int iterations, const CommStop& stop) override {
    auto seconds = inner_.collective(kind, send, receive, root, warmup, iterations, stop);
    if (seconds && fault_ == Fault::corrupt) receive[receive.size() / 2] += 1;
    return seconds;
  }
  Expected<double> max_over_ranks(double value, const CommStop& stop) override {
    return inner_.max_over_ranks(value, stop);
  }
  Expected<double> sum_over_ranks(double value, const CommStop& stop) override {
    return inner_.sum_over_ranks(value, stop);
  }

 private:
  Communicator& inner_;
  Fault fault_;
};

const std::vector<std::pair<std::string, std::string>> small_p2p = {
    {"latency_iterations", "100"}, {"latency_warmup", "10"},    {"bandwidth_bytes", "64 KiB"},
    {"window", "8"},               {"bandwidth_iterations", "4"}, {"bandwidth_warmup", "1"},
    {"repetitions", "3"},          {"timeout", "60 s"}};

const std::vector<std::pair<std::string, std::string>> small_collective = {
    {"min_bytes", "8 B"}, {"max_bytes", "256 KiB"}, {"iterations", "10"},
    {"warmup", "2"},      {"repetitions", "3"},     {"timeout", "60 s"}};

TEST(InterconnectP2pMpi, EveryPairIsMeasuredWithBothEndsNamedAndValidated) {
  const auto probe = make_interconnect_p2p_probe();
  const ProbeResult result = probe->run(resolve(*probe, small_p2p), context_for(*world));
  // Gathered before any ASSERT: every rank must take part in the gather.
  const std::vector<std::string> texts = gather_on_root(metric_lines(result));
  ASSERT_EQ(result.status, ProbeStatus::ok) << result.error;
  EXPECT_TRUE(result.validation.checked);
  EXPECT_TRUE(result.validation.passed) << result.validation.detail;
  EXPECT_EQ(param_int(result.params, "ranks"), world->size());
  if (world->rank() != 0) return;
  const std::vector<std::string> names = node_names();
  std::map<std::string, int> seen;  // "key|subject" -> how often
  for (std::size_t r = 0; r < texts.size(); ++r) {
    std::istringstream lines(texts[r]);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream fields(line);
      std::string key, subject, count, least, value;
      std::getline(fields, key, '|');
      std::getline(fields, subject, '|');
      std::getline(fields, count, '|');
      std::getline(fields, least, '|');
      std::getline(fields, value, '|');
      ++seen[key + "|" + subject];
      EXPECT_EQ(count, "3") << line;
      EXPECT_GT(std::stod(least), 0) << line;
      EXPECT_GT(std::stod(value), 0) << line;
      // The reporter: the lower rank for A<->B, the sender for A->B.
      EXPECT_EQ(subject.rfind(names[r], 0), 0u) << line << " reported by " << names[r];
    }
  }
  std::size_t expected = 0;
  for (std::size_t a = 0; a < names.size(); ++a) {
    for (std::size_t b = a + 1; b < names.size(); ++b) {
      const std::string pair = names[a] + "<->" + names[b];
      EXPECT_EQ(seen["interconnect.p2p.latency|" + pair], 1) << pair;
      EXPECT_EQ(seen["interconnect.p2p.bibandwidth|" + pair], 1) << pair;
      EXPECT_EQ(seen["interconnect.p2p.bandwidth|" + names[a] + "->" + names[b]], 1) << pair;
      EXPECT_EQ(seen["interconnect.p2p.bandwidth|" + names[b] + "->" + names[a]], 1) << pair;
      expected += 4;
    }
  }
  EXPECT_EQ(seen.size(), expected) << "no other subjects";
}

TEST(InterconnectP2pMpi, DamagedDataFailsTheReceiverNamingBothNodes) {
  const auto probe = make_interconnect_p2p_probe();
  // Only the last rank's receiving is damaged; the schedule still ends together.
  const bool corrupt = world->rank() == world->size() - 1;
  FaultyCommunicator peers(*world, corrupt ? Fault::corrupt : Fault::none);
  const ProbeResult result = probe->run(resolve(*probe, small_p2p), context_for(peers));
  if (!corrupt) {
    EXPECT_EQ(result.status, ProbeStatus::ok) << result.error;
    return;
  }
  EXPECT_EQ(result.status, ProbeStatus::error);
  EXPECT_FALSE(result.validation.passed);
  EXPECT_TRUE(result.metrics.empty());
  const std::vector<std::string> names = node_names();
  EXPECT_THAT(result.error, HasSubstr("->" + names.back() + " (repetition 1)"));
  EXPECT_THAT(result.error, HasSubstr("1 of 8 window slots differ"));
  EXPECT_THAT(result.error, HasSubstr("on " + names.back()));
}

// A node that stops answering: its partner reports it by name at the step's timeout,
// the others at the end of the round, and nobody hangs. Runs on a duplicate of the
// world, whose leftover messages and barrier are matched afterwards so MPI ends clean.
TEST(InterconnectP2pMpi, ASilentNodeIsNamedByItsPartnerWithinTheTimeout) {
  MPI_Comm dup = MPI_COMM_NULL;
  MPI_Comm_dup(MPI_COMM_WORLD, &dup);
  MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN);
  std::vector<int> ranks(static_cast<std::size_t>(world->size()));
  std::iota(ranks.begin(), ranks.end(), 0);
  auto abandoned = std::make_unique<MpiCommunicator>(dup, ranks);
  const int silent = 1;
  const std::optional<int> partner_in_round_0 = round_robin_partner(world->size(), 0, silent);
  ASSERT_TRUE(partner_in_round_0.has_value()) << "rank 1 has a partner in round 0 for every N >= 2";
  const int partner = *partner_in_round_0;
  FaultyCommunicator peers(*abandoned, world->rank() == silent ? Fault::silent : Fault::none);
  const auto probe = make_interconnect_p2p_probe();
  const auto begin = std::chrono::steady_clock::now();
  const ProbeResult result = probe->run(
      resolve(*probe, {{"latency_iterations", "100"}, {"bandwidth_bytes", "4 KiB"}, {"window", "2"},
                       {"bandwidth_iterations", "2"}, {"repetitions", "1"}, {"timeout", "1 s"}}),
      context_for(peers));
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  const std::vector<std::string> names = node_names();
  EXPECT_EQ(result.status, ProbeStatus::error);
  EXPECT_LT(took, 20.0);
  if (world->rank() == partner) {
    EXPECT_THAT(result.error, HasSubstr("no answer from " + names[silent] + " (rank 1) within 1 s"));
    const auto [a, b] = std::minmax(partner, silent);
    EXPECT_THAT(result.error, HasSubstr("latency " + names[a] + "<->" + names[b]));
    EXPECT_GE(took, 0.99);
  } else if (world->rank() == silent) {
    EXPECT_THAT(result.error, HasSubstr("told to stay silent"));
  } else {
    EXPECT_THAT(result.error, HasSubstr("not every node reached the end of round 1"));
  }
  // Everyone's probe has ended; now match what the silent node left unanswered: the
  // partner's ping (if it started) and pending receive, and the barrier after round 1
  // that the two never entered (the others' is still pending and progresses below).
  MPI_Barrier(MPI_COMM_WORLD);
  std::array<std::byte, 8> ping{};
  if (world->rank() == silent) {
    if (partner < silent) MPI_Recv(ping.data(), 8, MPI_BYTE, partner, mpi_tag::ping, dup, MPI_STATUS_IGNORE);
    MPI_Send(ping.data(), 8, MPI_BYTE, partner, mpi_tag::ping, dup);
  }
  if (world->rank() == silent || world->rank() == partner) {
    // Nonblocking, like the probe's: blocking and nonblocking collectives never match.
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Ibarrier(dup, &request);
    MPI_Wait(&request, MPI_STATUS_IGNORE);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  abandoned.reset();  // poisoned: left allocated, as the header promises
}

class CollectiveMpi : public ::testing::TestWithParam<Collective> {};

TEST_P(CollectiveMpi, SweepIsCompleteAndEveryElementChecked) {
  const Collective kind = GetParam();
  const auto probe = make_interconnect_collective_probe(kind);
  const ProbeResult result = probe->run(resolve(*probe, small_collective), context_for(*world));
  ASSERT_EQ(result.status, ProbeStatus::ok) << result.error;
  EXPECT_TRUE(result.validation.checked);
  EXPECT_TRUE(result.validation.passed) << result.validation.detail;
  EXPECT_EQ(param_int(result.params, "ranks"), world->size());
  if (world->rank() != 0) {
    EXPECT_TRUE(result.metrics.empty()) << "only rank 0 reports the fleet's figure";
    return;
  }
  const std::string key = "interconnect." + std::string(collective_name(kind)) + ".busbw";
  ASSERT_EQ(result.metrics.size(), 1u);
  const Metric& busbw = result.metrics[0];
  EXPECT_EQ(busbw.key, key);
  EXPECT_EQ(busbw.subject, "fleet");
  EXPECT_EQ(busbw.unit, Unit::byte_per_s);
  ASSERT_EQ(busbw.samples.size(), 3u);
  for (double s : busbw.samples) EXPECT_GT(s, 0);

  ASSERT_EQ(result.tables.size(), 1u);
  const ResultTable& sweep = result.tables[0];
  EXPECT_EQ(sweep.name, "sweep");
  ASSERT_EQ(sweep.columns.size(), 4u);
  EXPECT_EQ(sweep.columns[0].name, "bytes");
  EXPECT_EQ(sweep.columns[1].unit, Unit::second);
  EXPECT_EQ(sweep.columns[3].name, "busbw");
  const auto sizes = collective_sweep(kind, 8, 256 << 10, world->size());
  ASSERT_EQ(sweep.rows.size(), sizes.size());
  const double factor = bus_bandwidth_factor(kind, world->size());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const std::vector<double>& row = sweep.rows[i];
    ASSERT_EQ(row.size(), 4u);
    EXPECT_EQ(row[0], static_cast<double>(sizes[i].size_bytes));
    EXPECT_GT(row[1], 0);
    EXPECT_DOUBLE_EQ(row[2], row[0] / row[1]);
    EXPECT_DOUBLE_EQ(row[3], row[2] * factor);
  }
  EXPECT_LE(sweep.rows.back()[0], 256 << 10);  // rounded down to a multiple of the ranks
}

TEST_P(CollectiveMpi, AWrongElementOnOneRankFailsEveryRank) {
  const Collective kind = GetParam();
  const auto probe = make_interconnect_collective_probe(kind);
  FaultyCommunicator peers(*world, world->rank() == 1 ? Fault::corrupt : Fault::none);
  const ProbeResult result = probe->run(resolve(*probe, small_collective), context_for(peers));
  EXPECT_EQ(result.status, ProbeStatus::error);
  EXPECT_FALSE(result.validation.passed);
  EXPECT_TRUE(result.metrics.empty());
  const std::int64_t first = collective_sweep(kind, 8, 256 << 10, world->size()).front().size_bytes;
  EXPECT_THAT(result.error, HasSubstr("wrong results at " + format_quantity(static_cast<double>(first), Unit::byte)));
  EXPECT_THAT(result.error, HasSubstr("up to 1 elements per node"));
  if (world->rank() == 1) {
    EXPECT_THAT(result.error, HasSubstr("1 of "));
  } else {
    EXPECT_THAT(result.error, HasSubstr("none wrong on this node"));
  }
}

INSTANTIATE_TEST_SUITE_P(All, CollectiveMpi,
                         ::testing::Values(Collective::allreduce, Collective::allgather, Collective::reduce_scatter,
                                           Collective::alltoall, Collective::broadcast),
                         [](const auto& test) { return std::string(collective_name(test.param)); });

// A peer that never answers is an error at the stop's deadline, and a cancel ends the
// wait at once. The receive left pending on the abandoned communicator is then matched
// from the other side so the world finishes cleanly.
TEST(MpiKernels, ASilentPeerIsAnErrorAtTheDeadlineAndCancelEndsTheWait) {
  for (const bool by_cancel : {false, true}) {
    MPI_Comm dup = MPI_COMM_NULL;
    MPI_Comm_dup(MPI_COMM_WORLD, &dup);
    MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN);
    std::vector<int> ranks(static_cast<std::size_t>(world->size()));
    std::iota(ranks.begin(), ranks.end(), 0);
    auto abandoned = std::make_unique<MpiCommunicator>(dup, ranks);
    static std::array<std::byte, 8> buffer{};
    if (world->rank() == 1) {
      std::atomic<bool> cancel{by_cancel};
      const auto begin = std::chrono::steady_clock::now();
      auto r = abandoned->ping_pong(0, PeerRole::responder, buffer, 0, 1,
                                    CommStop::within(std::chrono::milliseconds(300), &cancel));
      const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
      // No ASSERT here: rank 1 must reach the barriers below whatever happens.
      EXPECT_FALSE(r.ok());
      if (!r.ok()) {
        EXPECT_THAT(r.error().message, HasSubstr("rank 0"));
        EXPECT_THAT(r.error().message, HasSubstr(by_cancel ? "cancelled" : "no answer"));
      }
      EXPECT_LT(waited, by_cancel ? 0.2 : 5.0);
      if (!by_cancel) {
        EXPECT_GE(waited, 0.29);
      }
      if (!r.ok()) {
        auto again = abandoned->ping_pong(0, PeerRole::responder, buffer, 0, 1, CommStop{});
        EXPECT_FALSE(again.ok());
        if (!again.ok()) {
          EXPECT_THAT(again.error().message, HasSubstr("gave up on a peer earlier"));
        }
      }
    }
    MPI_Barrier(MPI_COMM_WORLD);
    // Complete the pending receive of rank 1 so MPI ends clean.
    if (world->rank() == 0) MPI_Send(buffer.data(), 8, MPI_BYTE, 1, mpi_tag::ping, dup);
    MPI_Barrier(MPI_COMM_WORLD);
    abandoned.reset();  // poisoned: left allocated, as the header promises
  }
}

// Ranks other than 0 print only failures, so the log reads as one program's.
class FailuresOnly : public ::testing::EmptyTestEventListener {
 public:
  explicit FailuresOnly(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& part) override {
    if (part.failed()) {
      std::fprintf(stderr, "[rank %d] %s:%d: %s\n", rank_, part.file_name() ? part.file_name() : "?",
                   part.line_number(), part.summary());
    }
  }

 private:
  int rank_;
};

}  // namespace
}  // namespace assay

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  ::testing::InitGoogleTest(&argc, argv);
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new assay::FailuresOnly(rank));
  }
  int failed = 0;
  {
    std::vector<int> ranks(static_cast<std::size_t>(size));
    std::iota(ranks.begin(), ranks.end(), 0);
    assay::MpiCommunicator world(MPI_COMM_WORLD, ranks);
    assay::world = &world;
    if (size < 2) {
      std::fprintf(stderr, "interconnect_mpi_test needs 2 or more ranks: run it with mpirun -np N\n");
      failed = 1;
    } else {
      failed = RUN_ALL_TESTS();
    }
    assay::world = nullptr;
  }
  int any_failed = failed;
  MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return any_failed ? 1 : 0;
}
