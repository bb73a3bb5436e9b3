#include "suites/catalog.h"

#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "suites/fixtures/plan_fixtures.h"

namespace assay {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::fixture_catalog;

// A valid GPU entry to which each error test adds or changes one line.
const std::string gpu_entry = R"([good-gpu]
kind = "gpu"
name = "Good GPU"
vendor = "Testco"
source = "datasheet"
revision = "rev 1"
sparsity = "dense"
"gpu.gemm.bf16" = "100 TFLOP/s"
)";

Expected<Catalog> parse_one(const std::string& text, const std::string& file = "specs/test.toml") {
  std::vector<std::pair<std::string, std::string>> files = {{file, text}};
  return Catalog::parse(files);
}

std::string error_of(const std::string& text) {
  auto catalog = parse_one(text);
  EXPECT_FALSE(catalog.ok()) << "expected an error for:\n" << text;
  if (catalog.ok()) return {};
  EXPECT_EQ(catalog.error().kind, ErrorKind::bad_input);
  return catalog.error().message;
}

TEST(Catalog, ParsesGpuEntry) {
  const Catalog catalog = fixture_catalog();
  const CatalogEntry* gpu = catalog.find("test-gpu");
  ASSERT_NE(gpu, nullptr);
  EXPECT_EQ(gpu->kind, "gpu");
  EXPECT_EQ(gpu->name, "Testco G1 80GB");
  EXPECT_EQ(gpu->vendor, "Testco");
  EXPECT_EQ(gpu->source, "Testco G1 datasheet");
  EXPECT_EQ(gpu->revision, "DS-1 2024-03");
  EXPECT_EQ(gpu->sparsity, "dense");
  EXPECT_EQ(gpu->file, "catalog/gpus.toml");
  EXPECT_THAT(gpu->position, StartsWith("catalog/gpus.toml:3:"));
  EXPECT_EQ(gpu->attributes.at("memory"), "80 GB");
  EXPECT_EQ(gpu->attributes.at("fp64_vector"), "34 TFLOP/s");
  EXPECT_FALSE(gpu->cpu.has_value());

  const RatedFigure* bf16 = gpu->figure("gpu.gemm.bf16");
  ASSERT_NE(bf16, nullptr);
  EXPECT_DOUBLE_EQ(bf16->quantity.value, 989.5e12);
  EXPECT_EQ(bf16->quantity.unit, Unit::flop_per_s);
  EXPECT_FALSE(bf16->unconfirmed);
  EXPECT_EQ(gpu->figure("gpu.gemm.fp64")->note, "FP64 tensor core");
  EXPECT_EQ(gpu->figure("gpu.gemm.int8")->quantity.unit, Unit::op_per_s);
  EXPECT_TRUE(gpu->figure("gpu.hbm.read")->unconfirmed);
  EXPECT_DOUBLE_EQ(gpu->figure("gpu.hbm.read")->quantity.value, 3.35e12);
  EXPECT_EQ(gpu->figure("power.gpu.tdp")->quantity.unit, Unit::watt);
  EXPECT_EQ(gpu->figure("gpu.gemm.tf32"), nullptr);
  EXPECT_TRUE(std::is_sorted(gpu->figures.begin(), gpu->figures.end(),
                             [](const auto& a, const auto& b) { return a.key < b.key; }));
}

TEST(Catalog, DerivesCpuFiguresPerSocket) {
  const Catalog catalog = fixture_catalog();
  const CatalogEntry* cpu = catalog.find("test-cpu-96");
  ASSERT_NE(cpu, nullptr);
  ASSERT_TRUE(cpu->cpu.has_value());
  EXPECT_EQ(cpu->cpu->cores, 96);
  EXPECT_EQ(cpu->cpu->threads, 192);
  EXPECT_DOUBLE_EQ(cpu->cpu->base_clock_hz, 2.4e9);
  EXPECT_DOUBLE_EQ(*cpu->cpu->all_core_boost_clock_hz, 3.55e9);
  EXPECT_EQ(cpu->cpu->rated_clock, "base");
  EXPECT_DOUBLE_EQ(cpu->cpu->rated_clock_hz, 2.4e9);
  EXPECT_EQ(cpu->match, std::vector<std::string>{"Testco T96 96-Core Processor"});

  // 96 cores x 2.4 GHz x 16 FLOP/cycle = 3.6864 TFLOP/s per socket.
  const RatedFigure* fma64 = cpu->figure("cpu.fma.fp64");
  ASSERT_NE(fma64, nullptr);
  EXPECT_DOUBLE_EQ(fma64->quantity.value, 96 * 2.4e9 * 16);
  EXPECT_TRUE(fma64->derived);
  EXPECT_EQ(fma64->note, "96 cores x 2.4 GHz base x 16 FLOP/cycle");
  EXPECT_DOUBLE_EQ(cpu->figure("cpu.gemm.fp64")->quantity.value, 96 * 2.4e9 * 16);
  EXPECT_DOUBLE_EQ(cpu->figure("cpu.fma.fp32")->quantity.value, 96 * 2.4e9 * 32);
  EXPECT_DOUBLE_EQ(cpu->figure("cpu.gemm.fp32")->quantity.value, 96 * 2.4e9 * 32);
  // 12 channels x 4800 MT/s x 8 B = 460.8 GB/s for each STREAM kernel.
  for (const char* key : {"memory.stream.copy", "memory.stream.scale", "memory.stream.add",
                          "memory.stream.triad"}) {
    const RatedFigure* f = cpu->figure(key);
    ASSERT_NE(f, nullptr) << key;
    EXPECT_DOUBLE_EQ(f->quantity.value, 460.8e9) << key;
    EXPECT_EQ(f->quantity.unit, Unit::byte_per_s);
    EXPECT_EQ(f->note, "12 channels x 4800 MT/s x 8 B (theoretical DRAM peak)");
  }
  EXPECT_DOUBLE_EQ(cpu->figure("power.cpu.tdp")->quantity.value, 360);
  EXPECT_EQ(cpu->figure("power.cpu.tdp")->note, "TDP 360 W");
}

TEST(Catalog, RatedClockAndExplicitFiguresOverrideDerivation) {
  const Catalog catalog = fixture_catalog();
  const CatalogEntry* cpu = catalog.find("test-cpu-boost");
  ASSERT_NE(cpu, nullptr);
  EXPECT_DOUBLE_EQ(cpu->cpu->rated_clock_hz, 3e9);
  // Derived at the all-core boost clock: 32 x 3 GHz x 32.
  EXPECT_DOUBLE_EQ(cpu->figure("cpu.fma.fp64")->quantity.value, 32 * 3e9 * 32);
  EXPECT_EQ(cpu->figure("cpu.fma.fp64")->note, "32 cores x 3 GHz all-core boost x 32 FLOP/cycle");
  // The explicit figure wins over the derived one.
  const RatedFigure* gemm = cpu->figure("cpu.gemm.fp64");
  EXPECT_DOUBLE_EQ(gemm->quantity.value, 2.5e12);
  EXPECT_FALSE(gemm->derived);
  EXPECT_EQ(gemm->note, "vendor's measured DGEMM");
  // No memory channels or TDP given: no memory or power figures.
  EXPECT_EQ(cpu->figure("memory.stream.triad"), nullptr);
  EXPECT_EQ(cpu->figure("power.cpu.tdp"), nullptr);
  // The entry is unconfirmed, so every figure is.
  for (const auto& f : cpu->figures) EXPECT_TRUE(f.unconfirmed) << f.key;
}

TEST(Catalog, FindsCpuByModelNameIgnoringCaseAndBlanks) {
  const Catalog catalog = fixture_catalog();
  ASSERT_NE(catalog.find_cpu_by_model_name("Testco T96 96-Core Processor"), nullptr);
  EXPECT_EQ(catalog.find_cpu_by_model_name("  testco  T96 96-core   PROCESSOR ")->id, "test-cpu-96");
  EXPECT_EQ(catalog.find_cpu_by_model_name("TESTCO T32 PROCESSOR @ 2.00GHz")->id, "test-cpu-boost");
  EXPECT_EQ(catalog.find_cpu_by_model_name("Testco T96"), nullptr);
  EXPECT_EQ(catalog.find_cpu_by_model_name(""), nullptr);
  // GPUs have no model names.
  EXPECT_EQ(catalog.find_cpu_by_model_name("Testco G1 80GB"), nullptr);
}

TEST(Catalog, FindAndSuggestions) {
  const Catalog catalog = fixture_catalog();
  EXPECT_EQ(catalog.entries().size(), 3u);
  EXPECT_EQ(catalog.find("nope"), nullptr);
  EXPECT_EQ(catalog.find("test-gpu")->id, "test-gpu");
  const auto close = catalog.suggestions("test-gpx");
  ASSERT_FALSE(close.empty());
  EXPECT_EQ(close.front(), "test-gpu");
  EXPECT_TRUE(catalog.suggestions("zzzzzzzzzzzzzzzzzzzz").empty());
  ASSERT_NE(catalog.any_figure("gpu.gemm.fp8"), nullptr);
  EXPECT_EQ(catalog.any_figure("gpu.gemm.fp8")->quantity.unit, Unit::flop_per_s);
  EXPECT_EQ(catalog.any_figure("gpu.gemm.fp4"), nullptr);
}

TEST(Catalog, EmptyInputIsAnEmptyCatalog) {
  auto catalog = parse_one("# nothing yet\n");
  ASSERT_TRUE(catalog.ok());
  EXPECT_TRUE(catalog->entries().empty());
}

TEST(CatalogErrors, SyntaxErrorNamesFileLineColumn) {
  const auto message = error_of("[a-gpu]\nkind = \"gpu\nname = 1\n");
  EXPECT_THAT(message, StartsWith("specs/test.toml:2:"));
  EXPECT_THAT(message, HasSubstr("TOML syntax error"));
}

TEST(CatalogErrors, MissingRequiredKey) {
  std::string text = gpu_entry;
  text.replace(text.find("source = \"datasheet\"\n"), 21, "");
  const auto message = error_of(text);
  EXPECT_THAT(message, StartsWith("specs/test.toml:1:2: "));
  EXPECT_THAT(message, HasSubstr("[good-gpu]: missing required key 'source'"));
}

TEST(CatalogErrors, UnknownKeyWithDidYouMean) {
  const auto message = error_of(gpu_entry + "vendr = \"x\"\n");
  EXPECT_THAT(message, StartsWith("specs/test.toml:9:1: "));
  EXPECT_THAT(message, HasSubstr("unknown key 'vendr'"));
  EXPECT_THAT(message, HasSubstr("did you mean 'vendor'"));
}

TEST(CatalogErrors, KindMustBeGpuOrCpu) {
  std::string text = gpu_entry;
  text.replace(text.find("\"gpu\""), 5, "\"npu\"");
  const auto message = error_of(text);
  EXPECT_THAT(message, StartsWith("specs/test.toml:2:8: "));
  EXPECT_THAT(message, HasSubstr("kind: expected \"gpu\" or \"cpu\", got \"npu\""));
}

TEST(CatalogErrors, GpuNeedsDenseSparsity) {
  std::string text = gpu_entry;
  text.replace(text.find("\"dense\""), 7, "\"sparse\"");
  auto message = error_of(text);
  EXPECT_THAT(message, StartsWith("specs/test.toml:7:12: "));
  EXPECT_THAT(message, HasSubstr("sparsity: expected \"dense\""));

  text = gpu_entry;
  text.replace(text.find("sparsity = \"dense\"\n"), 19, "");
  message = error_of(text);
  EXPECT_THAT(message, HasSubstr("missing required key 'sparsity'"));
}

TEST(CatalogErrors, UnparseableFigure) {
  const auto message = error_of(gpu_entry + "\"gpu.gemm.fp16\" = \"lots\"\n");
  EXPECT_THAT(message, StartsWith("specs/test.toml:9:19: "));
  EXPECT_THAT(message, HasSubstr("\"gpu.gemm.fp16\""));
  EXPECT_THAT(message, HasSubstr("does not start with a number"));
}

TEST(CatalogErrors, FigureUnitMustFitTheKey) {
  auto message = error_of(gpu_entry + "\"gpu.gemm.fp16\" = \"80 GB\"\n");
  EXPECT_THAT(message, StartsWith("specs/test.toml:9:19: "));
  EXPECT_THAT(message, HasSubstr("expected a compute rate"));
  message = error_of(gpu_entry + "\"gpu.hbm.read\" = \"3 TFLOP/s\"\n");
  EXPECT_THAT(message, HasSubstr("\"gpu.hbm.read\": expected a bandwidth"));
  // A bare number has no unit: a datasheet figure always has one.
  message = error_of(gpu_entry + "\"power.gpu.tdp\" = \"700\"\n");
  EXPECT_THAT(message, HasSubstr("\"power.gpu.tdp\": expected a power"));
}

TEST(CatalogErrors, FigureMustBeAboveZero) {
  const auto message = error_of(gpu_entry + "\"gpu.gemm.fp16\" = \"0 TFLOP/s\"\n");
  EXPECT_THAT(message, StartsWith("specs/test.toml:9:19: "));
  EXPECT_THAT(message, HasSubstr("above zero"));
}

TEST(CatalogErrors, FigureOfTheWrongKind) {
  const auto message = error_of(gpu_entry + "\"cpu.fma.fp64\" = \"1 TFLOP/s\"\n");
  EXPECT_THAT(message, StartsWith("specs/test.toml:9:1: "));
  EXPECT_THAT(message, HasSubstr("a gpu entry carries only gpu.* and power.gpu.* figures"));
}

TEST(CatalogErrors, FigureTableNeedsValueAndKnownFields) {
  auto message = error_of(gpu_entry + "\"gpu.gemm.fp16\" = { note = \"x\" }\n");
  EXPECT_THAT(message, StartsWith("specs/test.toml:9:19: "));
  EXPECT_THAT(message, HasSubstr("missing 'value'"));
  message = error_of(gpu_entry + "\"gpu.gemm.fp16\" = { value = \"1 TFLOP/s\", note = \"x\", sauce = 1 }\n");
  EXPECT_THAT(message, HasSubstr("unknown key 'sauce'"));
}

TEST(CatalogErrors, UnquotedFigureKeyIsExplained) {
  const auto message = error_of(gpu_entry + "gpu.gemm.fp16 = \"1 TFLOP/s\"\n");
  EXPECT_THAT(message, StartsWith("specs/test.toml:9:1: "));
  EXPECT_THAT(message, HasSubstr("figure keys must be quoted"));
}

TEST(CatalogErrors, CpuKeyInGpuEntry) {
  const auto message = error_of(gpu_entry + "cores = 8\n");
  EXPECT_THAT(message, StartsWith("specs/test.toml:9:1: "));
  EXPECT_THAT(message, HasSubstr("'cores' belongs to cpu entries"));
}

TEST(CatalogErrors, BadIdDuplicateIdAndNonTable) {
  auto message = error_of("[Bad_Id]\nkind = \"gpu\"\n");
  EXPECT_THAT(message, StartsWith("specs/test.toml:1:2: "));
  EXPECT_THAT(message, HasSubstr("lowercase letters, digits and dashes"));

  message = error_of("stray = \"value\"\n");
  EXPECT_THAT(message, StartsWith("specs/test.toml:1:9: "));
  EXPECT_THAT(message, HasSubstr("expected a table [stray]"));

  std::vector<std::pair<std::string, std::string>> files = {{"specs/a.toml", gpu_entry},
                                                            {"specs/b.toml", "\n" + gpu_entry}};
  auto catalog = Catalog::parse(files);
  ASSERT_FALSE(catalog.ok());
  EXPECT_THAT(catalog.error().message, StartsWith("specs/b.toml:2:2: "));
  EXPECT_THAT(catalog.error().message,
              HasSubstr("duplicate catalog id 'good-gpu' (first defined at specs/a.toml:1:2)"));
}

const std::string cpu_entry = R"([good-cpu]
kind = "cpu"
name = "Good CPU"
vendor = "Testco"
source = "product page"
revision = "unknown"
match = ["Good CPU 8-Core"]
cores = 8
threads = 16
base_clock = "3 GHz"
fp64_flops_per_cycle = 16
fp32_flops_per_cycle = 32
)";

TEST(CatalogErrors, CpuAttributesAreChecked) {
  ASSERT_TRUE(parse_one(cpu_entry).ok());
  auto message = error_of(cpu_entry + "rated_clock = \"all_core_boost\"\n");
  EXPECT_THAT(message, StartsWith("specs/test.toml:13:15: "));
  EXPECT_THAT(message, HasSubstr("needs all_core_boost_clock"));

  std::string text = cpu_entry;
  text.replace(text.find("cores = 8"), 9, "cores = 0");
  message = error_of(text);
  EXPECT_THAT(message, StartsWith("specs/test.toml:8:9: "));
  EXPECT_THAT(message, HasSubstr("[good-cpu] cores: expected an integer >= 1, got 0"));

  text = cpu_entry;
  text.replace(text.find("\"3 GHz\""), 7, "\"3 GB\"");
  message = error_of(text);
  EXPECT_THAT(message, StartsWith("specs/test.toml:10:14: "));
  EXPECT_THAT(message, HasSubstr("base_clock: expected a frequency"));

  text = cpu_entry;
  text.replace(text.find("[\"Good CPU 8-Core\"]"), 19, "[]");
  message = error_of(text);
  EXPECT_THAT(message, HasSubstr("match: expected at least one /proc/cpuinfo model name"));

  message = error_of(cpu_entry + "sparsity = \"dense\"\n");
  EXPECT_THAT(message, HasSubstr("'sparsity' belongs to gpu entries"));

  message = error_of(cpu_entry + "\"gpu.gemm.bf16\" = \"1 TFLOP/s\"\n");
  EXPECT_THAT(message, HasSubstr("a cpu entry carries only cpu.*, memory.* and power.cpu.* figures"));
}

TEST(CatalogErrors, EveryProblemIsReported) {
  const auto message = error_of(gpu_entry + "vendr = \"x\"\n\"gpu.gemm.fp16\" = \"lots\"\n[other]\nkind = 3\n");
  EXPECT_THAT(message, HasSubstr("specs/test.toml:9:1: "));
  EXPECT_THAT(message, HasSubstr("specs/test.toml:10:19: "));
  EXPECT_THAT(message, HasSubstr("specs/test.toml:12:8: [other] kind: expected a string"));
  EXPECT_THAT(message, HasSubstr("[other]: missing required key 'name'"));
}

TEST(MetricKeys, ShapeAndUnits) {
  EXPECT_TRUE(is_metric_key("gpu.gemm.bf16"));
  EXPECT_TRUE(is_metric_key("storage.rand.read_iops"));
  EXPECT_FALSE(is_metric_key("gpu.gemm"));
  EXPECT_FALSE(is_metric_key("gpu..bf16"));
  EXPECT_FALSE(is_metric_key("GPU.gemm.bf16"));
  EXPECT_FALSE(is_metric_key("gpu.gemm.bf-16"));
  EXPECT_EQ(metric_family("gpu.gemm.bf16"), "gpu");
  EXPECT_EQ(unit_for_metric_key("gpu.gemm.bf16"), Unit::flop_per_s);
  EXPECT_EQ(unit_for_metric_key("gpu.gemm.int8"), Unit::op_per_s);
  EXPECT_EQ(unit_for_metric_key("cpu.fma.fp64"), Unit::flop_per_s);
  EXPECT_EQ(unit_for_metric_key("memory.stream.triad"), Unit::byte_per_s);
  EXPECT_EQ(unit_for_metric_key("gpu.hbm.read"), Unit::byte_per_s);
  EXPECT_EQ(unit_for_metric_key("gpu.p2p.bandwidth"), Unit::byte_per_s);
  EXPECT_EQ(unit_for_metric_key("interconnect.p2p.latency"), Unit::second);
  EXPECT_EQ(unit_for_metric_key("interconnect.allreduce.busbw"), Unit::byte_per_s);
  EXPECT_EQ(unit_for_metric_key("storage.rand.read_iops"), Unit::op_per_s);
  EXPECT_EQ(unit_for_metric_key("storage.seq.read"), Unit::byte_per_s);
  EXPECT_EQ(unit_for_metric_key("storage.seq.read_aggregate"), Unit::byte_per_s);
  EXPECT_EQ(unit_for_metric_key("storage.rand.write_iops_aggregate"), Unit::op_per_s);
  EXPECT_EQ(unit_for_metric_key("storage.rand.read_p999"), Unit::second);
  EXPECT_EQ(unit_for_metric_key("storage.meta.create_aggregate"), Unit::op_per_s);
  EXPECT_EQ(unit_for_metric_key("storage.rand.read_px"), std::nullopt);
  EXPECT_EQ(unit_for_metric_key("power.gpu.tdp"), Unit::watt);
  EXPECT_EQ(unit_for_metric_key("power.node.watts"), Unit::watt);
  EXPECT_EQ(unit_for_metric_key("misc.thing.value"), std::nullopt);
}

// The catalog compiled into the binary (configs/specs/*.toml): it must load, and every
// entry must say where its figures come from.
TEST(EmbeddedCatalog, LoadsAndEveryEntryHasASource) {
  auto catalog = Catalog::embedded();
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  std::set<std::string> ids;
  for (const auto& e : catalog->entries()) {
    EXPECT_TRUE(ids.insert(e.id).second) << e.id;
    EXPECT_FALSE(e.source.empty()) << e.id;
    EXPECT_FALSE(e.revision.empty()) << e.id;
    EXPECT_FALSE(e.name.empty()) << e.id;
    EXPECT_FALSE(e.vendor.empty()) << e.id;
    EXPECT_THAT(e.file, StartsWith("specs/")) << e.id;
    if (e.kind == "gpu") {
      EXPECT_EQ(e.sparsity, "dense") << e.id;
    } else {
      EXPECT_EQ(e.kind, "cpu") << e.id;
      EXPECT_FALSE(e.match.empty()) << e.id;
      EXPECT_NE(e.figure("cpu.fma.fp64"), nullptr) << e.id;
    }
    EXPECT_FALSE(e.figures.empty()) << e.id;
    for (const auto& f : e.figures) EXPECT_GT(f.quantity.value, 0) << e.id << " " << f.key;
  }
  if (catalog->entries().empty()) GTEST_SKIP() << "no catalog files are embedded yet";
}

}  // namespace
}  // namespace assay
