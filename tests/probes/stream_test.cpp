#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "probes/probe_test_helpers.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <memory>
#include <set>
#include <vector>

#include "probes/common/thread_team.h"
#include "probes/memory/stream_check.h"
#include "probes/memory/stream_kernels.h"
#include "probes/memory/stream_probe.h"

namespace assay {
namespace {

using ::testing::HasSubstr;

// Kernel tables this build has and this CPU runs, with and without streaming stores.
std::vector<const StreamKernels*> runnable_kernels() {
  std::vector<const StreamKernels*> tables;
  for (StreamIsa isa : supported_stream_isas()) {
    for (bool streaming : {false, true}) {
      if (const StreamKernels* k = find_stream_kernels(isa, streaming)) tables.push_back(k);
    }
  }
  return tables;
}

std::string label(const StreamKernels& k) {
  return std::string(stream_isa_name(k.isa)) + (k.streaming_stores ? "+streaming" : "");
}

// 64-byte aligned storage with guard elements either side, so a kernel that writes
// one element too many is caught.
struct Guarded {
  static constexpr std::size_t guard = 16;
  static constexpr double sentinel = -12345.0;
  explicit Guarded(std::size_t count, std::size_t offset)
      : storage(static_cast<double*>(
            std::aligned_alloc(64, 64 * ((count + 2 * guard + offset) * 8 / 64 + 1)))),
        data(storage.get() + guard + offset),
        size(count) {
    std::fill(storage.get(), storage.get() + count + 2 * guard + offset, sentinel);
  }
  bool guards_intact() const {
    for (std::size_t i = 1; i <= guard - 1; ++i) {
      if (data[-static_cast<std::ptrdiff_t>(i)] != sentinel || data[size + i - 1] != sentinel)
        return false;
    }
    return true;
  }
  struct Free {
    void operator()(double* p) const { std::free(p); }
  };
  std::unique_ptr<double[], Free> storage;
  double* data;
  std::size_t size;
};

TEST(StreamKernels, PortableIsAlwaysSupportedAndListedLast) {
  const auto isas = supported_stream_isas();
  ASSERT_FALSE(isas.empty());
  EXPECT_EQ(isas.back(), StreamIsa::portable);
  EXPECT_EQ(find_stream_kernels(StreamIsa::portable, true), nullptr);
  for (StreamIsa isa : {StreamIsa::portable, StreamIsa::avx2, StreamIsa::avx512}) {
    EXPECT_EQ(stream_isa_from_name(stream_isa_name(isa)), isa);
  }
  EXPECT_FALSE(stream_isa_from_name("sse9").has_value());
}

TEST(StreamKernels, EveryKernelGivesExactlyTheExpectedArrays) {
  const auto tables = runnable_kernels();
  if (tables.size() == 1) GTEST_SKIP() << "only the portable kernels run on this CPU";
  for (const StreamKernels* k : tables) {
    for (std::size_t count : {0u, 1u, 3u, 7u, 8u, 9u, 31u, 32u, 33u, 64u, 1003u}) {
      for (std::size_t offset : {0u, 1u, 5u}) {
        SCOPED_TRACE(label(*k) + " count " + std::to_string(count) + " offset " +
                     std::to_string(offset));
        Guarded a(count, offset), b(count, offset), c(count, offset);
        // Small integers: every result is exact, with or without fused multiply-adds.
        for (std::size_t i = 0; i < count; ++i) {
          a.data[i] = static_cast<double>(i % 97) + 1;
          b.data[i] = static_cast<double>(i % 13) - 6;
        }
        k->copy(a.data, c.data, count);
        for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(c.data[i], a.data[i]) << "copy " << i;
        k->scale(c.data, b.data, stream_scalar, count);
        for (std::size_t i = 0; i < count; ++i)
          ASSERT_EQ(b.data[i], 3 * a.data[i]) << "scale " << i;
        k->add(a.data, b.data, c.data, count);
        for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(c.data[i], 4 * a.data[i]) << "add " << i;
        k->triad(b.data, c.data, a.data, stream_scalar, count);
        for (std::size_t i = 0; i < count; ++i) {
          ASSERT_EQ(a.data[i], 15 * (static_cast<double>(i % 97) + 1)) << "triad " << i;
        }
        EXPECT_TRUE(a.guards_intact() && b.guards_intact() && c.guards_intact());
      }
    }
  }
}

TEST(StreamKernels, PortableKernelsGiveExactlyTheExpectedArrays) {
  const StreamKernels& k = stream_kernels_portable();
  std::vector<double> a{1, 2, 3, 4, 5}, b(5), c(5);
  k.copy(a.data(), c.data(), 5);
  k.scale(c.data(), b.data(), stream_scalar, 5);
  k.add(a.data(), b.data(), c.data(), 5);
  k.triad(b.data(), c.data(), a.data(), stream_scalar, 5);
  EXPECT_EQ(a, (std::vector<double>{15, 30, 45, 60, 75}));
  EXPECT_EQ(b, (std::vector<double>{3, 6, 9, 12, 15}));
  EXPECT_EQ(c, (std::vector<double>{4, 8, 12, 16, 20}));
}

TEST(StreamCheck, KernelRoundsMatchTheRecurrence) {
  const std::size_t n = 5000;
  for (const StreamKernels* k : runnable_kernels()) {
    SCOPED_TRACE(label(*k));
    std::vector<double> a(n), b(n), c(n);
    stream_fill_initial(a, b, c, 0);
    const int rounds = 20;  // past the rounds where the values stay exact integers
    for (int r = 0; r < rounds; ++r) {
      k->copy(a.data(), c.data(), n);
      k->scale(c.data(), b.data(), stream_scalar, n);
      k->add(a.data(), b.data(), c.data(), n);
      k->triad(b.data(), c.data(), a.data(), stream_scalar, n);
    }
    const StreamCheck check = check_stream_arrays(StreamExpectation(rounds), a, b, c, 0);
    EXPECT_TRUE(check.passed()) << describe_mismatch(*check.first_mismatch);
    EXPECT_EQ(check.elements_checked, n);
    EXPECT_LE(check.worst_relative_error, stream_relative_tolerance);
  }
}

TEST(StreamCheck, ACorruptedElementIsNamed) {
  const std::size_t n = 3000;
  std::vector<double> a(n), b(n), c(n);
  stream_fill_initial(a, b, c, 0);
  const StreamExpectation expected(0);
  ASSERT_TRUE(check_stream_arrays(expected, a, b, c, 0).passed());
  b[2345] *= 1 + 1e-12;  // ten times the tolerance
  c[2900] = 1;
  const StreamCheck check = check_stream_arrays(expected, a, b, c, 0);
  EXPECT_FALSE(check.passed());
  EXPECT_EQ(check.mismatches, 2u);
  ASSERT_TRUE(check.first_mismatch.has_value());
  EXPECT_EQ(check.first_mismatch->array, 'b');
  EXPECT_EQ(check.first_mismatch->index, 2345u);
  const std::string text = describe_mismatch(*check.first_mismatch);
  EXPECT_THAT(text, HasSubstr("b[2345]"));
  EXPECT_THAT(text, HasSubstr("= 2.0000000000020002"));  // got
  EXPECT_THAT(text, HasSubstr("gives 2 "));              // expected
}

TEST(StreamCheck, SlicesUseTheirPlaceInTheWholeArrays) {
  // A slice starting at element 1500 holds the pattern of elements 1500...
  std::vector<double> a(100), b(100), c(100);
  stream_fill_initial(a, b, c, 1500);
  EXPECT_EQ(a[0], stream_initial_a(1500));
  EXPECT_TRUE(check_stream_arrays(StreamExpectation(0), a, b, c, 1500).passed());
  // ...and checking it as if it started elsewhere fails.
  EXPECT_FALSE(check_stream_arrays(StreamExpectation(0), a, b, c, 0).passed());
}

TEST(StreamCheck, NotANumberFailsAndMergeKeepsTheLowestIndex) {
  std::vector<double> a(50), b(50), c(50);
  stream_fill_initial(a, b, c, 0);
  a[40] = std::numeric_limits<double>::quiet_NaN();
  StreamCheck total = check_stream_arrays(StreamExpectation(0), a, b, c, 0);
  EXPECT_FALSE(total.passed());
  EXPECT_EQ(total.worst_relative_error, std::numeric_limits<double>::infinity());
  StreamCheck earlier;
  earlier.mismatches = 1;
  earlier.first_mismatch = StreamMismatch{'c', 3, 1, 2};
  total.merge(earlier);
  EXPECT_EQ(total.first_mismatch->index, 3u);
  EXPECT_EQ(total.mismatches, 2u);
}

TEST(StreamDefaultElements, IsFourTimesTheCacheRoundedUpAndAtLeastTenMillion) {
  EXPECT_EQ(stream_default_elements(0), 10'000'000);
  EXPECT_EQ(stream_default_elements(1 << 20), 10'000'000);
  EXPECT_EQ(stream_default_elements(std::int64_t{32} << 20), 17'000'000);  // 16,777,216 needed
  EXPECT_EQ(stream_default_elements(std::int64_t{20} << 20), 11'000'000);  // 10,485,760 needed
  EXPECT_EQ(stream_default_elements(std::int64_t{260} << 20), 137'000'000);
}

using testing::resolved;

TEST(MemoryStreamProbe, DeclaresItsParametersAndMetrics) {
  const auto probe = make_memory_stream_probe();
  EXPECT_EQ(probe->name(), "memory.stream");
  std::set<std::string> names;
  for (const auto& spec : probe->params()) names.insert(spec.name);
  EXPECT_EQ(names, (std::set<std::string>{"threads", "repetitions", "elements", "isa",
                                          "streaming_stores"}));
  const auto params = resolved(*probe, {});
  EXPECT_EQ(param_int(params, "repetitions"), 10);
  EXPECT_GE(param_int(params, "elements"), 10'000'000);
  std::set<std::string> keys;
  for (const auto& m : probe->metrics()) {
    keys.insert(m.key);
    EXPECT_EQ(m.unit, Unit::byte_per_s);
  }
  EXPECT_EQ(keys, (std::set<std::string>{"memory.stream.copy", "memory.stream.scale",
                                         "memory.stream.add", "memory.stream.triad"}));
}

TEST(MemoryStreamProbe, SmallRunEmitsAllFourCheckedFigures) {
  const auto probe = make_memory_stream_probe();
  const auto params = resolved(*probe, {{"elements", std::int64_t{100'003}, "test"},
                                        {"repetitions", std::int64_t{4}, "test"}});
  const ProbeResult result = probe->run(params, ProbeContext{});
  ASSERT_EQ(result.status, ProbeStatus::ok) << result.error;
  EXPECT_EQ(result.subject, "memory");
  EXPECT_TRUE(result.validation.checked);
  EXPECT_TRUE(result.validation.passed) << result.validation.detail;
  for (const char* key :
       {"memory.stream.copy", "memory.stream.scale", "memory.stream.add", "memory.stream.triad"}) {
    const Metric* metric = find_metric(result, key);
    ASSERT_NE(metric, nullptr) << key;
    EXPECT_EQ(metric->unit, Unit::byte_per_s);
    EXPECT_EQ(metric->rule, ValueRule::best);
    ASSERT_EQ(metric->samples.size(), 3u);  // the first of 4 rounds is discarded
    EXPECT_EQ(metric->value, *std::max_element(metric->samples.begin(), metric->samples.end()));
    // Every round's time must be a real duration (a stale end time once made some negative).
    for (double sample : metric->samples) EXPECT_GT(sample, 0.0);
  }
  // Some virtual machines report no cache sizes at all; the probe must then say so.
  bool warns_about_cache = false;
  for (const auto& note : result.notes) {
    warns_about_cache |= note.find("smaller than 4x the last-level cache") != std::string::npos ||
                         note.find("last-level cache size unknown") != std::string::npos;
  }
  EXPECT_TRUE(warns_about_cache);
}

TEST(MemoryStreamProbe, RunsEveryKernelTableItSupports) {
  const auto probe = make_memory_stream_probe();
  for (const StreamKernels* k : runnable_kernels()) {
    SCOPED_TRACE(label(*k));
    const auto params = resolved(
        *probe, {{"elements", std::int64_t{20'011}, "test"},
                 {"repetitions", std::int64_t{3}, "test"},
                 {"isa", std::string(stream_isa_name(k->isa)), "test"},
                 {"streaming_stores", std::string(k->streaming_stores ? "on" : "off"), "test"}});
    const ProbeResult result = probe->run(params, ProbeContext{});
    ASSERT_EQ(result.status, ProbeStatus::ok) << result.error;
    EXPECT_EQ(param_text(result.params, "isa"), stream_isa_name(k->isa));
    EXPECT_EQ(param_text(result.params, "streaming_stores"), k->streaming_stores ? "on" : "off");
    EXPECT_EQ(result.metrics.size(), 4u);
  }
}

TEST(MemoryStreamProbe, OneThreadAndMoreThreadsThanLinesWork) {
  const auto probe = make_memory_stream_probe();
  for (std::int64_t elements : {std::int64_t{5}, std::int64_t{1000}}) {
    const auto params = resolved(
        *probe, {{"elements", elements, "test"}, {"repetitions", std::int64_t{2}, "test"}});
    const ProbeResult result = probe->run(params, ProbeContext{});
    ASSERT_EQ(result.status, ProbeStatus::ok) << result.error;
  }
  const auto params = resolved(*probe, {{"elements", std::int64_t{1000}, "test"},
                                        {"threads", std::int64_t{1}, "test"},
                                        {"repetitions", std::int64_t{2}, "test"}});
  EXPECT_EQ(probe->run(params, ProbeContext{}).status, ProbeStatus::ok);
}

TEST(MemoryStreamProbe, RefusesBadChoicesWithTheirNames) {
  const auto probe = make_memory_stream_probe();
  const auto run_with = [&](const char* name, ParamValue value) {
    auto params = resolved(*probe, {{"elements", std::int64_t{1000}, "test"}});
    set_param(params, name, std::move(value));
    return probe->run(params, ProbeContext{});
  };
  auto result = run_with("isa", std::string("sse9"));
  EXPECT_EQ(result.status, ProbeStatus::error);
  EXPECT_THAT(result.error, HasSubstr("isa=sse9"));
  result = run_with("streaming_stores", std::string("maybe"));
  EXPECT_THAT(result.error, HasSubstr("streaming_stores=maybe"));
  result = run_with("repetitions", std::int64_t{1});
  EXPECT_THAT(result.error, HasSubstr("repetitions=1"));
  const auto too_many = static_cast<std::int64_t>(allowed_cpus().size()) + 1;
  result = run_with("threads", too_many);
  EXPECT_THAT(result.error, HasSubstr("threads=" + std::to_string(too_many)));
  result = run_with("elements", std::int64_t{1'000'000'000'000});  // 24 TB
  EXPECT_EQ(result.status, ProbeStatus::error);
  EXPECT_THAT(result.error, HasSubstr("MemAvailable"));
}

TEST(MemoryStreamProbe, StreamingStoresNeedWideKernels) {
  const auto probe = make_memory_stream_probe();
  auto params = resolved(*probe, {{"elements", std::int64_t{1000}, "test"}});
  set_param(params, "isa", std::string("portable"));
  set_param(params, "streaming_stores", std::string("on"));
  const ProbeResult result = probe->run(params, ProbeContext{});
  EXPECT_EQ(result.status, ProbeStatus::error);
  EXPECT_THAT(result.error, HasSubstr("streaming_stores=on"));
}

TEST(MemoryStreamProbe, StopsWhenCancelled) {
  const auto probe = make_memory_stream_probe();
  const auto params = resolved(*probe, {{"elements", std::int64_t{1000}, "test"}});
  std::atomic<bool> cancel{true};
  ProbeContext context;
  context.cancel = &cancel;
  const ProbeResult result = probe->run(params, context);
  EXPECT_EQ(result.status, ProbeStatus::error);
  EXPECT_THAT(result.error, HasSubstr("cancelled"));
}

}  // namespace
}  // namespace assay
