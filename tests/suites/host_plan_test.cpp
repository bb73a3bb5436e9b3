#include "suites/host_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "configs/embedded_configs.h"
#include "suites/fixtures/plan_fixtures.h"
#include "suites/plan.h"

namespace assay {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const Catalog& catalog() {
  static const Catalog c = testing::fixture_catalog();
  return c;
}

const ProbeRegistry& registry() {
  static const ProbeRegistry r = testing::fake_registry();
  return r;
}

Expected<Plan> parse(const std::string& text, const Catalog& with = catalog()) {
  PlanLoadOptions options;
  options.suite_files = &testing::fixture_suites();
  return parse_plan(text, "plan.toml", with, registry(), options);
}

HostCpu known_cpu() {
  HostCpu cpu;
  cpu.vendor = "TestcoInc";
  cpu.model_name = "Testco T96 96-Core Processor";
  cpu.family = 25;
  cpu.model = 17;
  cpu.sockets = 2;
  cpu.cores = 192;
  cpu.logical_cpus = 384;
  return cpu;
}

HostMemory memory() {
  HostMemory m;
  m.total_bytes = std::int64_t{1536} << 30;
  m.numa_nodes = 2;
  return m;
}

TEST(HostPlan, MatchedCpuIsNamedAndThePlanLoads) {
  const std::string text = host_plan_toml(known_cpu(), memory(), catalog(), "gpu-017");
  EXPECT_THAT(text, HasSubstr("#   CPU     Testco T96 96-Core Processor (TestcoInc family 25 model 17)"));
  EXPECT_THAT(text, HasSubstr("#   sockets 2, cores 192, logical CPUs 384"));
  EXPECT_THAT(text, HasSubstr("#   memory  1.5 TiB, NUMA nodes 2"));
  EXPECT_THAT(text, HasSubstr("cpu = \"test-cpu-96\""));
  EXPECT_THAT(text, HasSubstr("#   cpu.fma.fp64 = 3.686 TFLOP/s  (96 cores x 2.4 GHz base x 16 FLOP/cycle)"));
  EXPECT_THAT(text, Not(HasSubstr("under a hypervisor")));

  auto plan = parse(text);
  ASSERT_TRUE(plan.ok()) << plan.error().message << "\n" << text;
  EXPECT_EQ(plan->system.name, "gpu-017");
  EXPECT_EQ(plan->node.cpu, "test-cpu-96");
  EXPECT_EQ(plan->node.cpu_sockets, 2);
  EXPECT_EQ(plan->node.gpus, 0);
  EXPECT_EQ(plan->suite, "standard");
  EXPECT_DOUBLE_EQ(plan->criteria.min_fraction, 0.90);
  // The catalog's theoretical DRAM peak is judged on STREAM's terms.
  const auto memory_rule = plan->criterion_for("memory.stream.triad");
  EXPECT_DOUBLE_EQ(memory_rule.min_fraction, 0.70);
  EXPECT_DOUBLE_EQ(memory_rule.warn_fraction, 0.80);
  EXPECT_DOUBLE_EQ(plan->rated_figure("cpu.fma.fp64")->quantity.value, 2 * 96 * 2.4e9 * 16);
}

TEST(HostPlan, UnmatchedCpuSaysSoAndStillLoads) {
  HostCpu cpu = known_cpu();
  cpu.model_name = "AMD EPYC";
  cpu.sockets = 1;
  cpu.hypervisor = true;
  const std::string text = host_plan_toml(cpu, memory(), catalog(), "vm-1");
  EXPECT_THAT(text, HasSubstr("# No catalog entry matched the model name \"AMD EPYC\"."));
  EXPECT_THAT(text, HasSubstr("[rated]"));
  EXPECT_THAT(text, HasSubstr("under a hypervisor"));
  EXPECT_THAT(text, HasSubstr("# \"memory.stream.*\" = { min_fraction = 0.70"));
  auto plan = parse(text);
  ASSERT_TRUE(plan.ok()) << plan.error().message << "\n" << text;
  EXPECT_EQ(plan->node.cpu, "");
  EXPECT_EQ(plan->node.cpu_sockets, 1);
  EXPECT_TRUE(plan->rated.empty());
  EXPECT_TRUE(plan->criteria.rules.empty());
}

TEST(HostPlan, OddHostNamesAndEmptyReadingsStayValidToml) {
  HostCpu cpu;  // a container that hides /proc and /sys
  HostMemory nothing;
  const std::string text = host_plan_toml(cpu, nothing, catalog(), "we\"ird\\host\nname");
  auto plan = parse(text);
  ASSERT_TRUE(plan.ok()) << plan.error().message << "\n" << text;
  EXPECT_EQ(plan->system.name, "we\"ird\\host\nname");
  EXPECT_EQ(plan->node.cpu_sockets, 1);
  EXPECT_EQ(parse(host_plan_toml(cpu, nothing, catalog(), ""))->system.name, "this node");
}

TEST(HostPlan, LoadsAgainstTheEmbeddedCatalogAndSuites) {
  auto embedded = Catalog::embedded();
  ASSERT_TRUE(embedded.ok()) << embedded.error().message;
  const std::string text = host_plan_toml(known_cpu(), memory(), *embedded, "gpu-017");
  auto plan = parse_plan(text, "plan.toml", *embedded, registry());
  ASSERT_TRUE(plan.ok()) << plan.error().message << "\n" << text;
  EXPECT_EQ(plan->suite, "standard");
}

TEST(TemplatePlan, LoadsAgainstTheEmbeddedCatalog) {
  auto embedded = Catalog::embedded();
  ASSERT_TRUE(embedded.ok()) << embedded.error().message;
  if (!embedded->find("nvidia-h100-sxm5") || !embedded->find("intel-xeon-platinum-8480p")) {
    GTEST_SKIP() << "the embedded catalog lacks the H100 or Xeon 8480+ entry the template names";
  }
  const std::string text = template_plan_toml();
  auto plan = parse_plan(text, "plan.toml", *embedded, registry());
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->system.nodes, 640);
  EXPECT_EQ(plan->node.gpu, "nvidia-h100-sxm5");
  EXPECT_EQ(plan->node.gpus, 8);
  EXPECT_EQ(plan->node.cpu_sockets, 2);
  EXPECT_EQ(plan->suite, "standard");
  // The contract's figure replaces the datasheet's; the datasheet supplies the rest.
  const PlanRatedFigure* hbm = plan->rated_figure("gpu.hbm.read");
  ASSERT_NE(hbm, nullptr);
  EXPECT_EQ(hbm->source, "contract 2026-017 annex B, 4.3");
  EXPECT_FALSE(hbm->from_catalog);
  ASSERT_NE(plan->rated_figure("gpu.gemm.bf16"), nullptr);
  EXPECT_TRUE(plan->rated_figure("gpu.gemm.bf16")->from_catalog);
  // The most specific criterion wins: fp8 has its own, bf16 the gpu.gemm.* one.
  EXPECT_DOUBLE_EQ(plan->criterion_for("gpu.gemm.fp8").min_fraction, 0.65);
  EXPECT_DOUBLE_EQ(plan->criterion_for("gpu.gemm.bf16").min_fraction, 0.70);
  EXPECT_DOUBLE_EQ(plan->criterion_for("gpu.gemm.bf16").warn_fraction, 0.75);
  EXPECT_DOUBLE_EQ(plan->criterion_for("cpu.fma.fp64").warn_fraction, 0.95);
  // And what the bundle would hold loads again.
  auto again = parse_plan(plan_to_toml(*plan), "bundle/plan.toml", *embedded, registry());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->rated.size(), plan->rated.size());
}

TEST(ExamplePlans, EveryEmbeddedExampleLoads) {
  auto embedded = Catalog::embedded();
  ASSERT_TRUE(embedded.ok()) << embedded.error().message;
  int examples = 0;
  for (const auto& f : embedded_configs()) {
    if (!f.path.starts_with("examples/")) continue;
    ++examples;
    const std::string file(f.path);
    auto plan = parse_plan(f.content, file, *embedded, registry());
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    EXPECT_NE(plan->system.name, "this node") << file;
    EXPECT_FALSE(plan->rated.empty()) << file;
    // Each example writes at least one figure of its own, with its source.
    EXPECT_TRUE(std::any_of(plan->rated.begin(), plan->rated.end(),
                            [](const PlanRatedFigure& r) { return !r.from_catalog && r.source != "plan"; }))
        << file;
  }
  EXPECT_GE(examples, 3);
  EXPECT_EQ(template_plan_toml().substr(0, 19), "# An example accept");
}

}  // namespace
}  // namespace assay
