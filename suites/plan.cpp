#include "suites/plan.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/text_match.h"
#include "probes/common/host_topology.h"
#include "probes/power/power_attribution.h"
#include "suites/plan_criteria.h"
#include "suites/plan_power.h"
#include "suites/plan_probes.h"
#include "suites/rated.h"
#include "suites/toml_reader.h"

namespace assay {
namespace {

const std::vector<std::string> top_keys = {"system", "node", "rated", "criteria", "run", "probes", "power"};
const std::vector<std::string> system_keys = {"name", "nodes", "description"};
const std::vector<std::string> node_keys = {"cpu", "cpu_sockets", "gpu", "gpus"};
const std::vector<std::string> run_keys = {"suite", "probes"};
const std::vector<std::string> rated_keys = {"value", "source", "basis", "unconfirmed", "catalog"};

SourcePosition position_of(const toml::source_region& region, const std::string& file) {
  return {file, region.begin.line, region.begin.column};
}

// The plan reader: one per parse; problems are collected in `issues_`.
class PlanReader {
 public:
  PlanReader(const std::string& file, const Catalog& catalog, const ProbeRegistry& registry,
             const PlanLoadOptions& options)
      : catalog_(catalog), registry_(registry), options_(options), issues_(file) {
    plan_.file = file;
    for (const auto& p : registry.probes()) {
      for (const auto& m : p->metrics()) {
        probe_units_.emplace(m.key, m.unit);
        known_units_.emplace(m.key, m.unit);
        // Where power is sampled, the rates of compute and memory probes get an
        // efficiency figure too (docs/probes/power.md).
        if (const auto efficiency = efficiency_figure(m.key, m.unit)) {
          probe_units_.emplace(efficiency->key, efficiency->unit);
          known_units_.emplace(efficiency->key, efficiency->unit);
        }
      }
    }
    // The sampler adds these beside every probe, whichever probes this assay has.
    for (const auto& m : sampled_power_metrics()) {
      probe_units_.emplace(m.key, m.unit);
      known_units_.emplace(m.key, m.unit);
    }
    for (const auto& e : catalog.entries()) {
      for (const auto& f : e.figures) known_units_.emplace(f.key, f.quantity.unit);
    }
  }

  Expected<Plan> read(const toml::table& root) {
    for (auto&& [key, node] : root) {
      if (std::find(top_keys.begin(), top_keys.end(), key.str()) == top_keys.end()) {
        report_unknown_key(key, "the plan", top_keys, issues_);
      }
    }
    if (const auto* t = section(root, "system")) read_system(*t);
    if (const auto* t = section(root, "node")) read_node(*t);
    if (const auto* t = section(root, "run")) read_run(*t);
    if (const auto* t = section(root, "rated")) read_rated(*t);
    if (const auto* t = section(root, "criteria")) {
      read_criteria(*t, rule_match_keys(), plan_.file, plan_.criteria, issues_);
    }
    read_probes(section(root, "probes"));
    if (const auto* t = section(root, "power")) read_power(*t, plan_.power, issues_);
    if (!issues_.any()) merge_catalog_figures();
    if (issues_.any()) return issues_.error();
    if (suite_error_) return *suite_error_;
    return std::move(plan_);
  }

 private:
  const toml::table* section(const toml::table& root, std::string_view name) {
    const auto* node = root.get(name);
    if (!node) return nullptr;
    return read_table(*node, "[" + std::string(name) + "]", issues_);
  }

  SourcePosition where(const toml::source_region& region) const {
    return position_of(region, plan_.file);
  }

  void read_system(const toml::table& table) {
    for (auto&& [key, node] : table) {
      const std::string what = "[system] " + std::string(key.str());
      if (key.str() == "name") {
        if (auto v = read_string(node, what, issues_)) plan_.system.name = *v;
      } else if (key.str() == "nodes") {
        if (auto v = read_integer(node, what, issues_, 1)) plan_.system.nodes = *v;
      } else if (key.str() == "description") {
        if (auto v = read_string(node, what, issues_, true)) plan_.system.description = *v;
      } else {
        report_unknown_key(key, "[system]", system_keys, issues_);
      }
    }
  }

  // A catalog id of `kind` for [node] cpu / gpu.
  std::optional<std::string> read_catalog_id(const toml::node& node, std::string_view field,
                                             std::string_view kind) {
    const std::string what = "[node] " + std::string(field);
    auto id = read_string(node, what, issues_);
    if (!id) return std::nullopt;
    const CatalogEntry* entry = catalog_.find(*id);
    if (!entry) {
      if (options_.recorded) return id;  // the bundle carries the figures themselves
      issues_.add(node.source(), what + ": no catalog entry '" + *id + "'" +
                                     did_you_mean(*id, catalog_.suggestions(*id, 3)) +
                                     "; `assay specs list` shows the " + std::string(kind) +
                                     " entries, and [rated] takes figures the catalog lacks");
      return std::nullopt;
    }
    if (entry->kind != kind) {
      issues_.add(node.source(), what + ": '" + *id + "' (" + entry->name + ") is a " + entry->kind +
                                     " entry; expected a " + std::string(kind) + " entry");
      return std::nullopt;
    }
    return id;
  }

  void read_node(const toml::table& table) {
    const toml::node* gpus_node = nullptr;
    for (auto&& [key, node] : table) {
      const std::string what = "[node] " + std::string(key.str());
      if (key.str() == "cpu") {
        if (auto id = read_catalog_id(node, "cpu", "cpu")) plan_.node.cpu = *id;
        cpu_position_ = where(node.source());
      } else if (key.str() == "gpu") {
        if (auto id = read_catalog_id(node, "gpu", "gpu")) plan_.node.gpu = *id;
        gpu_position_ = where(node.source());
      } else if (key.str() == "cpu_sockets") {
        if (auto v = read_integer(node, what, issues_, 1)) plan_.node.cpu_sockets = *v;
      } else if (key.str() == "gpus") {
        gpus_node = &node;
        if (auto v = read_integer(node, what, issues_, 0)) plan_.node.gpus = *v;
      } else {
        report_unknown_key(key, "[node]", node_keys, issues_);
      }
    }
    const auto* gpu = table.get("gpu");
    if (gpu && !gpus_node) {
      issues_.add(gpu->source(), "[node] gpus: required when gpu is given (GPUs per node, >= 1)");
    } else if (gpu && gpus_node->value_exact<std::int64_t>() == std::int64_t{0}) {
      issues_.add(gpus_node->source(), "[node] gpus: expected an integer >= 1 when gpu is given, got 0");
    }
  }

  void read_run(const toml::table& table) {
    for (auto&& [key, node] : table) {
      if (key.str() == "suite") {
        if (auto v = read_string(node, "[run] suite", issues_)) {
          plan_.suite = *v;
          suite_node_ = &node;
        }
      } else if (key.str() == "probes") {
        read_run_probes(node);
      } else {
        report_unknown_key(key, "[run]", run_keys, issues_);
      }
    }
  }

  void read_run_probes(const toml::node& node) {
    auto list = read_string_array(node, "[run] probes", issues_);
    if (!list) return;
    if (list->empty()) {
      issues_.add(node.source(), "[run] probes: expected at least one probe name (leave 'probes' out "
                                 "to run the suite's list)");
      return;
    }
    run_probes_ = std::move(*list);
  }

  // [run] probes, once the suite is known: a probe this build lacks is an error unless
  // the suite names it too (a probe of other builds, e.g. gpu.* without CUDA) or the
  // plan is recorded in a bundle; such probes are reported as SKIP by the runner.
  std::vector<std::string> check_run_probes(const SuitePreset& suite) {
    std::vector<std::string> names;
    for (const auto& p : registry_.probes()) names.emplace_back(p->name());
    std::vector<std::string> run;
    const auto listed = [](const std::vector<std::string>& list, const std::string& name) {
      return std::find(list.begin(), list.end(), name) != list.end();
    };
    for (const auto& probe : *run_probes_) {
      if (listed(run, probe.text) || listed(plan_.unavailable_probes, probe.text)) {
        issues_.add(probe.where, "[run] probes: '" + probe.text + "' is listed twice");
      } else if (registry_.find(probe.text)) {
        run.push_back(probe.text);
      } else if (options_.recorded || listed(suite.unavailable, probe.text)) {
        plan_.unavailable_probes.push_back(probe.text);
      } else {
        issues_.add(probe.where, "[run] probes: no probe '" + probe.text + "' in this assay" +
                                     did_you_mean(probe.text, names) + "; `assay list` shows the probes");
      }
    }
    return run;
  }

  std::vector<std::string> known_keys() const {
    std::vector<std::string> keys;
    for (const auto& [k, u] : known_units_) keys.push_back(k);
    return keys;
  }

  // What a [criteria] rule may match: the known keys and the plan's own [rated] keys
  // (which, in a recorded plan, this build may not know).
  std::vector<std::string> rule_match_keys() const {
    std::vector<std::string> keys = known_keys();
    for (const auto& f : plan_.rated) keys.push_back(f.key);
    return keys;
  }

  void read_rated(const toml::table& table) {
    for (auto&& [key, node] : table) read_rated_figure(key, node);
  }

  void read_rated_figure(const toml::key& key, const toml::node& node) {
    const std::string name(key.str());
    const std::string what = "[rated] " + toml_quote(name);
    if (report_unquoted_metric_key(key, node, "[rated]", "\"cpu.fma.fp64\" = \"1.2 TFLOP/s\"", issues_)) {
      return;
    }
    const auto known = known_units_.find(name);
    // A key a probe emits is a metric key whatever its shape (cpu.clock has two parts).
    if (known == known_units_.end() && !is_metric_key(name)) {
      issues_.add(key.source(), what + ": expected a metric key such as \"cpu.fma.fp64\" "
                                       "(family.probe.figure: lowercase letters, digits, '_')");
      return;
    }
    std::optional<Unit> unit;
    if (known != known_units_.end()) {
      unit = known->second;
    } else if (options_.recorded) {
      unit = unit_for_metric_key(name);
    } else {
      issues_.add(key.source(), what + ": no probe of this assay emits it and no catalog entry rates it" +
                                    did_you_mean(name, known_keys()) +
                                    "; `assay list` shows the metrics probes emit");
      return;
    }
    PlanRatedFigure figure;
    figure.key = name;
    figure.source = "plan";
    figure.position = where(key.source());
    const toml::node* value = &node;
    if (const auto* t = node.as_table()) {
      value = t->get("value");
      for (auto&& [k, v] : *t) {
        const std::string field = what + " " + std::string(k.str());
        if (k.str() == "source") {
          if (auto s = read_string(v, field, issues_)) figure.source = *s;
        } else if (k.str() == "basis") {
          if (auto s = read_string(v, field, issues_, true)) figure.basis = *s;
        } else if (k.str() == "unconfirmed") {
          if (auto b = read_bool(v, field, issues_)) figure.unconfirmed = *b;
        } else if (k.str() == "catalog") {
          // Written by plan_to_toml(): the figure came from this catalog entry.
          if (auto id = read_string(v, field, issues_)) {
            figure.catalog_id = *id;
            figure.from_catalog = true;
          }
        } else if (k.str() != "value") {
          report_unknown_key(k, what, rated_keys, issues_);
        }
      }
      if (!value) {
        issues_.add(node.source(), what + ": missing 'value', e.g. { value = \"20 GB/s\", source = "
                                          "\"contract 4.3\" }");
        return;
      }
    } else if (!node.is_string()) {
      issues_.add(node.source(), what + ": expected a figure such as \"989 TFLOP/s\" or a table "
                                        "{ value = \"...\", source = \"...\" }, got " +
                                     std::string(toml_type_phrase(node)));
      return;
    }
    auto text = read_string(*value, what, issues_);
    if (!text) return;
    auto q = unit ? parse_quantity_as(*text, *unit) : parse_quantity(*text);
    if (!q) {
      issues_.add(value->source(), what + ": " + q.error().message);
      return;
    }
    if (!(q->value > 0)) {
      issues_.add(value->source(), what + ": expected a rated figure above zero, got \"" + *text + "\"");
      return;
    }
    figure.quantity = *q;
    plan_.rated.push_back(std::move(figure));
  }

  // The suite preset, the probe list, and every probe's parameters.
  void read_probes(const toml::table* probes_table) {
    const std::string suite = options_.suite_override.value_or(plan_.suite);
    plan_.suite = suite;
    auto preset = load_suite_preset(suite, registry_, options_.suite_files);
    if (!preset) {
      const std::string message = unknown_suite_message(suite, options_.suite_files);
      if (options_.suite_override || !suite_node_) {
        issues_.add("--suite: " + message);
      } else {
        issues_.add(suite_node_->source(), "[run] suite: " + message);
      }
      return;
    }
    if (!*preset) {
      suite_error_ = preset->error();
      return;
    }
    const SuitePreset& suite_preset = preset->value();
    std::vector<std::string> names = suite_preset.probes;
    if (run_probes_) {
      names = check_run_probes(suite_preset);
    } else {
      plan_.unavailable_probes = suite_preset.unavailable;
    }

    std::vector<ScopedParam> plan_params;
    if (probes_table) {
      ProbeScopeRules rules;
      rules.tolerated = plan_.unavailable_probes;
      for (const auto& u : suite_preset.unavailable) {
        if (std::find(rules.tolerated.begin(), rules.tolerated.end(), u) == rules.tolerated.end()) {
          rules.tolerated.push_back(u);
        }
      }
      plan_params = read_probe_params(*probes_table, registry_, rules, issues_, plan_.warnings);
    }
    if (issues_.any()) return;
    auto planned = resolve_planned_probes(names, suite_preset.params, plan_params, registry_);
    if (!planned) {
      issues_.add(planned.error().message);
      return;
    }
    plan_.probes = std::move(*planned);
  }

  void merge_catalog_figures() {
    plan_.catalog_resolved = true;
    if (!options_.recorded) {
      for (auto& v : catalog_rated_values(plan_.node, catalog_)) {
        if (plan_.rated_figure(v.key)) continue;  // the plan's own figure wins
        const bool gpu = metric_family(v.key) == "gpu" || v.key.starts_with("power.gpu.");
        const SourcePosition& at = gpu ? gpu_position_ : cpu_position_;
        if (auto it = probe_units_.find(v.key); it != probe_units_.end() && it->second != v.quantity.unit) {
          issues_.add(at.text() + ": catalog entry '" + (gpu ? plan_.node.gpu : plan_.node.cpu) +
                      "' rates " + v.key + " in " + std::string(unit_symbol(v.quantity.unit)) +
                      " but the probe emits " + std::string(unit_symbol(it->second)) +
                      " (a catalog error: report it)");
          continue;
        }
        PlanRatedFigure f;
        f.key = v.key;
        f.quantity = v.quantity;
        f.source = v.source;
        f.basis = v.basis;
        f.unconfirmed = v.unconfirmed;
        f.from_catalog = true;
        f.catalog_id = gpu ? plan_.node.gpu : plan_.node.cpu;
        f.position = at;
        plan_.rated.push_back(std::move(f));
      }
    }
    std::sort(plan_.rated.begin(), plan_.rated.end(),
              [](const PlanRatedFigure& a, const PlanRatedFigure& b) { return a.key < b.key; });
    for (const auto& f : plan_.rated) {
      if (!f.unconfirmed) continue;
      plan_.warnings.push_back(f.position.text() + ": rated figure " + f.key + " (" +
                               format_quantity(f.quantity) + ") from " + f.source +
                               " is unconfirmed: its source is weak; a contract figure in [rated] "
                               "would be firmer");
    }
  }

  const Catalog& catalog_;
  const ProbeRegistry& registry_;
  const PlanLoadOptions& options_;
  TomlIssues issues_;
  Plan plan_;
  std::map<std::string, Unit, std::less<>> known_units_;  // probes' metrics, then the catalog's
  std::map<std::string, Unit, std::less<>> probe_units_;
  std::optional<std::vector<PositionedString>> run_probes_;  // [run] probes, when given
  const toml::node* suite_node_ = nullptr;
  SourcePosition cpu_position_, gpu_position_;
  std::optional<Error> suite_error_;
};

std::string host_name() {
  char buffer[HOST_NAME_MAX + 1] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0') return "this node";
  return buffer;
}

}  // namespace

std::string SourcePosition::text() const {
  if (line == 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const PlanRatedFigure* Plan::rated_figure(std::string_view key) const {
  for (const auto& f : rated) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

Expected<Plan> parse_plan(std::string_view toml_text, const std::string& file,
                          const Catalog& catalog, const ProbeRegistry& registry,
                          const PlanLoadOptions& options) {
  auto root = parse_toml(toml_text, file);
  if (!root) return root.error();
  return PlanReader(file, catalog, registry, options).read(*root);
}

Expected<Plan> load_plan_file(const std::string& path, const Catalog& catalog,
                              const ProbeRegistry& registry, const PlanLoadOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    return bad_input("cannot read plan '" + path + "': no such file");
  }
  if (fs::is_directory(status)) {
    return bad_input("plan '" + path + "' is a directory; expected a TOML file (e.g. plan.toml)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad_input("cannot read plan '" + path + "': " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return bad_input("cannot read plan '" + path + "': read error");
  return parse_plan(text.str(), path, catalog, registry, options);
}

Expected<Plan> default_plan(const std::string& suite, const Catalog& catalog,
                            const ProbeRegistry& registry, const PlanLoadOptions& options) {
  const auto names = suite_preset_names(options.suite_files);
  if (std::find(names.begin(), names.end(), suite) == names.end()) {
    return bad_input("--suite: " + unknown_suite_message(suite, options.suite_files));
  }
  const HostCpu cpu = read_host_cpu("/");
  std::string text = "[system]\nname = " + toml_quote(host_name()) + "\n[node]\n";
  if (const auto* entry = catalog.find_cpu_by_model_name(cpu.model_name)) {
    text += "cpu = " + toml_quote(entry->id) + "\n";
  }
  text += "cpu_sockets = " + std::to_string(std::max(1, cpu.sockets)) + "\n";
  PlanLoadOptions load = options;
  load.suite_override = suite;
  return parse_plan(text, "(built-in " + suite + " suite)", catalog, registry, load);
}

std::vector<std::string> suite_names() {
  return suite_preset_names(nullptr);
}

}  // namespace assay
