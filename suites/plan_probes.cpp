#include "suites/plan_probes.h"

#include <algorithm>

#include "configs/embedded_configs.h"
#include "core/text_match.h"

namespace assay {
namespace {

struct ProbeInfo {
  std::string name;
  std::string family;
  std::vector<ParamSpec> specs;

  const ParamSpec* spec(std::string_view param) const {
    for (const auto& s : specs) {
      if (s.name == param) return &s;
    }
    return nullptr;
  }
};

bool in_scope(const ProbeInfo& probe, std::string_view scope) {
  return scope.empty() || probe.name == scope || probe.family == scope;
}

bool in_scope(std::string_view probe_name, std::string_view scope) {
  return scope.empty() || probe_name == scope || probe_family(probe_name) == scope;
}

std::string scope_table(std::string_view scope) {
  return scope.empty() ? "[probes]" : "[probes." + std::string(scope) + "]";
}

std::optional<ParamValue> to_param_value(const toml::node& node) {
  if (const auto* b = node.as_boolean()) return ParamValue{b->get()};
  if (const auto* i = node.as_integer()) return ParamValue{i->get()};
  if (const auto* f = node.as_floating_point()) return ParamValue{f->get()};
  if (const auto* s = node.as_string()) return ParamValue{s->get()};
  return std::nullopt;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
  return text;
}

// Reads one [probes] table; holds what every part of the reading needs.
class ProbeParamsReader {
 public:
  ProbeParamsReader(const ProbeRegistry& registry, const ProbeScopeRules& rules, TomlIssues& issues,
                    std::vector<std::string>& warnings)
      : rules_(rules), issues_(issues), warnings_(warnings) {
    for (const auto& p : registry.probes()) {
      probes_.push_back({std::string(p->name()), probe_family(p->name()), p->params()});
    }
  }

  std::vector<ScopedParam> read(const toml::table& table) {
    for (auto&& [key, node] : table) {
      if (const auto* family = node.as_table()) {
        read_family(key, *family);
      } else {
        read_param("", key, node);
      }
    }
    return std::move(params_);
  }

 private:
  std::vector<std::string> tolerated_in(std::string_view scope) const {
    std::vector<std::string> out;
    for (const auto& name : rules_.tolerated) {
      if (in_scope(name, scope)) out.push_back(name);
    }
    return out;
  }

  void read_family(const toml::key& key, const toml::table& table) {
    const std::string family(key.str());
    // [probes."cpu.gemm"] names a probe as plainly as [probes.cpu.gemm] does.
    if (family.find('.') != std::string::npos) return read_probe(family, key, table);
    const bool known = std::any_of(probes_.begin(), probes_.end(),
                                   [&](const ProbeInfo& p) { return p.family == family; });
    if (!known) {
      if (rules_.skip_unknown) return;
      if (const auto tolerated = tolerated_in(family); !tolerated.empty()) {
        warnings_.push_back(toml_position(key.source(), issues_.file()) + ": " + scope_table(family) +
                            " ignored: " + joined(tolerated) + " not built into this assay");
        return;
      }
      std::vector<std::string> families;
      for (const auto& p : probes_) {
        if (std::find(families.begin(), families.end(), p.family) == families.end()) {
          families.push_back(p.family);
        }
      }
      issues_.add(key.source(), scope_table(family) + ": no probe family '" + family +
                                    "' in this assay" + did_you_mean(family, families) +
                                    "; families: " + joined(families));
      return;
    }
    for (auto&& [k, v] : table) {
      if (const auto* probe = v.as_table()) {
        read_probe(family + "." + std::string(k.str()), k, *probe);
      } else {
        read_param(family, k, v);
      }
    }
  }

  void read_probe(const std::string& name, const toml::key& key, const toml::table& table) {
    const bool known = std::any_of(probes_.begin(), probes_.end(),
                                   [&](const ProbeInfo& p) { return p.name == name; });
    if (!known) {
      if (rules_.skip_unknown) return;
      if (!tolerated_in(name).empty()) {
        warnings_.push_back(toml_position(key.source(), issues_.file()) + ": " + scope_table(name) +
                            " ignored: probe '" + name + "' is not built into this assay");
        return;
      }
      std::vector<std::string> names;
      for (const auto& p : probes_) names.push_back(p.name);
      issues_.add(key.source(), scope_table(name) + ": no probe '" + name + "' in this assay" +
                                    did_you_mean(name, names) + "; probes: " + joined(names));
      return;
    }
    for (auto&& [k, v] : table) {
      if (v.is_table()) {
        issues_.add(k.source(), scope_table(name + "." + std::string(k.str())) +
                                    ": expected a parameter value of " + name + ", got a table");
        continue;
      }
      read_param(name, k, v);
    }
  }

  void read_param(const std::string& scope, const toml::key& key, const toml::node& node) {
    const std::string name(key.str());
    const std::string what = scope_table(scope) + " " + toml_key_text(name);
    const auto value = to_param_value(node);
    if (!value) {
      issues_.add(node.source(), what + ": expected a number, string or boolean, got " +
                                     std::string(toml_type_phrase(node)));
      return;
    }
    std::vector<const ProbeInfo*> accepting;
    std::vector<std::string> names_in_scope;
    for (const auto& p : probes_) {
      if (!in_scope(p, scope)) continue;
      if (p.spec(name)) accepting.push_back(&p);
      for (const auto& s : p.specs) {
        if (std::find(names_in_scope.begin(), names_in_scope.end(), s.name) == names_in_scope.end()) {
          names_in_scope.push_back(s.name);
        }
      }
    }
    if (accepting.empty()) {
      report_unaccepted(scope, key, what, names_in_scope);
      return;
    }
    for (const ProbeInfo* p : accepting) {
      auto checked = coerce_param(*p->spec(name), *value);
      if (!checked) {
        const std::string for_probe = scope == p->name ? "" : " (for " + p->name + ")";
        issues_.add(node.source(), what + ": " + checked.error().message + for_probe);
        return;
      }
    }
    params_.push_back({scope, name, *value, toml_position(node.source(), issues_.file())});
  }

  void report_unaccepted(const std::string& scope, const toml::key& key, const std::string& what,
                         const std::vector<std::string>& names_in_scope) {
    const std::string name(key.str());
    const bool probe_scope = std::any_of(probes_.begin(), probes_.end(),
                                         [&](const ProbeInfo& p) { return p.name == scope; });
    if (!probe_scope) {
      if (rules_.skip_unknown) return;
      if (const auto tolerated = tolerated_in(scope); !tolerated.empty()) {
        warnings_.push_back(toml_position(key.source(), issues_.file()) + ": " + what +
                            " ignored: no probe of this assay accepts it (perhaps it is for " +
                            joined(tolerated) + ", not built into this assay)");
        return;
      }
    }
    const std::string who = probe_scope ? "probe " + scope
                            : scope.empty() ? std::string("no probe of this assay")
                                            : "no probe of family '" + scope + "'";
    std::string message = what + ": " + who + (probe_scope ? " has no parameter '" : " accepts '") +
                          name + "'" + did_you_mean(name, names_in_scope);
    message += names_in_scope.empty() ? "; it accepts no parameters"
                                      : "; accepted: " + joined(names_in_scope);
    issues_.add(key.source(), message);
  }

  std::vector<ProbeInfo> probes_;
  const ProbeScopeRules& rules_;
  TomlIssues& issues_;
  std::vector<std::string>& warnings_;
  std::vector<ScopedParam> params_;
};

void append_overrides(const std::vector<ScopedParam>& params, const std::string& probe,
                      const std::vector<ParamSpec>& specs, std::vector<ParamOverride>& out) {
  for (const std::string& scope : {std::string(), probe_family(probe), probe}) {
    for (const auto& p : params) {
      if (p.scope != scope) continue;
      const bool accepted = std::any_of(specs.begin(), specs.end(),
                                        [&](const ParamSpec& s) { return s.name == p.name; });
      if (accepted) out.push_back({p.name, p.value, p.origin});
    }
  }
}

SuitePreset read_suite(const std::string& name, const std::string& file, const toml::table& table,
                       const ProbeRegistry& registry, TomlIssues& issues) {
  SuitePreset preset;
  preset.name = name;
  preset.file = file;
  static const std::vector<std::string> preset_keys = {"suite", "probes"};
  static const std::vector<std::string> suite_keys = {"description", "probes"};
  for (auto&& [key, node] : table) {
    if (key.str() == "suite" || key.str() == "probes") continue;
    report_unknown_key(key, "a suite preset", preset_keys, issues);
  }
  const auto* suite = table.get("suite");
  const toml::table* suite_table = suite ? read_table(*suite, "[suite]", issues) : nullptr;
  if (!suite_table) {
    if (!suite) issues.add("missing [suite] table with description and probes");
    return preset;
  }
  for (auto&& [key, node] : *suite_table) {
    if (key.str() == "description") {
      preset.description = read_string(node, "[suite] description", issues).value_or("");
    } else if (key.str() != "probes") {
      report_unknown_key(key, "[suite]", suite_keys, issues);
    }
  }
  const auto* probes = suite_table->get("probes");
  if (!probes) {
    issues.add(suite->source(), "[suite]: missing 'probes' (the probes the suite runs, in order)");
    return preset;
  }
  for (const auto& probe : read_string_array(*probes, "[suite] probes", issues).value_or(
           std::vector<PositionedString>{})) {
    auto& list = registry.find(probe.text) ? preset.probes : preset.unavailable;
    if (std::find(list.begin(), list.end(), probe.text) != list.end()) {
      issues.add(probe.where, "[suite] probes: '" + probe.text + "' is listed twice");
      continue;
    }
    list.push_back(probe.text);
  }
  if (const auto* params = table.get("probes")) {
    if (const auto* params_table = read_table(*params, "[probes]", issues)) {
      std::vector<std::string> ignored;
      ProbeScopeRules rules;
      rules.skip_unknown = true;
      preset.params = read_probe_params(*params_table, registry, rules, issues, ignored);
    }
  }
  return preset;
}

}  // namespace

std::string probe_family(std::string_view probe_name) {
  return std::string(probe_name.substr(0, probe_name.find('.')));
}

std::vector<ScopedParam> read_probe_params(const toml::table& probes, const ProbeRegistry& registry,
                                           const ProbeScopeRules& rules, TomlIssues& issues,
                                           std::vector<std::string>& warnings) {
  return ProbeParamsReader(registry, rules, issues, warnings).read(probes);
}

std::vector<std::pair<std::string, std::string>> suite_preset_files(
    const std::vector<std::pair<std::string, std::string>>* override_files) {
  if (override_files) return *override_files;
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& f : embedded_configs()) {
    if (!suite_name_of(f.path).empty()) files.emplace_back(f.path, f.content);
  }
  return files;
}

std::string suite_name_of(std::string_view path) {
  constexpr std::string_view prefix = "suites/", suffix = ".toml";
  if (!path.starts_with(prefix) || !path.ends_with(suffix)) return {};
  const auto name = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (name.empty() || name.find('/') != std::string_view::npos) return {};
  return std::string(name);
}

std::vector<std::string> suite_preset_names(
    const std::vector<std::pair<std::string, std::string>>* override_files) {
  std::vector<std::string> names;
  for (const auto& [path, text] : suite_preset_files(override_files)) {
    names.push_back(suite_name_of(path));
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string unknown_suite_message(std::string_view suite,
                                  const std::vector<std::pair<std::string, std::string>>* override_files) {
  const auto names = suite_preset_names(override_files);
  return "unknown suite '" + std::string(suite) + "'" + did_you_mean(suite, names) +
         "; expected one of: " + joined(names);
}

std::optional<Expected<SuitePreset>> load_suite_preset(
    std::string_view name, const ProbeRegistry& registry,
    const std::vector<std::pair<std::string, std::string>>* override_files) {
  for (const auto& [path, text] : suite_preset_files(override_files)) {
    if (suite_name_of(path) != name) continue;
    auto table = parse_toml(text, path);
    if (!table) return Expected<SuitePreset>(internal_error(table.error().message));
    TomlIssues issues(path);
    SuitePreset preset = read_suite(std::string(name), path, *table, registry, issues);
    if (issues.any()) return Expected<SuitePreset>(issues.error(ErrorKind::internal));
    return Expected<SuitePreset>(std::move(preset));
  }
  return std::nullopt;
}

Expected<std::vector<PlannedProbe>> resolve_planned_probes(
    const std::vector<std::string>& names, const std::vector<ScopedParam>& suite_params,
    const std::vector<ScopedParam>& plan_params, const ProbeRegistry& registry) {
  std::vector<PlannedProbe> planned;
  for (const auto& name : names) {
    const Probe* probe = registry.find(name);
    if (!probe) return internal_error("resolving parameters: probe '" + name + "' is not registered");
    const auto specs = probe->params();
    std::vector<ParamOverride> overrides;
    append_overrides(suite_params, name, specs, overrides);
    append_overrides(plan_params, name, specs, overrides);
    auto params = resolve_params(name, specs, overrides);
    if (!params) return params.error();
    planned.push_back({name, std::move(*params)});
  }
  return planned;
}

}  // namespace assay
