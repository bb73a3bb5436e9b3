#include "suites/fleet_protocol.h"

#include <gtest/gtest.h>

namespace assay {
namespace {

TEST(FleetProtocol, StepRoundTrips) {
  PowerSetup power;
  power.sources = {"auto", "redfish"};
  power.redfish_endpoint = "https://{host}-bmc";
  power.interval = std::chrono::milliseconds(250);
  fleet::Step step{3, "interconnect.p2p", {{"bytes", std::int64_t{8}}, {"check", true}}, {0, 2, 3},
                   std::chrono::seconds(90), std::chrono::seconds(5), power};
  auto back = fleet::step_from_message(Json::parse(fleet::step_message(step).dump()));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->index, 3u);
  EXPECT_EQ(back->probe, "interconnect.p2p");
  EXPECT_EQ(back->members, (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(back->limit.count(), 90);
  EXPECT_EQ(back->grace.count(), 5);
  ASSERT_EQ(back->params.size(), 2u);
  EXPECT_EQ(std::get<std::int64_t>(back->params[0].value), 8);
  EXPECT_TRUE(std::get<bool>(back->params[1].value));
  ASSERT_TRUE(back->power.has_value());
  EXPECT_EQ(back->power->sources, power.sources);
  EXPECT_EQ(back->power->redfish_endpoint, "https://{host}-bmc");
  EXPECT_EQ(back->power->interval.count(), 250);

  step.power.reset();
  back = fleet::step_from_message(Json::parse(fleet::step_message(step).dump()));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_FALSE(back->power.has_value()) << "no [power]: no sampling on the workers";
}

TEST(FleetProtocol, MalformedStepIsAnError) {
  auto bad = fleet::step_from_message(Json{{"type", "step"}, {"probe", "x"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("index"), std::string::npos) << bad.error().message;
}

TEST(FleetProtocol, WorkersWaitLongerThanRankZeroCanTake) {
  fleet::Step step;
  step.limit = std::chrono::seconds(100);
  step.grace = std::chrono::seconds(10);
  // Rank 0 may spend limit + grace on its own probe and as long again on the others.
  EXPECT_GT(fleet::worker_patience(step), 2 * (step.limit + step.grace));
}

TEST(FleetProtocol, MessagesOfTheWrongTypeAreNamed) {
  EXPECT_TRUE(fleet::parse_message(R"({"type":"hello","host":"a"})", "hello", "rank 1").ok());
  auto wrong = fleet::parse_message(R"({"type":"result"})", "hello", "rank 1");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("expected a 'hello' message from rank 1, got 'result'"), std::string::npos);
  EXPECT_FALSE(fleet::parse_message("not json", "", "rank 1").ok());
}

}  // namespace
}  // namespace assay
