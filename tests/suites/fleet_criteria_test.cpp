// Per-key fleet criteria in a plan's [criteria]: { fleet_max_cv, fleet_outlier_mads }.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "suites/fixtures/plan_fixtures.h"
#include "suites/plan.h"

namespace assay {
namespace {

using ::testing::HasSubstr;

Expected<Plan> load(const std::string& text, bool recorded = false) {
  static const Catalog catalog = testing::fixture_catalog();
  static const ProbeRegistry registry = testing::fake_registry();
  PlanLoadOptions options;
  options.suite_files = &testing::fixture_suites();
  options.recorded = recorded;
  return parse_plan(text, "plan.toml", catalog, registry, options);
}

Plan load_ok(const std::string& text, bool recorded = false) {
  auto plan = load(text, recorded);
  EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().message);
  return plan.ok() ? std::move(plan).value() : Plan{};
}

std::string load_error(const std::string& text) {
  auto plan = load(text);
  EXPECT_FALSE(plan.ok()) << "expected an error for:\n" << text;
  return plan.ok() ? "" : plan.error().message;
}

const std::string kCriteriaPlan = R"([criteria]
fleet_max_cv = 0.04
"cpu.*" = { fleet_max_cv = 0.2 }
"cpu.fma.fp64" = { min_fraction = 0.8, fleet_outlier_mads = 5 }
)";

TEST(FleetCriteria, MostSpecificRuleSetsEachFigure) {
  const Plan plan = load_ok(kCriteriaPlan);
  EffectiveCriterion c = plan.criterion_for("cpu.fma.fp64");
  EXPECT_DOUBLE_EQ(c.fleet_max_cv, 0.2);
  EXPECT_DOUBLE_EQ(c.fleet_outlier_mads, 5);
  EXPECT_EQ(c.fleet_origin, "cpu.fma.fp64");
  EXPECT_DOUBLE_EQ(c.min_fraction, 0.8);
  EXPECT_EQ(c.origin, "cpu.fma.fp64");

  c = plan.criterion_for("cpu.gemm.fp64");
  EXPECT_DOUBLE_EQ(c.fleet_max_cv, 0.2);
  EXPECT_DOUBLE_EQ(c.fleet_outlier_mads, 3.0);
  EXPECT_EQ(c.fleet_origin, "cpu.*");
  // "cpu.*" sets no fraction, so the min_fraction criterion does not name it.
  EXPECT_DOUBLE_EQ(c.min_fraction, 0.9);
  EXPECT_EQ(c.origin, "default");

  c = plan.criterion_for("memory.stream.triad");
  EXPECT_DOUBLE_EQ(c.fleet_max_cv, 0.04);
  EXPECT_EQ(c.fleet_origin, "default");
}

TEST(FleetCriteria, WrittenIntoTheBundleAndReadBack) {
  const Plan plan = load_ok(kCriteriaPlan);
  const std::string toml = plan_to_toml(plan);
  EXPECT_THAT(toml, HasSubstr("\"cpu.*\" = { fleet_max_cv = 0.2 }"));
  EXPECT_THAT(toml, HasSubstr("\"cpu.fma.fp64\" = { min_fraction = 0.8, fleet_outlier_mads = 5.0 }"));
  const Plan back = load_ok(toml, true);
  ASSERT_EQ(back.criteria.rules.size(), plan.criteria.rules.size());
  for (std::size_t i = 0; i < plan.criteria.rules.size(); ++i) {
    EXPECT_EQ(back.criteria.rules[i].pattern, plan.criteria.rules[i].pattern);
    EXPECT_EQ(back.criteria.rules[i].fleet_max_cv, plan.criteria.rules[i].fleet_max_cv);
    EXPECT_EQ(back.criteria.rules[i].fleet_outlier_mads, plan.criteria.rules[i].fleet_outlier_mads);
    EXPECT_EQ(back.criteria.rules[i].min_fraction, plan.criteria.rules[i].min_fraction);
  }
}

TEST(FleetCriteria, BadValuesAreNamed) {
  EXPECT_THAT(load_error("[criteria]\n\"cpu.*\" = { fleet_max_cv = 0 }\n"),
              HasSubstr("plan.toml:2:28: [criteria] \"cpu.*\" fleet_max_cv: expected a coefficient of "
                        "variation in (0, 1], e.g. 0.05, got 0"));
  EXPECT_THAT(load_error("[criteria]\n\"cpu.*\" = { fleet_outlier_mads = -1 }\n"),
              HasSubstr("[criteria] \"cpu.*\" fleet_outlier_mads: expected a number of median absolute "
                        "deviations above 0"));
  EXPECT_THAT(load_error("[criteria]\n\"cpu.*\" = { fleet_cv = 0.1 }\n"), HasSubstr("fleet_max_cv"));
  EXPECT_THAT(load_error("[criteria]\n\"cpu.*\" = {}\n"),
              HasSubstr("expected min_fraction and/or warn_fraction (or fleet_max_cv, fleet_outlier_mads)"));
}

}  // namespace
}  // namespace assay
