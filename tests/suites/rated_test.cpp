#include "suites/rated.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "suites/fixtures/plan_fixtures.h"

namespace assay {
namespace {

using ::testing::HasSubstr;

const Catalog& catalog() {
  static const Catalog c = testing::fixture_catalog();
  return c;
}

const RatedValue* find_value(const std::vector<RatedValue>& values, std::string_view key) {
  for (const auto& v : values) {
    if (v.key == key) return &v;
  }
  return nullptr;
}

TEST(CatalogRatedValues, CpuFiguresScaleWithSockets) {
  NodeSection node;
  node.cpu = "test-cpu-96";
  node.cpu_sockets = 2;
  const auto values = catalog_rated_values(node, catalog());
  const RatedValue* fma = find_value(values, "cpu.fma.fp64");
  ASSERT_NE(fma, nullptr);
  EXPECT_DOUBLE_EQ(fma->quantity.value, 2 * 96 * 2.4e9 * 16);
  EXPECT_EQ(fma->quantity.unit, Unit::flop_per_s);
  EXPECT_EQ(fma->source, "catalog test-cpu-96: Testco T96 product page (rev 2)");
  EXPECT_EQ(fma->basis, "2 sockets x 96 cores x 2.4 GHz base x 16 FLOP/cycle");
  EXPECT_FALSE(fma->derived);  // promised by the datasheet, not computed from a measurement
  const RatedValue* triad = find_value(values, "memory.stream.triad");
  ASSERT_NE(triad, nullptr);
  EXPECT_DOUBLE_EQ(triad->quantity.value, 2 * 460.8e9);
  EXPECT_EQ(triad->basis, "2 sockets x 12 channels x 4800 MT/s x 8 B (theoretical DRAM peak)");
  const RatedValue* tdp = find_value(values, "power.cpu.tdp");
  ASSERT_NE(tdp, nullptr);
  EXPECT_DOUBLE_EQ(tdp->quantity.value, 720);
  EXPECT_EQ(tdp->basis, "2 sockets x TDP 360 W");
  // Nothing of a GPU when the node names none.
  EXPECT_EQ(find_value(values, "gpu.gemm.bf16"), nullptr);
}

TEST(CatalogRatedValues, OneSocketAndExplicitPerSocketFigures) {
  NodeSection node;
  node.cpu = "test-cpu-boost";
  const auto values = catalog_rated_values(node, catalog());
  const RatedValue* fma = find_value(values, "cpu.fma.fp64");
  ASSERT_NE(fma, nullptr);
  EXPECT_EQ(fma->basis, "1 socket x 32 cores x 3 GHz all-core boost x 32 FLOP/cycle");
  EXPECT_TRUE(fma->unconfirmed);
  // An explicit catalog figure is per socket too, and its note is kept.
  const RatedValue* gemm = find_value(values, "cpu.gemm.fp64");
  ASSERT_NE(gemm, nullptr);
  EXPECT_DOUBLE_EQ(gemm->quantity.value, 2.5e12);
  EXPECT_EQ(gemm->basis, "1 socket x 2.5 TFLOP/s per socket (vendor's measured DGEMM)");
  node.cpu_sockets = 4;
  EXPECT_DOUBLE_EQ(find_value(catalog_rated_values(node, catalog()), "cpu.gemm.fp64")->quantity.value,
                   4 * 2.5e12);
}

TEST(CatalogRatedValues, GpuFiguresArePerDevice) {
  NodeSection node;
  node.gpu = "test-gpu";
  node.gpus = 8;
  const auto values = catalog_rated_values(node, catalog());
  const RatedValue* bf16 = find_value(values, "gpu.gemm.bf16");
  ASSERT_NE(bf16, nullptr);
  EXPECT_DOUBLE_EQ(bf16->quantity.value, 989.5e12);  // not x 8
  EXPECT_EQ(bf16->source, "catalog test-gpu: Testco G1 datasheet (DS-1 2024-03)");
  EXPECT_EQ(bf16->basis, "per GPU, dense");
  EXPECT_EQ(find_value(values, "gpu.gemm.fp64")->basis, "per GPU, dense (FP64 tensor core)");
  EXPECT_EQ(find_value(values, "power.gpu.tdp")->basis, "per GPU");
  EXPECT_TRUE(find_value(values, "gpu.hbm.read")->unconfirmed);
  EXPECT_FALSE(bf16->unconfirmed);
  EXPECT_EQ(find_value(values, "cpu.fma.fp64"), nullptr);
}

TEST(CatalogRatedValues, UnknownIdsGiveNothing) {
  NodeSection node;
  node.cpu = "not-in-catalog";
  node.gpu = "nor-this";
  EXPECT_TRUE(catalog_rated_values(node, catalog()).empty());
}

// A plan built in code (not parsed) has not merged the catalog yet.
Plan hand_built_plan() {
  Plan plan;
  plan.node.cpu = "test-cpu-96";
  plan.node.cpu_sockets = 2;
  plan.node.gpu = "test-gpu";
  plan.node.gpus = 4;
  PlanRatedFigure triad;
  triad.key = "memory.stream.triad";
  triad.quantity = {600e9, Unit::byte_per_s};
  triad.source = "contract 4.3";
  plan.rated.push_back(triad);
  return plan;
}

TEST(RatedTable, PlanFiguresFirstThenTheCatalog) {
  const RatedTable table = RatedTable::resolve(hand_built_plan(), catalog());
  const auto triad = table.find("memory.stream.triad");
  ASSERT_TRUE(triad.has_value());
  EXPECT_DOUBLE_EQ(triad->quantity.value, 600e9);
  EXPECT_EQ(triad->source, "contract 4.3");
  // The catalog fills in the rest.
  const auto copy = table.find("memory.stream.copy");
  ASSERT_TRUE(copy.has_value());
  EXPECT_DOUBLE_EQ(copy->quantity.value, 2 * 460.8e9);
  EXPECT_THAT(copy->source, HasSubstr("catalog test-cpu-96"));
  ASSERT_TRUE(table.find("gpu.gemm.fp8").has_value());
  EXPECT_DOUBLE_EQ(table.find("gpu.gemm.fp8")->quantity.value, 1979e12);
  EXPECT_FALSE(table.find("storage.seq.read").has_value());
  EXPECT_TRUE(std::is_sorted(table.all().begin(), table.all().end(),
                             [](const auto& a, const auto& b) { return a.key < b.key; }));
}

TEST(RatedTable, ALoadedPlanIsNotResolvedTwice) {
  Plan plan = hand_built_plan();
  plan.catalog_resolved = true;  // as parse_plan leaves it: `rated` is complete
  const RatedTable table = RatedTable::resolve(plan, catalog());
  ASSERT_EQ(table.all().size(), 1u);
  EXPECT_EQ(table.all()[0].key, "memory.stream.triad");
}

TEST(RatedTable, AgreesWithTheParsedPlan) {
  const ProbeRegistry registry = testing::fake_registry();
  PlanLoadOptions options;
  options.suite_files = &testing::fixture_suites();
  auto plan = parse_plan("[node]\ncpu = \"test-cpu-96\"\ncpu_sockets = 2\ngpu = \"test-gpu\"\ngpus = 4\n"
                         "[rated]\n\"memory.stream.triad\" = { value = \"600 GB/s\", source = \"contract 4.3\" }\n",
                         "plan.toml", catalog(), registry, options);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  const RatedTable parsed = RatedTable::resolve(*plan, catalog());
  const RatedTable built = RatedTable::resolve(hand_built_plan(), catalog());
  ASSERT_EQ(parsed.all().size(), built.all().size());
  for (std::size_t i = 0; i < parsed.all().size(); ++i) {
    EXPECT_EQ(parsed.all()[i].key, built.all()[i].key);
    EXPECT_EQ(parsed.all()[i].quantity.value, built.all()[i].quantity.value);
    EXPECT_EQ(parsed.all()[i].source, built.all()[i].source);
    EXPECT_EQ(parsed.all()[i].basis, built.all()[i].basis);
    EXPECT_EQ(parsed.all()[i].unconfirmed, built.all()[i].unconfirmed);
  }
}

TEST(RatedTable, AddReplacesAndKeepsOrder) {
  RatedTable table;
  table.add({"memory.stream.triad", {1e9, Unit::byte_per_s}, "a", "", false, false});
  table.add({"cpu.fma.fp64", {1e12, Unit::flop_per_s}, "b", "", false, false});
  table.add({"cpu.fma.fp64", {2e12, Unit::flop_per_s}, "derived from the measured clock",
             "96 cores x 3.1 GHz measured x 16 FLOP/cycle", true, false});
  ASSERT_EQ(table.all().size(), 2u);
  EXPECT_EQ(table.all()[0].key, "cpu.fma.fp64");
  EXPECT_DOUBLE_EQ(table.find("cpu.fma.fp64")->quantity.value, 2e12);
  EXPECT_TRUE(table.find("cpu.fma.fp64")->derived);
  EXPECT_FALSE(table.find("cpu.fma.fp3").has_value());
  EXPECT_FALSE(table.find("").has_value());
}

}  // namespace
}  // namespace assay
