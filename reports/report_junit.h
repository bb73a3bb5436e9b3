#pragma once
// junit.xml: every verdict as a JUnit test case, for the test reports of CI systems
// (Jenkins, GitLab, GitHub Actions reporters). A pure function of the bundle.

#include <string>

#include "reports/report_input.h"

namespace assay {

/// One <testsuite> per probe family (cpu, memory, gpu, interconnect, storage, power), in
/// the order the verdicts first name them; one <testcase> per verdict (classname
/// node[.subject], name the metric key): FAIL a <failure>, ERROR an <error>, SKIP
/// <skipped>, WARN and INFO pass with a <system-out> note. Messages are in the input's
/// language; tag and attribute names and status types stay JUnit's and English.
std::string render_junit(const ReportInput& input);

}  // namespace assay
