#include "probes/power/pue_probe.h"

#include <fmt/format.h>

#include "core/iso_time.h"
#include "probes/power/pue.h"

namespace assay {
namespace {

class PueProbe final : public Probe {
 public:
  std::string_view name() const override { return "power.pue"; }
  std::string_view description() const override {
    return "PUE (ISO/IEC 30134-2) from the facility's and the IT equipment's energy meter logs over the period "
           "both cover";
  }
  std::vector<ParamSpec> params() const override {
    return {
        {"facility", ParamKind::text, std::string(""), "CSV log of the total facility meter (timestamp, kWh or W)", {}, {}},
        {"it", ParamKind::text, std::string(""), "CSV log of the IT equipment meter (timestamp, kWh or W)", {}, {}},
        {"category", ParamKind::text, std::string(""),
         "where the IT energy was metered: ups-output (PUE1), pdu-output (PUE2) or it-input (PUE3)",
         {}, {}, {"", "ups-output", "pdu-output", "it-input"}},
        {"bad_rows", ParamKind::text, std::string("refuse"), "refuse logs with bad rows, or skip those rows",
         {}, {}, {"refuse", "skip"}},
    };
  }
  std::vector<MetricSpec> metrics() const override {
    return {
        {"power.pue.ratio", Unit::ratio, Better::lower, "facility energy / IT energy over the logs' common period"},
        {"power.pue.facility_energy", Unit::joule, Better::lower, "total facility energy over the period"},
        {"power.pue.it_energy", Unit::joule, Better::lower, "IT equipment energy over the period"},
        {"power.pue.period", Unit::second, Better::higher, "length of the period (12 months for an annual PUE)"},
    };
  }
  Expected<void> check_params(const ParamList& params) const override {
    for (const char* file : {"facility", "it"}) {
      if (param_text(params, file).empty()) {
        return bad_input(fmt::format("power.pue needs {}=CSV (the {} energy meter's log)", file,
                                     std::string_view(file) == "it" ? "IT equipment" : "total facility"));
      }
    }
    if (param_text(params, "category").empty()) {
      return bad_input("power.pue needs category=ups-output|pdu-output|it-input: where the IT energy was metered "
                       "(ISO/IEC 30134-2 categories 1, 2, 3)");
    }
    // The logs are the user's input: a bad row or logs that cannot give a PUE are
    // refused before anything runs (exit 2), not reported as a failed probe.
    if (auto figure = compute(params); !figure) return figure.error();
    return {};
  }
  Availability availability() const override { return {}; }

  ProbeResult run(const ParamList& params, const ProbeContext&) const override {
    ProbeResult result;
    result.subject = "facility";
    auto computed = compute(params);
    if (!computed) return error_result(std::move(result), computed.error().message);
    const PueFigure& figure = *computed->figure;
    const auto& bad_rows = computed->bad_rows;
    for (const auto& bad : bad_rows) result.notes.push_back("skipped " + bad);
    result.notes.push_back("PUE " + figure.period_text);
    result.notes.push_back(pue_category_description(figure.category));
    const std::string period = fmt::format("{} .. {}", iso_utc(figure.from), iso_utc(figure.to));
    result.metrics.push_back(make_metric("power.pue.ratio", Unit::ratio, Better::lower, {figure.pue},
                                         ValueRule::median, {},
                                         fmt::format("{}; {}", figure.annual ? "annual PUE" : "PUE, not annual",
                                                     pue_category_description(figure.category))));
    result.metrics.push_back(make_metric("power.pue.facility_energy", Unit::joule, Better::lower,
                                         {figure.facility_energy_joules}, ValueRule::median, {}, period));
    result.metrics.push_back(make_metric("power.pue.it_energy", Unit::joule, Better::lower,
                                         {figure.it_energy_joules}, ValueRule::median, {}, period));
    result.metrics.push_back(make_metric("power.pue.period", Unit::second, Better::higher, {figure.period_seconds},
                                         ValueRule::median, {}, figure.period_text));
    result.validation.checked = true;
    result.validation.passed = true;
    result.validation.detail = fmt::format(
        "both logs cover {} with no gap over 1 h; facility energy {:.6g} J >= IT energy {:.6g} J", period,
        figure.facility_energy_joules, figure.it_energy_joules);
    return result;
  }

 private:
  struct Computed {
    std::optional<PueFigure> figure;
    std::vector<std::string> bad_rows;
  };
  static Expected<Computed> compute(const ParamList& params) {
    const auto policy = param_text(params, "bad_rows") == "skip" ? BadRowPolicy::skip : BadRowPolicy::refuse;
    auto facility = read_meter_log(param_text(params, "facility"), policy);
    if (!facility) return facility.error();
    auto it = read_meter_log(param_text(params, "it"), policy);
    if (!it) return it.error();
    const auto category = pue_category_from_text(param_text(params, "category"));
    auto figure = compute_pue(*facility, *it, category.value_or(PueCategory::pue1));
    if (!figure) return figure.error();
    Computed out{*figure, facility->bad_rows};
    out.bad_rows.insert(out.bad_rows.end(), it->bad_rows.begin(), it->bad_rows.end());
    return out;
  }
};

}  // namespace

std::unique_ptr<Probe> make_power_pue_probe() { return std::make_unique<PueProbe>(); }

}  // namespace assay
