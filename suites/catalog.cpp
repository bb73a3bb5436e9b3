#include "suites/catalog.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

#include "configs/embedded_configs.h"
#include "core/text_match.h"
#include "suites/toml_reader.h"

namespace assay {
namespace {

const std::vector<std::string>& common_keys() {
  static const std::vector<std::string> keys = {
      "kind", "name", "vendor", "source", "revision", "unconfirmed", "microarchitecture", "notes"};
  return keys;
}

const std::vector<std::string>& gpu_keys() {
  static const std::vector<std::string> keys = {"sparsity",  "memory",      "memory_type",
                                                "scale_up",  "form_factor", "fp64_vector"};
  return keys;
}

const std::vector<std::string>& cpu_keys() {
  static const std::vector<std::string> keys = {
      "match",           "cores",           "threads",
      "base_clock",      "all_core_boost_clock", "max_boost_clock",
      "rated_clock",     "fp64_flops_per_cycle", "fp32_flops_per_cycle",
      "isa",             "memory_channels", "memory_mts",
      "memory_type",     "tdp",             "l3_cache",
      "launch"};
  return keys;
}

bool contains(const std::vector<std::string>& list, std::string_view key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

std::vector<std::string_view> split_key(std::string_view key) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

bool is_entry_id(std::string_view id) {
  if (id.empty() || id.front() == '-' || id.back() == '-') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// "AMD EPYC  9654 96-Core Processor " and "amd epyc 9654 96-core processor" are the same
// part: /proc/cpuinfo pads some model names with blanks.
std::string normalise_model_name(std::string_view text) {
  std::string out;
  bool blank = false;
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Which figures a part of each kind may carry; RatedTable scales exactly these.
bool figure_fits_kind(std::string_view key, std::string_view kind) {
  const auto family = metric_family(key);
  if (kind == "gpu") return family == "gpu" || key.starts_with("power.gpu.");
  return family == "cpu" || family == "memory" || key.starts_with("power.cpu.");
}

std::string_view kind_figures_phrase(std::string_view kind) {
  return kind == "gpu" ? "gpu.* and power.gpu.*" : "cpu.*, memory.* and power.cpu.*";
}

// Reads one entry; problems go to `issues`, and the entry is returned only when it
// is complete.
class EntryReader {
 public:
  EntryReader(const toml::key& id, const toml::table& table, const std::string& file,
              TomlIssues& issues)
      : id_(id), table_(table), issues_(issues) {
    entry_.id = std::string(id.str());
    entry_.file = file;
    entry_.position = toml_position(id.source(), file);
  }

  std::optional<CatalogEntry> read() {
    const std::size_t before = issues_.count();
    read_kind();
    for (auto&& [key, node] : table_) read_key(key, node);
    check_required();
    if (entry_.kind == "cpu") derive_cpu_figures();
    if (issues_.count() != before) return std::nullopt;
    for (auto& f : entry_.figures) f.unconfirmed = f.unconfirmed || entry_.unconfirmed;
    std::sort(entry_.figures.begin(), entry_.figures.end(),
              [](const RatedFigure& a, const RatedFigure& b) { return a.key < b.key; });
    return std::move(entry_);
  }

 private:
  std::string what(std::string_view key) const {
    return "[" + entry_.id + "] " + toml_key_text(key);
  }

  void read_kind() {
    const auto* node = table_.get("kind");
    if (!node) return;  // reported by check_required()
    const auto kind = read_string(*node, what("kind"), issues_);
    if (!kind) return;
    if (*kind != "gpu" && *kind != "cpu") {
      issues_.add(node->source(), what("kind") + ": expected \"gpu\" or \"cpu\", got \"" +
                                      *kind + "\"");
      return;
    }
    entry_.kind = *kind;
  }

  void read_key(const toml::key& key, const toml::node& node) {
    const std::string_view name = key.str();
    if (is_metric_key(name)) return read_figure(key, node);
    if (contains(common_keys(), name)) return read_common(name, node);
    const bool gpu_key = contains(gpu_keys(), name);
    const bool cpu_key = contains(cpu_keys(), name);
    if ((entry_.kind == "gpu" && gpu_key) || (entry_.kind == "cpu" && cpu_key)) {
      return entry_.kind == "gpu" ? read_gpu_key(name, node) : read_cpu_key(name, node);
    }
    if (entry_.kind.empty() && (gpu_key || cpu_key)) return;  // kind unknown: judged by it
    if (gpu_key || cpu_key) {
      issues_.add(key.source(), what(name) + ": '" + std::string(name) + "' belongs to " +
                                    (gpu_key ? "gpu" : "cpu") + " entries, and this one is of kind \"" +
                                    entry_.kind + "\"");
      return;
    }
    if (node.is_table()) {
      // `gpu.gemm.bf16 = ...` without quotes is a nested table in TOML.
      issues_.add(key.source(), what(name) + ": figure keys must be quoted, e.g. "
                                             "\"gpu.gemm.bf16\" = \"989.5 TFLOP/s\"; unquoted "
                                             "dots make nested tables");
      return;
    }
    std::vector<std::string> known = common_keys();
    const auto& extra = entry_.kind == "cpu" ? cpu_keys() : gpu_keys();
    known.insert(known.end(), extra.begin(), extra.end());
    report_unknown_key(key, "catalog entry [" + entry_.id + "]", known, issues_,
                       "figure keys look like \"family.probe.figure\" (lowercase)");
  }

  void read_common(std::string_view name, const toml::node& node) {
    if (name == "kind") return;  // read first
    if (name == "unconfirmed") {
      if (auto b = read_bool(node, what(name), issues_)) entry_.unconfirmed = *b;
      return;
    }
    const bool free_text = name == "microarchitecture" || name == "notes";
    auto text = read_string(node, what(name), issues_);
    if (!text) return;
    if (name == "name") entry_.name = *text;
    if (name == "vendor") entry_.vendor = *text;
    if (name == "source") entry_.source = *text;
    if (name == "revision") entry_.revision = *text;
    if (free_text) entry_.attributes[std::string(name)] = *text;
  }

  // A figure-valued attribute ("80 GB", "2.4 GHz"): must parse and be of `unit`.
  std::optional<Quantity> read_attribute_quantity(std::string_view name, const toml::node& node,
                                                  Unit unit) {
    auto text = read_string(node, what(name), issues_);
    if (!text) return std::nullopt;
    auto q = parse_quantity(*text);
    if (!q) {
      issues_.add(node.source(), what(name) + ": " + q.error().message);
      return std::nullopt;
    }
    if (q->unit != unit || q->value <= 0) {
      issues_.add(node.source(), what(name) + ": expected " + std::string(unit_description(unit)) +
                                     " above zero, got \"" + *text + "\"");
      return std::nullopt;
    }
    entry_.attributes[std::string(name)] = *text;
    return *q;
  }

  void read_gpu_key(std::string_view name, const toml::node& node) {
    if (name == "sparsity") {
      auto text = read_string(node, what(name), issues_);
      if (text && *text != "dense") {
        issues_.add(node.source(), what(name) + ": expected \"dense\" (the catalog stores dense "
                                                "figures; sparse ones are 2x), got \"" + *text + "\"");
      } else if (text) {
        entry_.sparsity = *text;
      }
      return;
    }
    if (name == "memory") return void(read_attribute_quantity(name, node, Unit::byte));
    if (name == "fp64_vector") return void(read_attribute_quantity(name, node, Unit::flop_per_s));
    if (auto text = read_string(node, what(name), issues_)) {
      entry_.attributes[std::string(name)] = *text;
    }
  }

  void read_cpu_integer(std::string_view name, const toml::node& node, std::int64_t& out) {
    if (auto v = read_integer(node, what(name), issues_, 1)) {
      out = *v;
      entry_.attributes[std::string(name)] = std::to_string(*v);
    }
  }

  void read_cpu_key(std::string_view name, const toml::node& node) {
    CpuSpec& cpu = cpu_spec();
    if (name == "match") {
      auto list = read_string_array(node, what(name), issues_);
      if (list && list->empty()) {
        issues_.add(node.source(), what(name) + ": expected at least one /proc/cpuinfo model name");
      } else if (list) {
        for (auto& s : *list) entry_.match.push_back(std::move(s.text));
      }
      return;
    }
    if (name == "cores") return read_cpu_integer(name, node, cpu.cores);
    if (name == "threads") return read_cpu_integer(name, node, cpu.threads);
    if (name == "fp64_flops_per_cycle") return read_cpu_integer(name, node, cpu.fp64_flops_per_cycle);
    if (name == "fp32_flops_per_cycle") return read_cpu_integer(name, node, cpu.fp32_flops_per_cycle);
    if (name == "memory_channels" || name == "memory_mts") {
      std::int64_t value = 0;
      read_cpu_integer(name, node, value);
      if (value > 0) (name == "memory_channels" ? cpu.memory_channels : cpu.memory_mts) = value;
      return;
    }
    if (name == "base_clock") {
      if (auto q = read_attribute_quantity(name, node, Unit::hertz)) cpu.base_clock_hz = q->value;
      return;
    }
    if (name == "all_core_boost_clock" || name == "max_boost_clock") {
      auto q = read_attribute_quantity(name, node, Unit::hertz);
      if (q) (name == "max_boost_clock" ? cpu.max_boost_clock_hz : cpu.all_core_boost_clock_hz) = q->value;
      return;
    }
    if (name == "tdp") {
      if (auto q = read_attribute_quantity(name, node, Unit::watt)) cpu.tdp_watts = q->value;
      return;
    }
    if (name == "l3_cache") return void(read_attribute_quantity(name, node, Unit::byte));
    if (name == "rated_clock") {
      auto text = read_string(node, what(name), issues_);
      if (text && *text != "base" && *text != "all_core_boost") {
        issues_.add(node.source(), what(name) + ": expected \"base\" or \"all_core_boost\", got \"" +
                                       *text + "\"");
      } else if (text) {
        cpu.rated_clock = *text;
        entry_.attributes[std::string(name)] = *text;
      }
      return;
    }
    // isa, memory_type, launch: free text.
    if (auto text = read_string(node, what(name), issues_)) {
      entry_.attributes[std::string(name)] = *text;
    }
  }

  CpuSpec& cpu_spec() {
    if (!entry_.cpu) entry_.cpu.emplace();
    return *entry_.cpu;
  }

  void read_figure(const toml::key& key, const toml::node& node) {
    const std::string name(key.str());
    RatedFigure figure;
    figure.key = name;
    const toml::node* value = &node;
    if (const auto* table = node.as_table()) {
      value = table->get("value");
      for (auto&& [k, v] : *table) {
        if (k.str() == "value") continue;
        if (k.str() == "note") {
          if (auto note = read_string(v, what(name) + " note", issues_)) figure.note = *note;
        } else if (k.str() == "unconfirmed") {
          if (auto b = read_bool(v, what(name) + " unconfirmed", issues_)) figure.unconfirmed = *b;
        } else {
          static const std::vector<std::string> known = {"value", "note", "unconfirmed"};
          report_unknown_key(k, "figure " + what(name), known, issues_);
        }
      }
      if (!value) {
        issues_.add(node.source(), what(name) + ": missing 'value' (e.g. { value = \"67 TFLOP/s\", "
                                                "note = \"...\" })");
        return;
      }
    } else if (!node.is_string()) {
      issues_.add(node.source(), what(name) + ": expected a figure string such as \"989.5 TFLOP/s\" "
                                              "or a table { value = \"...\", note = \"...\" }, got " +
                                     std::string(toml_type_phrase(node)));
      return;
    }
    auto text = read_string(*value, what(name), issues_);
    if (!text) return;
    auto q = parse_quantity(*text);
    if (!q) {
      issues_.add(value->source(), what(name) + ": " + q.error().message);
      return;
    }
    const auto expected = unit_for_metric_key(name);
    if (expected && q->unit != *expected) {
      const std::string got = q->unit == Unit::ratio ? "no unit" : std::string(unit_symbol(q->unit));
      issues_.add(value->source(), what(name) + ": expected " +
                                       std::string(unit_description(*expected)) + ", got \"" +
                                       *text + "\" (" + got + ")");
      return;
    }
    if (!(q->value > 0)) {
      issues_.add(value->source(), what(name) + ": expected a figure above zero, got \"" + *text +
                                       "\" (omit figures that are not published)");
      return;
    }
    if (!entry_.kind.empty() && !figure_fits_kind(name, entry_.kind)) {
      issues_.add(key.source(), what(name) + ": a " + entry_.kind + " entry carries only " +
                                    std::string(kind_figures_phrase(entry_.kind)) + " figures");
      return;
    }
    figure.quantity = *q;
    entry_.figures.push_back(std::move(figure));
  }

  void require(std::string_view name, bool present) {
    if (present) return;
    issues_.add(id_.source(), "catalog entry [" + entry_.id + "]: missing required key '" +
                                  std::string(name) + "'");
  }

  void check_required() {
    for (const char* name : {"kind", "name", "vendor", "source", "revision"}) {
      require(name, table_.contains(name));
    }
    if (entry_.kind == "gpu") require("sparsity", table_.contains("sparsity"));
    if (entry_.kind != "cpu") return;
    for (const char* name : {"match", "cores", "threads", "base_clock", "fp64_flops_per_cycle",
                             "fp32_flops_per_cycle"}) {
      require(name, table_.contains(name));
    }
    CpuSpec& cpu = cpu_spec();
    if (cpu.rated_clock == "all_core_boost" && !table_.contains("all_core_boost_clock")) {
      issues_.add(table_.get("rated_clock")->source(),
                  what("rated_clock") + ": \"all_core_boost\" needs all_core_boost_clock");
    }
  }

  bool has_figure(std::string_view key) const {
    return std::any_of(entry_.figures.begin(), entry_.figures.end(),
                       [&](const RatedFigure& f) { return f.key == key; });
  }

  void add_derived(std::string key, Unit unit, double value, std::string note) {
    if (has_figure(key)) return;  // an explicit figure wins over the derived one
    RatedFigure f;
    f.key = std::move(key);
    f.quantity = {value, unit};
    f.note = std::move(note);
    f.derived = true;
    entry_.figures.push_back(std::move(f));
  }

  void derive_cpu_figures() {
    if (!entry_.cpu) return;
    CpuSpec& cpu = *entry_.cpu;
    const bool boost = cpu.rated_clock == "all_core_boost";
    cpu.rated_clock_hz = boost ? cpu.all_core_boost_clock_hz.value_or(0) : cpu.base_clock_hz;
    if (cpu.cores > 0 && cpu.rated_clock_hz > 0) {
      // The clock as the entry writes it ("2.4 GHz"), so the arithmetic reads like the sheet.
      const std::string clock_text = entry_.attributes.at(boost ? "all_core_boost_clock" : "base_clock") +
                                     (boost ? " all-core boost" : " base");
      const double cores = static_cast<double>(cpu.cores);
      for (const auto& [precision, per_cycle] :
           {std::pair<std::string, std::int64_t>{"fp64", cpu.fp64_flops_per_cycle},
            {"fp32", cpu.fp32_flops_per_cycle}}) {
        if (per_cycle <= 0) continue;
        const double value = cores * cpu.rated_clock_hz * static_cast<double>(per_cycle);
        const std::string note = std::to_string(cpu.cores) + " cores x " + clock_text + " x " +
                                 std::to_string(per_cycle) + " FLOP/cycle";
        add_derived("cpu.fma." + precision, Unit::flop_per_s, value, note);
        add_derived("cpu.gemm." + precision, Unit::flop_per_s, value, note);
      }
    }
    if (cpu.memory_channels && cpu.memory_mts) {
      const double bytes_per_s =
          static_cast<double>(*cpu.memory_channels) * static_cast<double>(*cpu.memory_mts) * 1e6 * 8;
      const std::string note = std::to_string(*cpu.memory_channels) + " channels x " +
                               std::to_string(*cpu.memory_mts) +
                               " MT/s x 8 B (theoretical DRAM peak)";
      for (const char* kernel : {"copy", "scale", "add", "triad"}) {
        add_derived(std::string("memory.stream.") + kernel, Unit::byte_per_s, bytes_per_s, note);
      }
    }
    if (cpu.tdp_watts) {
      add_derived("power.cpu.tdp", Unit::watt, *cpu.tdp_watts, "TDP " + entry_.attributes.at("tdp"));
    }
  }

  const toml::key& id_;
  const toml::table& table_;
  TomlIssues& issues_;
  CatalogEntry entry_;
};

}  // namespace

const RatedFigure* CatalogEntry::figure(std::string_view key) const {
  for (const auto& f : figures) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

Expected<Catalog> Catalog::parse(std::span<const std::pair<std::string, std::string>> files) {
  Catalog catalog;
  std::vector<std::string> messages;
  std::map<std::string, std::string, std::less<>> first_seen;  // id -> position
  for (const auto& [file, text] : files) {
    auto table = parse_toml(text, file);
    if (!table) {
      messages.push_back(table.error().message);
      continue;
    }
    TomlIssues issues(file);
    for (auto&& [id, node] : *table) {
      const std::string id_text(id.str());
      if (!is_entry_id(id_text)) {
        issues.add(id.source(), "catalog id '" + id_text + "': expected lowercase letters, digits "
                                "and dashes, e.g. [nvidia-h100-sxm5]");
        continue;
      }
      const auto* entry_table = node.as_table();
      if (!entry_table) {
        issues.add(node.source(), "'" + id_text + "': expected a table [" + id_text +
                                      "] describing one part, got " +
                                      std::string(toml_type_phrase(node)));
        continue;
      }
      if (auto seen = first_seen.find(id_text); seen != first_seen.end()) {
        issues.add(id.source(), "duplicate catalog id '" + id_text + "' (first defined at " +
                                    seen->second + ")");
        continue;
      }
      first_seen.emplace(id_text, toml_position(id.source(), file));
      if (auto entry = EntryReader(id, *entry_table, file, issues).read()) {
        catalog.entries_.push_back(std::move(*entry));
      }
    }
    if (issues.any()) messages.push_back(issues.error().message);
  }
  if (!messages.empty()) {
    std::string text;
    for (const auto& m : messages) text += (text.empty() ? "" : "\n") + m;
    return bad_input(text);
  }
  std::sort(catalog.entries_.begin(), catalog.entries_.end(),
            [](const CatalogEntry& a, const CatalogEntry& b) { return a.id < b.id; });
  return catalog;
}

Expected<Catalog> Catalog::embedded() {
  static const Expected<Catalog> catalog = [] {
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& f : embedded_configs()) {
      if (f.path.starts_with("specs/") && f.path.ends_with(".toml")) {
        files.emplace_back(std::string(f.path), std::string(f.content));
      }
    }
    return parse(files);
  }();
  return catalog;
}

const CatalogEntry* Catalog::find(std::string_view id) const {
  for (const auto& e : entries_) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

const CatalogEntry* Catalog::find_cpu_by_model_name(std::string_view model_name) const {
  const std::string wanted = normalise_model_name(model_name);
  if (wanted.empty()) return nullptr;
  for (const auto& e : entries_) {
    if (e.kind != "cpu") continue;
    for (const auto& m : e.match) {
      if (normalise_model_name(m) == wanted) return &e;
    }
  }
  return nullptr;
}

std::vector<std::string> Catalog::suggestions(std::string_view id, std::size_t max) const {
  std::vector<std::string> ids;
  for (const auto& e : entries_) ids.push_back(e.id);
  return closest_names(id, ids, max);
}

const RatedFigure* Catalog::any_figure(std::string_view key) const {
  for (const auto& e : entries_) {
    if (const auto* f = e.figure(key)) return f;
  }
  return nullptr;
}

bool is_metric_key(std::string_view key) {
  const auto parts = split_key(key);
  if (parts.size() < 3) return false;
  return std::all_of(parts.begin(), parts.end(), [](std::string_view part) {
    return !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
  });
}

std::string_view metric_family(std::string_view key) { return key.substr(0, key.find('.')); }

std::optional<Unit> unit_for_metric_key(std::string_view key) {
  const auto parts = split_key(key);
  if (parts.size() < 3) return std::nullopt;
  const std::string_view family = parts[0], probe = parts[1];
  // An aggregate over nodes (storage.seq.read_aggregate) has its figure's unit.
  std::string_view figure = parts.back();
  if (figure.ends_with("_aggregate")) figure.remove_suffix(std::string_view("_aggregate").size());
  // An efficiency (cpu.fma.fp64_per_watt) is its rate's unit per watt.
  if (figure.ends_with("_per_watt")) {
    std::string rate_key(family);
    rate_key.append(".").append(probe).append(".").append(figure.substr(0, figure.size() - 9));
    const auto rate = unit_for_metric_key(rate_key);
    if (rate == Unit::flop_per_s) return Unit::flop_per_joule;
    if (rate == Unit::op_per_s) return Unit::op_per_joule;
    if (rate == Unit::byte_per_s) return Unit::byte_per_joule;
    return std::nullopt;
  }
  const auto has = [&](std::string_view word) { return figure.find(word) != std::string_view::npos; };
  if (family == "power") {
    if (has("energy") || has("joule")) return Unit::joule;
    if (figure == "pue" || probe == "pue") {
      if (figure == "period") return Unit::second;
      return has("energy") ? Unit::joule : Unit::ratio;
    }
    return Unit::watt;
  }
  if (has("latency")) return Unit::second;
  // Latency percentiles: read_p50, write_p999.
  if (const auto p = figure.rfind("_p"); p != std::string_view::npos && p + 2 < figure.size() &&
      figure.find_first_not_of("0123456789", p + 2) == std::string_view::npos) {
    return Unit::second;
  }
  if (figure.ends_with("iops")) return Unit::op_per_s;
  if (probe == "gemm" || probe == "fma") {
    return figure.starts_with("int") ? Unit::op_per_s : Unit::flop_per_s;
  }
  if (has("bandwidth") || has("busbw") || has("algbw")) return Unit::byte_per_s;
  if (family == "memory" || probe == "hbm") return Unit::byte_per_s;
  if (family == "storage" && probe == "seq") return Unit::byte_per_s;
  if (family == "storage" && probe == "meta") return Unit::op_per_s;
  if (has("clock") || has("freq")) return Unit::hertz;
  return std::nullopt;
}

}  // namespace assay
