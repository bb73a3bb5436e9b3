// The interconnect probes without a fleet: parameters, declared metrics, what they say
// when run alone, and the message patterns they validate with. Runs over MPI are in
// tests/mpi/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "probes/probe_test_helpers.h"

#include <set>

#include "probes/common/host_topology.h"
#include "probes/interconnect/collective_probe.h"
#include "probes/interconnect/message_buffers.h"
#include "probes/interconnect/p2p_probe.h"

namespace assay {
namespace {

using ::testing::HasSubstr;

TEST(InterconnectP2p, DeclaresItsKeysAndNeedsPeers) {
  const auto probe = make_interconnect_p2p_probe();
  EXPECT_EQ(probe->name(), "interconnect.p2p");
  EXPECT_TRUE(probe->needs_peers());
  std::set<std::string> keys;
  for (const MetricSpec& m : probe->metrics()) keys.insert(m.key);
  EXPECT_EQ(keys, (std::set<std::string>{"interconnect.p2p.latency", "interconnect.p2p.bandwidth",
                                         "interconnect.p2p.bibandwidth"}));
  EXPECT_EQ(probe->metrics()[0].unit, Unit::second);
  EXPECT_EQ(probe->metrics()[0].better, Better::lower);
  const Availability a = probe->availability();
  EXPECT_EQ(a.available, mpi_built_in());
  if (!a.available) {
    EXPECT_THAT(a.reason, HasSubstr("needs an MPI build of assay"));
  }
}

TEST(InterconnectP2p, DefaultsAreOsuLike) {
  const auto probe = make_interconnect_p2p_probe();
  const ParamList params = testing::resolved(*probe, {});
  auto s = p2p_settings(params, 0);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->latency_bytes, 8u);
  EXPECT_EQ(s->bandwidth_bytes, 4u << 20);
  EXPECT_EQ(s->window, 64);
  EXPECT_GT(s->latency_iterations, s->latency_warmup);
  EXPECT_GE(s->repetitions, 1);
  EXPECT_DOUBLE_EQ(s->timeout_seconds, 60);
  // 64 receive slots of 4 MiB plus send, expected and ping buffers.
  EXPECT_EQ(s->buffer_bytes(), 66u * (4u << 20) + 16u);
  EXPECT_DOUBLE_EQ(s->round_limit_seconds(), (4 * s->repetitions + 1) * 60.0);
}

TEST(InterconnectP2p, RefusesAWindowLargerThanTheHostCanHold) {
  const auto probe = make_interconnect_p2p_probe();
  const ParamList params =
      testing::resolved(*probe, {{"window", std::string("1024"), "--set window=1024"},
                                 {"bandwidth_bytes", std::string("64 MiB"), "--set bandwidth_bytes=64 MiB"}});
  auto s = p2p_settings(params, std::int64_t{16} << 30);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(s.error().message, HasSubstr("window=1024"));
  EXPECT_THAT(s.error().message, HasSubstr("lower window or bandwidth_bytes"));
  EXPECT_TRUE(p2p_settings(params, 0).ok()) << "unknown memory: not refused";
}

TEST(InterconnectP2p, ParameterSpecsRejectOutOfRangeValues) {
  const auto probe = make_interconnect_p2p_probe();
  const auto specs = probe->params();
  for (const char* bad : {"window=0", "latency_bytes=0", "repetitions=0", "timeout=0", "latency_warmup=-1"}) {
    const std::string text(bad);
    const std::string name = text.substr(0, text.find('='));
    const std::vector<ParamOverride> overrides{{name, text.substr(text.find('=') + 1), "--set " + text}};
    EXPECT_FALSE(resolve_params(probe->name(), specs, overrides).ok()) << bad;
  }
}

TEST(InterconnectP2p, AloneItFailsSayingItNeedsPeers) {
  const auto probe = make_interconnect_p2p_probe();
  const auto world = single_process_world();
  ProbeContext context;
  context.node = "solo";
  context.peers = world.get();
  const ProbeResult r = probe->run(testing::resolved(*probe, {}), context);
  EXPECT_EQ(r.status, ProbeStatus::error);
  EXPECT_THAT(r.error, HasSubstr("needs two or more nodes"));
  context.peers = nullptr;
  EXPECT_EQ(probe->run(testing::resolved(*probe, {}), context).status, ProbeStatus::error);
}

TEST(InterconnectCollectives, FiveProbesWithTheirBusbwKeys) {
  const auto probes = make_interconnect_collective_probes();
  std::vector<std::string> names, keys;
  for (const auto& p : probes) {
    names.emplace_back(p->name());
    ASSERT_EQ(p->metrics().size(), 1u);
    keys.push_back(p->metrics()[0].key);
    EXPECT_EQ(p->metrics()[0].unit, Unit::byte_per_s);
    EXPECT_TRUE(p->needs_peers());
    EXPECT_EQ(p->availability().available, mpi_built_in());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"interconnect.allreduce", "interconnect.allgather",
                                             "interconnect.reduce_scatter", "interconnect.alltoall",
                                             "interconnect.broadcast"}));
  EXPECT_EQ(keys[0], "interconnect.allreduce.busbw");
  EXPECT_EQ(keys[2], "interconnect.reduce_scatter.busbw");
}

TEST(InterconnectCollectives, ChecksTheSizeRange) {
  const auto probe = make_interconnect_collective_probe(Collective::allreduce);
  const ParamList defaults = testing::resolved(*probe, {});
  EXPECT_EQ(param_int(defaults, "min_bytes"), 8);
  EXPECT_EQ(param_int(defaults, "max_bytes"), std::int64_t{256} << 20);
  const ParamList inverted = testing::resolved(
      *probe, {{"min_bytes", std::string("1 MiB"), "--set"}, {"max_bytes", std::string("1 KiB"), "--set"}});
  auto checked = probe->check_params(inverted);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(checked.error().message, HasSubstr("min_bytes"));
  const ParamList huge = testing::resolved(*probe, {{"max_bytes", std::string("16 GiB"), "--set"}});
  if (read_host_memory().available_bytes > 0 && read_host_memory().available_bytes < (std::int64_t{64} << 30)) {
    auto refused = probe->check_params(huge);
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.error().message, HasSubstr("lower max_bytes"));
  }
}

TEST(InterconnectCollectives, AloneTheyFailSayingTheyNeedPeers) {
  const auto world = single_process_world();
  ProbeContext context;
  context.node = "solo";
  context.peers = world.get();
  for (const auto& probe : make_interconnect_collective_probes()) {
    const ProbeResult r = probe->run(testing::resolved(*probe, {}), context);
    EXPECT_EQ(r.status, ProbeStatus::error);
    EXPECT_THAT(r.error, HasSubstr("needs two or more nodes"));
  }
}

TEST(MessagePattern, DependsOnTheSenderAndIsCheckedByteForByte) {
  MessageBuffer a(1000), b(1000);
  fill_pattern(a.bytes(), pattern_seed(0));
  fill_pattern(b.bytes(), pattern_seed(0));
  EXPECT_EQ(first_difference(a.bytes(), b.bytes()), std::nullopt);
  fill_pattern(b.bytes(), pattern_seed(1));
  EXPECT_EQ(first_difference(a.bytes(), b.bytes()), 0u);
  fill_pattern(b.bytes(), pattern_seed(0));
  b.bytes()[997] ^= std::byte{1};
  EXPECT_EQ(first_difference(a.bytes(), b.bytes()), 997u);
  fill_poison(b.bytes());
  EXPECT_TRUE(first_difference(a.bytes(), b.bytes()).has_value());
  EXPECT_EQ(first_difference(a.bytes().first(10), a.bytes().first(12)), 10u);
  EXPECT_EQ(first_difference({}, {}), std::nullopt);
}

TEST(MessagePattern, OddSizesAndKeptBuffers) {
  MessageBuffer one(1);
  fill_pattern(one.bytes(), pattern_seed(3));
  MessageBuffer longer(9);
  fill_pattern(longer.bytes(), pattern_seed(3));
  EXPECT_EQ(one.bytes()[0], longer.bytes()[0]);  // a prefix of the same pattern
  longer.keep_for_pending_requests();
  EXPECT_EQ(longer.size(), 0u);
}

}  // namespace
}  // namespace assay
