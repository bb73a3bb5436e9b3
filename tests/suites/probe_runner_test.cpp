#include "suites/probe_runner.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "suites/probe_watchdog.h"

namespace assay {
namespace {

// A probe whose behaviour each test chooses.
class ScriptedProbe : public Probe {
 public:
  enum class Mode { ok, unvalidated, throws, unavailable, failed_check, reports_param };
  explicit ScriptedProbe(Mode mode) : mode_(mode) {}
  std::string_view name() const override { return "test.scripted"; }
  std::string_view description() const override { return "scripted"; }
  std::vector<ParamSpec> params() const override { return {{"threads", ParamKind::integer, std::int64_t{0}, "", 0.0, {}}}; }
  std::vector<MetricSpec> metrics() const override { return {{"test.scripted.x", Unit::flop_per_s, Better::higher, ""}}; }
  Availability availability() const override {
    return mode_ == Mode::unavailable ? Availability{false, "no such hardware"} : Availability{};
  }
  ProbeResult run(const ParamList&, const ProbeContext&) const override {
    ProbeResult r;
    r.subject = "cpu";
    switch (mode_) {
      case Mode::throws: throw std::runtime_error("kernel exploded");
      case Mode::failed_check:
        r.status = ProbeStatus::error;
        r.error = "validation failed";
        r.validation = {true, false, "C[1,2] = 3, expected 4"};
        return r;
      case Mode::reports_param: r.params.push_back({"threads", std::int64_t{2}}); [[fallthrough]];
      case Mode::ok: r.validation = {true, true, "checked"}; [[fallthrough]];
      default:
        r.metrics.push_back(make_metric("test.scripted.x", Unit::flop_per_s, Better::higher, {1, 2, 3}));
        return r;
    }
  }

 private:
  Mode mode_;
};

ProbeResult run(ScriptedProbe::Mode mode) {
  ProbeContext context;
  context.node = "node-a";
  return run_probe(ScriptedProbe(mode), {{"threads", std::int64_t{0}}}, context);
}

TEST(RunProbe, StampsNameNodeParamsAndTimes) {
  const ProbeResult r = run(ScriptedProbe::Mode::ok);
  EXPECT_EQ(r.status, ProbeStatus::ok);
  EXPECT_EQ(r.probe, "test.scripted");
  EXPECT_EQ(r.node, "node-a");
  ASSERT_EQ(r.params.size(), 1u);
  EXPECT_LE(r.start, r.end);
}

TEST(RunProbe, ParametersTheProbeReportsRefineTheRecordedOnes) {
  const ProbeResult r = run(ScriptedProbe::Mode::reports_param);
  ASSERT_EQ(r.params.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(r.params[0].value), 2);
}

TEST(RunProbe, AnExceptionBecomesAnErrorNamingTheProbe) {
  const ProbeResult r = run(ScriptedProbe::Mode::throws);
  EXPECT_EQ(r.status, ProbeStatus::error);
  EXPECT_EQ(r.error, "test.scripted: kernel exploded");
  EXPECT_EQ(r.node, "node-a");
}

TEST(RunProbe, AnUnavailableProbeIsSkippedWithItsReason) {
  const ProbeResult r = run(ScriptedProbe::Mode::unavailable);
  EXPECT_EQ(r.status, ProbeStatus::skipped);
  EXPECT_EQ(r.reason, "no such hardware");
}

TEST(RunProbe, OkWithoutAPassedValidationIsRefused) {
  const ProbeResult r = run(ScriptedProbe::Mode::unvalidated);
  EXPECT_EQ(r.status, ProbeStatus::error);
  EXPECT_NE(r.error.find("without a passed validation"), std::string::npos);
}

TEST(RunProbe, AFailedSelfCheckStaysAnErrorWithItsDetail) {
  const ProbeResult r = run(ScriptedProbe::Mode::failed_check);
  EXPECT_EQ(r.status, ProbeStatus::error);
  EXPECT_FALSE(r.validation.passed);
  EXPECT_EQ(r.validation.detail, "C[1,2] = 3, expected 4");
}

TEST(SkippedResult, CarriesTheReason) {
  const ProbeResult r = skipped_result("gpu.gemm", "n1", "not built into this assay");
  EXPECT_EQ(r.status, ProbeStatus::skipped);
  EXPECT_EQ(r.reason, "not built into this assay");
}

}  // namespace
}  // namespace assay

namespace assay {
namespace {

// Runs until asked to stop, as a well-behaved long probe does.
class PatientProbe : public Probe {
 public:
  std::string_view name() const override { return "test.patient"; }
  std::string_view description() const override { return "waits for cancel"; }
  std::vector<ParamSpec> params() const override { return {}; }
  std::vector<MetricSpec> metrics() const override { return {}; }
  Availability availability() const override { return {}; }
  ProbeResult run(const ParamList&, const ProbeContext& context) const override {
    while (!context.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ProbeResult r;
    r.validation = {true, true, "nothing to check"};
    return r;
  }
};

TEST(RunProbeGuarded, ADeadlineStopsTheProbeAndSaysSo) {
  bool abandoned = false;
  ProbeDeadline deadline{std::chrono::seconds(1), std::chrono::seconds(30), [&](bool) { abandoned = true; }};
  const GuardedRun run = run_probe_guarded(PatientProbe(), {}, ProbeContext{}, deadline);
  EXPECT_EQ(run.result.status, ProbeStatus::error);
  EXPECT_EQ(run.result.error, "test.patient: stopped at its deadline of 1 s");
  EXPECT_FALSE(run.interrupted);
  EXPECT_FALSE(abandoned);
}

TEST(RunProbeGuarded, AnInterruptStopsTheProbeAsInterrupted) {
  interrupt_requested().store(true);
  const GuardedRun run = run_probe_guarded(PatientProbe(), {}, ProbeContext{},
                                           {std::chrono::seconds(60), std::chrono::seconds(30), [](bool) {}});
  interrupt_requested().store(false);
  EXPECT_EQ(run.result.error, "test.patient: interrupted");
  EXPECT_TRUE(run.interrupted);
}

}  // namespace
}  // namespace assay
