#include "core/params.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace assay {
namespace {

ParamSpec spec(std::string name, ParamKind kind, ParamValue default_value,
               std::optional<double> min_value = std::nullopt,
               std::optional<double> max_value = std::nullopt) {
  ParamSpec s;
  s.name = std::move(name);
  s.kind = kind;
  s.default_value = std::move(default_value);
  s.help = "test parameter";
  s.min_value = min_value;
  s.max_value = max_value;
  return s;
}

const std::int64_t kGiB = std::int64_t{1} << 30;

// A probe's parameters as a storage probe might declare them.
std::vector<ParamSpec> storage_specs() {
  return {
      spec("path", ParamKind::text, std::string("/tmp/assay")),
      spec("size", ParamKind::size_bytes, std::int64_t{64} * kGiB, 4096.0),
      spec("block", ParamKind::size_bytes, std::int64_t{1} << 20, 512.0, 1073741824.0),
      spec("seconds", ParamKind::seconds, 2.0, 0.001),
      spec("threads", ParamKind::integer, std::int64_t{0}, 0.0, 4096.0),
      spec("direct", ParamKind::flag, true),
      spec("fraction", ParamKind::real, 0.5, 0.0, 1.0),
  };
}

template <class T>
T expect_value(const Expected<ParamValue>& v) {
  EXPECT_TRUE(v.ok()) << v.error().message;
  if (!v.ok()) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*v)) << "holds index " << v->index();
  if (!std::holds_alternative<T>(*v)) return T{};
  return std::get<T>(*v);
}

void expect_error(const Expected<ParamValue>& v, std::vector<std::string> parts) {
  ASSERT_FALSE(v.ok()) << "accepted as " << param_value_text(*v);
  EXPECT_EQ(v.error().kind, ErrorKind::bad_input);
  for (const auto& part : parts)
    EXPECT_NE(v.error().message.find(part), std::string::npos) << v.error().message;
}

TEST(ParamText, Sizes) {
  const auto s = spec("size", ParamKind::size_bytes, std::int64_t{4096});
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(s, "64 GiB")), 64 * kGiB);
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(s, "1MiB")), 1 << 20);
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(s, "4096")), 4096);
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(s, "80 GB")), 80'000'000'000);
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(s, "1.5 KiB")), 1536);
  expect_error(parse_param_text(s, "0.5 B"), {"'size'", "whole number of bytes"});
  expect_error(parse_param_text(s, "64 KB"), {"'size'", "'64 KB'", "ambiguous"});
  expect_error(parse_param_text(s, "-1 GiB"), {"negative"});
  expect_error(parse_param_text(s, "3 GB/s"), {"'size'", "'3 GB/s' is a bandwidth"});
  expect_error(parse_param_text(s, "lots"), {"'size'", "'lots'", "a size in bytes"});
  expect_error(parse_param_text(s, "16 EiB"), {"too large"});
}

TEST(ParamText, Seconds) {
  const auto s = spec("seconds", ParamKind::seconds, 2.0);
  EXPECT_DOUBLE_EQ(expect_value<double>(parse_param_text(s, "2 s")), 2.0);
  EXPECT_DOUBLE_EQ(expect_value<double>(parse_param_text(s, "500 ms")), 0.5);
  EXPECT_DOUBLE_EQ(expect_value<double>(parse_param_text(s, "2")), 2.0);
  EXPECT_DOUBLE_EQ(expect_value<double>(parse_param_text(s, "1.5us")), 1.5e-6);
  EXPECT_DOUBLE_EQ(expect_value<double>(parse_param_text(s, "10 min")), 600.0);
  expect_error(parse_param_text(s, "2 GB"), {"'seconds'", "is a size"});
  expect_error(parse_param_text(s, "-1"), {"negative"});
  expect_error(parse_param_text(s, "soon"), {"'seconds'", "'soon'", "duration"});
}

TEST(ParamText, Integers) {
  const auto s = spec("n", ParamKind::integer, std::int64_t{1});
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(s, "4096")), 4096);
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(s, " 12 ")), 12);
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(s, "-3")), -3);
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(s, "+3")), 3);
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(s, "1e8")), 100'000'000);
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(s, "2.5e3")), 2500);
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(s, "9223372036854775807")), INT64_MAX);
  expect_error(parse_param_text(s, "9223372036854775808"), {"out of range"});
  expect_error(parse_param_text(s, "1e19"), {"out of range"});
  expect_error(parse_param_text(s, "1.5e0"), {"not a whole number"});
  expect_error(parse_param_text(s, "1.5"), {"'n'", "an integer", "'1.5'"});
  expect_error(parse_param_text(s, "16Mi"), {"an integer"});
  expect_error(parse_param_text(s, "4k"), {"an integer"});
  expect_error(parse_param_text(s, "abc"), {"'n'", "'abc'", "an integer"});
  expect_error(parse_param_text(s, ""), {"an integer"});
  expect_error(parse_param_text(s, "nan"), {"an integer"});
  expect_error(parse_param_text(s, "1e"), {"an integer"});
  expect_error(parse_param_text(s, "+-3"), {"an integer"});
  expect_error(parse_param_text(s, "0x10"), {"an integer"});
}

TEST(ParamText, Reals) {
  const auto s = spec("fraction", ParamKind::real, 0.5);
  EXPECT_DOUBLE_EQ(expect_value<double>(parse_param_text(s, "0.25")), 0.25);
  EXPECT_DOUBLE_EQ(expect_value<double>(parse_param_text(s, "90%")), 0.9);
  EXPECT_DOUBLE_EQ(expect_value<double>(parse_param_text(s, "1e-3")), 1e-3);
  EXPECT_DOUBLE_EQ(expect_value<double>(parse_param_text(s, "-2")), -2);
  expect_error(parse_param_text(s, "inf"), {"'fraction'", "a number"});
  expect_error(parse_param_text(s, "3 W"), {"'fraction'"});
}

TEST(ParamText, Flags) {
  const auto s = spec("direct", ParamKind::flag, false);
  for (const char* yes : {"true", "yes", "on", "1", "TRUE", "Yes", " on "})
    EXPECT_TRUE(expect_value<bool>(parse_param_text(s, yes))) << yes;
  for (const char* no : {"false", "no", "off", "0", "False", "OFF"})
    EXPECT_FALSE(expect_value<bool>(parse_param_text(s, no))) << no;
  expect_error(parse_param_text(s, "maybe"), {"'direct'", "'maybe'", "true or false"});
  expect_error(parse_param_text(s, "2"), {"true or false"});
}

TEST(ParamText, TextIsKeptAsWritten) {
  const auto s = spec("path", ParamKind::text, std::string("/tmp"));
  EXPECT_EQ(expect_value<std::string>(parse_param_text(s, "/mnt/fs dir/assay")), "/mnt/fs dir/assay");
  EXPECT_EQ(expect_value<std::string>(parse_param_text(s, "")), "");
}

TEST(ParamText, Bounds) {
  const auto threads = spec("threads", ParamKind::integer, std::int64_t{1}, 1.0, 256.0);
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(threads, "1")), 1);
  EXPECT_EQ(expect_value<std::int64_t>(parse_param_text(threads, "256")), 256);
  expect_error(parse_param_text(threads, "0"), {"'threads'", "at least 1", "got 0"});
  expect_error(parse_param_text(threads, "257"), {"'threads'", "at most 256", "got 257"});

  const auto size = spec("size", ParamKind::size_bytes, std::int64_t{4096}, 4096.0);
  expect_error(parse_param_text(size, "1 KiB"), {"at least 4 KiB (4096 bytes)", "got 1 KiB (1024 bytes)"});

  const auto seconds = spec("seconds", ParamKind::seconds, 1.0, 0.01, 3600.0);
  expect_error(parse_param_text(seconds, "1 ms"), {"at least 10 ms"});
  expect_error(parse_param_text(seconds, "2 h"), {"at most 3600 s"});

  const auto fraction = spec("fraction", ParamKind::real, 0.5, 0.0, 1.0);
  expect_error(parse_param_text(fraction, "150%"), {"at most 1", "got 1.5"});
}

TEST(CoerceParam, TypedValuesFromPlans) {
  const auto size = spec("size", ParamKind::size_bytes, std::int64_t{4096}, 1.0);
  EXPECT_EQ(expect_value<std::int64_t>(coerce_param(size, std::int64_t{4096})), 4096);
  EXPECT_EQ(expect_value<std::int64_t>(coerce_param(size, std::string("64 GiB"))), 64 * kGiB);
  EXPECT_EQ(expect_value<std::int64_t>(coerce_param(size, 8192.0)), 8192);
  expect_error(coerce_param(size, 1.5), {"'size'", "not a whole number"});
  expect_error(coerce_param(size, true), {"'size'", "a boolean"});
  expect_error(coerce_param(size, std::int64_t{-5}), {"negative"});
  expect_error(coerce_param(size, std::int64_t{0}), {"at least"});

  const auto seconds = spec("seconds", ParamKind::seconds, 1.0);
  EXPECT_DOUBLE_EQ(expect_value<double>(coerce_param(seconds, std::int64_t{2})), 2.0);
  EXPECT_DOUBLE_EQ(expect_value<double>(coerce_param(seconds, 0.25)), 0.25);
  EXPECT_DOUBLE_EQ(expect_value<double>(coerce_param(seconds, std::string("500 ms"))), 0.5);
  expect_error(coerce_param(seconds, -1.0), {"negative"});
  expect_error(coerce_param(seconds, std::int64_t{-1}), {"negative"});

  const auto count = spec("n", ParamKind::integer, std::int64_t{1});
  EXPECT_EQ(expect_value<std::int64_t>(coerce_param(count, 1e8)), 100'000'000);
  EXPECT_EQ(expect_value<std::int64_t>(coerce_param(count, std::string("1e8"))), 100'000'000);
  expect_error(coerce_param(count, 2.5), {"not a whole number"});
  expect_error(coerce_param(count, std::string("x")), {"'n'", "'x'"});

  const auto real = spec("f", ParamKind::real, 1.0);
  EXPECT_DOUBLE_EQ(expect_value<double>(coerce_param(real, std::int64_t{3})), 3.0);
  expect_error(coerce_param(real, false), {"a boolean"});

  const auto flag = spec("direct", ParamKind::flag, false);
  EXPECT_TRUE(expect_value<bool>(coerce_param(flag, true)));
  EXPECT_TRUE(expect_value<bool>(coerce_param(flag, std::int64_t{1})));
  EXPECT_FALSE(expect_value<bool>(coerce_param(flag, std::string("off"))));
  expect_error(coerce_param(flag, std::int64_t{2}), {"'direct'", "true or false", "got an integer (2)"});
  expect_error(coerce_param(flag, 1.0), {"a real number"});

  const auto text = spec("path", ParamKind::text, std::string());
  EXPECT_EQ(expect_value<std::string>(coerce_param(text, std::string("/x"))), "/x");
  expect_error(coerce_param(text, std::int64_t{5}), {"'path'", "expects text", "got an integer"});
}

TEST(ResolveParams, DefaultsThenOverridesInOrder) {
  const auto specs = storage_specs();
  const std::vector<ParamOverride> overrides = {
      {"size", std::string("1 GiB"), "--set size=1 GiB"},
      {"seconds", std::int64_t{5}, "plan.toml:12:5"},
      {"size", std::string("2 GiB"), "--set size=2 GiB"},  // later wins
      {"direct", std::string("no"), "--set direct=no"},
  };
  const auto list = resolve_params("storage.seq", specs, overrides);
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(list->size(), specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) EXPECT_EQ((*list)[i].name, specs[i].name);
  EXPECT_EQ(param_int(*list, "size"), 2 * kGiB);
  EXPECT_DOUBLE_EQ(param_real(*list, "seconds"), 5.0);
  EXPECT_FALSE(param_flag(*list, "direct"));
  EXPECT_EQ(param_text(*list, "path"), "/tmp/assay");
  EXPECT_EQ(param_int(*list, "block"), 1 << 20);
  EXPECT_EQ(param_int(*list, "threads"), 0);
  EXPECT_DOUBLE_EQ(param_real(*list, "fraction"), 0.5);
}

TEST(ResolveParams, DefaultsAreNormalised) {
  // A seconds default written as an integer becomes a real, as overrides would.
  const std::vector<ParamSpec> specs = {spec("seconds", ParamKind::seconds, std::int64_t{3})};
  const auto list = resolve_params("cpu.fma", specs, {});
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_TRUE(std::holds_alternative<double>((*list)[0].value));
}

TEST(ResolveParams, UnknownNameListsAcceptedOnes) {
  const auto specs = storage_specs();
  const std::vector<ParamOverride> overrides = {{"thread", std::string("4"), "--set thread=4"}};
  const auto list = resolve_params("storage.seq", specs, overrides);
  ASSERT_FALSE(list.ok());
  const std::string& m = list.error().message;
  EXPECT_EQ(list.error().kind, ErrorKind::bad_input);
  EXPECT_NE(m.find("probe 'storage.seq' has no parameter 'thread'"), std::string::npos) << m;
  EXPECT_NE(m.find("--set thread=4"), std::string::npos) << m;
  EXPECT_NE(m.find("did you mean 'threads'"), std::string::npos) << m;
  EXPECT_NE(m.find("path, size, block, seconds, threads, direct, fraction"), std::string::npos) << m;
}

TEST(ResolveParams, BadValueNamesProbeOriginAndText) {
  const auto specs = storage_specs();
  const std::vector<ParamOverride> overrides = {{"size", std::string("64 KB"), "plan.toml:20:8"}};
  const auto list = resolve_params("storage.seq", specs, overrides);
  ASSERT_FALSE(list.ok());
  const std::string& m = list.error().message;
  EXPECT_NE(m.find("probe 'storage.seq'"), std::string::npos) << m;
  EXPECT_NE(m.find("plan.toml:20:8"), std::string::npos) << m;
  EXPECT_NE(m.find("'size'"), std::string::npos) << m;
  EXPECT_NE(m.find("'64 KB'"), std::string::npos) << m;
  EXPECT_NE(m.find("a size in bytes"), std::string::npos) << m;
}

TEST(ResolveParams, InvalidDefaultIsInternal) {
  const std::vector<ParamSpec> specs = {spec("threads", ParamKind::integer, std::int64_t{0}, 1.0)};
  const auto list = resolve_params("cpu.fma", specs, {});
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().kind, ErrorKind::internal);
  EXPECT_NE(list.error().message.find("cpu.fma"), std::string::npos);
}

TEST(ResolveParams, NoSpecs) {
  const std::vector<ParamOverride> overrides = {{"x", std::string("1"), "--set x=1"}};
  const auto list = resolve_params("power.node", {}, overrides);
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.error().message.find("no parameters"), std::string::npos);
  EXPECT_TRUE(resolve_params("power.node", {}, {}).ok());
}

TEST(ParamValueText, ReadsBackToTheSameValue) {
  const auto specs = storage_specs();
  const std::vector<ParamValue> values = {
      std::string("/mnt/x"), std::int64_t{64} * kGiB, std::int64_t{4096}, 0.1, std::int64_t{7}, false, 0.3};
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const std::string text = param_value_text(values[i]);
    SCOPED_TRACE(text);
    const auto back = parse_param_text(specs[i], text);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, values[i]);
  }
  EXPECT_EQ(param_value_text(true), "true");
  EXPECT_EQ(param_value_text(std::int64_t{-12}), "-12");
  EXPECT_EQ(param_value_text(2.0), "2");
  EXPECT_EQ(param_value_text(0.1), "0.1");
  EXPECT_EQ(param_value_text(1e-7), "1e-07");
  EXPECT_EQ(param_value_text(std::string("a b")), "a b");
  // Seconds that are not short decimals still read back exactly.
  const auto seconds = spec("seconds", ParamKind::seconds, 1.0);
  const double third = 1.0 / 3.0;
  EXPECT_EQ(std::get<double>(*parse_param_text(seconds, param_value_text(third))), third);
}

TEST(ParamAccess, WrongNameOrTypeIsAnInternalException) {
  ParamList list = {
      {"threads", std::int64_t{4}}, {"seconds", 2.0}, {"path", std::string("/x")}, {"direct", true}};
  EXPECT_EQ(param_int(list, "threads"), 4);
  EXPECT_DOUBLE_EQ(param_real(list, "threads"), 4.0);  // integers read as reals
  EXPECT_THROW(param_int(list, "thread"), std::logic_error);
  EXPECT_THROW(param_int(list, "seconds"), std::logic_error);
  EXPECT_THROW(param_text(list, "threads"), std::logic_error);
  EXPECT_THROW(param_flag(list, "path"), std::logic_error);
  EXPECT_THROW(param_real(list, "direct"), std::logic_error);
  try {
    param_int(list, "seconds");
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("'seconds'"), std::string::npos) << e.what();
  }
}

TEST(ParamAccess, SetParamReplacesOrAppends) {
  ParamList list = {{"threads", std::int64_t{0}}};
  set_param(list, "threads", std::int64_t{2});
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(param_int(list, "threads"), 2);
  set_param(list, "kernel", std::string("avx512"));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].name, "kernel");
  EXPECT_EQ(param_text(list, "kernel"), "avx512");
}

}  // namespace
}  // namespace assay

namespace assay {
namespace {

TEST(ParamChoices, TextMustBeOneOfTheChoices) {
  ParamSpec spec{"isa", ParamKind::text, std::string("auto"), "instruction set", {}, {}, {"auto", "avx512", "avx2"}};
  EXPECT_TRUE(parse_param_text(spec, "avx2").ok());
  auto bad = parse_param_text(spec, "avx5122");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::bad_input);
  EXPECT_NE(bad.error().message.find("must be one of auto, avx512, avx2"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("did you mean 'avx512'"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(coerce_param(spec, ParamValue{std::string("sse")}).ok());
  ParamSpec free_text{"path", ParamKind::text, std::string(""), "", {}, {}, {}};
  EXPECT_TRUE(parse_param_text(free_text, "anything at all").ok());
}

}  // namespace
}  // namespace assay
