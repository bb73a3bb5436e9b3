// assay specs [list [--kind gpu|cpu] | show NAME] [--json]
#include <ostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/result_json.h"
#include "core/text_match.h"
#include "reports/verdict_table.h"
#include "suites/catalog.h"

namespace assay::cli {
namespace {

Json entry_json(const CatalogEntry& e) {
  Json figures = Json::array();
  for (const auto& f : e.figures) {
    figures.push_back({{"key", f.key}, {"value", f.quantity.value}, {"unit", unit_symbol(f.quantity.unit)},
                       {"note", f.note}, {"unconfirmed", f.unconfirmed}});
  }
  Json attributes = Json::object();
  for (const auto& [k, v] : e.attributes) attributes[k] = v;
  return {{"id", e.id}, {"kind", e.kind}, {"name", e.name}, {"vendor", e.vendor}, {"source", e.source},
          {"revision", e.revision}, {"unconfirmed", e.unconfirmed}, {"file", e.file},
          {"match", e.match}, {"attributes", attributes}, {"figures", figures}};
}

int show(const Catalog& catalog, const std::string& id, bool json, CommandIo& io) {
  const CatalogEntry* e = catalog.find(id);
  if (!e) {
    std::vector<std::string> ids;
    for (const auto& x : catalog.entries()) ids.push_back(x.id);
    return report_error(io, "specs show", bad_input(fmt::format("no catalog entry '{}'{}; 'assay specs list' shows them",
                                                                id, did_you_mean(id, ids))));
  }
  if (json) {
    io.out << entry_json(*e).dump(2) << "\n";
    return exit_accepted;
  }
  io.out << fmt::format("{} ({}): {}\nsource: {} ({})\n", e->id, e->kind, e->name, e->source, e->revision);
  if (e->unconfirmed) io.out << "UNCONFIRMED: these figures need a better source before a plan relies on them\n";
  if (!e->sparsity.empty()) io.out << "figures are " << e->sparsity << "\n";
  std::vector<std::vector<std::string>> attrs;
  for (const auto& [k, v] : e->attributes) attrs.push_back({k, v});
  if (!attrs.empty()) io.out << "\n" << render_text_table({"ATTRIBUTE", "VALUE"}, attrs);
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : e->figures) {
    rows.push_back({f.key, format_quantity(f.quantity), f.unconfirmed ? "unconfirmed" : "", f.note});
  }
  io.out << "\n" << render_text_table({"FIGURE", "RATED", "", "NOTE"}, rows);
  io.out << "\n" << (e->kind == "cpu" ? "CPU figures are per socket." : "Figures are per device.") << "\n";
  return exit_accepted;
}

}  // namespace

int specs_command(const std::vector<std::string>& args, CommandIo& io) {
  CLI::App app{"Show the rated-spec catalog compiled into assay (configs/specs/*.toml).", "assay specs"};
  auto* list_cmd = app.add_subcommand("list", "list every catalog entry (the default)");
  std::string kind;
  list_cmd->add_option("--kind", kind, "only entries of this kind")->check(CLI::IsMember({"gpu", "cpu"}));
  auto* show_cmd = app.add_subcommand("show", "show one entry's figures and their source");
  std::string id;
  show_cmd->add_option("NAME", id, "catalog id, e.g. nvidia-h100-sxm5")->required();
  bool json = false;
  app.add_flag("--json", json, "print JSON and nothing else");
  app.fallthrough();
  if (auto code = parse_arguments(app, "specs", args, io)) return *code;

  auto catalog = Catalog::embedded();
  if (!catalog) return report_error(io, "specs", catalog.error());
  if (show_cmd->parsed()) return show(*catalog, id, json, io);

  if (json) {
    Json list = Json::array();
    for (const auto& e : catalog->entries()) {
      if (kind.empty() || e.kind == kind) list.push_back(entry_json(e));
    }
    io.out << list.dump(2) << "\n";
    return exit_accepted;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : catalog->entries()) {
    if (!kind.empty() && e.kind != kind) continue;
    rows.push_back({e.id, e.kind, e.name + (e.unconfirmed ? " (unconfirmed)" : ""), e.source});
  }
  io.out << render_text_table({"ID", "KIND", "NAME", "SOURCE"}, rows);
  io.out << "\n'assay specs show ID' shows an entry's figures.\n";
  return exit_accepted;
}

}  // namespace assay::cli
