#include "suites/plan.h"

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "probes/common/host_topology.h"
#include "suites/fixtures/plan_fixtures.h"
#include "suites/toml_reader.h"

namespace assay {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const Catalog& plan_catalog() {
  static const Catalog c = testing::fixture_catalog();
  return c;
}

const ProbeRegistry& plan_registry() {
  static const ProbeRegistry r = testing::fake_registry();
  return r;
}

Expected<Plan> load(const std::string& text, PlanLoadOptions options = {}) {
  if (!options.suite_files) options.suite_files = &testing::fixture_suites();
  return parse_plan(text, "plan.toml", plan_catalog(), plan_registry(), options);
}

Plan load_ok(const std::string& text, PlanLoadOptions options = {}) {
  auto plan = load(text, options);
  EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().message) << "\nplan:\n" << text;
  return plan.ok() ? std::move(plan).value() : Plan{};
}

// Asserts that `text` is rejected with a message that starts with `location` and
// holds every one of `parts`.
void expect_error(const std::string& text, const std::string& location,
                  std::initializer_list<std::string> parts, PlanLoadOptions options = {}) {
  auto plan = load(text, options);
  ASSERT_FALSE(plan.ok()) << "expected an error for:\n" << text;
  EXPECT_EQ(plan.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(plan.error().message, StartsWith(location + ": ")) << text;
  for (const auto& part : parts) EXPECT_THAT(plan.error().message, HasSubstr(part)) << text;
}

const ParamValue& param(const Plan& plan, std::string_view probe, std::string_view name) {
  for (const auto& p : plan.probes) {
    if (p.name != probe) continue;
    for (const auto& e : p.params) {
      if (e.name == name) return e.value;
    }
  }
  ADD_FAILURE() << "no parameter " << name << " of " << probe;
  static const ParamValue none;
  return none;
}

std::vector<std::string> probe_names(const Plan& plan) {
  std::vector<std::string> names;
  for (const auto& p : plan.probes) names.push_back(p.name);
  return names;
}

// --- Good plans ---------------------------------------------------------------------

TEST(PlanLoad, EmptyPlanIsCompleteWithDefaults) {
  const Plan plan = load_ok("");
  EXPECT_EQ(plan.file, "plan.toml");
  EXPECT_EQ(plan.system.name, "this node");
  EXPECT_EQ(plan.system.nodes, 1);
  EXPECT_EQ(plan.node.cpu, "");
  EXPECT_EQ(plan.node.cpu_sockets, 1);
  EXPECT_EQ(plan.node.gpus, 0);
  EXPECT_TRUE(plan.rated.empty());
  EXPECT_TRUE(plan.catalog_resolved);
  EXPECT_DOUBLE_EQ(plan.criteria.min_fraction, 0.90);
  EXPECT_FALSE(plan.criteria.warn_fraction.has_value());
  EXPECT_DOUBLE_EQ(plan.criteria.fleet_max_cv, 0.05);
  EXPECT_DOUBLE_EQ(plan.criteria.fleet_outlier_mads, 3.0);
  EXPECT_EQ(plan.suite, "quick");
  EXPECT_THAT(probe_names(plan), ElementsAre("cpu.fma", "cpu.gemm", "memory.stream"));
  EXPECT_TRUE(plan.unavailable_probes.empty());
  // The suite's values, then the probes' own defaults.
  EXPECT_EQ(param(plan, "cpu.gemm", "n"), ParamValue(std::int64_t{2048}));
  EXPECT_EQ(param(plan, "cpu.gemm", "repetitions"), ParamValue(std::int64_t{3}));
  EXPECT_EQ(param(plan, "cpu.gemm", "threads"), ParamValue(std::int64_t{2}));
  EXPECT_EQ(param(plan, "memory.stream", "repetitions"), ParamValue(std::int64_t{5}));
  EXPECT_EQ(param(plan, "memory.stream", "isa"), ParamValue(std::string("auto")));
  EXPECT_EQ(param(plan, "cpu.fma", "seconds"), ParamValue(1.0));
}

const std::string full_plan = R"(# A plan with every section.
[system]
name = "Example AIDC, lot 3"
nodes = 640
description = "GPU nodes"

[node]
cpu = "test-cpu-96"
cpu_sockets = 2
gpu = "test-gpu"
gpus = 8

[rated]
"memory.stream.triad" = { value = "600 GB/s", source = "contract 4.3", basis = "annex B" }
"storage.seq.read" = "20 GB/s"

[criteria]
min_fraction = 0.85
warn_fraction = 0.95
fleet_max_cv = 0.04
fleet_outlier_mads = 4
"gpu.gemm.fp8" = { min_fraction = 0.80 }
"memory.*" = { min_fraction = 0.70, warn_fraction = 0.80 }
"memory.stream.*" = { warn_fraction = 0.90 }
"cpu.fma.fp64" = { min_fraction = 0.95 }

[run]
suite = "quick"
probes = ["cpu.gemm", "memory.stream", "storage.seq"]

[probes.storage.seq]
path = "/mnt/fs/assay"
size = "2 GiB"
direct = false
)";

TEST(PlanLoad, FullPlan) {
  const Plan plan = load_ok(full_plan);
  EXPECT_EQ(plan.system.name, "Example AIDC, lot 3");
  EXPECT_EQ(plan.system.nodes, 640);
  EXPECT_EQ(plan.system.description, "GPU nodes");
  EXPECT_EQ(plan.node.cpu, "test-cpu-96");
  EXPECT_EQ(plan.node.cpu_sockets, 2);
  EXPECT_EQ(plan.node.gpu, "test-gpu");
  EXPECT_EQ(plan.node.gpus, 8);
  EXPECT_DOUBLE_EQ(plan.criteria.min_fraction, 0.85);
  EXPECT_DOUBLE_EQ(*plan.criteria.warn_fraction, 0.95);
  EXPECT_DOUBLE_EQ(plan.criteria.fleet_max_cv, 0.04);
  EXPECT_DOUBLE_EQ(plan.criteria.fleet_outlier_mads, 4.0);
  ASSERT_EQ(plan.criteria.rules.size(), 4u);
  const auto fp8 = std::find_if(plan.criteria.rules.begin(), plan.criteria.rules.end(),
                                [](const CriterionRule& r) { return r.pattern == "gpu.gemm.fp8"; });
  ASSERT_NE(fp8, plan.criteria.rules.end());
  EXPECT_EQ(*fp8->min_fraction, 0.80);
  EXPECT_FALSE(fp8->warn_fraction.has_value());
  EXPECT_EQ(fp8->position.text(), "plan.toml:22:1");
  EXPECT_THAT(probe_names(plan), ElementsAre("cpu.gemm", "memory.stream", "storage.seq"));
  EXPECT_EQ(param(plan, "storage.seq", "path"), ParamValue(std::string("/mnt/fs/assay")));
  EXPECT_EQ(param(plan, "storage.seq", "size"), ParamValue(std::int64_t{2} << 30));
  EXPECT_EQ(param(plan, "storage.seq", "direct"), ParamValue(false));
}

TEST(PlanLoad, RatedFiguresMergeThePlanAndTheCatalog) {
  const Plan plan = load_ok(full_plan);
  EXPECT_TRUE(std::is_sorted(plan.rated.begin(), plan.rated.end(),
                             [](const auto& a, const auto& b) { return a.key < b.key; }));
  // The plan's own figure wins over the catalog's theoretical DRAM peak.
  const PlanRatedFigure* triad = plan.rated_figure("memory.stream.triad");
  ASSERT_NE(triad, nullptr);
  EXPECT_DOUBLE_EQ(triad->quantity.value, 600e9);
  EXPECT_EQ(triad->source, "contract 4.3");
  EXPECT_EQ(triad->basis, "annex B");
  EXPECT_FALSE(triad->from_catalog);
  EXPECT_EQ(triad->position.text(), "plan.toml:14:1");
  // A figure without a source is the plan's.
  EXPECT_EQ(plan.rated_figure("storage.seq.read")->source, "plan");
  // CPU figures are node level: two sockets.
  const PlanRatedFigure* fma = plan.rated_figure("cpu.fma.fp64");
  ASSERT_NE(fma, nullptr);
  EXPECT_DOUBLE_EQ(fma->quantity.value, 2 * 96 * 2.4e9 * 16);
  EXPECT_TRUE(fma->from_catalog);
  EXPECT_EQ(fma->catalog_id, "test-cpu-96");
  EXPECT_EQ(fma->source, "catalog test-cpu-96: Testco T96 product page (rev 2)");
  EXPECT_EQ(fma->basis, "2 sockets x 96 cores x 2.4 GHz base x 16 FLOP/cycle");
  EXPECT_EQ(fma->position.text(), "plan.toml:8:7");
  EXPECT_DOUBLE_EQ(plan.rated_figure("memory.stream.copy")->quantity.value, 2 * 460.8e9);
  EXPECT_DOUBLE_EQ(plan.rated_figure("power.cpu.tdp")->quantity.value, 720);
  // GPU figures are per device.
  const PlanRatedFigure* bf16 = plan.rated_figure("gpu.gemm.bf16");
  ASSERT_NE(bf16, nullptr);
  EXPECT_DOUBLE_EQ(bf16->quantity.value, 989.5e12);
  EXPECT_EQ(bf16->source, "catalog test-gpu: Testco G1 datasheet (DS-1 2024-03)");
  EXPECT_EQ(bf16->position.text(), "plan.toml:10:7");
  // An unconfirmed catalog figure is kept, marked, and pointed out.
  EXPECT_TRUE(plan.rated_figure("gpu.hbm.read")->unconfirmed);
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_THAT(plan.warnings[0], StartsWith("plan.toml:10:7: rated figure gpu.hbm.read"));
  EXPECT_THAT(plan.warnings[0], HasSubstr("unconfirmed"));
}

TEST(PlanLoad, RatedKeyKnownOnlyToTheCatalogIsCheckedAgainstItsUnit) {
  // No probe of this build emits gpu.gemm.fp8, but the catalog rates it.
  const Plan plan = load_ok("[rated]\n\"gpu.gemm.fp8\" = \"1.5 PFLOP/s\"\n");
  EXPECT_DOUBLE_EQ(plan.rated_figure("gpu.gemm.fp8")->quantity.value, 1.5e15);
  expect_error("[rated]\n\"gpu.gemm.fp8\" = \"3 TB/s\"\n", "plan.toml:2:18",
               {"\"gpu.gemm.fp8\"", "expected a compute rate"});
}

TEST(PlanLoad, KeysProbesEmitNeedNotHaveThreeParts) {
  const Plan plan = load_ok("[rated]\n\"cpu.clock\" = \"3.1 GHz\"\n[criteria]\n\"cpu.clock\" = { min_fraction = 0.95 }\n");
  EXPECT_DOUBLE_EQ(plan.rated_figure("cpu.clock")->quantity.value, 3.1e9);
  EXPECT_DOUBLE_EQ(plan.criterion_for("cpu.clock").min_fraction, 0.95);
  expect_error("[rated]\n\"cpu.clock\" = \"3.1 GB\"\n", "plan.toml:2:15",
               {"[rated] \"cpu.clock\"", "expected a frequency"});
}

TEST(PlanLoad, ScopesFromGeneralToSpecificAndPlanOverSuite) {
  const Plan plan = load_ok(R"(
[probes]
threads = 1
[probes.cpu]
repetitions = 7
[probes.cpu.fma]
repetitions = 9
)");
  // [probes] applies to every probe that accepts it.
  EXPECT_EQ(param(plan, "cpu.fma", "threads"), ParamValue(std::int64_t{1}));
  EXPECT_EQ(param(plan, "cpu.gemm", "threads"), ParamValue(std::int64_t{1}));
  EXPECT_EQ(param(plan, "memory.stream", "threads"), ParamValue(std::int64_t{1}));
  // The probe's own table beats its family's.
  EXPECT_EQ(param(plan, "cpu.fma", "repetitions"), ParamValue(std::int64_t{9}));
  // The plan's family value beats the suite's probe value (the suite says 3).
  EXPECT_EQ(param(plan, "cpu.gemm", "repetitions"), ParamValue(std::int64_t{3 + 4}));
  // ...and leaves what it does not mention: the suite's n, the probe's default seconds.
  EXPECT_EQ(param(plan, "cpu.gemm", "n"), ParamValue(std::int64_t{2048}));
  EXPECT_EQ(param(plan, "cpu.fma", "seconds"), ParamValue(1.0));
  // [probes.cpu] does not reach memory.stream.
  EXPECT_EQ(param(plan, "memory.stream", "repetitions"), ParamValue(std::int64_t{5}));
}

TEST(PlanLoad, TypedValuesAreCoercedToTheParameterKind) {
  const Plan plan = load_ok(R"(
[probes.cpu.fma]
seconds = "250 ms"
[probes.cpu.gemm]
n = 1e3
[probes.storage.seq]
size = 4096
)" "[run]\nprobes = [\"cpu.fma\", \"cpu.gemm\", \"storage.seq\"]\n");
  EXPECT_EQ(param(plan, "cpu.fma", "seconds"), ParamValue(0.25));
  EXPECT_EQ(param(plan, "cpu.gemm", "n"), ParamValue(std::int64_t{1000}));
  EXPECT_EQ(param(plan, "storage.seq", "size"), ParamValue(std::int64_t{4096}));
}

TEST(PlanLoad, SuiteFamilyScopeAndSuiteOverride) {
  Plan plan = load_ok("[run]\nsuite = \"burnin\"\n");
  EXPECT_EQ(plan.suite, "burnin");
  EXPECT_THAT(probe_names(plan), ElementsAre("cpu.gemm", "memory.stream"));
  EXPECT_EQ(param(plan, "cpu.gemm", "repetitions"), ParamValue(std::int64_t{30}));
  EXPECT_EQ(param(plan, "cpu.gemm", "n"), ParamValue(std::int64_t{4096}));
  EXPECT_EQ(param(plan, "memory.stream", "repetitions"), ParamValue(std::int64_t{50}));

  PlanLoadOptions options;
  options.suite_override = "burnin";
  plan = load_ok("[run]\nsuite = \"quick\"\n", options);
  EXPECT_EQ(plan.suite, "burnin");
  EXPECT_THAT(probe_names(plan), ElementsAre("cpu.gemm", "memory.stream"));
}

TEST(PlanLoad, RunProbesReplaceTheSuiteListInTheirOrder) {
  const Plan plan = load_ok("[run]\nprobes = [\"memory.stream\", \"cpu.fma\"]\n");
  EXPECT_THAT(probe_names(plan), ElementsAre("memory.stream", "cpu.fma"));
  // The suite's parameters still apply to the probes that run.
  EXPECT_EQ(param(plan, "memory.stream", "repetitions"), ParamValue(std::int64_t{5}));
}

TEST(PlanLoad, SuiteProbesThisBuildLacksAreUnavailable) {
  Plan plan = load_ok("[run]\nsuite = \"standard\"\n[probes.gpu.gemm]\niterations = 5\n");
  EXPECT_THAT(probe_names(plan), ElementsAre("cpu.fma", "cpu.gemm", "memory.stream"));
  EXPECT_THAT(plan.unavailable_probes, ElementsAre("gpu.gemm", "gpu.hbm"));
  // Parameters for them are kept out of the run with a warning, not an error.
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_THAT(plan.warnings[0],
              StartsWith("plan.toml:3:9: [probes.gpu] ignored: gpu.gemm, gpu.hbm not built into this assay"));

  // A plan may list them too when its suite knows them.
  plan = load_ok("[run]\nsuite = \"standard\"\nprobes = [\"gpu.gemm\", \"cpu.fma\"]\n");
  EXPECT_THAT(probe_names(plan), ElementsAre("cpu.fma"));
  EXPECT_THAT(plan.unavailable_probes, ElementsAre("gpu.gemm"));
  // The quick suite does not name gpu.gemm: then it is an unknown probe.
  expect_error("[run]\nprobes = [\"gpu.gemm\"]\n", "plan.toml:2:11", {"no probe 'gpu.gemm'"});
}

TEST(PlanLoad, RecordedPlansAcceptWhatThisBuildDoesNotKnow) {
  PlanLoadOptions options;
  options.recorded = true;
  const std::string text = R"([node]
cpu = "cpu-of-a-newer-catalog"
cpu_sockets = 2
[rated]
"cpu.fma.fp64" = { value = "1e12 FLOP/s", source = "catalog x" }
"npu.matmul.int4" = { value = "5e15 op/s", source = "catalog y" }
[run]
suite = "quick"
probes = ["cpu.fma", "npu.matmul"]
[probes.npu.matmul]
tiles = 4
)";
  const Plan plan = load_ok(text, options);
  EXPECT_EQ(plan.node.cpu, "cpu-of-a-newer-catalog");
  EXPECT_THAT(probe_names(plan), ElementsAre("cpu.fma"));
  EXPECT_THAT(plan.unavailable_probes, ElementsAre("npu.matmul"));
  // [rated] is complete: nothing comes from the catalog.
  ASSERT_EQ(plan.rated.size(), 2u);
  EXPECT_EQ(plan.rated_figure("npu.matmul.int4")->quantity.unit, Unit::op_per_s);
  // The same text is wrong as a plan a person wrote.
  auto strict = load(text);
  ASSERT_FALSE(strict.ok());
  EXPECT_THAT(strict.error().message, HasSubstr("plan.toml:2:7: [node] cpu: no catalog entry"));
  EXPECT_THAT(strict.error().message, HasSubstr("plan.toml:6:1: [rated] \"npu.matmul.int4\""));
  EXPECT_THAT(strict.error().message, HasSubstr("plan.toml:9:22: [run] probes: no probe 'npu.matmul'"));
}

TEST(PlanCriteria, MostSpecificRuleWins) {
  const Plan plan = load_ok(full_plan);
  // Exact key.
  auto c = plan.criterion_for("gpu.gemm.fp8");
  EXPECT_DOUBLE_EQ(c.min_fraction, 0.80);
  EXPECT_DOUBLE_EQ(c.warn_fraction, 0.95);  // the default WARN band stays
  EXPECT_EQ(c.origin, "gpu.gemm.fp8");
  // "memory.stream.*" beats "memory.*" for warn; min comes from "memory.*".
  c = plan.criterion_for("memory.stream.triad");
  EXPECT_DOUBLE_EQ(c.min_fraction, 0.70);
  EXPECT_DOUBLE_EQ(c.warn_fraction, 0.90);
  EXPECT_EQ(c.origin, "memory.stream.*");
  // "memory.*" alone.
  c = plan.criterion_for("memory.latency.load");
  EXPECT_DOUBLE_EQ(c.min_fraction, 0.70);
  EXPECT_DOUBLE_EQ(c.warn_fraction, 0.80);
  EXPECT_EQ(c.origin, "memory.*");
  // No rule: the defaults.
  c = plan.criterion_for("gpu.gemm.bf16");
  EXPECT_DOUBLE_EQ(c.min_fraction, 0.85);
  EXPECT_DOUBLE_EQ(c.warn_fraction, 0.95);
  EXPECT_EQ(c.origin, "default");
  // A FAIL line above the WARN band leaves no band.
  c = plan.criterion_for("cpu.fma.fp64");
  EXPECT_DOUBLE_EQ(c.min_fraction, 0.95);
  EXPECT_DOUBLE_EQ(c.warn_fraction, 0.95);
  // "memory.*" must not match "memoryx.y.z".
  c = plan.criterion_for("memoryx.stream.triad");
  EXPECT_EQ(c.origin, "default");
}

TEST(PlanCriteria, WithoutWarnFractionWarnEqualsMin) {
  const Plan plan = load_ok("[criteria]\nmin_fraction = 0.9\n\"cpu.*\" = { min_fraction = 0.5 }\n");
  auto c = plan.criterion_for("cpu.gemm.fp64");
  EXPECT_DOUBLE_EQ(c.min_fraction, 0.5);
  EXPECT_DOUBLE_EQ(c.warn_fraction, 0.5);
  c = plan.criterion_for("memory.stream.copy");
  EXPECT_DOUBLE_EQ(c.min_fraction, 0.9);
  EXPECT_DOUBLE_EQ(c.warn_fraction, 0.9);
}

// --- Round trips ----------------------------------------------------------------------

void expect_same_plan(const Plan& a, const Plan& b) {
  EXPECT_EQ(a.system.name, b.system.name);
  EXPECT_EQ(a.system.nodes, b.system.nodes);
  EXPECT_EQ(a.system.description, b.system.description);
  EXPECT_EQ(a.node.cpu, b.node.cpu);
  EXPECT_EQ(a.node.cpu_sockets, b.node.cpu_sockets);
  EXPECT_EQ(a.node.gpu, b.node.gpu);
  EXPECT_EQ(a.node.gpus, b.node.gpus);
  ASSERT_EQ(a.rated.size(), b.rated.size());
  for (std::size_t i = 0; i < a.rated.size(); ++i) {
    EXPECT_EQ(a.rated[i].key, b.rated[i].key);
    // Exactly, not nearly: the bundle must judge as the run did.
    EXPECT_EQ(a.rated[i].quantity.value, b.rated[i].quantity.value) << a.rated[i].key;
    EXPECT_EQ(a.rated[i].quantity.unit, b.rated[i].quantity.unit) << a.rated[i].key;
    EXPECT_EQ(a.rated[i].source, b.rated[i].source) << a.rated[i].key;
    EXPECT_EQ(a.rated[i].basis, b.rated[i].basis) << a.rated[i].key;
    EXPECT_EQ(a.rated[i].unconfirmed, b.rated[i].unconfirmed) << a.rated[i].key;
    // verdicts.cpp requires the plan's own figures to be measured, not the catalog's.
    EXPECT_EQ(a.rated[i].from_catalog, b.rated[i].from_catalog) << a.rated[i].key;
    EXPECT_EQ(a.rated[i].catalog_id, b.rated[i].catalog_id) << a.rated[i].key;
  }
  EXPECT_EQ(a.criteria.min_fraction, b.criteria.min_fraction);
  EXPECT_EQ(a.criteria.warn_fraction, b.criteria.warn_fraction);
  EXPECT_EQ(a.criteria.fleet_max_cv, b.criteria.fleet_max_cv);
  EXPECT_EQ(a.criteria.fleet_outlier_mads, b.criteria.fleet_outlier_mads);
  ASSERT_EQ(a.criteria.rules.size(), b.criteria.rules.size());
  for (std::size_t i = 0; i < a.criteria.rules.size(); ++i) {
    EXPECT_EQ(a.criteria.rules[i].pattern, b.criteria.rules[i].pattern);
    EXPECT_EQ(a.criteria.rules[i].min_fraction, b.criteria.rules[i].min_fraction);
    EXPECT_EQ(a.criteria.rules[i].warn_fraction, b.criteria.rules[i].warn_fraction);
  }
  EXPECT_EQ(a.suite, b.suite);
  ASSERT_EQ(a.probes.size(), b.probes.size());
  for (std::size_t i = 0; i < a.probes.size(); ++i) {
    EXPECT_EQ(a.probes[i].name, b.probes[i].name);
    ASSERT_EQ(a.probes[i].params.size(), b.probes[i].params.size());
    for (std::size_t j = 0; j < a.probes[i].params.size(); ++j) {
      EXPECT_EQ(a.probes[i].params[j].name, b.probes[i].params[j].name);
      EXPECT_EQ(a.probes[i].params[j].value, b.probes[i].params[j].value)
          << a.probes[i].name << " " << a.probes[i].params[j].name;
    }
  }
  EXPECT_EQ(a.unavailable_probes, b.unavailable_probes);
  EXPECT_EQ(to_json(a.power), to_json(b.power));
}

void expect_round_trip(const std::string& text, PlanLoadOptions options = {}) {
  const Plan first = load_ok(text, options);
  const std::string written = plan_to_toml(first);
  const Plan second = load_ok(written, options);
  expect_same_plan(first, second);
  // Writing the re-read plan gives the same text: a fixpoint, so bundles are stable.
  EXPECT_EQ(written, plan_to_toml(second));
  // A bundle's plan reads the same in recorded mode.
  PlanLoadOptions recorded = options;
  recorded.recorded = true;
  expect_same_plan(first, load_ok(written, recorded));
}

TEST(PlanRoundTrip, EmptyPlan) { expect_round_trip(""); }

TEST(PlanRoundTrip, FullPlanWithCatalogFigures) { expect_round_trip(full_plan); }

TEST(PlanRoundTrip, AwkwardValuesSurviveExactly) {
  expect_round_trip(R"([system]
name = "Lot \"3\" \\ east\twing"
description = "line one\nline two"
[rated]
"cpu.fma.fp64" = { value = "1.2345678901234567 TFLOP/s", source = "contract", unconfirmed = true }
"cpu.fma.fp32" = "0.1 PFLOP/s"
"memory.stream.copy" = "400 Gb/s"
[criteria]
min_fraction = 0.1
warn_fraction = 0.30000000000000004
"cpu.fma.*" = { warn_fraction = 0.95 }
[probes.cpu.fma]
seconds = 0.1
[probes.memory.stream]
isa = "avx512 \"fast\""
)");
}

TEST(PlanRoundTrip, UnavailableProbesStayInTheList) {
  PlanLoadOptions options;
  options.suite_override = "standard";
  const Plan plan = load_ok("", options);
  const std::string written = plan_to_toml(plan);
  EXPECT_THAT(written, HasSubstr(
      "probes = [\"cpu.fma\", \"cpu.gemm\", \"memory.stream\", \"gpu.gemm\", \"gpu.hbm\"]"));
  expect_round_trip("", options);
}

TEST(PlanWriter, WritesEveryFigureWithSourceAndBasis) {
  const std::string written = plan_to_toml(load_ok(full_plan));
  EXPECT_THAT(written, HasSubstr(
      "\"cpu.fma.fp64\" = { value = \"7.3728e12 FLOP/s\", source = \"catalog test-cpu-96: Testco "
      "T96 product page (rev 2)\", basis = \"2 sockets x 96 cores x 2.4 GHz base x 16 FLOP/cycle\", "
      "catalog = \"test-cpu-96\" }"));
  EXPECT_THAT(written, HasSubstr("\"memory.stream.triad\" = { value = \"6e11 B/s\", source = \"contract 4.3\", "
                                 "basis = \"annex B\" }"));
  EXPECT_THAT(written, HasSubstr("\"gpu.hbm.read\" = { value = \"3.35e12 B/s\""));
  EXPECT_THAT(written, HasSubstr("unconfirmed = true"));
  EXPECT_THAT(written, HasSubstr("\n[probes.cpu.gemm]\nn = 2048\nthreads = 2\nrepetitions = 3\n"));
  EXPECT_THAT(written, HasSubstr("\nfleet_outlier_mads = 4.0\n"));
  EXPECT_THAT(written, HasSubstr("\n\"memory.*\" = { min_fraction = 0.7, warn_fraction = 0.8 }\n"));
  EXPECT_THAT(written, HasSubstr("\n\"memory.stream.*\" = { warn_fraction = 0.9 }\n"));
}

// --- Files, default plan, suites ------------------------------------------------------

TEST(PlanFile, MissingDirectoryAndReadableFiles) {
  auto missing = load_plan_file("/nonexistent/plan.toml", plan_catalog(), plan_registry());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(missing.error().message, HasSubstr("'/nonexistent/plan.toml': no such file"));

  const auto dir = std::filesystem::temp_directory_path() /
                   ("assay_plan_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto directory = load_plan_file(dir.string(), plan_catalog(), plan_registry());
  ASSERT_FALSE(directory.ok());
  EXPECT_THAT(directory.error().message, HasSubstr("is a directory"));

  const auto path = (dir / "plan.toml").string();
  {
    std::ofstream out(path);
    out << "[system]\nname = \"from a file\"\nnodes = 0\n";
  }
  PlanLoadOptions options;
  options.suite_files = &testing::fixture_suites();
  auto bad = load_plan_file(path, plan_catalog(), plan_registry(), options);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, StartsWith(path + ":3:9: [system] nodes"));
  {
    std::ofstream out(path);
    out << "[system]\nname = \"from a file\"\n";
  }
  auto good = load_plan_file(path, plan_catalog(), plan_registry(), options);
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(good->system.name, "from a file");
  EXPECT_EQ(good->file, path);
  std::filesystem::remove_all(dir);
}

TEST(DefaultPlan, ThisHostTheSuiteAndTheMatchingCpu) {
  PlanLoadOptions options;
  options.suite_files = &testing::fixture_suites();
  auto plan = default_plan("burnin", plan_catalog(), plan_registry(), options);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  char host[HOST_NAME_MAX + 1] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  EXPECT_EQ(plan->system.name, host);
  EXPECT_EQ(plan->suite, "burnin");
  EXPECT_EQ(plan->file, "(built-in burnin suite)");
  const HostCpu cpu = read_host_cpu("/");
  EXPECT_EQ(plan->node.cpu_sockets, std::max(1, cpu.sockets));

  // With a catalog entry for this machine's model name, the plan names it.
  if (cpu.model_name.empty()) GTEST_SKIP() << "/proc/cpuinfo has no model name here";
  const std::string entry = "[this-cpu]\nkind = \"cpu\"\nname = \"this\"\nvendor = \"v\"\n"
                            "source = \"s\"\nrevision = \"r\"\nmatch = [" + toml_quote(cpu.model_name) +
                            "]\ncores = 2\nthreads = 2\nbase_clock = \"2 GHz\"\n"
                            "fp64_flops_per_cycle = 16\nfp32_flops_per_cycle = 32\n";
  std::vector<std::pair<std::string, std::string>> files = {{"specs/this.toml", entry}};
  auto this_catalog = Catalog::parse(files);
  ASSERT_TRUE(this_catalog.ok()) << this_catalog.error().message;
  plan = default_plan("quick", *this_catalog, plan_registry(), options);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->node.cpu, "this-cpu");
  EXPECT_NE(plan->rated_figure("cpu.fma.fp64"), nullptr);
}

TEST(DefaultPlan, UnknownSuite) {
  auto plan = default_plan("fast", plan_catalog(), plan_registry());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(plan.error().message, HasSubstr("unknown suite 'fast'"));
  EXPECT_THAT(plan.error().message, HasSubstr("expected one of: burnin, quick, standard"));
}

TEST(EmbeddedSuites, NamesAndTheyLoad) {
  EXPECT_THAT(suite_names(), ElementsAre("burnin", "quick", "standard"));
  for (const auto& suite : suite_names()) {
    PlanLoadOptions options;
    options.suite_override = suite;
    auto plan = parse_plan("", "plan.toml", plan_catalog(), plan_registry(), options);
    ASSERT_TRUE(plan.ok()) << suite << ": " << plan.error().message;
    EXPECT_FALSE(plan->probes.empty()) << suite;
  }
  PlanLoadOptions quick;
  quick.suite_override = "quick";
  auto plan = parse_plan("", "plan.toml", plan_catalog(), plan_registry(), quick);
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(probe_names(*plan), ElementsAre("cpu.fma", "cpu.gemm", "memory.stream"));
  EXPECT_EQ(param(*plan, "cpu.gemm", "n"), ParamValue(std::int64_t{2048}));
}

// --- Bad plans: each names file:line:column and the key --------------------------------

TEST(PlanErrors, TomlSyntax) {
  expect_error("[system]\nname = \"unterminated\n", "plan.toml:2:21", {"TOML syntax error"});
}

TEST(PlanErrors, UnknownTable) {
  expect_error("[sytem]\nname = \"x\"\n", "plan.toml:1:2",
               {"unknown key 'sytem' in the plan", "did you mean 'system'"});
}

TEST(PlanErrors, UnknownSystemKey) {
  expect_error("[system]\nnodez = 3\n", "plan.toml:2:1",
               {"unknown key 'nodez' in [system]", "did you mean 'nodes'", "expected one of: name, nodes"});
}

TEST(PlanErrors, ZeroNodes) {
  expect_error("[system]\nnodes = 0\n", "plan.toml:2:9",
               {"[system] nodes: expected an integer >= 1, got 0"});
}

TEST(PlanErrors, NodesAsString) {
  expect_error("[system]\nnodes = \"640\"\n", "plan.toml:2:9",
               {"[system] nodes: expected an integer >= 1, got a string"});
}

TEST(PlanErrors, EmptyName) {
  expect_error("[system]\nname = \"\"\n", "plan.toml:2:8", {"[system] name: expected a non-empty string"});
}

TEST(PlanErrors, SectionIsNotATable) {
  expect_error("system = \"big\"\n", "plan.toml:1:10", {"[system]: expected a table, got a string"});
}

TEST(PlanErrors, UnknownCatalogId) {
  expect_error("[node]\ncpu = \"test-cpu-69\"\n", "plan.toml:2:7",
               {"[node] cpu: no catalog entry 'test-cpu-69'", "did you mean 'test-cpu-96'"});
}

TEST(PlanErrors, CatalogIdOfTheWrongKind) {
  expect_error("[node]\ncpu = \"test-gpu\"\n", "plan.toml:2:7",
               {"[node] cpu: 'test-gpu' (Testco G1 80GB) is a gpu entry; expected a cpu entry"});
  expect_error("[node]\ngpu = \"test-cpu-96\"\ngpus = 1\n", "plan.toml:2:7",
               {"[node] gpu: 'test-cpu-96'", "expected a gpu entry"});
}

TEST(PlanErrors, GpuWithoutGpus) {
  expect_error("[node]\ngpu = \"test-gpu\"\n", "plan.toml:2:7",
               {"[node] gpus: required when gpu is given"});
}

TEST(PlanErrors, GpuWithZeroGpus) {
  expect_error("[node]\ngpu = \"test-gpu\"\ngpus = 0\n", "plan.toml:3:8",
               {"[node] gpus: expected an integer >= 1 when gpu is given, got 0"});
  // A negative count is one mistake, reported once.
  auto plan = load("[node]\ngpu = \"test-gpu\"\ngpus = -1\n");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().message, "plan.toml:3:8: [node] gpus: expected an integer >= 0, got -1");
}

TEST(PlanErrors, NegativeSockets) {
  expect_error("[node]\ncpu_sockets = -2\n", "plan.toml:2:15",
               {"[node] cpu_sockets: expected an integer >= 1, got -2"});
}

TEST(PlanErrors, FractionalGpus) {
  expect_error("[node]\ngpus = 1.5\n", "plan.toml:2:8",
               {"[node] gpus: expected an integer >= 0, got a number with a fraction"});
}

TEST(PlanErrors, RatedKeyNobodyEmits) {
  expect_error("[rated]\n\"cpu.fma.fp65\" = \"1 TFLOP/s\"\n", "plan.toml:2:1",
               {"[rated] \"cpu.fma.fp65\": no probe of this assay emits it and no catalog entry rates it",
                "did you mean 'cpu.fma.fp64'"});
}

TEST(PlanErrors, RatedFigureUnparseable) {
  expect_error("[rated]\n\"cpu.fma.fp64\" = \"fast\"\n", "plan.toml:2:18",
               {"[rated] \"cpu.fma.fp64\"", "does not start with a number"});
}

TEST(PlanErrors, RatedFigureOfTheWrongUnit) {
  expect_error("[rated]\n\"cpu.fma.fp64\" = \"3 TB/s\"\n", "plan.toml:2:18",
               {"[rated] \"cpu.fma.fp64\"", "expected a compute rate", "is a bandwidth"});
}

TEST(PlanErrors, RatedFigureZero) {
  expect_error("[rated]\n\"cpu.fma.fp64\" = \"0 TFLOP/s\"\n", "plan.toml:2:18",
               {"[rated] \"cpu.fma.fp64\": expected a rated figure above zero"});
}

TEST(PlanErrors, RatedFigureNegative) {
  expect_error("[rated]\n\"memory.stream.triad\" = \"-5 GB/s\"\n", "plan.toml:2:25",
               {"[rated] \"memory.stream.triad\"", "negative"});
}

TEST(PlanErrors, RatedKeyUnquoted) {
  expect_error("[rated]\ncpu.fma.fp64 = \"1 TFLOP/s\"\n", "plan.toml:2:1",
               {"[rated] cpu: metric keys must be quoted"});
}

TEST(PlanErrors, RatedTableWithoutValue) {
  expect_error("[rated]\n\"cpu.fma.fp64\" = { source = \"contract\" }\n", "plan.toml:2:18",
               {"[rated] \"cpu.fma.fp64\": missing 'value'"});
}

TEST(PlanErrors, RatedTableUnknownField) {
  expect_error("[rated]\n\"cpu.fma.fp64\" = { value = \"1 TFLOP/s\", sauce = \"x\" }\n",
               "plan.toml:2:41", {"unknown key 'sauce' in [rated] \"cpu.fma.fp64\"", "source"});
}

TEST(PlanErrors, RatedFigureNotAString) {
  expect_error("[rated]\n\"cpu.fma.fp64\" = 5\n", "plan.toml:2:18",
               {"[rated] \"cpu.fma.fp64\": expected a figure such as \"989 TFLOP/s\"", "got an integer"});
}

TEST(PlanErrors, RatedKeyNotAMetricKey) {
  expect_error("[rated]\nthroughput = \"1 TFLOP/s\"\n", "plan.toml:2:1",
               {"[rated] \"throughput\": expected a metric key such as \"cpu.fma.fp64\""});
}

TEST(PlanErrors, MinFractionOutOfRange) {
  expect_error("[criteria]\nmin_fraction = 0\n", "plan.toml:2:16",
               {"[criteria] min_fraction: expected a fraction of the rated figure in (0, 2]"});
  expect_error("[criteria]\nmin_fraction = 2.5\n", "plan.toml:2:16",
               {"[criteria] min_fraction", "got 2.5"});
  expect_error("[criteria]\nmin_fraction = \"90%\"\n", "plan.toml:2:16",
               {"[criteria] min_fraction: expected a number, got a string"});
}

TEST(PlanErrors, WarnBelowMin) {
  expect_error("[criteria]\nmin_fraction = 0.9\nwarn_fraction = 0.8\n", "plan.toml:3:17",
               {"[criteria] warn_fraction: expected at least min_fraction (0.9), got 0.8"});
}

TEST(PlanErrors, FleetThresholds) {
  expect_error("[criteria]\nfleet_max_cv = 0\n", "plan.toml:2:16",
               {"[criteria] fleet_max_cv: expected a coefficient of variation"});
  expect_error("[criteria]\nfleet_outlier_mads = -1\n", "plan.toml:2:22",
               {"[criteria] fleet_outlier_mads"});
}

TEST(PlanErrors, CriteriaPatternMatchesNothing) {
  expect_error("[criteria]\n\"gpu.nope.*\" = { min_fraction = 0.8 }\n", "plan.toml:2:1",
               {"[criteria] \"gpu.nope.*\": matches no metric"});
}

TEST(PlanErrors, CriteriaPatternMalformed) {
  expect_error("[criteria]\n\"gpu.gemm*\" = { min_fraction = 0.8 }\n", "plan.toml:2:1",
               {"[criteria] \"gpu.gemm*\": expected a metric key (\"gpu.gemm.fp8\") or a pattern"});
  expect_error("[criteria]\n\"gpu*\" = { min_fraction = 0.8 }\n", "plan.toml:2:1",
               {"unknown key 'gpu*' in [criteria]", "or a rule, a quoted key such as"});
}

TEST(PlanErrors, CriteriaUnknownKey) {
  expect_error("[criteria]\nmax_fraction = 0.8\n", "plan.toml:2:1",
               {"unknown key 'max_fraction' in [criteria]", "did you mean 'min_fraction'"});
}

TEST(PlanErrors, CriteriaRuleUnknownField) {
  expect_error("[criteria]\n\"cpu.*\" = { min_fraction = 0.8, warn = 0.9 }\n", "plan.toml:2:33",
               {"unknown key 'warn' in [criteria] \"cpu.*\"", "did you mean 'warn_fraction'"});
}

TEST(PlanErrors, CriteriaRuleWarnBelowMin) {
  expect_error("[criteria]\n\"cpu.*\" = { min_fraction = 0.9, warn_fraction = 0.8 }\n", "plan.toml:2:11",
               {"[criteria] \"cpu.*\": warn_fraction (0.8) must be at least min_fraction (0.9)"});
}

TEST(PlanErrors, CriteriaRuleNotATable) {
  expect_error("[criteria]\n\"cpu.*\" = 0.8\n", "plan.toml:2:11",
               {"[criteria] \"cpu.*\": expected a table such as { min_fraction = 0.80 }"});
}

TEST(PlanErrors, CriteriaRuleEmpty) {
  expect_error("[criteria]\n\"cpu.*\" = {}\n", "plan.toml:2:11",
               {"[criteria] \"cpu.*\": expected min_fraction and/or warn_fraction"});
}

TEST(PlanErrors, CriteriaKeyUnquoted) {
  expect_error("[criteria]\ngpu.gemm.fp8 = { min_fraction = 0.8 }\n", "plan.toml:2:1",
               {"[criteria] gpu: metric keys must be quoted"});
}

TEST(PlanErrors, UnknownSuite) {
  expect_error("[run]\nsuite = \"quik\"\n", "plan.toml:2:9",
               {"[run] suite: unknown suite 'quik'", "did you mean 'quick'",
                "expected one of: burnin, quick, standard"});
  PlanLoadOptions options;
  options.suite_override = "fast";
  auto plan = load("", options);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().message,
            "plan.toml: --suite: unknown suite 'fast'; expected one of: burnin, quick, standard");
}

TEST(PlanErrors, UnknownProbeInRun) {
  expect_error("[run]\nprobes = [\"cpu.fma\", \"cpu.gemn\"]\n", "plan.toml:2:22",
               {"[run] probes: no probe 'cpu.gemn' in this assay", "did you mean 'cpu.gemm'"});
}

TEST(PlanErrors, ProbeListedTwice) {
  expect_error("[run]\nprobes = [\"cpu.fma\", \"cpu.fma\"]\n", "plan.toml:2:22",
               {"[run] probes: 'cpu.fma' is listed twice"});
}

TEST(PlanErrors, EmptyProbeList) {
  expect_error("[run]\nprobes = []\n", "plan.toml:2:10", {"[run] probes: expected at least one probe"});
}

TEST(PlanErrors, ProbeListNotAnArray) {
  expect_error("[run]\nprobes = \"cpu.fma\"\n", "plan.toml:2:10",
               {"[run] probes: expected an array of strings, got a string"});
}

TEST(PlanErrors, UnknownRunKey) {
  expect_error("[run]\nsuites = \"quick\"\n", "plan.toml:2:1",
               {"unknown key 'suites' in [run]", "did you mean 'suite'"});
}

TEST(PlanErrors, GlobalParameterNobodyAccepts) {
  expect_error("[probes]\nthreadz = 2\n", "plan.toml:2:1",
               {"[probes] threadz: no probe of this assay accepts 'threadz'", "did you mean 'threads'"});
}

TEST(PlanErrors, FamilyParameterNobodyInTheFamilyAccepts) {
  expect_error("[probes.cpu]\nelements = 5\n", "plan.toml:2:1",
               {"[probes.cpu] elements: no probe of family 'cpu' accepts 'elements'",
                "accepted: threads, seconds, repetitions, n"});
}

TEST(PlanErrors, ProbeParameterUnknown) {
  expect_error("[probes.cpu.gemm]\nm = 5\n", "plan.toml:2:1",
               {"[probes.cpu.gemm] m: probe cpu.gemm has no parameter 'm'", "did you mean 'n'",
                "accepted: n, threads, repetitions"});
}

TEST(PlanErrors, ProbeParameterBelowItsMinimum) {
  expect_error("[probes.cpu.gemm]\nn = -5\n", "plan.toml:2:5",
               {"[probes.cpu.gemm] n: parameter 'n' must be at least 64, got -5"});
}

TEST(PlanErrors, GlobalParameterInvalidForOneProbe) {
  expect_error("[probes]\nthreads = 100\n", "plan.toml:2:11",
               {"[probes] threads: parameter 'threads' must be at most 64", "(for cpu.fma)"});
}

TEST(PlanErrors, UnknownFamily) {
  expect_error("[probes.cpx]\nthreads = 1\n", "plan.toml:1:9",
               {"[probes.cpx]: no probe family 'cpx' in this assay", "did you mean 'cpu'",
                "families: cpu, memory, storage"});
}

TEST(PlanErrors, UnknownProbeTable) {
  expect_error("[probes.cpu.gemx]\nn = 5\n", "plan.toml:1:13",
               {"[probes.cpu.gemx]: no probe 'cpu.gemx' in this assay", "did you mean 'cpu.gemm'"});
}

TEST(PlanErrors, NegativeSize) {
  expect_error("[probes.storage.seq]\nsize = \"-1 GiB\"\n", "plan.toml:2:8",
               {"[probes.storage.seq] size", "negative"});
}

TEST(PlanErrors, ParameterOfTheWrongType) {
  expect_error("[probes.cpu.gemm]\nn = [1, 2]\n", "plan.toml:2:5",
               {"[probes.cpu.gemm] n: expected a number, string or boolean, got an array"});
  expect_error("[probes.storage.seq]\ndirect = \"maybe\"\n", "plan.toml:2:10",
               {"[probes.storage.seq] direct: parameter 'direct' expects true or false"});
  expect_error("[probes.cpu.gemm.n]\nx = 1\n", "plan.toml:1:18",
               {"[probes.cpu.gemm.n]: expected a parameter value of cpu.gemm, got a table"});
}

TEST(PlanErrors, EveryProblemIsReportedInFileOrder) {
  auto plan = load("[system]\nnodes = 0\n[node]\ncpu = \"nope\"\n[criteria]\nmin_fraction = 5\n"
                   "[probes.cpu.gemm]\nm = 1\n");
  ASSERT_FALSE(plan.ok());
  const std::string& message = plan.error().message;
  const auto first = message.find("plan.toml:2:9: ");
  const auto second = message.find("plan.toml:4:7: ");
  const auto third = message.find("plan.toml:6:16: ");
  const auto fourth = message.find("plan.toml:8:1: ");
  ASSERT_NE(first, std::string::npos) << message;
  ASSERT_NE(second, std::string::npos) << message;
  ASSERT_NE(third, std::string::npos) << message;
  ASSERT_NE(fourth, std::string::npos) << message;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_LT(third, fourth);
}

}  // namespace
}  // namespace assay

namespace assay {
namespace {

TEST(PlanPower, DefaultsToTheLocalSources) {
  const Plan plan = load_ok("");
  EXPECT_EQ(plan.power.sources, std::vector<std::string>{"auto"});
  EXPECT_EQ(plan.power.interval.count(), 100);
}

TEST(PlanPower, ReadsEverySettingAndRoundTrips) {
  const std::string text = R"(
[power]
sources = ["auto", "redfish", "ipmi"]
interval = "250 ms"
powercap_root = "/fixture/powercap"
redfish_endpoint = "https://{host}-bmc"
ipmi_host = "{host}-ipmi"
credentials_file = "/etc/assay/bmc.cred"
ca_file = "/etc/assay/ca.pem"
meter_file = "/data/pdu/{host}.csv"
)";
  const Plan plan = load_ok(text);
  EXPECT_EQ(plan.power.sources, (std::vector<std::string>{"auto", "redfish", "ipmi"}));
  EXPECT_EQ(plan.power.interval.count(), 250);
  EXPECT_EQ(plan.power.powercap_root, "/fixture/powercap");
  const PowerSourceOptions redfish = plan.power.options_for("redfish", "gpu-017");
  EXPECT_EQ(redfish.endpoint, "https://gpu-017-bmc");
  EXPECT_EQ(redfish.credentials_file, "/etc/assay/bmc.cred");
  EXPECT_EQ(plan.power.options_for("ipmi", "gpu-017").endpoint, "gpu-017-ipmi");
  EXPECT_EQ(plan.power.options_for("powercap", "x").root, "/fixture/powercap");
  EXPECT_EQ(plan.power.options_for("hwmon", "x").root, "") << "each sysfs root is its own";
  expect_round_trip(text);
}

TEST(PlanPower, AnEmptyListSwitchesSamplingOff) {
  const Plan plan = load_ok("[power]\nsources = []\n");
  EXPECT_TRUE(plan.power.sources.empty());
  expect_round_trip("[power]\nsources = []\n");
}

TEST(PlanPower, MistakesNameTheKey) {
  expect_error("[power]\nsources = [\"rapl\"]\n", "plan.toml:2:12", {"unknown source 'rapl'"});
  expect_error("[power]\nsources = [\"redfish\"]\nredfish_endpoint = \"http://bmc\"\n", "plan.toml:3:20",
               {"allow_http"});
  expect_error("[power]\ninterval = \"5 ms\"\n", "plan.toml:2:12", {"10 ms to 60 s"});
  expect_error("[power]\ninterval = 5\n", "plan.toml:2:12", {"[power] interval"});
  expect_error("[power]\nallow_http = \"yes\"\n", "plan.toml:2:14", {"allow_http"});
}

}  // namespace
}  // namespace assay
