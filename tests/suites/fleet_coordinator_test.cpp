// The coordinator against a scripted world: the other ranks answer, stay silent, or
// stop answering at a chosen step, with no MPI involved.
#include "suites/fleet_coordinator.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "suites/fleet_protocol.h"
#include "suites/inventory.h"

namespace assay {
namespace {

class CountingProbe : public Probe {
 public:
  std::string_view name() const override { return "test.count"; }
  std::string_view description() const override { return "counts"; }
  std::vector<ParamSpec> params() const override { return {}; }
  std::vector<MetricSpec> metrics() const override { return {{"test.count.x", Unit::op_per_s, Better::higher, ""}}; }
  Availability availability() const override { return {}; }
  ProbeResult run(const ParamList&, const ProbeContext&) const override {
    ProbeResult r;
    r.subject = "cpu";
    r.validation = {true, true, "counted"};
    r.metrics.push_back(make_metric("test.count.x", Unit::op_per_s, Better::higher, {1, 2, 3}));
    return r;
  }
};

class PeerProbe : public CountingProbe {
 public:
  std::string_view name() const override { return "test.peers"; }
  bool needs_peers() const override { return true; }
};

// How a scripted rank behaves.
struct Script {
  std::string host;
  bool says_hello = true;
  std::size_t answers_until_step = 1000;  // steps with a higher index get no answer
  bool garbles_results = false;
};

// Rank 0's view of a world whose other ranks follow scripts.
class ScriptedWorld : public Communicator {
 public:
  explicit ScriptedWorld(std::vector<Script> others) : scripts_(std::move(others)) {
    for (std::size_t i = 0; i < scripts_.size(); ++i) {
      if (scripts_[i].says_hello) {
        queue(i + 1).push_back(Json{{"type", "hello"}, {"host", scripts_[i].host}, {"assay", "test"}}.dump());
      }
    }
  }
  int rank() const override { return 0; }
  int size() const override { return static_cast<int>(scripts_.size() + 1); }
  int world_rank_of(int r) const override { return r; }
  std::string transport() const override { return "scripted"; }

  Expected<void> send_text(int to, int, std::string_view text, const CommStop&) override {
    const Json message = Json::parse(text);
    sent[to].push_back(message["type"].get<std::string>());
    const Script& script = scripts_.at(static_cast<std::size_t>(to - 1));
    if (message["type"] == "welcome") {
      queue(to).push_back(Json{{"type", "inventory"}, {"inventory", {{"node", message["names"][to]}}}}.dump());
    } else if (message["type"] == "step") {
      const auto index = message["index"].get<std::size_t>();
      if (index > script.answers_until_step) return {};
      if (script.garbles_results) {
        queue(to).push_back(R"({"type":"result","result":{"schema":"nonsense"}})");
        return {};
      }
      ProbeResult r = CountingProbe().run({}, {});
      r.probe = message["probe"].get<std::string>();
      r.node = "whatever-the-node-thinks";
      r.start = r.end = std::chrono::system_clock::now();
      queue(to).push_back(Json{{"type", "result"}, {"index", index}, {"result", to_json(r)}}.dump());
    }
    return {};
  }
  Expected<std::optional<std::string>> receive_text(int from, int, const CommStop&) override {
    auto& q = queue(from);
    if (q.empty()) return std::optional<std::string>();
    std::string text = q.front();
    q.pop_front();
    return std::optional<std::string>(text);
  }
  Expected<std::unique_ptr<Communicator>> group(const std::vector<int>& ranks) override {
    groups.push_back(ranks);
    return std::unique_ptr<Communicator>(new ScriptedWorld(scripts_));
  }
  Expected<void> barrier(const CommStop&) override { return {}; }
  Expected<double> ping_pong(int, PeerRole, std::span<std::byte>, int, int, const CommStop&) override { return 0.0; }
  Expected<double> stream_window(int, PeerRole, std::span<const std::span<std::byte>>, int, int,
                                 const CommStop&) override {
    return 0.0;
  }
  Expected<double> exchange_window(int, std::span<const std::span<std::byte>>, std::span<const std::span<std::byte>>,
                                   int, int, const CommStop&) override {
    return 0.0;
  }
  Expected<double> collective(Collective, std::span<const float>, std::span<float>, int, int, int,
                              const CommStop&) override {
    return 0.0;
  }
  Expected<double> max_over_ranks(double v, const CommStop&) override { return v; }
  Expected<double> sum_over_ranks(double v, const CommStop&) override { return v; }

  std::map<int, std::vector<std::string>> sent;
  std::vector<std::vector<int>> groups;

 private:
  std::deque<std::string>& queue(std::size_t rank) { return queues_[rank]; }
  std::deque<std::string>& queue(int rank) { return queues_[static_cast<std::size_t>(rank)]; }
  std::vector<Script> scripts_;
  std::map<std::size_t, std::deque<std::string>> queues_;
};

Json tiny_inventory(const std::string& name) { return Json{{"node", name}}; }

ProbeDeadline short_deadline() { return {std::chrono::seconds(1), std::chrono::seconds(0), [](bool) {}}; }

FleetCoordinator::StepOutcome step(FleetCoordinator& fleet, std::size_t index, const Probe& probe) {
  return fleet.run_step(index, std::string(probe.name()), &probe, {}, short_deadline(), {}, [](const ProbeResult&) {});
}

TEST(FleetCoordinator, NamesEveryNodeAndGathersEveryResult) {
  ScriptedWorld world({{"node-b"}, {"node-c"}});
  FleetCoordinator fleet(world);
  ASSERT_TRUE(fleet.start(std::chrono::seconds(1), tiny_inventory).ok());
  ASSERT_EQ(fleet.node_count(), 3u);
  EXPECT_EQ(fleet.own_name(), local_host_name());
  EXPECT_EQ(fleet.inventories().size(), 3u);
  EXPECT_EQ(fleet.inventories()[2]["node"], "node-c");

  CountingProbe probe;
  auto outcome = step(fleet, 1, probe);
  ASSERT_EQ(outcome.results.size(), 3u);
  EXPECT_EQ(outcome.results[0].node, local_host_name());
  EXPECT_EQ(outcome.results[1].node, "node-b");  // the coordinator's name, not the node's claim
  for (const auto& r : outcome.results) EXPECT_EQ(r.status, ProbeStatus::ok) << r.error;
  EXPECT_EQ(outcome.text, "ok on 3 of 3 nodes");
  EXPECT_FALSE(fleet.any_missing());
  fleet.finish();
  EXPECT_EQ(world.sent[1], (std::vector<std::string>{"welcome", "step", "finish"}));
}

TEST(FleetCoordinator, RanksOnOneHostAreNumbered) {
  ScriptedWorld world({{local_host_name()}, {"other"}});
  FleetCoordinator fleet(world);
  ASSERT_TRUE(fleet.start(std::chrono::seconds(1), tiny_inventory).ok());
  EXPECT_EQ(fleet.nodes()[0].name, local_host_name() + "#0");
  EXPECT_EQ(fleet.nodes()[1].name, local_host_name() + "#1");
  EXPECT_EQ(fleet.nodes()[2].name, "other");
}

TEST(FleetCoordinator, ASilentRankIsMissingFromTheStart) {
  ScriptedWorld world({{"node-b"}, {"node-c", false}});
  FleetCoordinator fleet(world);
  ASSERT_TRUE(fleet.start(std::chrono::seconds(1), tiny_inventory).ok());
  EXPECT_EQ(fleet.nodes()[2].name, "rank 2");
  EXPECT_EQ(fleet.nodes()[2].status, "missing");
  EXPECT_EQ(fleet.inventories()[2]["status"], "missing");
  CountingProbe probe;
  auto outcome = step(fleet, 1, probe);
  ASSERT_EQ(outcome.results.size(), 3u);
  EXPECT_EQ(outcome.results[2].status, ProbeStatus::skipped);
  EXPECT_EQ(outcome.results[2].reason, "node missing since the start of the run");
  EXPECT_TRUE(world.sent[2].empty());  // never asked anything
}

TEST(FleetCoordinator, ANodeThatStopsAnsweringIsMissingAndTheRunGoesOn) {
  ScriptedWorld world({{"node-b"}, {"node-c", true, 1}});
  FleetCoordinator fleet(world);
  fleet.set_delivery_margin(std::chrono::milliseconds(0));
  ASSERT_TRUE(fleet.start(std::chrono::seconds(1), tiny_inventory).ok());
  CountingProbe probe;
  EXPECT_EQ(step(fleet, 1, probe).results.size(), 3u);

  const auto before = std::chrono::steady_clock::now();
  auto second = step(fleet, 2, probe);
  // It waited for the step's deadline (1 s), not forever.
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
  ASSERT_EQ(second.results.size(), 3u);
  const ProbeResult& lost = second.results.back();
  EXPECT_EQ(lost.node, "node-c");
  EXPECT_EQ(lost.status, ProbeStatus::error);
  EXPECT_NE(lost.error.find("node missing"), std::string::npos) << lost.error;
  EXPECT_TRUE(fleet.any_missing());
  EXPECT_EQ(second.text, "ok on 2 of 3 nodes; missing: node-c");

  auto third = step(fleet, 3, probe);
  ASSERT_EQ(third.results.size(), 3u);
  EXPECT_EQ(third.results[1].status, ProbeStatus::ok);
  EXPECT_EQ(third.results[2].status, ProbeStatus::skipped);
  EXPECT_EQ(third.results[2].reason, "node missing since test.count");
  fleet.finish();
  EXPECT_EQ(world.sent[2].back(), "step");  // a missing node is not told anything more
}

TEST(FleetCoordinator, AnUnreadableResultIsAnErrorOfThatNode) {
  ScriptedWorld world({{"node-b", true, 1000, true}});
  FleetCoordinator fleet(world);
  ASSERT_TRUE(fleet.start(std::chrono::seconds(1), tiny_inventory).ok());
  CountingProbe probe;
  auto outcome = step(fleet, 1, probe);
  ASSERT_EQ(outcome.results.size(), 2u);
  EXPECT_EQ(outcome.results[1].status, ProbeStatus::error);
  EXPECT_NE(outcome.results[1].error.find("unreadable result"), std::string::npos) << outcome.results[1].error;
}

TEST(FleetCoordinator, ProbesThatNeedPeersGetTheGroupOfLiveNodes) {
  ScriptedWorld world({{"node-b"}, {"node-c", false}});
  FleetCoordinator fleet(world);
  ASSERT_TRUE(fleet.start(std::chrono::seconds(1), tiny_inventory).ok());
  PeerProbe probe;
  auto outcome = step(fleet, 1, probe);
  ASSERT_EQ(world.groups.size(), 1u);
  EXPECT_EQ(world.groups[0], (std::vector<int>{0, 1}));
  EXPECT_EQ(outcome.results[0].status, ProbeStatus::ok) << outcome.results[0].reason << outcome.results[0].error;
}

TEST(FleetCoordinator, AloneAProbeThatNeedsPeersIsSkippedSayingHowToLaunch) {
  auto world = single_process_world();
  FleetCoordinator fleet(*world);
  ASSERT_TRUE(fleet.start(std::chrono::seconds(1), tiny_inventory).ok());
  PeerProbe probe;
  auto outcome = step(fleet, 1, probe);
  ASSERT_EQ(outcome.results.size(), 1u);
  EXPECT_EQ(outcome.results[0].status, ProbeStatus::skipped);
  EXPECT_NE(outcome.results[0].reason.find("mpirun"), std::string::npos);
  EXPECT_TRUE(outcome.text.empty());
}

TEST(FleetCoordinator, AProbeNotBuiltInIsSkippedOnEveryNode) {
  ScriptedWorld world({{"node-b"}});
  FleetCoordinator fleet(world);
  ASSERT_TRUE(fleet.start(std::chrono::seconds(1), tiny_inventory).ok());
  auto outcome = fleet.run_step(1, "gpu.gemm", nullptr, {}, short_deadline(), {}, [](const ProbeResult&) {});
  ASSERT_EQ(outcome.results.size(), 2u);
  for (const auto& r : outcome.results) EXPECT_EQ(r.reason, "not built into this assay");
}

}  // namespace
}  // namespace assay
