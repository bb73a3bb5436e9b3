// Every report of a bundle, written by `assay run`, comes back byte for byte from the
// bundle alone with `assay report DIR --format F [--lang zh]`.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/result_json.h"
#include "e2e/run_assay.h"

namespace assay {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::run_assay;
using testing::write_text;

struct Format {
  const char* name;
  const char* file;
};
constexpr Format kFormats[] = {
    {"md", "report.md"}, {"html", "report.html"}, {"junit", "junit.xml"}, {"csv", "results.csv"}, {"json", "summary.json"}};

// One run per language, shared by the tests of the suite.
class ReportFormats : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dir_ = new std::string(testing::make_temp_dir("reports")); }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path bundle_of_run(const std::string& lang) {
    const fs::path out = fs::path(*dir_) / lang;
    if (!fs::exists(out)) {
      const std::string plan = (fs::path(*dir_) / "plan.toml").string();
      write_text(plan, testing::small_quick_plan("e2e reports"));
      std::vector<std::string> args = {"run", plan, "--out", out.string()};
      if (lang != "en") args.insert(args.end(), {"--lang", lang});
      const auto r = run_assay(args);
      EXPECT_LE(r.exit_code, 1) << r.out << r.err;
    }
    return testing::only_bundle(out);
  }
  static std::string* dir_;
};

std::string* ReportFormats::dir_ = nullptr;

void expect_reports_reproduced(const fs::path& bundle, const std::string& lang) {
  ASSERT_FALSE(bundle.empty()) << "the run left no bundle";
  for (const auto& f : kFormats) {
    SCOPED_TRACE(std::string(f.name) + " " + lang);
    ASSERT_TRUE(fs::is_regular_file(bundle / f.file)) << f.file << " missing from " << bundle;
    // Beside the run's output directory, so the bundle stays as the run left it.
    const fs::path again = bundle.parent_path().parent_path() / ("again-" + lang) / f.file;
    fs::create_directories(again.parent_path());
    std::vector<std::string> args = {"report", bundle.string(), "--format", f.name, "-o", again.string()};
    if (lang != "en") args.insert(args.end(), {"--lang", lang});
    const auto r = run_assay(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_text(again), read_text(bundle / f.file)) << f.file << " is not reproduced from the bundle";
    // Standard output gets the same bytes when there is no -o.
    args.resize(4);
    if (lang != "en") args.insert(args.end(), {"--lang", lang});
    EXPECT_EQ(run_assay(args).out, read_text(bundle / f.file));
  }
}

TEST_F(ReportFormats, EveryReportOfAnEnglishRunIsReproducedFromTheBundle) {
  const fs::path bundle = bundle_of_run("en");
  expect_reports_reproduced(bundle, "en");
  const std::string csv = read_text(bundle / "results.csv");
  EXPECT_TRUE(csv.starts_with("node,probe,subject,key,unit,value,")) << csv.substr(0, 200);
  const std::string junit = read_text(bundle / "junit.xml");
  EXPECT_TRUE(junit.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"assay: e2e reports\""))
      << junit.substr(0, 200);
  EXPECT_NE(junit.find("<testcase classname=\""), std::string::npos);
}

TEST_F(ReportFormats, AChineseRunWritesChineseReportsAndEnglishData) {
  const fs::path bundle = bundle_of_run("zh");
  expect_reports_reproduced(bundle, "zh");
  // Machine-read files are the same in every language.
  EXPECT_TRUE(read_text(bundle / "results.csv").starts_with("node,probe,subject,key,"));
  // The Chinese report, redrawn in English, differs: the language is the report's, not the bundle's.
  const auto en = run_assay({"report", bundle.string(), "--format", "md", "--lang", "en"});
  EXPECT_EQ(en.exit_code, 0);
  EXPECT_NE(en.out, read_text(bundle / "report.md"));
}

TEST(ReportCommand, BadArgumentsExit2NamingThem) {
  const std::string dir = testing::make_temp_dir("report-args");
  auto r = run_assay({"report", dir, "--format", "pdf"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pdf"), std::string::npos) << r.err;

  r = run_assay({"report", dir, "--lang", "fr"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--lang"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fr"), std::string::npos) << r.err;

  r = run_assay({"report", dir + "/absent"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir + "/absent"), std::string::npos) << r.err;

  r = run_assay({"report"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("DIR"), std::string::npos) << r.err;

  // A directory that is not a bundle, and a bundle whose files do not parse.
  r = run_assay({"report", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("summary.json"), std::string::npos) << r.err;
  write_text(dir + "/summary.json", "{\"schema\": ");
  r = run_assay({"report", dir, "--format", "csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir + "/summary.json"), std::string::npos) << r.err;

  r = run_assay({"run", "--lang", "klingon", "--suite", "quick"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--lang"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

TEST_F(ReportFormats, ABundleWithAnUnparseableFileExits2NamingIt) {
  const fs::path bundle = bundle_of_run("en");
  ASSERT_FALSE(bundle.empty());
  const fs::path copy = fs::path(*dir_) / "broken";
  fs::copy(bundle, copy, fs::copy_options::recursive);
  write_text(copy / "inventory.json", "{\"nodes\": [");
  auto r = run_assay({"report", copy.string(), "--format", "html"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find((copy / "inventory.json").string()), std::string::npos) << r.err;

  // A bundle whose summary.json does not record journal lines (written before it did) is
  // read with its journal, and a broken journal is then named.
  fs::copy_file(bundle / "inventory.json", copy / "inventory.json", fs::copy_options::overwrite_existing);
  Json summary = Json::parse(read_text((copy / "summary.json").string()));
  ASSERT_TRUE(summary.contains("journal_lines"));
  summary.erase("journal_lines");
  write_text(copy / "summary.json", summary.dump(2));
  write_text(copy / "journal.jsonl", "{\"schema\": \"assay.result/1\"}\n");
  r = run_assay({"report", copy.string(), "--format", "junit"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find((copy / "journal.jsonl").string()), std::string::npos) << r.err;
}

}  // namespace
}  // namespace assay
