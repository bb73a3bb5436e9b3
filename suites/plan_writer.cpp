// plan_to_toml(): the plan as loaded, for the bundle. Everything that decides a verdict
// is written out (rated figures with their source and arithmetic, criteria, parameters),
// so the bundle can be re-judged without the catalog, the suite presets or this build.

#include <charconv>
#include <cmath>
#include <sstream>

#include "suites/plan.h"
#include "suites/plan_power.h"
#include "suites/plan_probes.h"
#include "suites/toml_reader.h"

namespace assay {
namespace {

// Shortest text that reads back to the same double, without the exponent's '+'
// ("1.2288e12"), so figures keep full precision and stay readable.
std::string exact_number(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text = ec == std::errc{} ? std::string(buffer, end) : std::to_string(value);
  if (const auto plus = text.find("e+"); plus != std::string::npos) text.erase(plus + 1, 1);
  return text;
}

// A TOML float: "3.0" rather than "3", which TOML would read as an integer.
std::string toml_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  std::string text = exact_number(value);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string figure_text(const Quantity& q) {
  if (q.unit == Unit::ratio) return exact_number(q.value);
  return exact_number(q.value) + " " + std::string(unit_symbol(q.unit));
}

std::string param_toml(const ParamValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) return toml_float(*d);
  return toml_quote(std::get<std::string>(value));
}

void write_system_and_node(const Plan& plan, std::ostringstream& out) {
  out << "[system]\n"
      << "name = " << toml_quote(plan.system.name) << "\n"
      << "nodes = " << plan.system.nodes << "\n"
      << "description = " << toml_quote(plan.system.description) << "\n\n";
  out << "[node]\n";
  if (plan.node.cpu.empty()) {
    out << "# cpu: no catalog entry named\n";
  } else {
    out << "cpu = " << toml_quote(plan.node.cpu) << "\n";
  }
  out << "cpu_sockets = " << plan.node.cpu_sockets << "\n";
  if (plan.node.gpu.empty()) {
    out << "# gpu: no catalog entry named\n";
  } else {
    out << "gpu = " << toml_quote(plan.node.gpu) << "\n";
  }
  out << "gpus = " << plan.node.gpus << "\n\n";
}

void write_rated(const Plan& plan, std::ostringstream& out) {
  out << "[rated]\n"
      << "# Every figure measurements are judged against, node level (CPU figures for all\n"
      << "# sockets) or per GPU, in base SI units at full precision. Figures marked\n"
      << "# catalog = \"<id>\" came from that catalog entry and are judged only where a probe\n"
      << "# measures them; the others the plan promises, and they must be measured.\n";
  if (plan.rated.empty()) out << "# (none: every metric is reported as INFO)\n";
  for (const auto& f : plan.rated) {
    out << toml_quote(f.key) << " = { value = " << toml_quote(figure_text(f.quantity))
        << ", source = " << toml_quote(f.source);
    if (!f.basis.empty()) out << ", basis = " << toml_quote(f.basis);
    if (f.unconfirmed) out << ", unconfirmed = true";
    if (f.from_catalog) out << ", catalog = " << toml_quote(f.catalog_id);
    out << " }  # " << format_quantity(f.quantity) << "\n";
  }
  out << "\n";
}

void write_criteria(const Plan& plan, std::ostringstream& out) {
  const Criteria& c = plan.criteria;
  out << "[criteria]\n"
      << "min_fraction = " << toml_float(c.min_fraction) << "\n";
  if (c.warn_fraction) {
    out << "warn_fraction = " << toml_float(*c.warn_fraction) << "\n";
  } else {
    out << "# warn_fraction: none (no WARN band)\n";
  }
  out << "fleet_max_cv = " << toml_float(c.fleet_max_cv) << "\n"
      << "fleet_outlier_mads = " << toml_float(c.fleet_outlier_mads) << "\n";
  for (const auto& rule : c.rules) {
    out << toml_quote(rule.pattern) << " = {";
    const char* separator = " ";
    if (rule.min_fraction) {
      out << separator << "min_fraction = " << toml_float(*rule.min_fraction);
      separator = ", ";
    }
    if (rule.warn_fraction) {
      out << separator << "warn_fraction = " << toml_float(*rule.warn_fraction);
      separator = ", ";
    }
    if (rule.fleet_max_cv) {
      out << separator << "fleet_max_cv = " << toml_float(*rule.fleet_max_cv);
      separator = ", ";
    }
    if (rule.fleet_outlier_mads) out << separator << "fleet_outlier_mads = " << toml_float(*rule.fleet_outlier_mads);
    out << " }\n";
  }
  out << "\n";
}

void write_run_and_probes(const Plan& plan, std::ostringstream& out) {
  out << "[run]\n"
      << "suite = " << toml_quote(plan.suite) << "\n"
      << "probes = [";
  bool first = true;
  for (const auto& p : plan.probes) {
    out << (first ? "" : ", ") << toml_quote(p.name);
    first = false;
  }
  // Probes of other builds stay in the list: the suite names them, so a build that has
  // them runs them and one that lacks them reports SKIP, as this run did.
  for (const auto& name : plan.unavailable_probes) {
    out << (first ? "" : ", ") << toml_quote(name);
    first = false;
  }
  out << "]\n";
  if (!plan.unavailable_probes.empty()) {
    out << "# not built into the assay that wrote this (reported as SKIP):";
    for (const auto& name : plan.unavailable_probes) out << " " << name;
    out << "\n";
  }
  for (const auto& p : plan.probes) {
    const auto family = probe_family(p.name);
    const std::string rest = p.name.size() > family.size() ? p.name.substr(family.size() + 1) : "";
    out << "\n[probes." << toml_key_text(family);
    if (!rest.empty()) out << "." << toml_key_text(rest);
    out << "]\n";
    for (const auto& param : p.params) {
      out << toml_key_text(param.name) << " = " << param_toml(param.value) << "\n";
    }
  }
}

}  // namespace

std::string plan_to_toml(const Plan& plan) {
  std::ostringstream out;
  out << "# assay plan " << toml_quote(plan.system.name) << ", as loaded from " << plan.file
      << ",\n"
      << "# with every default filled in: rated figures, criteria and each probe's parameters.\n"
      << "# The bundle is judged against exactly this; loading it gives the same plan.\n\n";
  write_system_and_node(plan, out);
  write_rated(plan, out);
  write_criteria(plan, out);
  write_power(plan.power, out);
  write_run_and_probes(plan, out);
  return out.str();
}

}  // namespace assay
